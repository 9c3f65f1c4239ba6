"""Candidate search: a cheap first stage, then exact NCD among the candidates only."""

from __future__ import annotations

import gzip

import numpy as np
import pytest

from npc_classify import NCDClassifier, _candidates, pairwise_ncd
from npc_classify._candidates import MIN_CALIBRATION_PAIRS, UNFITTED_WEIGHTS, CandidateIndex
from npc_classify._distance import ncd_from_sizes
from npc_classify.compressors import get_compressor
from npc_classify.datasets import read_ag_news_csv

QUERIES = [
    "The goalkeeper saved a penalty in the cup final.",
    "Profits fell and shares slumped at the bank.",
    "The telescope found a planet around a distant star.",
]


def sizes_of(texts, compressor="gzip"):
    size = get_compressor(compressor).compressed_size
    return np.array([size(t.encode()) for t in texts], dtype=float)


def exact_index(texts, compressor="gzip", order="query-first"):
    """A CandidateIndex on ``texts``, calibrated with their exact NCD."""
    full = pairwise_ncd(texts, compressor=compressor, order=order)
    index = CandidateIndex(texts, sizes_of(texts, compressor))
    return index.calibrate(lambda queries, cand: full[queries[:, None], cand])


def test_candidates_are_m_distinct_sorted_training_indices(tiny_news):
    texts, _ = tiny_news
    candidates = exact_index(texts).search(QUERIES, sizes_of(QUERIES), 5)
    assert candidates.shape == (3, 5)
    assert all(np.array_equal(np.unique(row), row) for row in candidates)
    assert candidates.min() >= 0 and candidates.max() < len(texts)


def test_candidates_favour_texts_that_share_the_querys_words(tiny_news):
    texts, _ = tiny_news
    query = [texts[3]]  # a training text is its own best candidate
    assert 3 in exact_index(texts).search(query, sizes_of(query), 1)[0]


@pytest.mark.parametrize("n_threads", [1, 2])
def test_query_blocks_and_threads_do_not_change_the_candidates(tiny_news, monkeypatch, n_threads):
    texts, _ = tiny_news
    index = exact_index(texts)
    whole = index.search(QUERIES, sizes_of(QUERIES), 5)
    monkeypatch.setattr(_candidates, "ESTIMATE_FLOATS", len(texts))  # one query per block
    blocks = index.search(QUERIES, sizes_of(QUERIES), 5, n_threads=n_threads)
    np.testing.assert_array_equal(blocks, whole)


def test_calibration_fits_the_weights_of_a_linear_joint_size(tiny_news):
    texts, _ = tiny_news
    sizes = sizes_of(texts)
    index = CandidateIndex(texts, sizes)
    truth = np.array([0.9, -30.0, -0.7])  # C(xy) = C(x) + 0.9 C(y) - 30 - 0.7 f C(y)

    def distances(queries, candidates):
        share = index._shares(index.vectorizer.transform([texts[q] for q in queries]))
        share = np.take_along_axis(share, candidates, axis=1)
        c_x, c_y = sizes[queries][:, None], sizes[candidates]
        return ncd_from_sizes(c_x, c_y, c_x + truth[0] * c_y + truth[1] + truth[2] * share * c_y)

    np.testing.assert_allclose(index.weights, UNFITTED_WEIGHTS)
    np.testing.assert_allclose(index.calibrate(distances).weights, truth, rtol=1e-9)


@pytest.mark.parametrize("n_texts", [24, 300])
def test_calibration_compresses_one_fixed_sample_of_distinct_training_pairs(n_texts):
    texts = [f"item {i}: " + " ".join(f"w{i * j % 97}" for j in range(12)) for i in range(n_texts)]
    samples = []

    def distances(queries, candidates):
        samples.append((queries, candidates))
        return np.full(candidates.shape, 0.5)

    CandidateIndex(texts, sizes_of(texts)).calibrate(distances)
    CandidateIndex(texts, sizes_of(texts)).calibrate(distances)
    (queries, candidates), again = samples
    assert candidates.shape == (min(32, n_texts), min(64, n_texts - 1))
    assert np.array_equal(np.unique(queries), queries)
    for query, row in zip(queries, candidates, strict=True):
        assert np.array_equal(np.unique(row), row) and query not in row
    np.testing.assert_array_equal(again[0], queries)
    np.testing.assert_array_equal(again[1], candidates)


@pytest.mark.parametrize(("compressor", "order"), [("gzip", "query-first"), ("zstd", "symmetric")])
def test_fit_calibrates_on_the_classifiers_own_distances(tiny_news, compressor, order):
    texts, labels = tiny_news
    clf = NCDClassifier(compressor, k=1, candidates=5, order=order).fit(texts, labels)
    expected = exact_index(texts, compressor, order).weights
    np.testing.assert_allclose(clf.candidate_index_.weights, expected, rtol=1e-12)


def test_calibration_keeps_more_exact_nearest_neighbours_on_ag_news(ag_news_path):
    train = read_ag_news_csv(ag_news_path / "train.csv")
    queries = read_ag_news_csv(ag_news_path / "test.csv").texts[:150]
    texts = train.texts[:1000]
    nearest = pairwise_ncd(queries, texts, n_jobs=2).argmin(axis=1)
    index = CandidateIndex(texts, sizes_of(texts))

    def kept():
        candidates = index.search(queries, sizes_of(queries), 10)
        return np.mean([n in row for n, row in zip(nearest, candidates, strict=True)])

    def distances(queries, candidates):
        rows = pairwise_ncd([texts[i] for i in queries], texts)
        return np.take_along_axis(rows, candidates, axis=1)

    unfitted = kept()
    index.calibrate(distances)
    assert kept() >= unfitted + 0.05  # measured: 0.81 against 0.72


