"""On real AG News text, the fast path gives exactly what the definition gives.

The reference below is deliberately naive: a double loop over
``gzip.compress``, written the way the paper's code computes NCD, with none of
the package's code. The slice is the first 2,000 training and the first 200
test rows of the local split (both files are in shuffled order).
"""

from __future__ import annotations

import gzip
from collections import Counter

import numpy as np
import pytest

from npc_classify import NCDClassifier
from npc_classify.datasets import read_ag_news_csv
from npc_classify.evaluation import neighbor_predictions, paper_top_k_accuracy

N_TRAIN, N_TEST = 2000, 200


def naive_neighbours(queries: list[str], train: list[str], k: int) -> list[list[int]]:
    """Indices of the k nearest training texts by the paper's NCD, ties by index."""
    train_sizes = [len(gzip.compress(y.encode())) for y in train]
    neighbours = []
    for x in queries:
        c_x = len(gzip.compress(x.encode()))
        distances = []
        for j, y in enumerate(train):
            c_xy = len(gzip.compress(" ".join([x, y]).encode()))
            distances.append((c_xy - min(c_x, train_sizes[j])) / max(c_x, train_sizes[j]))
        neighbours.append(sorted(range(len(train)), key=lambda j: (distances[j], j))[:k])
    return neighbours


@pytest.fixture(scope="module")
def ag_news_slice(ag_news_path):
    train = read_ag_news_csv(ag_news_path / "train.csv")
    test = read_ag_news_csv(ag_news_path / "test.csv")
    return train.texts[:N_TRAIN], train.labels[:N_TRAIN], test.texts[:N_TEST], test.labels[:N_TEST]


@pytest.fixture(scope="module")
def reference(ag_news_slice):
    train_texts, train_labels, test_texts, _ = ag_news_slice
    neighbours = naive_neighbours(test_texts, train_texts, k=3)
    return [[int(train_labels[j]) for j in row] for row in neighbours]


def test_nearest_neighbour_accuracy_equals_the_naive_reference(ag_news_slice, reference):
    train_texts, train_labels, test_texts, test_labels = ag_news_slice
    clf = NCDClassifier("gzip", k=1, n_jobs=2).fit(train_texts, train_labels)
    predicted = clf.predict(test_texts)
    expected = np.array([row[0] for row in reference])
    np.testing.assert_array_equal(predicted, expected)
    accuracy = clf.score(test_texts, test_labels)
    assert accuracy == np.mean(expected == test_labels)
    assert 0.6 < accuracy < 0.9, f"gzip 1-NN on 2,000 AG News texts gave {accuracy}"


def test_papers_top2_score_equals_the_naive_reference(ag_news_slice, reference):
    train_texts, train_labels, test_texts, test_labels = ag_news_slice
    clf = NCDClassifier("gzip", k=3).fit(train_texts, train_labels)
    neigh_dist, neigh_ind = clf.kneighbors(test_texts)

    def paper_correct(labels: list[int], truth: int) -> bool:
        counts = Counter(labels)
        return counts[truth] == max(counts.values())

    for k in (2, 3):
        expected = np.mean(
            [paper_correct(row[:k], t) for row, t in zip(reference, test_labels, strict=True)]
        )
        fair = np.mean(neighbor_predictions(clf, neigh_dist, neigh_ind, k) == test_labels)
        optimistic = paper_top_k_accuracy(clf, neigh_dist, neigh_ind, k, test_labels)
        assert optimistic == expected
        assert optimistic >= fair
