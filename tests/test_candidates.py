"""Candidate search: a cheap first stage, then exact NCD among the candidates only."""

from __future__ import annotations

import numpy as np
import pytest

from npc_classify import NCDClassifier, pairwise_ncd
from npc_classify._candidates import CandidateIndex
from npc_classify.compressors import GzipCompressor

QUERIES = [
    "The goalkeeper saved a penalty in the cup final.",
    "Profits fell and shares slumped at the bank.",
    "The telescope found a planet around a distant star.",
]


def test_candidates_are_m_distinct_sorted_training_indices(tiny_news):
    texts, _ = tiny_news
    sizes = np.array([GzipCompressor().compressed_size(t.encode()) for t in texts])
    query_sizes = np.array([GzipCompressor().compressed_size(q.encode()) for q in QUERIES])
    candidates = CandidateIndex(texts, sizes).search(QUERIES, query_sizes, 5)
    assert candidates.shape == (3, 5)
    assert all(np.array_equal(np.unique(row), row) for row in candidates)
    assert candidates.min() >= 0 and candidates.max() < len(texts)


def test_candidates_favour_texts_that_share_the_querys_words(tiny_news):
    texts, _ = tiny_news
    sizes = np.array([GzipCompressor().compressed_size(t.encode()) for t in texts])
    query = [texts[3]]  # a training text is its own best candidate
    query_size = sizes[3:4]
    assert 3 in CandidateIndex(texts, sizes).search(query, query_size, 1)[0]


def test_neighbours_are_the_exact_nearest_among_the_candidates(tiny_news):
    texts, labels = tiny_news
    clf = NCDClassifier(k=3, candidates=6).fit(texts, labels)
    neigh_dist, neigh_ind = clf.kneighbors(QUERIES)
    query_sizes = clf.compressor_.compressed_size
    sizes = np.array([query_sizes(q.encode()) for q in QUERIES])
    candidates = clf._candidate_index.search(QUERIES, sizes, 6)
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


def test_workers_and_chunking_do_not_change_candidate_search(tiny_news):
    texts, labels = tiny_news
    one = NCDClassifier(k=2, candidates=5, n_jobs=1).fit(texts, labels)
    two = NCDClassifier(k=2, candidates=5, n_jobs=2, working_memory=1e-9).fit(texts, labels)
    np.testing.assert_array_equal(one.kneighbors(texts)[1], two.kneighbors(texts)[1])


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"k": 3, "candidates": 2}, "candidates=2 must be at least k=3"),
        ({"k": 1, "candidates": 0}, "candidates must be a positive int, got 0"),
    ],
)
def test_bad_candidate_counts_are_refused(tiny_news, params, message):
    with pytest.raises(ValueError, match=message):
        NCDClassifier(**params).fit(*tiny_news)


def test_more_neighbours_than_candidates_are_refused(tiny_news):
    clf = NCDClassifier(k=1, candidates=4).fit(*tiny_news)
    with pytest.raises(ValueError, match="n_neighbors=5 is more than the 4 candidates"):
        clf.kneighbors(QUERIES, n_neighbors=5)
