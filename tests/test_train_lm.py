"""Training the byte language model: it learns, it resumes exactly, the CLI drives it."""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from conftest import TINY_NEWS  # noqa: E402

from npc_classify.cli import main  # noqa: E402
from npc_classify.coding.byte_lm import load_byte_lm  # noqa: E402
from npc_classify.coding.training import train_byte_lm  # noqa: E402
from npc_classify.compressors import LMCompressor  # noqa: E402

SMALL = dict(seq_len=64, batch_size=8, embedding_dim=8, hidden_size=32, progress=False)


@pytest.fixture(scope="module")
def corpus() -> bytes:
    return TINY_NEWS.read_bytes() * 5


def test_training_lowers_the_code_length_of_the_corpus(corpus, tmp_path):
    sample = corpus[:400]
    train_byte_lm(corpus, tmp_path / "before.pt", steps=1, **SMALL)
    train_byte_lm(corpus, tmp_path / "after.pt", steps=150, learning_rate=1e-2, **SMALL)
    before = LMCompressor(str(tmp_path / "before.pt")).compressed_size(sample)
    after = LMCompressor(str(tmp_path / "after.pt")).compressed_size(sample)
    assert after < 0.8 * before, (before, after)


def interrupt_at_step(monkeypatch, step: int) -> None:
    """Make the optimiser step number ``step`` raise KeyboardInterrupt, as a kill would."""
    calls = 0
    original = torch.nn.utils.clip_grad_norm_

    def clip(*args, **kwargs):
        nonlocal calls
        calls += 1
        if calls == step:
            raise KeyboardInterrupt
        return original(*args, **kwargs)

    monkeypatch.setattr(torch.nn.utils, "clip_grad_norm_", clip)


def test_an_interrupted_run_resumes_to_the_same_weights(corpus, tmp_path, monkeypatch):
    train_byte_lm(corpus, tmp_path / "straight.pt", steps=20, checkpoint_every=5, **SMALL)
    out = tmp_path / "resumed.pt"
    interrupt_at_step(monkeypatch, 13)
    with pytest.raises(KeyboardInterrupt):
        train_byte_lm(corpus, out, steps=20, checkpoint_every=5, **SMALL)
    monkeypatch.undo()
    assert (tmp_path / "resumed.pt.ckpt").exists()

    _, resumed_from = train_byte_lm(corpus, out, steps=20, checkpoint_every=5, **SMALL)
    assert resumed_from == 10
    assert not (tmp_path / "resumed.pt.ckpt").exists()
    straight, resumed = load_byte_lm(tmp_path / "straight.pt"), load_byte_lm(out)
    for (name, a), (_, b) in zip(
        straight.state_dict().items(), resumed.state_dict().items(), strict=True
    ):
        assert torch.equal(a, b), name


def test_a_checkpoint_of_other_settings_is_refused(corpus, tmp_path, monkeypatch):
    out = tmp_path / "model.pt"
    interrupt_at_step(monkeypatch, 6)
    with pytest.raises(KeyboardInterrupt):
        train_byte_lm(corpus, out, steps=10, checkpoint_every=5, **SMALL)
    monkeypatch.undo()
    with pytest.raises(ValueError, match="written by a training run with other settings"):
        train_byte_lm(corpus, out, steps=10, checkpoint_every=5, seed=1, **SMALL)


def test_a_corpus_shorter_than_a_window_is_refused(tmp_path):
    with pytest.raises(ValueError, match="training needs more than seq_len=64"):
        train_byte_lm(b"short", tmp_path / "m.pt", steps=1, **SMALL)


def test_a_text_as_the_corpus_is_refused_saying_to_encode_it(tmp_path):
    with pytest.raises(TypeError, match=r"corpus must be bytes, got str; encode a text first"):
        train_byte_lm("a text, not bytes " * 100, tmp_path / "lm.pt", steps=1)


