"""Evaluation: fair scores from one neighbour search, the paper's optimistic score, intervals."""

from __future__ import annotations

import json
import math
import re

import numpy as np
import pytest

from npc_classify import CompressionClassifier, NCDClassifier, evaluation
from npc_classify.datasets import LabeledTexts, sample_per_class
from npc_classify.evaluation import (
    CLASS_CONDITIONAL,
    PAPER_TOP_K,
    evaluate_class_conditional,
    evaluate_neighbors,
    few_shot,
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
    with pytest.raises(
        ValueError,
        match=r"k=3 needs a search of at least 3 neighbours per query; got neigh_ind of shape "
        r"\(4, 2\)",
    ):
        neighbor_predictions(fitted, neigh_dist, neigh_ind, 3)


@pytest.mark.parametrize("k", [0, -1, 1.5])
def test_a_k_that_is_no_number_of_neighbours_is_refused(fitted, k):
    neigh_dist, neigh_ind = fitted.kneighbors(QUERIES, n_neighbors=3)
    with pytest.raises(
        ValueError,
        match="The 'k' parameter of neighbor_predictions must be an int in the range \\[1, inf\\)",
    ):
        neighbor_predictions(fitted, neigh_dist, neigh_ind, k)
    labels = [fitted.classes_[0]] * len(QUERIES)
    with pytest.raises(ValueError, match="The 'k' parameter of paper_top_k_predictions"):
        paper_top_k_accuracy(fitted, neigh_dist, neigh_ind, k, labels)


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


def test_paper_rule_counts_one_vote_per_neighbour_whatever_the_weights():
    clf, neigh_dist, neigh_ind = hand_made([["a", "b"], ["a", "b"]])
    truth = ["b", "a"]
    weighted = clf.set_params(weights="distance")  # a, the nearer, outweighs b: no tie
    assert neighbor_predictions(weighted, neigh_dist, neigh_ind, 2).tolist() == ["a", "a"]
    assert paper_top_k_predictions(weighted, neigh_dist, neigh_ind, 2, truth).tolist() == truth


def test_under_distance_weights_a_right_fair_prediction_stays_right_for_the_paper_rule():
    """One vote each ties b alone (b, b against a); the nearer a outweighs them."""
    clf, neigh_dist, neigh_ind = hand_made([["a", "b", "b"]])
    weighted = clf.set_params(weights="distance")
    neigh_dist = np.array([[0.1, 0.5, 0.6]])
    assert neighbor_predictions(weighted, neigh_dist, neigh_ind, 3).tolist() == ["a"]
    assert paper_top_k_accuracy(weighted, neigh_dist, neigh_ind, 3, ["a"]) == 1.0
    assert paper_top_k_accuracy(weighted, neigh_dist, neigh_ind, 3, ["b"]) == 1.0


def test_paper_rule_refuses_true_labels_that_do_not_match_the_queries():
    clf, neigh_dist, neigh_ind = hand_made([["a", "b"], ["a", "b"], ["a", "a"]])
    with pytest.raises(ValueError, match=r"one label per query, 3; got shape \(1,\)"):
        paper_top_k_accuracy(clf, neigh_dist, neigh_ind, 2, ["a"])
    with pytest.raises(TypeError, match=r"y_true holds number labels, but the classifier's "):
        paper_top_k_accuracy(clf, neigh_dist, neigh_ind, 2, [0, 1, 0])


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


@pytest.mark.parametrize(("correct", "n"), [(1429, 1600), (3, 4), (0, 10), (10, 10)])
def test_the_accuracy_interval_is_the_wilson_score_interval(correct, n):
    truth = [i % 2 for i in range(n)]
    report = score_report(truth, truth[:correct] + [1 - t for t in truth[correct:]])
    z = 1.959963984540054  # the normal distribution's 97.5th percentile
    share = correct / n
    center = (share + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(share * (1 - share) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    assert report["accuracy_ci95"] == pytest.approx([center - half, center + half], abs=1e-12)
    low, high = report["accuracy_ci95"]
    assert 0 <= low <= report["accuracy"] <= high <= 1


def test_the_accuracy_interval_narrows_as_the_test_set_grows():
    small = score_report([1] * 100, [1] * 89 + [0] * 11)["accuracy_ci95"]
    large = score_report([1] * 1600, [1] * 1424 + [0] * 176)["accuracy_ci95"]
    assert large[1] - large[0] < small[1] - small[0]
    assert large[0] > small[0] and large[1] < small[1]


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


# --- the protocols: evaluate_neighbors, few_shot, evaluate_class_conditional -------


@pytest.fixture
def halves(tiny_news) -> tuple[LabeledTexts, LabeledTexts]:
    """tiny_news in two disjoint halves, 12 texts each: even rows train, odd rows test."""
    texts, labels = tiny_news
    data = LabeledTexts(texts, np.asarray(labels, dtype=object))
    return data.subset(np.arange(0, 24, 2)), data.subset(np.arange(1, 24, 2))


def accuracy_of(clf, train: LabeledTexts, test: LabeledTexts) -> float:
    return float(np.mean(clf.fit(train.texts, train.labels).predict(test.texts) == test.labels))


def test_evaluate_neighbors_scores_each_k_as_a_classifier_fitted_with_that_k(halves):
    train, test = halves
    outcome = evaluate_neighbors(NCDClassifier(k=1), train, test, [1, 2, 3, 5])
    assert [entry["k"] for entry in outcome["results"]] == [1, 2, 3, 5]
    for entry in outcome["results"]:
        expected = accuracy_of(NCDClassifier(k=entry["k"]), train, test)
        assert entry["nearest"]["accuracy"] == expected
        assert set(entry) == {"k", "nearest"}


def test_evaluate_neighbors_counts_sizes_and_pairs_and_is_json_serialisable(halves):
    train, test = halves
    outcome = evaluate_neighbors(NCDClassifier(k=1), train, test, [1])
    assert outcome["n_train"] == outcome["n_test"] == 12
    assert outcome["resumed_queries"] == 0
    assert outcome["pairs"] == 12 * 12
    assert outcome["pairs_per_second"] == pytest.approx(outcome["pairs"] / outcome["wall_time_s"])
    assert json.loads(json.dumps(outcome)) == outcome


def test_evaluate_neighbors_reads_numpy_counts_as_plain_ints(halves, tmp_path):
    """k values from np.arange and a candidate count from a grid: the same outcome,
    still JSON-serialisable, and the checkpoint of the same search."""
    train, test = halves
    checkpoint = tmp_path / "search.jsonl"
    plain = evaluate_neighbors(NCDClassifier(k=1, candidates=6), train, test, [1, 3])
    numpy = evaluate_neighbors(
        NCDClassifier(k=np.int64(1), candidates=np.int64(6)),
        train,
        test,
        np.arange(1, 4, 2),
        checkpoint=checkpoint,
    )
    assert json.loads(json.dumps(numpy)) == numpy
    assert numpy["results"] == plain["results"]
    again = evaluate_neighbors(
        NCDClassifier(k=1, candidates=6), train, test, [1, 3], checkpoint=checkpoint
    )
    assert again["resumed_queries"] == len(test)


def test_evaluate_neighbors_scores_under_the_classifiers_own_tie_rule(halves):
    train, test = halves
    clf = NCDClassifier(k=1, tie_break="random", random_state=0)
    entry = evaluate_neighbors(clf, train, test, [4])["results"][0]
    assert set(entry) == {"k", "random"}
    expected = accuracy_of(NCDClassifier(k=4, tie_break="random", random_state=0), train, test)
    assert entry["random"]["accuracy"] == expected


def test_evaluate_neighbors_adds_the_papers_optimistic_score_when_asked(halves):
    train, test = halves
    outcome = evaluate_neighbors(NCDClassifier(k=1), train, test, [1, 2, 4], paper_top_k=True)
    k1, *others = outcome["results"]
    fitted = NCDClassifier(k=1).fit(train.texts, train.labels)
    neigh_dist, neigh_ind = fitted.kneighbors(test.texts, n_neighbors=4)
    for entry in others:
        optimistic = paper_top_k_accuracy(fitted, neigh_dist, neigh_ind, entry["k"], test.labels)
        assert entry[PAPER_TOP_K]["accuracy"] == optimistic
        assert entry[PAPER_TOP_K]["accuracy"] >= entry["nearest"]["accuracy"]
    # the texts are such that the paper's rule counts a tie as right at k=2
    assert others[0][PAPER_TOP_K]["accuracy"] > others[0]["nearest"]["accuracy"]
    # One neighbour never ties: for k=1 the paper's rule is the fair score, not repeated.
    assert set(k1) == {"k", "nearest"}


def test_evaluate_neighbors_with_candidates_counts_only_the_candidates(halves):
    train, test = halves
    outcome = evaluate_neighbors(NCDClassifier(k=1, candidates=4), train, test, [1, 3])
    assert outcome["pairs"] == 4 * 12
    expected = accuracy_of(NCDClassifier(k=3, candidates=4), train, test)
    assert outcome["results"][1]["nearest"]["accuracy"] == expected


def test_evaluate_neighbors_resumes_from_its_checkpoint(halves, tmp_path):
    train, test = halves
    checkpoint = tmp_path / "search.jsonl"
    first = evaluate_neighbors(NCDClassifier(k=1), train, test, [1, 3], checkpoint=checkpoint)
    assert checkpoint.is_file()
    again = evaluate_neighbors(NCDClassifier(k=1), train, test, [1, 3], checkpoint=checkpoint)
    assert again["resumed_queries"] == 12
    assert again["pairs"] == 0  # nothing left to compress
    assert again["results"] == first["results"]


def test_evaluate_neighbors_names_the_classes_of_the_training_set(halves):
    train, test = halves
    names = ("Business", "Science", "Sport")
    to_index = {"business": 0, "science": 1, "sport": 2}

    def indexed(data: LabeledTexts) -> LabeledTexts:
        return LabeledTexts(data.texts, np.array([to_index[y] for y in data.labels]), names)

    entry = evaluate_neighbors(NCDClassifier(k=1), indexed(train), indexed(test), [1])
    assert entry["results"][0]["nearest"]["classes"] == list(names)


def test_evaluate_neighbors_refuses_a_k_larger_than_the_training_set(halves):
    train, test = halves
    with pytest.raises(ValueError, match="13 is larger than the training set"):
        evaluate_neighbors(NCDClassifier(k=1), train, test, [1, 13])


@pytest.mark.parametrize("k", [0, -1])
def test_evaluate_neighbors_refuses_a_k_below_one_before_fitting(halves, k):
    clf = NCDClassifier(k=1)
    with pytest.raises(
        ValueError, match=rf"'k_values' parameter of evaluate_neighbors .* Got {k} "
    ):
        evaluate_neighbors(clf, *halves, [k, 3])
    assert not hasattr(clf, "classes_")


def test_evaluate_neighbors_needs_a_k_to_score(halves):
    with pytest.raises(ValueError, match="k_values is empty: expected at least one"):
        evaluate_neighbors(NCDClassifier(k=1), *halves, [])


def test_few_shot_needs_a_seed(halves):
    with pytest.raises(ValueError, match="seeds is empty: expected at least one seed"):
        few_shot(NCDClassifier(k=1), *halves, shots=[2], seeds=[], k_values=[1])


def test_few_shot_gives_one_row_per_shots_and_k_with_an_interval_around_the_mean(halves):
    pool, test = halves
    rows = few_shot(NCDClassifier(k=1), pool, test, shots=[1, 2], seeds=[0, 1, 2], k_values=[1, 2])
    assert [(row["shots"], row["k"]) for row in rows] == [(1, 1), (1, 2), (2, 1), (2, 2)]
    for row in rows:
        assert set(row) == {"shots", "k", "nearest"}
        nearest = row["nearest"]
        assert len(nearest["accuracies"]) == 3
        assert nearest["mean"] == pytest.approx(np.mean(nearest["accuracies"]))
        low, high = nearest["ci95"]
        assert low <= nearest["mean"] <= high


def test_few_shot_scores_each_seeds_sample_of_the_pool(halves):
    pool, test = halves
    rows = few_shot(NCDClassifier(k=1), pool, test, shots=[2], seeds=[0, 5], k_values=[1])
    for seed, accuracy in zip([0, 5], rows[0]["nearest"]["accuracies"], strict=True):
        sample = pool.subset(sample_per_class(pool.labels, 2, np.random.RandomState(seed)))
        assert len(sample) == 6
        assert accuracy == accuracy_of(NCDClassifier(k=1), sample, test)


def test_few_shot_reports_both_rules_when_asked(halves):
    pool, test = halves
    rows = few_shot(NCDClassifier(k=1), pool, test, [2], [0, 1], [2], paper_top_k=True)
    fair, optimistic = rows[0]["nearest"], rows[0][PAPER_TOP_K]
    assert all(o >= f for o, f in zip(optimistic["accuracies"], fair["accuracies"], strict=True))


def test_few_shot_with_more_shots_than_a_class_holds_is_refused_before_any_sample(
    halves, monkeypatch
):
    pool, test = halves
    fitted = []
    monkeypatch.setattr(NCDClassifier, "fit", lambda self, X, y: fitted.append(len(X)))
    with pytest.raises(ValueError, match="fewer than the 5 per class"):
        few_shot(NCDClassifier(k=1), pool, test, shots=[1, 5], seeds=[0], k_values=[1])
    assert fitted == []


@pytest.mark.parametrize(
    ("k_values", "message"),
    [([], "k_values is empty"), ([1, 0], "The 'k_values' parameter of few_shot")],
)
def test_few_shot_refuses_k_values_that_score_nothing_before_any_sample(
    halves, monkeypatch, k_values, message
):
    pool, test = halves
    drawn = []
    monkeypatch.setattr(evaluation, "sample_per_class", lambda *args, **kw: drawn.append(args))
    with pytest.raises(ValueError, match=message):
        few_shot(NCDClassifier(k=1), pool, test, shots=[1], seeds=[0], k_values=k_values)
    assert drawn == []


@pytest.mark.parametrize(
    ("shots", "seeds", "k_values", "message"),
    [
        ([1, 0], [0], [1], "shots must be whole numbers from 1, got [1, 0]"),
        ([2, 1], [0, 1, -1], [1], "seeds must be whole numbers from 0 to 2**32 - 1, got"),
        ([2], [4, 4], [1], "seeds repeat 4: a repeated seed draws the same sample again"),
        ([2, 1, 2], [0], [1], "shots repeat 2: a repeated size scores the same samples again"),
        ([3, 1], [0], [5], "k_values go up to 5, but the smallest sample, shots=1 of 3"),
    ],
)
def test_few_shot_refuses_what_it_cannot_score_before_any_sample(
    halves, monkeypatch, shots, seeds, k_values, message
):
    pool, test = halves
    drawn = []
    monkeypatch.setattr(evaluation, "sample_per_class", lambda *args, **kw: drawn.append(args))
    with pytest.raises(ValueError, match=re.escape(message)):
        few_shot(NCDClassifier(k=1), pool, test, shots=shots, seeds=seeds, k_values=k_values)
    assert drawn == []


def test_few_shot_scores_a_class_conditional_classifier_on_each_seeds_sample(halves):
    pool, test = halves
    rows = few_shot(CompressionClassifier("ppm"), pool, test, shots=[1, 3], seeds=[0, 5])
    assert [row["shots"] for row in rows] == [1, 3]
    for row, n_shots in zip(rows, [1, 3], strict=True):
        assert set(row) == {"shots", CLASS_CONDITIONAL}
        scores = row[CLASS_CONDITIONAL]
        for seed, accuracy in zip([0, 5], scores["accuracies"], strict=True):
            chosen = sample_per_class(pool.labels, n_shots, np.random.RandomState(seed))
            assert accuracy == accuracy_of(CompressionClassifier("ppm"), pool.subset(chosen), test)
        assert scores["mean"] == pytest.approx(np.mean(scores["accuracies"]))
        assert scores["ci95"][0] <= scores["mean"] <= scores["ci95"][1]


def test_few_shot_intervals_stay_within_0_and_1_and_one_seed_gives_none(halves):
    pool, test = halves
    clf = CompressionClassifier("ppm")
    two = few_shot(clf, pool, test, shots=[1], seeds=[0, 1])[0][CLASS_CONDITIONAL]
    _, low, high = mean_confidence_interval(two["accuracies"])
    assert two["ci95"] == [max(low, 0.0), min(high, 1.0)]
    assert 0.0 <= two["ci95"][0] <= two["mean"] <= two["ci95"][1] <= 1.0
    assert (low, high) != (two["ci95"][0], two["ci95"][1])  # two seeds reach past [0, 1]
    one = few_shot(clf, pool, test, shots=[1], seeds=[0])[0][CLASS_CONDITIONAL]
    assert one["ci95"] is None


@pytest.mark.parametrize(
    "options", [{"k_values": [1]}, {"paper_top_k": True}], ids=["k_values", "paper_top_k"]
)
def test_few_shot_refuses_neighbour_settings_for_a_class_conditional_classifier(halves, options):
    with pytest.raises(ValueError, match="a CompressionClassifier has none: expected neither"):
        few_shot(CompressionClassifier("ppm"), *halves, shots=[1], seeds=[0], **options)


def test_evaluate_class_conditional_scores_and_times_the_predictions(halves):
    train, test = halves
    outcome = evaluate_class_conditional(CompressionClassifier("gzip"), train, test)
    assert outcome["n_train"] == outcome["n_test"] == 12
    assert outcome["report"]["accuracy"] == accuracy_of(CompressionClassifier("gzip"), train, test)
    assert outcome["fit_time_s"] > 0
    assert outcome["ms_per_document"] == pytest.approx(1000 * outcome["predict_time_s"] / 12)
    assert json.loads(json.dumps(outcome)) == outcome


def test_class_offsets_are_reported_under_the_names_the_report_gives_the_classes(halves):
    train = halves[0]
    codes = {label: code for code, label in enumerate(np.unique(train.labels))}
    names = tuple(f"class {label}" for label in codes)
    numbered = [
        LabeledTexts(split.texts, np.array([codes[label] for label in split.labels]), names)
        for split in halves
    ]
    outcome = evaluate_class_conditional(
        CompressionClassifier("gzip", class_offsets="auto"), *numbered
    )
    fitted = CompressionClassifier("gzip", class_offsets="auto").fit(train.texts, train.labels)
    assert outcome["report"]["classes"] == list(names)
    assert outcome["class_offsets"] == pytest.approx(
        dict(zip(names, fitted.class_offsets_.tolist(), strict=True))
    )


def test_one_class_in_truth_and_predictions_is_scored_without_a_warning():
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        report = score_report(["sport", "sport"], ["sport", "sport"])
    assert report["confusion_matrix"] == [[2]]


@pytest.mark.parametrize("confidence", [0.0, 1.0, 1.5, -0.2])
def test_a_confidence_outside_0_and_1_is_refused(confidence):
    with pytest.raises(ValueError, match="confidence must be strictly between 0 and 1"):
        mean_confidence_interval([0.5, 0.6], confidence)


@pytest.mark.parametrize("label", [-1, 3])
def test_a_label_the_class_names_cannot_name_is_refused(label):
    with pytest.raises(ValueError, match=re.escape(f"got [{label}], which it has no name for")):
        score_report([0, label], [0, 2], class_names=("World", "Sports", "Business"))
