"""Evaluation: fair scores from one neighbour search, the paper's optimistic score, intervals."""

from __future__ import annotations

import numpy as np
import pytest

from npc_classify import NCDClassifier
from npc_classify.evaluation import (
    mean_confidence_interval,
    neighbor_predictions,
    paper_top_k_accuracy,
    paper_top_k_predictions,
    score_report,
)

QUERIES = [
    "The goalkeeper saved a penalty in the cup final.",
    "Profits fell and shares slumped at the bank.",
    "The telescope found a planet around a distant star.",
    "The rocket launch lifted shares of the space company.",
]


@pytest.fixture
def fitted(tiny_news):
    return NCDClassifier(k=7).fit(*tiny_news)


def test_one_search_scores_every_smaller_k_as_predict_would(fitted, tiny_news):
    texts, _ = tiny_news
    queries = texts + QUERIES
    neigh_dist, neigh_ind = fitted.kneighbors(queries)
    for k in (1, 2, 3, 5, 7):
        expected = fitted.set_params(k=k).predict(queries)
        np.testing.assert_array_equal(
            neighbor_predictions(fitted, neigh_dist, neigh_ind, k), expected
        )


def test_scoring_a_k_deeper_than_the_search_is_refused(fitted):
    neigh_dist, neigh_ind = fitted.kneighbors(QUERIES, n_neighbors=2)
    with pytest.raises(ValueError, match="k=3 needs at least 3 neighbours per query, got 2"):
        neighbor_predictions(fitted, neigh_dist, neigh_ind, 3)


def hand_made(neighbour_labels: list[list[str]]) -> tuple[NCDClassifier, np.ndarray, np.ndarray]:
    """A classifier whose training set is one text per neighbour, searched in order."""
    flat = [label for row in neighbour_labels for label in row]
    clf = NCDClassifier(k=1).fit([f"text {i}" for i in range(len(flat))], flat)
    k = len(neighbour_labels[0])
    neigh_ind = np.arange(len(flat)).reshape(-1, k)
    neigh_dist = np.tile(np.linspace(0.1, 0.9, k), (len(neighbour_labels), 1))
    return clf, neigh_dist, neigh_ind


def test_paper_rule_counts_a_tie_as_correct_when_the_truth_is_tied():
    clf, neigh_dist, neigh_ind = hand_made([["a", "b"], ["a", "b"], ["c", "c"], ["a", "c"]])
    truth = ["b", "a", "a", "c"]
    # Query 0: tie a/b, truth b -> correct (a fair nearest rule says a).
    # Query 1: tie a/b, truth a -> correct. Query 2: c wins, truth a -> wrong.
    # Query 3: tie a/c, truth c -> correct.
    assert paper_top_k_predictions(clf, neigh_dist, neigh_ind, 2, truth).tolist() == [
        "b",
        "a",
        "c",
        "c",
    ]
    assert paper_top_k_accuracy(clf, neigh_dist, neigh_ind, 2, truth) == 0.75
    fair = neighbor_predictions(clf, neigh_dist, neigh_ind, 2)
    assert fair.tolist() == ["a", "a", "c", "a"]


def test_paper_rule_with_k1_is_the_fair_score():
    clf, neigh_dist, neigh_ind = hand_made([["a"], ["b"], ["c"]])
    truth = ["a", "c", "c"]
    assert paper_top_k_accuracy(clf, neigh_dist, neigh_ind, 1, truth) == pytest.approx(2 / 3)


def test_paper_rule_handles_a_true_class_never_seen_in_training():
    clf, neigh_dist, neigh_ind = hand_made([["a", "b"]])
    assert paper_top_k_accuracy(clf, neigh_dist, neigh_ind, 2, ["z"]) == 0.0


def test_paper_score_is_never_below_the_fair_score(fitted, tiny_news):
    texts, labels = tiny_news
    neigh_dist, neigh_ind = fitted.kneighbors(texts)
    for k in range(1, 8):
        fair = np.mean(neighbor_predictions(fitted, neigh_dist, neigh_ind, k) == np.array(labels))
        assert paper_top_k_accuracy(fitted, neigh_dist, neigh_ind, k, labels) >= fair


def test_score_report_gives_accuracy_f1_per_class_and_confusion():
    report = score_report([0, 0, 1, 2], [0, 1, 1, 2], class_names=("W", "S", "B"))
    assert report["accuracy"] == 0.75
    assert report["classes"] == ["W", "S", "B"]
    assert report["confusion_matrix"] == [[1, 1, 0], [0, 1, 0], [0, 0, 1]]
    assert report["per_class"]["W"] == {"precision": 1.0, "recall": 0.5, "f1": 2 / 3, "support": 2}
    assert report["macro_f1"] == pytest.approx((2 / 3 + 2 / 3 + 1) / 3)


def test_score_report_names_string_labels_by_themselves():
    assert score_report(["x", "y"], ["x", "x"])["classes"] == ["x", "y"]


def test_confidence_interval_is_the_student_t_interval():
    mean, low, high = mean_confidence_interval([0.70, 0.72, 0.74, 0.76, 0.78])
    # sd = 0.0316, sem = 0.01414, t(0.975, 4) = 2.776 -> half-width 0.03926
    assert mean == pytest.approx(0.74)
    assert high - mean == pytest.approx(0.03926, abs=1e-5)
    assert mean - low == pytest.approx(high - mean)


def test_confidence_interval_of_one_value_is_that_value():
    assert mean_confidence_interval([0.8]) == (0.8, 0.8, 0.8)


def test_bits_per_byte_per_document_and_whole_file():
    import gzip as gzip_module

    from npc_classify.compressors import GzipCompressor
    from npc_classify.evaluation import bits_per_byte

    documents = [b"the first text", b"and a second, longer text"]
    per_document, whole_file = bits_per_byte(GzipCompressor(), documents)
    total = sum(map(len, documents))
    assert per_document == 8 * sum(len(gzip_module.compress(d)) for d in documents) / total
    joined = b"\n".join(documents)
    assert whole_file == 8 * len(gzip_module.compress(joined)) / len(joined)
