"""Normalized compression distance: the definition, its variants, streaming and parallelism."""

from __future__ import annotations

import bz2
import gzip

import joblib
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from npc_classify import pairwise_ncd
from npc_classify._distance import joint_size_from_ncd, ncd_from_sizes
from npc_classify._neighbors import top_k
from npc_classify._parallel import local_workers
from npc_classify.compressors import get_compressor

TEXTS = [
    "The striker scored twice as the home team won the cup final.",
    "Shares fell after the company warned that profits would slump.",
    "Astronomers discovered a new planet orbiting a distant star.",
    "",
    "Ünïcödé text — with em dashes, emoji 🚀 and accents é.",
]
texts = st.lists(st.text(max_size=60), min_size=1, max_size=5)


def gzip_size(data: bytes) -> float:
    return len(gzip.compress(data))


def reference_ncd(x: str, y: str, size=gzip_size, separator: str = " ") -> float:
    """The paper's formula, one pair at a time, each text compressed from scratch."""
    c_x, c_y = size(x.encode()), size(y.encode())
    c_xy = size((x + separator + y).encode())
    return (c_xy - min(c_x, c_y)) / max(c_x, c_y)


def test_pairwise_ncd_is_the_papers_formula_with_gzip():
    expected = [[reference_ncd(x, y) for y in TEXTS] for x in TEXTS[:3]]
    np.testing.assert_array_equal(pairwise_ncd(TEXTS[:3], TEXTS), expected)


def test_any_compressor_and_separator_follow_the_same_formula():
    expected = [
        [reference_ncd(x, y, lambda d: len(bz2.compress(d)), "\n") for y in TEXTS] for x in TEXTS
    ]
    got = pairwise_ncd(TEXTS, TEXTS, compressor="bz2", separator="\n")
    np.testing.assert_array_equal(got, expected)


@pytest.mark.parametrize(
    ("name", "model_fixture", "params"),
    [
        ("lm", "tiny_byte_lm", {}),
        ("lm", "tiny_byte_lm", {"cache_order": 3}),
        ("hf", "tiny_causal_lm", {}),
    ],
    ids=["byte-gru", "byte-gru-cache", "hf"],
)
def test_a_model_reading_the_query_once_for_all_pairs_gives_each_pairs_ncd(
    name, model_fixture, params, request, tiny_news
):
    model = request.getfixturevalue(model_fixture)
    compressor = get_compressor(
        name, **{"model_path" if name == "lm" else "model": model}, **params
    )
    texts, _ = tiny_news
    query = "A goal in the cup final."
    expected = [reference_ncd(query, text, compressor.compressed_size) for text in texts]
    got = pairwise_ncd([query], texts, compressor=compressor)
    np.testing.assert_allclose(got[0], expected, rtol=1e-6)


@pytest.mark.parametrize("order", ["query-first", "train-first", "symmetric"])
def test_zstd_prefix_sizes_each_pair_by_its_definition_in_every_order(order):
    """C(xy) := C(x) + |y compressed with x as a dictionary|, x the text that comes first."""
    compressor = get_compressor("zstd-prefix")

    def joint(first: str, second: str) -> float:
        return compressor.compressed_sizes_with_prefix(first.encode() + b" ", [second.encode()])[0]

    def ncd(first: str, second: str) -> float:
        c_x, c_y = (
            compressor.compressed_size(first.encode()),
            compressor.compressed_size(second.encode()),
        )
        return (joint(first, second) - min(c_x, c_y)) / max(c_x, c_y)

    pairs = {
        "query-first": lambda x, y: ncd(x, y),
        "train-first": lambda x, y: ncd(y, x),
        "symmetric": lambda x, y: (ncd(x, y) + ncd(y, x)) / 2,
    }
    expected = [[pairs[order](x, y) for y in TEXTS] for x in TEXTS[:3]]
    got = pairwise_ncd(TEXTS[:3], TEXTS, compressor=compressor, order=order)
    np.testing.assert_allclose(got, expected, rtol=1e-12)


def test_train_first_order_puts_the_reference_text_first():
    expected = [[reference_ncd(y, x) for y in TEXTS] for x in TEXTS]
    # reference_ncd(y, x) compresses y + " " + x; its min/max terms are symmetric.
    np.testing.assert_array_equal(pairwise_ncd(TEXTS, order="train-first"), expected)


def test_symmetric_order_averages_both_orders():
    both = pairwise_ncd(TEXTS, order="query-first") + pairwise_ncd(TEXTS, order="train-first")
    np.testing.assert_allclose(pairwise_ncd(TEXTS, order="symmetric"), both / 2)


def test_ncd_is_not_a_metric():
    d = pairwise_ncd(TEXTS[:3])
    assert np.all(np.diag(d) > 0), "NCD(x, x) is above zero"
    assert not np.allclose(d, d.T), "NCD is not symmetric"


