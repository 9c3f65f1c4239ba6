"""The compiled PPM engine codes exactly as the naive reference does, on real text, all orders."""

from __future__ import annotations

import tracemalloc

import numpy as np
import ppm_reference as reference
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from npc_classify.coding import arithmetic, ppm
from npc_classify.coding.ppm import CountTable, PPMModel, count, prefix_and_suffix_bits
from npc_classify.datasets import read_ag_news_csv

ORDERS = [0, 1, 2, 3, 4, 6, 8, 12, 16]


@pytest.fixture(scope="module")
def news(ag_news_path):
    """200 real AG News training texts, as bytes."""
    texts = read_ag_news_csv(ag_news_path / "train.csv").texts[:200]
    return [text.encode() for text in texts]


@pytest.mark.parametrize("order", ORDERS)
@pytest.mark.parametrize("escape", [1.0, 0.25])
def test_a_class_text_and_its_queries_cost_what_the_reference_says(news, order, escape):
    context = b"\n".join(news[:120]) + b"\n"
    queries = [*news[120:200], b""]
    expected_table: reference.Table = {}
    expected = reference.code_bits(expected_table, context, 0, order, escape=escape)
    table = CountTable(order)
    assert table.code(context, escape=escape) == pytest.approx(expected, rel=0, abs=1e-9)
    assert table.n_contexts == len(expected_table)
    assert table.n_pairs == sum(len(counts) for counts, _ in expected_table.values())

    want = reference.suffix_bits(expected_table, context, queries, order, escape=escape)
    got = table.code_suffixes(context, queries, escape=escape)
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-9)
    # Scoring left the counts as they were: the same queries cost the same again.
    np.testing.assert_array_equal(table.code_suffixes(context, queries, escape=escape), got)
    assert table.n_contexts == len(expected_table)


@pytest.mark.parametrize("order", [0, 2, 4])
def test_probabilities_from_another_model_below_order_0_are_blended_as_the_reference(news, order):
    rng = np.random.default_rng(0)
    prefix, suffixes = news[0], news[1:30]
    prefix_base = rng.uniform(1e-3, 0.9, len(prefix))
    bases = [rng.uniform(1e-3, 0.9, len(s)) for s in suffixes]
    table: reference.Table = {}
    want_prefix = reference.code_bits(table, prefix, 0, order, base=list(prefix_base), escape=0.5)
    want = reference.suffix_bits(table, prefix, suffixes, order, [list(b) for b in bases], 0.5)
    got_prefix, got = prefix_and_suffix_bits(prefix, suffixes, order, prefix_base, bases, 0.5)
    assert got_prefix == pytest.approx(want_prefix, rel=0, abs=1e-9)
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-9)


@pytest.mark.parametrize("order", [0, 3, 16])
def test_the_distribution_after_a_text_is_the_references(news, order):
    context = b" ".join(news[:40])
    expected_table: reference.Table = {}
    reference.code_bits(expected_table, context, 0, order)
    for cut in (1, 10, len(context)):
        text = context[:cut][-(order + 1) :]
        np.testing.assert_allclose(
            count(context, order).distribution(text),
            reference.distribution(expected_table, text, order),
            rtol=0,
            atol=1e-15,
        )


def test_the_per_byte_costs_add_up_to_the_suffix_total(news):
    table = count(news[0], 3)
    costs = table.suffix_byte_bits(news[0], news[1])
    assert costs.shape == (len(news[1]),)
    assert costs.sum() == pytest.approx(table.code_suffixes(news[0], [news[1]])[0], rel=1e-12)


@settings(max_examples=60, deadline=None)
@given(
    prefix=st.binary(max_size=300),
    suffixes=st.lists(st.binary(max_size=200), max_size=4),
    order=st.sampled_from(ORDERS),
)
def test_any_bytes_cost_what_the_reference_says(prefix, suffixes, order):
    table: reference.Table = {}
    want_prefix = reference.code_bits(table, prefix, 0, order)
    want = reference.suffix_bits(table, prefix, suffixes, order)
    got_prefix, got = prefix_and_suffix_bits(prefix, suffixes, order)
    assert got_prefix == pytest.approx(want_prefix, rel=0, abs=1e-9)
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-9)


