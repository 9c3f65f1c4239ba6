"""The language-model compressor: lossless coding, ideal lengths, prefix-state reuse.

Every model here is tiny, randomly initialised from a seed in the test: nothing is
downloaded.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from npc_classify import NCDClassifier  # noqa: E402
from npc_classify.coding import byte_lm  # noqa: E402
from npc_classify.coding.byte_lm import load_byte_lm  # noqa: E402
from npc_classify.compressors import CorruptStreamError, LMCompressor  # noqa: E402


@pytest.fixture(scope="module")
def model_path(tiny_byte_lm):
    return tiny_byte_lm


@pytest.fixture(scope="module")
def compressor(model_path):
    return LMCompressor(model_path)


def test_ncd_classifier_runs_on_the_language_model(compressor, tiny_news):
    clf = NCDClassifier(compressor, k=1).fit(*tiny_news)
    assert clf.predict(["A goal in the cup final."]).shape == (1,)
    assert np.all(clf.train_sizes_ % 1 != 0), "ideal code lengths are fractional bytes"


def window_probabilities(model, window: bytes) -> np.ndarray:
    """The model's probability of each byte of ``window`` read from the start symbol."""
    with torch.no_grad():
        log_probs, _ = model(torch.tensor([[256, *window[:-1]]]))
    return log_probs[0, np.arange(len(window)), list(window)].exp().numpy()


def network_probability(model_path, text: bytes) -> float:
    """The tiny model's own probability of the last byte of ``text`` after the others."""
    return float(window_probabilities(load_byte_lm(model_path), text)[-1])


def test_without_a_cache_the_size_is_the_networks_code_length(model_path):
    first, second = network_probability(model_path, b"a"), network_probability(model_path, b"aa")
    bits = LMCompressor(model_path).compressed_size(b"aa") * 8
    assert bits == pytest.approx(-np.log2(first) - np.log2(second), rel=1e-5)


def test_a_long_prefix_is_read_in_pieces_with_the_probabilities_of_reading_it_whole(
    model_path, monkeypatch
):
    model = load_byte_lm(model_path)
    prefix = b"The striker scored a late goal in the cup final." * 40  # 1,920 bytes
    suffixes = [b"A late goal.", b"Shares fell", b""]
    whole = byte_lm.prefix_and_suffix_probabilities(model, prefix, suffixes, "cpu", 2)
    monkeypatch.setattr(byte_lm, "PREFIX_CHUNK", 300)
    lengths: list[int] = []
    forward = type(model).forward

    def recorded(self, symbols, state=None):
        lengths.append(symbols.shape[1])
        return forward(self, symbols, state)

    monkeypatch.setattr(type(model), "forward", recorded)
    pieces = byte_lm.prefix_and_suffix_probabilities(model, prefix, suffixes, "cpu", 2)
    assert lengths[:7] == [300] * 6 + [121]  # the 1,921 symbols from the start symbol on
    np.testing.assert_allclose(np.log2(pieces[0]), np.log2(whole[0]), atol=1e-5)
    with torch.no_grad():  # and those of the network reading the prefix in one call
        log_probs, _ = model(torch.tensor([[256, *prefix[:-1]]]))
    read_by_network = log_probs[0].gather(1, torch.tensor([*prefix])[:, None])[:, 0]
    np.testing.assert_allclose(np.log2(pieces[0]), read_by_network / np.log(2), atol=1e-5)
    for piece, read_whole in zip(pieces[1], whole[1], strict=True):
        np.testing.assert_allclose(np.log2(piece), np.log2(read_whole), atol=1e-5)


def test_the_cache_blends_the_counts_seen_so_far_over_the_network(model_path):
    # first byte: nothing counted yet, the network's probability; second byte: order 0
    # has seen one "a" (one distinct byte), so p = (1 + e * p_net) / (1 + e)
    first, second = network_probability(model_path, b"a"), network_probability(model_path, b"aa")
    cached = (1 + 0.3 * second) / (1 + 0.3)
    bits = LMCompressor(model_path, cache_order=3, cache_escape=0.3).compressed_size(b"aa") * 8
    assert bits == pytest.approx(-np.log2(first) - np.log2(cached), rel=1e-5)


