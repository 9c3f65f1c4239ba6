"""The context-mixing compressor: lossless streams, sizes that add up, a state restored exactly."""

from __future__ import annotations

import os
import tracemalloc

import cm_reference as reference
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from npc_classify.coding import _cm_kernels, cm
from npc_classify.coding.arithmetic import quantize
from npc_classify.compressors import CMCompressor, CorruptStreamError, PPMCompressor
from npc_classify.datasets import read_ag_news_csv


@pytest.fixture(scope="module")
def news(ag_news_path):
    """300 real AG News training texts, as bytes."""
    return [text.encode() for text in read_ag_news_csv(ag_news_path / "train.csv").texts[:300]]


@pytest.mark.parametrize(
    ("order", "learning_rate", "limit", "prior"),
    [(0, 0.005, 255, 5.0), (3, 0.02, 255, 0.5), (6, 0.005, 255, 5.0), (6, 0.005, 3, 0.0),
     (8, 0.002, 30, 23.0)],
)  # fmt: skip
def test_each_bytes_bits_are_those_of_the_naive_reference_model(
    news, order, learning_rate, limit, prior
):
    """On real news text, every byte costs what a pure-Python model of one dict per table,
    a bit at a time and nothing cached, gives it: coded from scratch, and after a prefix."""
    text = b"\n".join(news[:4])
    model = cm.ContextMixer(order, learning_rate, limit, prior, len(text))
    costs = np.empty(len(text))
    model.code_suffixes([text], costs=costs)
    state = reference.new_state(order, cm.table_bits(len(text)))
    expected = reference.code_bits(state, text, 0, order, learning_rate, limit, prior)
    np.testing.assert_allclose(costs, expected, rtol=0, atol=1e-9)
    assert model.code(text) == pytest.approx(sum(expected), abs=1e-9)

    prefix, suffixes = b"\n".join(news[4:8]), [news[8], news[9][:40], b""]
    model = cm.ContextMixer(order, learning_rate, limit, prior, len(prefix))
    model.code(prefix)
    np.testing.assert_allclose(
        model.code_suffixes(suffixes),
        reference.suffix_bits(
            prefix, suffixes, order, learning_rate, limit, prior, cm.table_bits(len(prefix))
        ),
        rtol=0,
        atol=1e-9,
    )


@pytest.mark.parametrize(("order", "prior"), [(0, 0.5), (2, 0.0), (6, 0.5), (6, 23.0)])
@settings(max_examples=30, deadline=None)
@given(data=st.binary(max_size=400))
def test_any_bytes_round_trip(order, prior, data):
    compressor = CMCompressor(order=order, prior=prior)
    assert compressor.decompress(compressor.compress(data)) == data


@pytest.mark.parametrize("prior", [0.0, 0.5, 23.0])
def test_a_slot_seen_once_moves_one_over_prior_plus_one_of_the_way_to_the_bit(prior):
    """Every slot starts at 1/2 with ``prior`` pseudo-counts: the first bit it sees moves
    it by ``1 / (prior + 1)`` of the distance to that bit."""
    model = cm.ContextMixer(2, 0.005, 255, prior, 100)
    model.code(b"\x00")  # eight 0 bits, each in fresh slots of every model
    moved = model.probs[model.counts > 0].astype(float)
    assert moved.size == 8 * model.probs.shape[0]
    expected = np.floor(32768 - 32768 / (prior + 1))
    np.testing.assert_array_equal(moved, np.full(moved.shape, expected))


def test_a_larger_prior_lets_one_sighting_count_for_less(news):
    """A text seen once before is cheaper to code again; the larger the prior, the less
    that one sighting saves."""
    text = news[0]
    savings = []
    for prior in (0.5, 5.0, 50.0):
        compressor = CMCompressor(order=4, prior=prior)
        savings.append(
            compressor.compressed_size(text) - compressor.conditional_sizes(text, [text])[0]
        )
    assert savings[0] > savings[1] > savings[2] > 0