def test_the_model_gives_the_coder_the_references_distributions(news):
    model, expected_table = PPMModel(3), {}
    text = news[0][:80]
    distribution = model.reset()
    for i, symbol in enumerate(text):
        seen = text[max(0, i - 3) : i]
        np.testing.assert_allclose(
            distribution, reference.distribution(expected_table, seen, 3), rtol=0, atol=1e-15
        )
        reference.code_bits(expected_table, text[: i + 1][-4:], min(i, 3), 3)
        distribution = model.update(symbol)


@pytest.mark.parametrize("order", [0, 3, 8])
def test_the_compiled_stream_is_the_coder_driven_by_the_model_byte_for_byte(news, order):
    """One compiled loop codes the same stream as the coder stepping through PPMModel."""
    text = b"\n".join(news[:12])
    code = ppm.encode(text, order)
    assert code == arithmetic.encode(text, PPMModel(order))
    assert ppm.decode(code, order) == text


def test_a_stream_longer_than_one_counting_chunk_round_trips(news):
    text = b"\n".join(news)  # 46 KB: the tables grow between chunks of 16 KiB
    assert len(text) > 2 * 2**14
    code = ppm.encode(text, 3)
    assert ppm.decode(code, 3) == text
    assert len(code) <= CountTable(3).code(text) / 8 + 8  # within bytes of the ideal


@pytest.mark.parametrize("order", [0, 2, 5])
@settings(max_examples=40, deadline=None)
@given(data=st.binary(max_size=300))
def test_any_bytes_round_trip_through_the_compiled_coder(order, data):
    assert ppm.decode(ppm.encode(data, order), order) == data


def test_a_journaled_coding_must_be_rolled_back_before_the_next():
    table = CountTable(2)
    table.code(b"abc", journal=True)
    with pytest.raises(RuntimeError, match="Roll back"):
        table.code(b"d")
    table.roll_back()
    assert table.n_contexts == 0


def test_orders_beyond_16_bytes_are_refused():
    with pytest.raises(ValueError, match=r"order must be in \[0, 16\], got 17"):
        CountTable(17)


def test_a_table_that_would_pass_the_memory_budget_is_refused(monkeypatch):
    from npc_classify.coding import ppm

    monkeypatch.setattr(ppm, "TABLE_BUDGET_BYTES", 1 << 20)
    text = bytes(np.random.default_rng(0).integers(0, 256, 20_000, dtype=np.uint8))
    with pytest.raises(ValueError, match=r"order 8 would take .* more than TABLE_BUDGET_BYTES"):
        count(text, 8)


def test_coding_from_a_start_reads_its_base_and_writes_its_costs_from_that_start(news):
    order, text, start = 3, news[0] + news[1], len(news[0])
    base = np.random.default_rng(1).uniform(1e-3, 0.9, len(text) - start)
    costs = np.full(len(text) - start, np.nan)
    bits = CountTable(order).code(text, start, base, escape=0.5, costs=costs)
    want = reference.code_bits({}, text, start, order, base=list(base), escape=0.5)
    assert bits == pytest.approx(want, rel=0, abs=1e-9)
    assert costs.sum() == pytest.approx(want, rel=1e-12)
    first = reference.code_bits(
        {}, text[: start + 1], start, order, base=list(base[:1]), escape=0.5
    )
    assert costs[0] == pytest.approx(first, rel=1e-12)


def test_a_prefix_shorter_than_the_order_is_the_whole_context_of_every_suffix():
    """A repetitive prefix: its longer contexts were seen, and predict the suffixes."""
    prefix, suffixes, order = b"no no no no", [b" no no", b" nope", b"!", b""], 16
    table: reference.Table = {}
    reference.code_bits(table, prefix, 0, order)
    want = reference.suffix_bits(table, prefix, suffixes, order)
    np.testing.assert_allclose(
        count(prefix, order).code_suffixes(prefix, suffixes), want, rtol=0, atol=1e-9
    )