def test_the_cache_makes_a_text_sharing_the_querys_words_cheaper(model_path):
    query = b"Shares of Contoso Pharmaceuticals rose after the merger. "
    echo = b"Contoso Pharmaceuticals shares fell before the merger."
    other = b"The striker scored twice as the home side won the cup."

    def cost_after_query(cache_order: int) -> np.ndarray:
        compressor = LMCompressor(model_path, cache_order=cache_order)
        joint = compressor.compressed_sizes_with_prefix(query, [echo, other])
        return joint - compressor.compressed_size(query)

    plain, cached = cost_after_query(-1), cost_after_query(3)
    assert cached[0] < 0.6 * plain[0]  # the shared words come from the cache
    assert cached[0] - cached[1] < plain[0] - plain[1]  # and set the two apart


def test_a_truncated_code_is_corrupt(compressor):
    code = compressor.compress(b"some text to code")
    with pytest.raises(CorruptStreamError):
        compressor.decompress(code[:0])


def test_a_truncated_model_file_is_a_clear_error(model_path, tmp_path):
    damaged = tmp_path / "damaged.pt"
    with open(model_path, "rb") as handle:
        damaged.write_bytes(handle.read()[:100])
    with pytest.raises(ValueError, match="not a readable byte language model"):
        load_byte_lm(damaged)


def test_a_text_file_as_the_model_is_named_without_advice_to_load_it_unsafely(tmp_path):
    path = tmp_path / "notes.pt"
    path.write_text("garbage\n", encoding="utf-8")
    with pytest.raises(ValueError, match="not a readable byte language model") as refused:
        load_byte_lm(path)
    assert "Unsupported operand" in str(refused.value)
    assert "weights_only` set to `False`" not in str(refused.value)


@pytest.mark.parametrize(
    "use",
    [
        lambda compressor: NCDClassifier(compressor, k=1).fit(["a", "b"], [0, 1]),
        lambda compressor: compressor.compress(b"x"),
        lambda compressor: compressor.compressed_size(b"x"),
    ],
    ids=["fit", "compress", "compressed_size"],
)
def test_a_compressor_without_a_model_is_refused(use):
    with pytest.raises(ValueError, match="LMCompressor needs model_path"):
        use(LMCompressor())


def test_the_cli_evaluates_with_the_language_model(model_path, tmp_path):
    from conftest import TINY_NEWS

    from npc_classify.cli import main

    files = ["--dataset", "csv", "--train", str(TINY_NEWS), "--test", str(TINY_NEWS)]
    argv = ["evaluate", *files, "--compressor", "lm", "--model", model_path, "--k", "1"]
    assert main([*argv, "--n-jobs", "1", "--no-progress"]) == 0


def test_the_cli_codes_with_the_cache_order_asked_for(model_path, tmp_path):
    from npc_classify.cli import main

    data = b"the cat, the car, the cap, the can. " * 3
    source, packed = tmp_path / "text.txt", tmp_path / "text.lm"
    source.write_bytes(data)
    lm = ["--compressor", "lm", "--model", model_path, "--param", "cache_order=2"]
    assert main(["compress", str(source), "-o", str(packed), *lm]) == 0
    assert packed.read_bytes() == LMCompressor(model_path, cache_order=2).compress(data)
    assert packed.read_bytes() != LMCompressor(model_path).compress(data)


def test_the_cli_reads_the_cache_escape_as_a_number(model_path, tmp_path):
    from npc_classify.cli import main

    data = b"the cat, the car, the cap, the can. " * 3
    source, packed = tmp_path / "text.txt", tmp_path / "text.lm"
    source.write_bytes(data)
    lm = ["--compressor", "lm", "--model", model_path]
    lm += ["--param", "cache_order=2", "--param", "cache_escape=0.5"]
    assert main(["compress", str(source), "-o", str(packed), *lm]) == 0
    expected = LMCompressor(model_path, cache_order=2, cache_escape=0.5).compress(data)
    assert packed.read_bytes() == expected
    assert packed.read_bytes() != LMCompressor(model_path, cache_order=2).compress(data)