def test_a_compressor_pickled_without_a_prior_keeps_the_rate_it_coded_with():
    """A state without ``prior`` comes from a version whose slots all learned at
    1 / (count + 1.5): it is restored at prior 0.5 and decodes that version's streams."""
    old = CMCompressor(order=4, prior=0.5)
    state = {k: v for k, v in old.__getstate__().items() if k != "prior"}
    restored = CMCompressor.__new__(CMCompressor)
    restored.__setstate__(state)
    assert restored.get_params() == old.get_params()
    data = b"a news text, coded as the saved compressor coded it"
    assert restored.decompress(old.compress(data)) == data


@pytest.mark.parametrize("prior", [-0.5, float("nan"), float("inf")])
def test_a_prior_that_is_not_a_finite_non_negative_number_is_refused(prior):
    with pytest.raises(ValueError, match="prior must be a finite number >= 0"):
        cm.ContextMixer(2, 0.005, 255, prior, 100)


def test_a_real_stream_is_within_a_fraction_of_a_percent_of_the_ideal_size(news):
    data = b"\n".join(news[:100])
    compressor = CMCompressor()
    code = compressor.compress(data)
    assert compressor.decompress(code) == data
    assert len(code) <= 1.005 * compressor.compressed_size(data) + 8


def test_news_compresses_better_than_under_ppm_and_better_at_a_small_prior(news):
    data = b"\n".join(news)
    ppm = PPMCompressor().compressed_size(data)
    small, default = CMCompressor(prior=0.5), CMCompressor()
    assert small.compressed_size(data) < 0.92 * ppm
    assert small.compressed_size(data) < default.compressed_size(data) < ppm


def test_scoring_suffixes_leaves_the_model_exactly_as_it_was(news):
    """The journal and the copied mixer restore every table: what is coded next costs
    what it costs in a model that never saw the suffixes."""
    prefix, suffixes, after = b"\n".join(news[:40]), news[40:60], news[60]
    scored, untouched = (
        cm.ContextMixer(4, 0.02, 255, 0.5, 20_000),
        cm.ContextMixer(4, 0.02, 255, 0.5, 20_000),
    )
    scored.code(prefix)
    untouched.code(prefix)
    scored.code_suffixes(suffixes)
    for name in ("probs", "counts", "weights", "maps", "words"):
        np.testing.assert_array_equal(getattr(scored, name), getattr(untouched, name))
    assert scored.code(after) == untouched.code(after)


def test_a_suffix_costs_what_it_costs_coded_after_the_prefix(news):
    prefix, suffixes = b"\n".join(news[:40]), news[40:45]
    model = cm.ContextMixer(4, 0.02, 255, 0.5, 20_000)
    model.code(prefix)
    scored = model.code_suffixes(suffixes)
    for suffix, bits in zip(suffixes, scored, strict=True):
        fresh = cm.ContextMixer(4, 0.02, 255, 0.5, 20_000)
        fresh.code(prefix)
        assert bits == fresh.code(suffix)


def test_conditional_sizes_and_byte_costs_agree(news):
    context, items = b"\n".join(news[:40]), news[40:43]
    compressor = CMCompressor()
    sizes = compressor.conditional_sizes(context, items)
    for item, size in zip(items, sizes, strict=True):
        bits = compressor.conditional_code_lengths(context, item).sum()
        assert bits == pytest.approx(8 * size, rel=1e-12)
    joint = compressor.compressed_sizes_with_prefix(context, items)
    alone = compressor.compressed_size(context)
    np.testing.assert_allclose(joint - alone, sizes, rtol=0.05)  # tables of another size


def test_a_pairs_size_is_its_own_whatever_else_is_sized_with_it(news):
    """Each pair is coded with the tables of ``compressed_size(prefix + suffix)``: a long
    suffix beside it (tables twice the size) changes nothing, and the per-byte code
    lengths are the joint's terms: they add up to it less the prefix's bits under the
    joint's tables."""
    text = b"\n".join(news)
    prefix, short, long = text[:4_000], text[4_000:4_050], text[5_000:5_400]
    assert cm.table_bits(len(prefix + short)) < cm.table_bits(len(prefix + long))
    compressor = CMCompressor(order=4)
    together = compressor.compressed_sizes_with_prefix(prefix, [short, long, short])
    assert (
        together[0] == together[2] == compressor.compressed_sizes_with_prefix(prefix, [short])[0]
    )
    for suffix, size in zip([short, long], together, strict=False):
        assert size == pytest.approx(compressor.compressed_size(prefix + suffix), rel=1e-12)
        prefix_bits = cm.ContextMixer(4, 0.005, 255, 5.0, len(prefix + suffix)).code(prefix)
        bits = compressor.code_lengths(prefix, suffix).sum()
        assert bits == pytest.approx(8 * size - prefix_bits, rel=1e-12)
    short_bits = compressor.code_lengths(prefix, short).sum()  # the prefix's own tables
    assert short_bits == pytest.approx(8 * (together[0] - compressor.compressed_size(prefix)))