def test_the_count_tables_are_kept_at_most_half_full():
    """As documented: linear probing keeps its probe chains short only below half full."""
    table = CountTable(4)
    rng = np.random.default_rng(0)
    for n in (1600, 3000, 7000):
        table.code(bytes(rng.integers(0, 256, n, dtype=np.uint8)))
        assert 2 * table.n_contexts <= len(table.contexts)
        assert 2 * table.n_pairs <= len(table.pairs)


def test_a_code_cut_of_a_last_byte_of_zeros_is_refused_though_every_byte_decodes(news):
    """The lost zeros read as the implicit zeros they stand for: only the bits the decoder
    needed past the code's end tell it was cut."""
    codes = [(ppm.encode(text, order), order) for text in news[:100] for order in (0, 2, 4)]
    cut = [(code[:-1], order) for code, order in codes if code[-1] == 0]
    assert len(cut) >= 10
    for code, order in cut:
        with pytest.raises(ValueError, match="truncated"):
            ppm.decode(code, order)


def test_an_interrupt_between_coding_a_suffix_and_rolling_it_back_leaves_the_table_whole(
    news, monkeypatch
):
    """Ctrl-C lands between Python statements: right after the suffix is coded, the table
    must still be rolled back, or it refuses, or miscounts, every later query."""
    from npc_classify.coding.ppm import CountTable

    table = count(news[0], 3)
    expected = table.suffix_byte_bits(news[0], news[1])
    interrupted_after(monkeypatch, CountTable, "code")
    with pytest.raises(KeyboardInterrupt):
        table.suffix_byte_bits(news[0], news[1])
    monkeypatch.undo()
    np.testing.assert_array_equal(table.suffix_byte_bits(news[0], news[1]), expected)
    assert table.code_suffixes(news[0], [news[1]])[0] == pytest.approx(expected.sum(), rel=1e-12)


def test_a_refused_suffix_leaves_the_callers_journaled_coding_alone(news):
    table = count(news[0], 3)
    table.code(news[1], 0, journal=True)
    pending = int(table.sizes[2])
    with pytest.raises(RuntimeError, match="Roll back the journaled coding"):
        table.suffix_byte_bits(news[0], news[2])
    assert table.sizes[2] == pending > 0


@pytest.mark.parametrize("through", ["code_suffixes", "suffix_byte_bits"])
def test_a_long_query_gives_back_the_memory_it_took_once_rolled_back(news, through):
    """A query is coded into room reserved for it and then undone; a kept class table must
    not stay the size the longest query ever made it."""
    context, table, short, expected_short = counted_class_text(news)
    before = table.nbytes
    long_query = bytes(np.random.default_rng(0).integers(0, 256, 30_000, dtype=np.uint8))
    assert not table._outgrows(long_query)  # journaled, in room reserved for its worst case
    want = reference.suffix_bits(reference_table(context, 3), context, [long_query], 3)[0]
    if through == "code_suffixes":
        got = table.code_suffixes(context, [long_query])[0]
    else:
        got = table.suffix_byte_bits(context, long_query).sum()
    assert got == pytest.approx(want, rel=0, abs=1e-6)
    assert table.nbytes <= 2 * before + (1 << 20)  # the room counting leaves, at most
    np.testing.assert_array_equal(table.code_suffixes(context, short), expected_short)


def test_a_table_an_interrupt_left_grown_is_given_back_by_the_next_query(news, monkeypatch):
    context, table, short, expected_short = counted_class_text(news)
    before = table.nbytes
    interrupted_after(monkeypatch, ppm.kernels, "code_suffixes")
    monkeypatch.setattr(CountTable, "_give_back", lambda self: None)  # as if skipped
    monkeypatch.setattr(CountTable, "_outgrows", lambda self, suffix: False)  # journaled
    with pytest.raises(KeyboardInterrupt):
        table.code_suffixes(context, [bytes(range(256)) * 800])
    assert table.nbytes > 4 * before
    monkeypatch.undo()
    np.testing.assert_array_equal(table.code_suffixes(context, short), expected_short)
    assert table.nbytes <= 2 * before + (1 << 20)  # the room counting leaves, at most


