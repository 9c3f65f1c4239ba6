"""A model file's configuration is not trusted: sizes are checked against the weights it holds."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")

from npc_classify.coding import byte_lm  # noqa: E402
from npc_classify.coding.byte_lm import ByteGRU, load_byte_lm, save_byte_lm  # noqa: E402
from npc_classify.compressors import LMCompressor  # noqa: E402


@pytest.fixture
def tiny_model():
    torch.manual_seed(0)
    return ByteGRU(embedding_dim=4, hidden_size=8)


def saved(tmp_path, config, state_dict, name="model.pt"):
    path = tmp_path / name
    torch.save({"config": config, "state_dict": state_dict}, path)
    return path


@pytest.fixture
def never_built(monkeypatch):
    """Fail the test if a model is built: a refusal must come before any allocation."""

    def build(*args, **kwargs):
        raise AssertionError("the model was built before its file was checked")

    monkeypatch.setattr(byte_lm, "ByteGRU", build)


def test_a_saved_model_loads_back_with_identical_weights(tiny_model, tmp_path):
    save_byte_lm(tiny_model, tmp_path / "model.pt")
    loaded = load_byte_lm(tmp_path / "model.pt")
    for name, tensor in tiny_model.state_dict().items():
        assert torch.equal(loaded.state_dict()[name], tensor)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"num_layers": 8000}, r"num_layers=8000 needs 32003 tensors, the file holds 7"),
        ({"hidden_size": 60000}, r"needs embed.weight|needs head.weight|needs gru"),
        ({"embedding_dim": 5}, r"needs embed.weight of shape \(257, 5\), found \(257, 4\)"),
        ({"hidden_size": True}, "hidden_size must be a positive int, got True"),
        ({"num_layers": 0}, "num_layers must be a positive int, got 0"),
        (
            {"colour": 1},
            r"config must have exactly \['embedding_dim', 'hidden_size', 'num_layers'\]",
        ),
    ],
)
def test_a_config_that_the_weights_do_not_match_is_refused_before_building(
    tiny_model, tmp_path, never_built, change, message
):
    path = saved(tmp_path, {**tiny_model.config, **change}, tiny_model.state_dict())
    with pytest.raises(ValueError, match=message):
        load_byte_lm(path)


def test_nan_weights_are_refused_by_name(tiny_model, tmp_path):
    weights = tiny_model.state_dict()
    weights["head.bias"][3] = float("nan")
    with pytest.raises(ValueError, match=r"head\.bias holds values that are not finite numbers"):
        load_byte_lm(saved(tmp_path, tiny_model.config, weights))


def test_a_missing_or_extra_tensor_is_refused(tiny_model, tmp_path, never_built):
    weights = tiny_model.state_dict()
    weights["extra"] = torch.zeros(1)
    with pytest.raises(ValueError, match="needs 7 tensors, the file holds 8"):
        load_byte_lm(saved(tmp_path, tiny_model.config, weights))


def test_a_file_that_is_not_a_model_dict_is_refused(tmp_path):
    path = tmp_path / "list.pt"
    torch.save([1, 2, 3], path)
    with pytest.raises(ValueError, match="expected a dict with a config and a state_dict"):
        load_byte_lm(path)


def test_a_bogus_device_is_named_as_such_not_as_a_damaged_file(tiny_model, tmp_path):
    save_byte_lm(tiny_model, tmp_path / "model.pt")
    with pytest.raises(ValueError, match=r"device='bogus' is not a torch device"):
        LMCompressor(str(tmp_path / "model.pt"), device="bogus").load()


@pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has CUDA")
def test_cuda_on_a_machine_without_it_says_so(tiny_model, tmp_path):
    save_byte_lm(tiny_model, tmp_path / "model.pt")
    with pytest.raises(ValueError, match="no CUDA device available; use device='cpu'"):
        LMCompressor(str(tmp_path / "model.pt"), device="cuda").load()


@pytest.mark.parametrize("device", ["mps", "xpu", "cuda:7"])
def test_a_device_torch_knows_but_this_machine_lacks_is_named(tiny_model, tmp_path, device):
    try:
        torch.empty(0, device=device)
        pytest.skip(f"this machine has {device}")
    except (RuntimeError, AssertionError):
        pass
    save_byte_lm(tiny_model, tmp_path / "model.pt")
    with pytest.raises(ValueError, match=rf"device='{device}', but .*use device='cpu'"):
        LMCompressor(str(tmp_path / "model.pt"), device=device).load()


def test_integer_weights_are_refused_by_name(tiny_model, tmp_path, never_built):
    weights = tiny_model.state_dict()
    weights["head.bias"] = weights["head.bias"].round().to(torch.int64)
    with pytest.raises(ValueError, match=r"head\.bias holds values that are not finite numbers"):
        load_byte_lm(saved(tmp_path, tiny_model.config, weights))