def test_y_defaults_to_x():
    np.testing.assert_array_equal(pairwise_ncd(TEXTS), pairwise_ncd(TEXTS, TEXTS))


def test_empty_query_set_gives_an_empty_matrix():
    assert pairwise_ncd([], TEXTS).shape == (0, len(TEXTS))


@settings(max_examples=30, deadline=None)
@given(x=texts, y=texts)
def test_every_entry_matches_the_definition(x, y):
    expected = [[reference_ncd(a, b) for b in y] for a in x]
    got = pairwise_ncd(x, y)
    assert got.shape == (len(x), len(y))
    assert np.all(np.isfinite(got))
    np.testing.assert_array_equal(got, expected)


@settings(max_examples=10, deadline=None)
@given(x=texts, y=texts)
def test_chunking_and_workers_do_not_change_the_result(x, y):
    whole = pairwise_ncd(x, y, compressor="zstd")
    streamed = pairwise_ncd(x, y, compressor="zstd", working_memory=1e-9, n_jobs=2)
    np.testing.assert_array_equal(whole, streamed)


def test_unknown_order_is_rejected():
    with pytest.raises(
        ValueError,
        match=r"The 'order' parameter of pairwise_ncd must be a str among .* Got 'both'",
    ):
        pairwise_ncd(TEXTS, order="both")


def test_separator_must_be_a_string():
    with pytest.raises(
        TypeError,
        match=r"The 'separator' parameter of pairwise_ncd must be an instance of 'str'\. Got b",
    ):
        pairwise_ncd(TEXTS, separator=b" ")


def test_a_bare_string_is_not_a_list_of_texts():
    with pytest.raises(TypeError, match=r"X must be an iterable of texts, got a single str"):
        pairwise_ncd("just one text")


distance_rows = arrays(
    np.float64, st.tuples(st.integers(1, 4), st.integers(1, 12)), elements=st.integers(0, 3)
)


@settings(max_examples=100, deadline=None)
@given(distances=distance_rows, k=st.integers(1, 12))
def test_top_k_is_the_stable_sort_prefix(distances, k):
    k = min(k, distances.shape[1])
    neigh_dist, neigh_ind = top_k(distances, k)
    expected = np.argsort(distances, axis=1, kind="stable")[:, :k]
    np.testing.assert_array_equal(neigh_ind, expected)
    np.testing.assert_array_equal(neigh_dist, np.take_along_axis(distances, expected, axis=1))


def test_top_k_breaks_distance_ties_by_training_index():
    _, neigh_ind = top_k(np.array([[0.5, 0.2, 0.5, 0.2, 0.1]]), 4)
    assert neigh_ind.tolist() == [[4, 1, 3, 0]]


def test_local_workers_follow_n_jobs_up_to_this_machines_cores():
    cores = joblib.cpu_count()
    assert local_workers(None) == 1
    assert local_workers(1) == 1
    assert local_workers(-1) == cores
    assert local_workers(10 * cores) == cores


def test_no_task_compresses_more_than_the_most_pairs_per_task(monkeypatch):
    from npc_classify import _parallel

    monkeypatch.setattr(_parallel, "MAX_PAIRS_PER_TASK", 30)
    options = dict(n_jobs=1, working_memory=None, progress=False, description="chunks")
    sizes = list(_parallel.map_query_chunks(len, [b"query"] * 20, 10, **options))
    assert sum(sizes) == 20
    assert max(sizes) * 10 <= 30


def test_a_loky_backend_given_its_own_initializer_is_left_as_it_is():
    """The parent-watching initializer is added only where the user set none."""
    from npc_classify._parallel import _worker_options

    with joblib.parallel_config(backend="loky", initializer=print, initargs=("ready",)):
        assert _worker_options() == {}


def test_joint_size_from_ncd_undoes_ncd_from_sizes():
    c_x = np.array([[120.0], [0.0], [300.0]])
    c_y = np.array([95.0, 0.0, 410.0, 120.0])
    c_xy = np.array(
        [[180.0, 121.0, 470.0, 150.0], [96.0, 1.0, 411.0, 121.0], [330, 301, 600, 305]]
    )
    ncd = ncd_from_sizes(c_x, c_y, c_xy)
    np.testing.assert_allclose(joint_size_from_ncd(c_x, c_y, ncd), c_xy, rtol=1e-12)


def test_train_first_joins_the_training_text_and_the_query_with_the_separator():
    texts = ["The striker scored twice.", "Shares fell after the warning.", "A new planet.", ""]

    def ncd(first: str, second: str) -> float:
        c_1, c_2 = len(bz2.compress(first.encode())), len(bz2.compress(second.encode()))
        joined = len(bz2.compress(f"{first}\n{second}".encode()))
        return (joined - min(c_1, c_2)) / max(c_1, c_2)

    expected = [[ncd(train, query) for train in texts] for query in texts]
    found = pairwise_ncd(texts, compressor="bz2", separator="\n", order="train-first")
    np.testing.assert_array_equal(found, expected)