def test_a_model_path_in_a_missing_folder_gets_the_folder(corpus, tmp_path):
    out = tmp_path / "models" / "news" / "m.pt"
    train_byte_lm(corpus, out, steps=1, **SMALL)
    assert load_byte_lm(out).config["hidden_size"] == 32


def test_a_folder_as_the_model_path_is_refused_before_training(corpus, tmp_path, monkeypatch):
    monkeypatch.setattr(torch.optim, "Adam", None)  # any step taken would fail otherwise
    with pytest.raises(ValueError, match="is a directory; expected the path of the model file"):
        train_byte_lm(corpus, tmp_path, steps=1, **SMALL)


@pytest.mark.parametrize(
    ("setting", "value"),
    [
        ("steps", -1),
        ("steps", 2.5),
        ("seq_len", 0),
        ("batch_size", 0),
        ("learning_rate", -1.0),
        ("learning_rate", float("nan")),
        ("learning_rate", float("inf")),
        ("hidden_size", 0),
        ("embedding_dim", 0),
        ("checkpoint_every", 0),
        ("seed", -1),
    ],
)
def test_a_setting_out_of_range_is_refused_by_name_before_training(
    corpus, tmp_path, setting, value
):
    out = tmp_path / "m.pt"
    with pytest.raises((ValueError, TypeError), match=f"'{setting}' parameter of train_byte_lm"):
        train_byte_lm(corpus, out, **{**SMALL, "steps": 2, setting: value})
    assert list(tmp_path.iterdir()) == []


def test_numpy_settings_train_and_resume_as_python_numbers(corpus, tmp_path, monkeypatch):
    """A grid from np.arange or np.logspace gives NumPy numbers: they train, checkpoint
    and resume as the same Python numbers do."""
    numpy_settings = dict(
        seq_len=np.int64(64), batch_size=np.int64(8), embedding_dim=np.int64(8),
        hidden_size=np.int64(32), learning_rate=np.float64(3e-3), seed=np.int64(0),
    )  # fmt: skip
    reference, _ = train_byte_lm(corpus, tmp_path / "python.pt", steps=4, **SMALL)
    interrupt_at_step(monkeypatch, 3)
    out = tmp_path / "numpy.pt"
    with pytest.raises(KeyboardInterrupt):
        train_byte_lm(corpus, out, steps=4, checkpoint_every=np.int64(2), progress=False,
                      **numpy_settings)  # fmt: skip
    monkeypatch.undo()
    model, resumed_from = train_byte_lm(corpus, out, steps=4, checkpoint_every=2,
                                        progress=False, **numpy_settings)  # fmt: skip
    assert resumed_from == 2
    for trained, expected in zip(model.parameters(), reference.parameters(), strict=True):
        assert torch.equal(trained, expected)


def test_a_folder_where_the_checkpoint_goes_is_refused_before_training(corpus, tmp_path):
    (tmp_path / "m.pt.ckpt").mkdir()
    with pytest.raises(ValueError, match=r"m\.pt\.ckpt is a directory, where train_byte_lm keeps"):
        train_byte_lm(corpus, tmp_path / "m.pt", steps=1, **SMALL)
    assert [path.name for path in tmp_path.iterdir()] == ["m.pt.ckpt"]


def test_the_cli_refuses_a_learning_rate_that_is_not_positive_and_finite(tmp_path, capsys):
    argv = ["train-lm", "--corpus", str(TINY_NEWS), "--out", str(tmp_path / "m.pt")]
    for value in ["-1", "0", "nan", "inf"]:
        with pytest.raises(SystemExit) as exited:
            main([*argv, "--learning-rate", value])
        assert exited.value.code == 2
        assert f"--learning-rate: expected a positive finite number, got '{value}'" in (
            capsys.readouterr().err
        )


def test_a_model_too_large_for_memory_is_refused_with_its_size(corpus, tmp_path):
    sizes = {**SMALL, "hidden_size": 10_000_000}  # 3 x 10**14 weights
    with pytest.raises(ValueError, match="hidden_size=10000000 does not fit in this machine"):
        train_byte_lm(corpus, tmp_path / "m.pt", steps=1, **sizes)