def test_the_cli_refuses_a_cache_for_a_compressor_without_one(capsys):
    from conftest import TINY_NEWS

    from npc_classify.cli import main

    files = ["--dataset", "csv", "--train", str(TINY_NEWS), "--test", str(TINY_NEWS)]
    assert main(["evaluate", *files, "--param", "cache_order=3", "--no-progress"]) == 2
    assert "cache_order is not a setting of the gzip compressor" in capsys.readouterr().err


def test_the_cli_fine_tunes_the_language_model_per_class(model_path, tmp_path, capsys):
    from conftest import TINY_NEWS

    from npc_classify.cli import main

    files = ["--dataset", "csv", "--train", str(TINY_NEWS), "--test", str(TINY_NEWS)]
    model = ["--compressor", "lm", "--model", model_path, "--param", "fine_tune_steps=10"]
    output = tmp_path / "out.json"
    argv = ["evaluate", *files, "--method", "class-conditional", *model]
    assert main([*argv, "--output", str(output)]) == 0
    outcome = json.loads(output.read_text())
    assert "fine_tune_steps=10" in outcome["config"]["compressor"]
    assert outcome["config"]["params"] == ["fine_tune_steps=10"]


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (
            ["evaluate", "--compressor", "gzip", "--method", "class-conditional"],
            "fine_tune_steps is not a setting of the gzip compressor",
        ),
        (
            ["evaluate", "--compressor", "lm", "--model", "m.pt"],
            "--param fine_tune_steps is for --method class-conditional, not NCD neighbours.",
        ),
        (
            ["few-shot", "--compressor", "lm", "--model", "m.pt"],
            "--param fine_tune_steps is for --method class-conditional, not NCD neighbours.",
        ),
    ],
    ids=["not-the-lm", "not-class-conditional", "not-few-shot"],
)
def test_the_cli_refuses_fine_tune_steps_where_they_mean_nothing(extra, message, capsys):
    from conftest import TINY_NEWS

    from npc_classify.cli import main

    files = ["--dataset", "csv", "--train", str(TINY_NEWS), "--test", str(TINY_NEWS)]
    argv = [*extra, *files, "--param", "fine_tune_steps=5", "--no-progress"]
    assert main(argv) == 2
    assert message in capsys.readouterr().err


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (
            ["--compressor", "lm"],
            "The lm compressor needs a model. LMCompressor needs model_path: a model written by "
            "npc-classify train-lm",
        ),
        (
            ["--compressor", "gzip", "--model", "m.pt"],
            "A model is for the compressors built from one (hf, lm), not gzip.",
        ),
    ],
)
def test_the_cli_pairs_the_lm_compressor_with_a_model(extra, message, capsys):
    from conftest import TINY_NEWS

    from npc_classify.cli import main

    files = ["--dataset", "csv", "--train", str(TINY_NEWS), "--test", str(TINY_NEWS)]
    assert main(["evaluate", *files, *extra, "--no-progress"]) == 2
    assert message in capsys.readouterr().err


def test_fine_tuning_on_a_context_makes_its_own_text_cheaper(model_path, tiny_news):
    sport = "\n".join(t for t, label in zip(*tiny_news, strict=True) if label == "sport")
    items = [sport[:60].encode(), b"\x00\x01\x02 unrelated bytes"]
    read = LMCompressor(model_path).conditional_sizes(sport.encode(), items)
    tuned = LMCompressor(model_path, fine_tune_steps=30)
    first = tuned.conditional_sizes(sport.encode(), items)
    assert first[0] < read[0] - 2  # bytes
    again = tuned.conditional_sizes(sport.encode(), items)
    np.testing.assert_array_equal(again, first)
    assert len(tuned._loaded()["tuned"]) == 1, "the tuned copy is kept, not trained again"


def test_fine_tuning_leaves_the_loaded_model_untouched(model_path):
    compressor = LMCompressor(model_path, fine_tune_steps=5)
    before = compressor.compressed_size(b"some text")
    compressor.conditional_sizes(b"a context to tune on " * 20, [b"x"])
    assert compressor.compressed_size(b"some text") == before