def test_a_short_class_text_keeps_at_most_twice_its_room_after_ever_longer_queries():
    """Counting a short text reserves room for its length only; queries must not leave it
    the room of a counting chunk, nor grow it query after query."""
    context = b"the cat sat on the mat. " * 12
    table = CountTable(3)
    table.code(context)
    room = len(table.contexts) + len(table.pairs)
    rng = np.random.default_rng(0)
    for step in range(12):  # 100 bytes to 64 KB, each query just journaled as it grows
        n = int(100 * 1.8**step)
        table.code_suffixes(context, [bytes(rng.integers(0, 256, n, dtype=np.uint8))])
        assert len(table.contexts) + len(table.pairs) <= 2 * room


def interrupted_after(monkeypatch, owner: object, name: str) -> None:
    """Make ``owner.name`` raise KeyboardInterrupt once it has run: where Ctrl-C lands."""
    done = getattr(owner, name)

    def then_interrupted(*args, **kwargs):
        done(*args, **kwargs)
        raise KeyboardInterrupt

    monkeypatch.setattr(owner, name, then_interrupted)


def counted_class_text(news) -> tuple[bytes, CountTable, list[bytes], np.ndarray]:
    """A class text of 100 news texts counted at order 3, a short query and its bits."""
    context = b"\n".join(news[:100]) + b"\n"
    table = CountTable(3)
    table.code(context)
    short = [news[150]]
    return context, table, short, table.code_suffixes(context, short)


def reference_table(context: bytes, order: int) -> reference.Table:
    table: reference.Table = {}
    reference.code_bits(table, context, 0, order)
    return table


@pytest.mark.parametrize("through", ["code_suffixes", "suffix_byte_bits"])
def test_a_query_whose_journal_would_outgrow_the_table_is_coded_from_a_copy(news, through):
    """Room for a query's worst case and a journal of its changes take about 1 KB per byte
    at order 3; past the table's own size, a copy of the table costs less, and the query
    grows it only by the contexts it really adds."""
    context, table, short, expected_short = counted_class_text(news)
    long_query = b" ".join(news[100:200]) * 3  # real text: few new contexts per byte
    assert 2 * 4 * 24 * len(long_query) > table.nbytes  # its journal alone would be larger
    want = reference.suffix_bits(reference_table(context, 3), context, [long_query], 3)[0]
    table.code_suffixes(context, [long_query])  # compiled (or read from numba's cache) unmeasured
    tracemalloc.start()
    if through == "code_suffixes":
        got = table.code_suffixes(context, [short[0], long_query, short[0]])
        np.testing.assert_array_equal(got[[0, 2]], [expected_short[0]] * 2)
        got = got[1]
    else:
        got = table.suffix_byte_bits(context, long_query).sum()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert got == pytest.approx(want, rel=0, abs=1e-6)
    assert peak < 4 * table.nbytes  # the copy, and the table grown once (a journal: 11x)
    np.testing.assert_array_equal(table.code_suffixes(context, short), expected_short)


def test_a_ctrl_c_once_a_query_is_coded_from_a_copy_leaves_the_table_whole(news, monkeypatch):
    context, table, short, expected_short = counted_class_text(news)
    contexts = table.n_contexts
    interrupted_after(monkeypatch, CountTable, "code")
    with pytest.raises(KeyboardInterrupt):
        table.code_suffixes(context, [b" ".join(news[100:200]) * 3])
    monkeypatch.undo()
    assert table.n_contexts == contexts
    np.testing.assert_array_equal(table.code_suffixes(context, short), expected_short)