def test_the_cli_refuses_a_folder_as_the_model_before_training(tmp_path, capsys):
    with pytest.raises(SystemExit) as exited:
        main(["train-lm", "--corpus", str(TINY_NEWS), "--out", str(tmp_path), "--steps", "1"])
    assert exited.value.code == 2
    assert f"{tmp_path} is a directory; expected the path of a file" in capsys.readouterr().err


def test_the_cli_refuses_a_model_too_large_for_memory_without_a_traceback(tmp_path, capsys):
    out = tmp_path / "m.pt"
    argv = ["train-lm", "--corpus", str(TINY_NEWS), "--out", str(out), "--steps", "1"]
    assert main([*argv, "--hidden-size", "10000000", "--no-progress"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("npc-classify: error: A GRU of hidden_size=10000000 does not fit")
    assert not out.exists()


def test_the_cli_refuses_a_data_dir_for_a_corpus_file(tmp_path, capsys):
    argv = ["train-lm", "--corpus", str(TINY_NEWS), "--data-dir", str(tmp_path)]
    assert main([*argv, "--out", str(tmp_path / "m.pt"), "--steps", "1"]) == 2
    assert "--data-dir is for --corpus ag_news" in capsys.readouterr().err


def test_the_cli_trains_a_model_the_compressor_can_use(tmp_path, capsys):
    out = tmp_path / "model.pt"
    argv = ["train-lm", "--corpus", str(TINY_NEWS), "--out", str(out), "--steps", "3"]
    assert main([*argv, "--seq-len", "32", "--hidden-size", "16", "--no-progress"]) == 0
    assert f"model written to {out}" in capsys.readouterr().out
    assert LMCompressor(str(out)).decompress(LMCompressor(str(out)).compress(b"abc")) == b"abc"


@pytest.mark.parametrize(("environment", "shown"), [({}, True), ({"TQDM_DISABLE": "1"}, False)])
def test_the_training_bar_follows_tqdm_s_environment(tmp_path, environment, shown):
    argv = ["train-lm", "--corpus", str(TINY_NEWS), "--out", str(tmp_path / "m.pt")]
    argv += ["--steps", "2", "--seq-len", "32", "--hidden-size", "8", "--progress"]
    completed = subprocess.run(
        [sys.executable, "-m", "npc_classify", *argv],
        capture_output=True, text=True, timeout=120, check=True,
        env={**os.environ, **environment},
    )  # fmt: skip
    assert ("train-lm: 100%" in completed.stderr) == shown


@pytest.mark.parametrize(
    "change",
    [{"learning_rate": 1e-2}, {"batch_size": 4}, {"seq_len": 32}, {"corpus": b"other " * 99}],
    ids=lambda change: next(iter(change)),
)
def test_a_checkpoint_of_any_other_training_setting_or_corpus_is_refused(
    corpus, tmp_path, monkeypatch, change
):
    out = tmp_path / "model.pt"
    interrupt_at_step(monkeypatch, 6)
    with pytest.raises(KeyboardInterrupt):
        train_byte_lm(corpus, out, steps=10, checkpoint_every=5, **SMALL)
    monkeypatch.undo()
    settings = {**SMALL, "corpus": corpus, **change}
    with pytest.raises(ValueError, match="written by a training run with other settings"):
        train_byte_lm(settings.pop("corpus"), out, steps=10, checkpoint_every=5, **settings)


def test_a_checkpoint_of_another_corpus_of_the_same_length_is_refused(
    corpus, tmp_path, monkeypatch
):
    """The checkpoint holds a digest of the corpus, not only its length."""
    out = tmp_path / "model.pt"
    interrupt_at_step(monkeypatch, 6)
    with pytest.raises(KeyboardInterrupt):
        train_byte_lm(corpus, out, steps=10, checkpoint_every=5, **SMALL)
    monkeypatch.undo()
    other = corpus[::-1]
    assert len(other) == len(corpus) and other != corpus
    with pytest.raises(
        ValueError, match="written by a training run with other settings or corpus"
    ):
        train_byte_lm(other, out, steps=10, checkpoint_every=5, **SMALL)


def interrupted_checkpoint(corpus, out, monkeypatch) -> None:
    """Leave ``out``'s checkpoint of step 5 of 10, as a run killed at step 6 does."""
    interrupt_at_step(monkeypatch, 6)
    with pytest.raises(KeyboardInterrupt):
        train_byte_lm(corpus, out, steps=10, checkpoint_every=5, **SMALL)
    monkeypatch.undo()


def test_a_checkpoint_past_the_steps_asked_for_is_refused(corpus, tmp_path, monkeypatch):
    out = tmp_path / "model.pt"
    interrupted_checkpoint(corpus, out, monkeypatch)
    with pytest.raises(ValueError, match=r"at step 5, past steps=3"):
        train_byte_lm(corpus, out, steps=3, checkpoint_every=5, **SMALL)
    assert not out.exists()
    _, resumed_from = train_byte_lm(corpus, out, steps=5, checkpoint_every=5, **SMALL)
    assert resumed_from == 5


@pytest.mark.parametrize(
    "damage",
    [
        lambda path: path.write_bytes(path.read_bytes()[:3000]),
        lambda path: path.write_bytes(b"garbage\n"),
        lambda path: torch.save({"config": {}, "state_dict": {}}, path),
    ],
    ids=["truncated", "garbage", "a model file"],
)
def test_a_damaged_checkpoint_is_named_not_a_traceback(corpus, tmp_path, monkeypatch, damage):
    out = tmp_path / "model.pt"
    interrupted_checkpoint(corpus, out, monkeypatch)
    damage(tmp_path / "model.pt.ckpt")
    with pytest.raises(ValueError, match=r"model\.pt\.ckpt is not a train-lm checkpoint"):
        train_byte_lm(corpus, out, steps=10, checkpoint_every=5, **SMALL)


def test_an_interrupted_save_leaves_no_file_beside_the_model(corpus, tmp_path, monkeypatch):
    """Checkpoints and the model are written atomically: an interrupt while one is written
    leaves the file before it (here, none) and nothing else."""
    out = tmp_path / "model.pt"
    out.write_bytes(b"the user's old model")
    real_save = torch.save

    def killed_while_saving(obj, file, *args, **kwargs):
        real_save(obj, file, *args, **kwargs)
        raise KeyboardInterrupt

    monkeypatch.setattr(torch, "save", killed_while_saving)
    with pytest.raises(KeyboardInterrupt):  # at the checkpoint of step 5
        train_byte_lm(corpus, out, steps=10, checkpoint_every=5, **SMALL)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.pt"]
    with pytest.raises(KeyboardInterrupt):  # at the model, with no checkpoint on the way
        train_byte_lm(corpus, out, steps=3, checkpoint_every=5, **SMALL)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.pt"]
    assert out.read_bytes() == b"the user's old model"


def test_a_run_that_diverges_is_stopped_with_its_step_and_writes_no_model(corpus, tmp_path):
    out = tmp_path / "model.pt"
    with pytest.raises(ValueError, match=r"diverged at step \d+ .*lower the learning rate"):
        train_byte_lm(corpus, out, steps=20, learning_rate=1e30, **SMALL)
    assert not out.exists()


def test_training_leaves_the_callers_torch_generator_alone(corpus, tmp_path):
    def stream_after(action) -> torch.Tensor:
        torch.manual_seed(1234)
        action()
        return torch.rand(4)

    untouched = stream_after(lambda: None)
    trained = stream_after(lambda: train_byte_lm(corpus, tmp_path / "m.pt", steps=2, **SMALL))
    assert torch.equal(trained, untouched)