def test_neighbours_are_the_exact_nearest_among_the_candidates(tiny_news):
    texts, labels = tiny_news
    clf = NCDClassifier(k=3, candidates=6).fit(texts, labels)
    neigh_dist, neigh_ind = clf.kneighbors(QUERIES)
    query_sizes = clf.compressor_.compressed_size
    sizes = np.array([query_sizes(q.encode()) for q in QUERIES])
    candidates = clf.candidate_index_.search(QUERIES, sizes, 6)
    full = pairwise_ncd(QUERIES, texts)
    for row, cand in enumerate(candidates):
        order = cand[np.argsort(full[row, cand], kind="stable")[:3]]
        np.testing.assert_array_equal(neigh_ind[row], order)
        np.testing.assert_array_equal(neigh_dist[row], full[row, order])


def test_as_many_candidates_as_training_texts_is_the_exact_search(tiny_news):
    texts, labels = tiny_news
    exact = NCDClassifier(k=3).fit(texts, labels).kneighbors(QUERIES)
    approx = NCDClassifier(k=3, candidates=len(texts)).fit(texts, labels).kneighbors(QUERIES)
    np.testing.assert_array_equal(exact[0], approx[0])
    np.testing.assert_array_equal(exact[1], approx[1])


@pytest.mark.parametrize("m", [1, 2, 4])
def test_estimates_tied_at_the_last_candidate_are_taken_in_training_order(ag_news_path, m):
    """Copies of the query at 12 places among 400 texts: the exact search's first copy is a
    candidate, as equal distances go by training index in every search."""
    train = read_ag_news_csv(ag_news_path / "train.csv").texts[:400]
    query = read_ag_news_csv(ag_news_path / "test.csv").texts[3]
    places = [28, 121, 142, 146, 165, 190, 204, 211, 269, 283, 351, 370]
    for place in places:
        train[place] = query
    labels = [places.index(i) if i in places else -1 for i in range(400)]
    exact = NCDClassifier(k=1).fit(train, labels).kneighbors([query])
    approx = NCDClassifier(k=1, candidates=m).fit(train, labels).kneighbors([query])
    assert approx[1][0, 0] == exact[1][0, 0] == places[0]


def test_workers_and_chunking_do_not_change_candidate_search(tiny_news):
    texts, labels = tiny_news
    one = NCDClassifier(k=2, candidates=5, n_jobs=1).fit(texts, labels)
    two = NCDClassifier(k=2, candidates=5, n_jobs=2, working_memory=1e-9).fit(texts, labels)
    np.testing.assert_array_equal(one.kneighbors(texts)[1], two.kneighbors(texts)[1])


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"k": 3, "candidates": 2}, "candidates=2 must be at least k=3"),
        (
            {"k": 1, "candidates": 0},
            r"The .candidates. parameter of NCDClassifier .* or None\. Got 0",
        ),
    ],
)
def test_bad_candidate_counts_are_refused(tiny_news, params, message):
    with pytest.raises(ValueError, match=message):
        NCDClassifier(**params).fit(*tiny_news)


def test_more_neighbours_than_candidates_are_refused(tiny_news):
    clf = NCDClassifier(k=1, candidates=4).fit(*tiny_news)
    with pytest.raises(ValueError, match="n_neighbors=5 is more than the 4 candidates"):
        clf.kneighbors(QUERIES, n_neighbors=5)


def test_more_neighbours_than_the_fitted_candidates_say_to_fit_again(tiny_news):
    """candidates is read by fit: raising it afterwards changes nothing until a refit."""
    clf = NCDClassifier(k=1, candidates=4).fit(*tiny_news).set_params(k=5, candidates=8)
    with pytest.raises(ValueError, match=r"k=5 is more than the 4 candidates .* fit again"):
        clf.predict(QUERIES)


def test_a_tiny_training_set_keeps_the_unfitted_weights_and_finds_exact_duplicates():
    texts = ["the striker scored", "the keeper saved", "shares fell", "profits slumped"]
    clf = NCDClassifier(k=1, candidates=1).fit(texts, ["a", "a", "b", "b"])
    np.testing.assert_array_equal(clf.candidate_index_.weights, UNFITTED_WEIGHTS)
    for position, text in enumerate(texts):
        assert clf.kneighbors([text], return_distance=False)[0, 0] == position


def test_calibration_needs_the_minimum_number_of_pairs():
    calls = []
    index = CandidateIndex(["a b c d"] * 10, np.full(10, 20.0))
    index.calibrate(lambda queries, candidates: calls.append(1) or np.zeros(candidates.shape))
    assert not calls, "10 texts give 90 pairs, fewer than MIN_CALIBRATION_PAIRS"
    assert 10 * 9 < MIN_CALIBRATION_PAIRS


def test_each_texts_share_of_its_own_four_grams_is_one_and_every_share_a_fraction(tiny_news):
    texts, _ = tiny_news
    sizes = np.array([len(gzip.compress(t.encode())) for t in texts], dtype=float)
    index = CandidateIndex(texts, sizes)
    shares = index._shares(index.vectorizer.transform(texts))
    np.testing.assert_allclose(np.diag(shares), 1.0)
    assert shares.min() >= 0 and shares.max() <= 1


def test_a_lone_surrogate_is_a_valid_text_for_the_candidate_search(tiny_news):
    """The exact search takes any Python string (its UTF-8 bytes, a lone surrogate as its
    three); so does the first stage, in fit and in predict."""
    texts, labels = tiny_news
    odd = "lone surrogate \ud800 in a headline"
    clf = NCDClassifier(k=1, candidates=5).fit([odd, *texts], ["odd", *labels])
    assert clf.kneighbors([odd, "\udfff"], return_distance=False).shape == (2, 1)
    assert clf.predict([odd])[0] == "odd"