def test_class_conditional_cm_separates_topics(news, ag_news_path):
    from npc_classify import CompressionClassifier

    train = read_ag_news_csv(ag_news_path / "train.csv")
    clf = CompressionClassifier(CMCompressor()).fit(train.texts[:800], train.labels[:800])
    test = read_ag_news_csv(ag_news_path / "test.csv")
    assert clf.score(test.texts[:200], test.labels[:200]) > 0.75


def test_the_tables_grow_with_the_text_within_their_bounds():
    assert cm.table_bits(0) == cm.MIN_TABLE_BITS
    assert cm.table_bits(1 << 20) == cm.MAX_TABLE_BITS
    assert cm.table_bits(10_000) == 18  # 160,000 slots -> 2 ** 18


def test_the_cheapest_bit_keeps_the_frequency_the_header_check_assumes():
    for p in (1 / 4096, 4095 / 4096):
        counts = np.diff(quantize(np.array([1 - p, p]), 2))
        assert counts.min() >= 16
    assert cm.CHEAPEST_BYTE_BITS == pytest.approx(8 * -np.log2(1 - 16 / 65536))


def resident_mb() -> float:
    """This process's resident memory, from Linux's /proc."""
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


needs_proc = pytest.mark.skipif(not os.path.exists("/proc/self/statm"), reason="reads /proc")


@needs_proc
def test_refusing_damaged_codes_frees_the_model_each_time():
    """The compiled decoder reports damage instead of raising inside compiled code, which
    would leak the model's tables (17 MB or more) at every refusal."""
    compressor = CMCompressor()
    truncated = b"\x40\x00z"  # 64 bytes announced, 2 bytes of payload
    for _ in range(3):
        with pytest.raises(CorruptStreamError, match="truncated"):
            compressor.decompress(truncated)
    before = resident_mb()
    for _ in range(40):
        with pytest.raises(CorruptStreamError):
            compressor.decompress(truncated)
    assert resident_mb() - before < 100  # a leak would hold 40 x 18 MB


@needs_proc
def test_a_dropped_model_gives_its_memory_back_to_the_system():
    """Models of short texts built among allocations that stay (as a classifier's results
    do), then dropped: resident memory falls back to where it was, round after round. Had
    the tables come from the heap, the second round would keep about 400 MB of its 20
    models."""
    rng = np.random.default_rng(0)
    texts = [rng.integers(ord("a"), ord("z") + 1, 5_000, dtype=np.uint8).tobytes()] * 20
    staying = []
    for _ in range(3):
        before = resident_mb()
        models = []
        for text in texts:
            models.append(cm.ContextMixer(6, 0.005, 255, 5.0, len(text)))
            models[-1].code(text)
            staying.append(np.ones(50_000))
        assert resident_mb() - before > 300  # about 20 MB a model
        del models
        assert resident_mb() - before < 50


def test_every_map_starts_as_the_identity_on_its_buckets():
    """Bucket j of every row maps to squash((j - 16) / 2): stretch(p) read back as p."""
    maps = np.full((_cm_kernels.MAP_ROWS, _cm_kernels.MAP_BUCKETS), np.nan)
    _cm_kernels.start_maps(maps)
    buckets = 1 / (1 + np.exp(-(np.arange(_cm_kernels.MAP_BUCKETS) - 16) / 2.0))
    assert maps.shape == (_cm_kernels.MAP_ROWS, _cm_kernels.MAP_BUCKETS)
    np.testing.assert_allclose(maps, np.broadcast_to(buckets, maps.shape), rtol=1e-15)