def test_class_conditional_classification_with_a_fine_tuned_lm(model_path, tiny_news):
    from npc_classify import CompressionClassifier

    clf = CompressionClassifier(LMCompressor(model_path, fine_tune_steps=30)).fit(*tiny_news)
    assert clf.score(*tiny_news) > 0.5  # 3 classes: chance is 1/3


@pytest.mark.parametrize(
    ("params", "message"),
    [
        (
            {"fine_tune_steps": -1},
            r"The 'fine_tune_steps' parameter .* \[0, 1073741824\]\. Got -1",
        ),
        ({"batch_size": 0}, r"The 'batch_size' parameter of LMCompressor .* Got 0"),
        (
            {"cache_order": -2},
            r"The .cache_order. parameter of LMCompressor .* \[-1, 16\]\. Got -2",
        ),
        ({"cache_escape": 0.0}, r"The 'cache_escape' parameter .* \(0\.0, inf\)\. Got 0\.0"),
        ({"cache_escape": float("inf")}, r"The 'cache_escape' parameter .* Got inf instead"),
        ({"cache_escape": float("nan")}, r"The 'cache_escape' parameter .* Got nan instead"),
    ],
)
def test_out_of_range_settings_are_refused(model_path, params, message):
    with pytest.raises(ValueError, match=message):
        NCDClassifier(LMCompressor(model_path, **params), k=1).fit(["a", "b"], [0, 1])


def test_a_cache_of_order_0_blends_the_byte_counts_over_the_network(model_path):
    """Order 0 is a cache too (only -1 is none): the second "a" after one counted "a"."""
    from conftest import coder_bits

    first, second = network_probability(model_path, b"a"), network_probability(model_path, b"aa")
    cached = -np.log2([first, (1 + 0.3 * second) / (1 + 0.3)])
    compressor = LMCompressor(model_path, cache_order=0, cache_escape=0.3)
    assert compressor.compressed_size(b"aa") * 8 == pytest.approx(cached.sum(), rel=1e-5)
    np.testing.assert_allclose(compressor.code_lengths(b"", b"aa"), cached, rtol=1e-5)
    assert coder_bits(compressor, b"aa") == pytest.approx(cached.sum(), rel=1e-5)


def same_weights(model, other) -> bool:
    first, second = model.state_dict(), other.state_dict()
    return first.keys() == second.keys() and all(torch.equal(first[n], second[n]) for n in first)


@pytest.mark.parametrize("text", [b"ab", b"a context shorter than one window"])
def test_fine_tuning_on_a_text_shorter_than_a_window_trains_on_it(model_path, text):
    from npc_classify.coding.training import fine_tune_byte_lm

    model = load_byte_lm(model_path)
    assert not same_weights(fine_tune_byte_lm(model, text, steps=3), model)


@pytest.mark.parametrize(("text", "seq_len"), [(b"xyz", 256), (b"the end.", 4)])
def test_fine_tuning_learns_every_byte_of_its_text_the_last_included(model_path, text, seq_len):
    from npc_classify.coding.training import fine_tune_byte_lm

    model = load_byte_lm(model_path)
    tuned = fine_tune_byte_lm(model, text, steps=300, seq_len=seq_len, learning_rate=1e-2)
    last_window = text[-seq_len:]
    before, after = (
        window_probabilities(model, last_window),
        window_probabilities(tuned, last_window),
    )
    assert np.all(after > 10 * before)


def test_fine_tuning_on_a_single_byte_takes_no_step(model_path):
    from npc_classify.coding.training import fine_tune_byte_lm

    model = load_byte_lm(model_path)
    assert same_weights(fine_tune_byte_lm(model, b"a", steps=3), model)


def torch_stream_after(action) -> torch.Tensor:
    """What torch's global generator draws next, seeded, after ``action``."""
    torch.manual_seed(1234)
    action()
    return torch.rand(4)


@pytest.mark.parametrize("fine_tune_steps", [0, 2])
def test_fitting_and_predicting_leave_the_callers_torch_generator_alone(
    model_path, tiny_news, fine_tune_steps
):
    from npc_classify import CompressionClassifier

    untouched = torch_stream_after(lambda: None)
    compressor = LMCompressor(model_path, fine_tune_steps=fine_tune_steps)
    clf = CompressionClassifier(compressor)
    assert torch.equal(torch_stream_after(lambda: clf.fit(*tiny_news)), untouched)
    assert torch.equal(torch_stream_after(lambda: clf.predict(["A late goal."])), untouched)
    assert torch.equal(torch_stream_after(lambda: load_byte_lm(model_path)), untouched)


def test_a_model_file_replaced_after_fit_is_refused_where_a_thread_would_read_it(tmp_path):
    """Each thread reads the model at its first use: one reading a file replaced since fit
    would mix two models' sizes, so it refuses it instead."""
    import shutil
    import threading

    from npc_classify.coding.byte_lm import ByteGRU, save_byte_lm

    path = tmp_path / "lm.pt"
    torch.manual_seed(0)
    save_byte_lm(ByteGRU(8, 16), path)
    clf = NCDClassifier(LMCompressor(str(path)), k=1).fit(["a goal", "a rate cut"], [0, 1])
    torch.manual_seed(1)
    save_byte_lm(ByteGRU(8, 16), tmp_path / "other.pt")
    shutil.copyfile(tmp_path / "other.pt", path)
    errors: list[Exception] = []

    def predict() -> None:
        try:
            clf.predict(["a late goal"])
        except ValueError as error:
            errors.append(error)

    thread = threading.Thread(target=predict)
    thread.start()
    thread.join()
    assert len(errors) == 1
    assert f"{path} has changed since this compressor first read it" in str(errors[0])


def test_a_model_file_gone_since_fit_is_named_as_missing_not_as_changed(tmp_path):
    from npc_classify.coding.byte_lm import ByteGRU, save_byte_lm

    path = tmp_path / "lm.pt"
    torch.manual_seed(0)
    save_byte_lm(ByteGRU(8, 16), path)
    compressor = LMCompressor(str(path))
    compressor.load()
    path.unlink()
    fresh = pickle_copy(compressor)  # a saved model's compressor: no model read yet
    with pytest.raises(FileNotFoundError):
        fresh.compressed_size(b"a late goal")


def pickle_copy(obj):
    import pickle

    return pickle.loads(pickle.dumps(obj))


@pytest.mark.parametrize("batch_size", [6, 300])
def test_long_suffixes_run_in_passes_of_bounded_size_with_the_probabilities_of_one_reading(
    model_path, monkeypatch, batch_size
):
    """However long a query and however many beside it, no forward pass holds more than
    PREFIX_CHUNK positions (rows x bytes), and a long query in a batch of short ones does
    not pad them to its length: the positions read are those of the texts, give or take
    the end of a pass."""
    model = load_byte_lm(model_path)
    prefix = b"The striker scored a late goal in the cup final."
    short = [b"A late goal.", b"", b"Rain.", b"x", b"Shares fell."]
    suffixes = [*short[:2], b"Shares fell on Monday." * 60, *short[2:], *[b"ab"] * 250]
    one_by_one = [
        byte_lm.prefix_and_suffix_probabilities(model, prefix, [s], "cpu", 1)[1][0]
        for s in suffixes
    ]
    monkeypatch.setattr(byte_lm, "PREFIX_CHUNK", 200)
    passes: list[tuple[int, int]] = []
    forward = type(model).forward

    def recorded(self, symbols, state=None):
        passes.append(tuple(symbols.shape))
        return forward(self, symbols, state)

    monkeypatch.setattr(type(model), "forward", recorded)
    _, batched = byte_lm.prefix_and_suffix_probabilities(
        model, prefix, suffixes, "cpu", batch_size
    )
    suffix_passes = passes[1:]  # after the prefix's one
    assert all(rows * length <= 200 for rows, length in suffix_passes)
    read = sum(rows * length for rows, length in suffix_passes)
    assert read < sum(len(s) for s in suffixes) + 200
    for got, alone in zip(batched, one_by_one, strict=True):
        assert got.shape == alone.shape
        np.testing.assert_allclose(np.log2(got), np.log2(alone), atol=1e-5)