def test_the_mixer_reads_each_slot_as_the_log_odds_of_its_probability():
    """A slot holding v (of 65536) gives the mixer log(p / (1 - p)), p = (v + 1/2) / 65537:
    0 for the 1/2 every slot starts at, rising with v, within 12 of 0 at the ends."""
    p = (np.arange(1 << 16) + 0.5) / 65537.0
    np.testing.assert_allclose(_cm_kernels.STRETCH, np.log(p / (1 - p)), rtol=1e-14, atol=1e-14)
    assert _cm_kernels.STRETCH[32768] == 0.0
    assert np.all(np.diff(_cm_kernels.STRETCH) > 0)
    assert -12 < _cm_kernels.STRETCH[0] < _cm_kernels.STRETCH[-1] < 12


@pytest.mark.parametrize("step", ["coding", "rolling back"])
def test_a_ctrl_c_once_a_suffix_is_coded_or_rolled_back_leaves_the_model_whole(
    news, monkeypatch, step
):
    """Ctrl-C lands between Python statements, so right after a compiled call: once a
    suffix is coded, or once its changes are rolled back, the model must be whole again,
    or every later score of a kept class model is off."""
    prefix, suffixes = b"\n".join(news[:40]), news[40:43]
    model = cm.ContextMixer(4, 0.02, 255, 0.5, 20_000)
    model.code(prefix)
    expected = model.code_suffixes(suffixes)
    owner, name = (cm.ContextMixer, "_run") if step == "coding" else (cm.kernels, "roll_back")
    done = getattr(owner, name)

    def then_interrupted(*args, **kwargs):
        done(*args, **kwargs)
        raise KeyboardInterrupt

    monkeypatch.setattr(owner, name, then_interrupted)
    with pytest.raises(KeyboardInterrupt):
        model.code_suffixes(suffixes)
    monkeypatch.undo()
    np.testing.assert_array_equal(model.code_suffixes(suffixes), expected)


def test_a_query_longer_than_its_journal_is_worth_is_undone_from_a_copy_of_the_model(news):
    """A journal takes about 2 KB per byte coded: for a long query, copying the model and
    copying it back bounds the memory by twice the model's own size (the journal of the
    shorter queries, at most the model's size, and one copy), with the same bits."""
    prefix, long_query = b"\n".join(news[:40]), b" ".join(news[41:])
    model, untouched = (cm.ContextMixer(4, 0.02, 255, 0.5, 20_000) for _ in range(2))
    model.code(prefix)
    untouched.code(prefix)
    per_byte = 8 * (4 + 1 + cm.kernels.N_WORD_MODELS + 4) * 24  # a journal's, at order 4
    journaled = long_query[: model.nbytes // per_byte]  # the longest still journaled
    suffixes = [journaled, long_query, news[40], long_query[::-1]]
    model.code_suffixes([long_query])  # compiled (or loaded from numba's cache) unmeasured
    tracemalloc.start()
    bits = model.code_suffixes(suffixes)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 2 * model.nbytes + 32 * len(long_query)  # not a copy per long query
    for suffix, got in zip(suffixes, bits, strict=True):
        fresh = cm.ContextMixer(4, 0.02, 255, 0.5, 20_000)
        fresh.code(prefix)
        assert got == fresh.code(suffix)
    for name in ("probs", "counts", "weights", "maps", "words"):
        np.testing.assert_array_equal(getattr(model, name), getattr(untouched, name))


def test_a_ctrl_c_once_a_long_query_is_coded_leaves_the_model_whole(news, monkeypatch):
    prefix, long_query = b"\n".join(news[:40]), b" ".join(news[41:])
    model = cm.ContextMixer(4, 0.02, 255, 0.5, 20_000)
    model.code(prefix)
    expected = model.code_suffixes([long_query])
    done = cm.ContextMixer._run

    def then_interrupted(*args, **kwargs):
        done(*args, **kwargs)
        raise KeyboardInterrupt

    monkeypatch.setattr(cm.ContextMixer, "_run", then_interrupted)
    with pytest.raises(KeyboardInterrupt):
        model.code_suffixes([long_query])
    monkeypatch.undo()
    np.testing.assert_array_equal(model.code_suffixes([long_query]), expected)
