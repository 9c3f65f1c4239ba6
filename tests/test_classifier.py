"""NCDClassifier: what it predicts, how it votes and settles ties, how it refuses bad input."""

from __future__ import annotations

import gzip
import os
import re
import signal

import numpy as np
import pytest
from sklearn.exceptions import NotFittedError

from npc_classify import NCDClassifier, NCDRegressor, pairwise_ncd
from npc_classify._voting import MIN_WEIGHTED_DISTANCE, break_ties, class_scores, tied_classes
from npc_classify.compressors import GzipCompressor

QUERIES = [
    "The goalkeeper saved a penalty in the cup final.",
    "Profits fell and shares slumped at the bank.",
    "The telescope found a planet around a distant star.",
]


def test_predicts_the_topic_of_new_texts(tiny_news):
    texts, labels = tiny_news
    clf = NCDClassifier(k=1).fit(texts, labels)
    assert clf.predict(QUERIES).tolist() == ["sport", "business", "science"]


def test_classes_are_the_sorted_unique_labels(tiny_news):
    texts, labels = tiny_news
    clf = NCDClassifier().fit(texts, labels)
    assert clf.classes_.tolist() == ["business", "science", "sport"]
    assert clf.n_samples_fit_ == 24


def test_training_sizes_are_computed_once_in_fit(tiny_news):
    texts, labels = tiny_news
    clf = NCDClassifier().fit(texts, labels)
    expected = [GzipCompressor().compressed_size(t.encode()) for t in texts]
    assert clf.train_sizes_.tolist() == expected


def test_kneighbors_are_the_k_smallest_distances_nearest_first(tiny_news):
    texts, labels = tiny_news
    clf = NCDClassifier(k=5).fit(texts, labels)
    neigh_dist, neigh_ind = clf.kneighbors(QUERIES)
    full = pairwise_ncd(QUERIES, texts)
    expected_ind = np.argsort(full, axis=1, kind="stable")[:, :5]
    np.testing.assert_array_equal(neigh_ind, expected_ind)
    np.testing.assert_array_equal(neigh_dist, np.take_along_axis(full, expected_ind, axis=1))
    assert np.all(np.diff(neigh_dist, axis=1) >= 0)


def test_kneighbors_can_return_indices_only(tiny_news):
    texts, labels = tiny_news
    clf = NCDClassifier(k=3).fit(texts, labels)
    assert clf.kneighbors(QUERIES, n_neighbors=2, return_distance=False).shape == (3, 2)


@pytest.mark.parametrize("weights", ["uniform", "distance"])
def test_predict_proba_is_each_classs_share_of_the_votes_in_classes_order(tiny_news, weights):
    texts, labels = tiny_news
    clf = NCDClassifier(k=7, weights=weights).fit(texts, labels)
    proba = clf.predict_proba(QUERIES)
    neigh_dist, neigh_ind = clf.kneighbors(QUERIES)
    votes = 1 / np.maximum(neigh_dist, 1e-6) if weights == "distance" else np.ones((3, 7))
    neighbour_labels = np.asarray(labels)[neigh_ind]
    for row in range(len(QUERIES)):
        for column, cls in enumerate(clf.classes_):
            share = votes[row][neighbour_labels[row] == cls].sum() / votes[row].sum()
            assert proba[row, column] == pytest.approx(share, rel=1e-12)


def test_predict_is_the_most_voted_class(tiny_news):
    texts, labels = tiny_news
    clf = NCDClassifier(k=5).fit(texts, labels)
    proba = clf.predict_proba(QUERIES)
    untied = (proba == proba.max(axis=1, keepdims=True)).sum(axis=1) == 1
    predicted = clf.predict(QUERIES)
    np.testing.assert_array_equal(predicted[untied], clf.classes_[proba.argmax(axis=1)][untied])


def test_with_nearest_tie_break_k2_predicts_as_k1(tiny_news):
    texts, labels = tiny_news
    queries = texts[::2] + QUERIES
    k1 = NCDClassifier(k=1).fit(texts, labels).predict(queries)
    k2 = NCDClassifier(k=2, tie_break="nearest").fit(texts, labels).predict(queries)
    np.testing.assert_array_equal(k1, k2)


def test_numeric_labels_come_back_as_numbers(tiny_news):
    texts, labels = tiny_news
    numeric = [["business", "science", "sport"].index(label) * 10 for label in labels]
    clf = NCDClassifier(k=1).fit(texts, numeric)
    assert clf.predict(QUERIES).tolist() == [20, 0, 10]


def test_empty_and_non_ascii_texts_are_valid_input():
    texts = ["", "naïve café crème brûlée", "日本語のテキスト", "emoji 🚀🚀🚀", "\x00 nul"]
    clf = NCDClassifier(k=1).fit(texts, ["a", "b", "c", "d", "e"])
    assert clf.train_sizes_.tolist() == [len(gzip.compress(t.encode(), mtime=0)) for t in texts]
    assert clf.predict([*texts, ""]).tolist() == ["a", "b", "c", "d", "e", "a"]  # each itself


def test_texts_may_be_a_numpy_array_or_tuple(tiny_news):
    texts, labels = tiny_news
    from_list = NCDClassifier(k=1).fit(texts, labels).predict(QUERIES)
    from_array = NCDClassifier(k=1).fit(np.array(texts), np.array(labels)).predict(tuple(QUERIES))
    np.testing.assert_array_equal(from_list, from_array)


def test_one_and_two_workers_give_identical_results(tiny_news):
    texts, labels = tiny_news
    kwargs = dict(k=3, tie_break="random", random_state=0, working_memory=1e-9)
    one = NCDClassifier(n_jobs=1, **kwargs).fit(texts, labels)
    two = NCDClassifier(n_jobs=2, **kwargs).fit(texts, labels)
    queries = texts + QUERIES
    np.testing.assert_array_equal(one.kneighbors(queries)[0], two.kneighbors(queries)[0])
    np.testing.assert_array_equal(one.predict(queries), two.predict(queries))


def test_random_ties_are_reproducible_with_a_seed(tiny_news):
    texts, labels = tiny_news
    clf = NCDClassifier(k=2, tie_break="random", random_state=42).fit(texts, labels)
    np.testing.assert_array_equal(clf.predict(texts), clf.predict(texts))


def test_a_compressor_object_is_used_and_not_modified(tiny_news):
    texts, labels = tiny_news
    mine = GzipCompressor(level=1)
    clf = NCDClassifier(mine, k=1).fit(texts, labels)
    assert clf.compressor_ is not mine
    assert clf.compressor_.get_params() == {"level": 1, "header": True, "engine": "auto"}
    nearest = pairwise_ncd(QUERIES, texts, compressor=GzipCompressor(level=1)).min(axis=1)
    np.testing.assert_array_equal(clf.kneighbors(QUERIES)[0][:, 0], nearest)


def test_progress_bar_counts_pairs(tiny_news, capsys):
    texts, labels = tiny_news
    NCDClassifier(k=1, progress=True).fit(texts, labels).predict(QUERIES)
    assert re.search(r"100%.* 72(\.0)?/72", capsys.readouterr().err)


def test_progress_bar_counts_a_shorter_last_chunk_as_it_is(tiny_news, capsys):
    """5 queries in chunks of 2, 2 and 1 (working memory for 2 rows of 24 distances):
    the bar ends at the 120 pairs there are."""
    texts, labels = tiny_news
    two_rows = 2 * 8 * len(texts) / 2**20
    clf = NCDClassifier(k=1, progress=True, working_memory=two_rows).fit(texts, labels)
    clf.predict(texts[:5])
    counts = re.findall(r" (\d+)(?:\.0)?/120", capsys.readouterr().err)
    assert counts[-1] == "120" and max(map(int, counts)) == 120


# Votes and ties, on hand-made neighbourhoods: classes 0, 1, 2.


def test_uniform_votes_count_neighbours():
    scores = class_scores(np.array([[0.1, 0.2, 0.3]]), np.array([[2, 0, 2]]), 3, "uniform")
    assert scores.tolist() == [[1, 0, 2]]


def test_distance_votes_weigh_by_inverse_distance():
    scores = class_scores(np.array([[0.25, 0.5, 0.5]]), np.array([[0, 1, 1]]), 2, "distance")
    assert scores.tolist() == [[4.0, 4.0]]


def test_distance_votes_at_zero_or_negative_distance_weigh_as_the_floor():
    """NCD falls below 0 where a compressor codes a pair in fewer bytes than one of its
    texts alone: such a neighbour is as near as can be, weighed 1 / the floor."""
    scores = class_scores(np.array([[0.0, -0.01]]), np.array([[0, 1]]), 2, "distance")
    floor = 1 / MIN_WEIGHTED_DISTANCE
    assert scores.tolist() == [[floor, floor]]


@pytest.mark.parametrize(
    ("rule", "expected"),
    [("nearest", [2, 1, 0]), ("lowest", [1, 1, 0])],
)
def test_tie_rules(rule, expected):
    neigh_class = np.array([[2, 1], [1, 2], [0, 0]])
    scores = class_scores(np.zeros((3, 2)), neigh_class, 3, "uniform")
    assert break_ties(scores, neigh_class, rule).tolist() == expected


def test_random_tie_rule_draws_only_among_the_tied_classes():
    neigh_class = np.array([[2, 1, 0, 0]] * 200)
    neigh_ind = np.arange(800).reshape(200, 4)  # other neighbours, other draws
    scores = class_scores(np.zeros((200, 4)), neigh_class, 3, "uniform")
    scores[:, 0] = 0  # class 0 is out of the tie: classes 1 and 2 share the top
    drawn = break_ties(scores, neigh_class, "random", seed=0, neigh_ind=neigh_ind)
    assert set(drawn.tolist()) == {1, 2}


def test_a_random_tie_is_drawn_the_same_whatever_else_is_predicted_with_the_text(tiny_news):
    texts, labels = tiny_news
    clf = NCDClassifier(k=4, tie_break="random", random_state=3).fit(texts, labels)
    queries = texts + QUERIES
    votes = clf.class_votes(*clf.kneighbors(queries))
    assert (tied_classes(votes).sum(axis=1) > 1).sum() >= 5  # enough ties to tell
    together = clf.predict(queries)
    alone = [clf.predict([query])[0] for query in queries]
    np.testing.assert_array_equal(together, alone)
    np.testing.assert_array_equal(clf.predict(queries[::-1]), together[::-1])
    assert [clf.explain(query).predicted for query in queries[:8]] == alone[:8]


# Bad input: each refusal says what was expected and what was received.


@pytest.mark.parametrize(
    ("X", "y", "error", "message"),
    [
        ("one text", ["a"], TypeError, "got a single str"),
        (["ok", 3], ["a", "b"], TypeError, "item 1 is int: 3"),
        (["ok", None], ["a", "b"], TypeError, "item 1 is NoneType: None"),
        (None, ["a"], TypeError, "X must be an iterable of str .* got NoneType"),
        (["a", "b"], ["x", float("nan")], ValueError, "missing label .nan. at position 1"),
        (["a", "b"], ["x", None], ValueError, "missing label .None. at position 1"),
        (["a", "b"], ["x"], ValueError, "got 2 texts and 1 labels"),
        (["a", "b"], None, TypeError, "one label per text, got NoneType"),
        (["a", "b"], [1, "b"], TypeError, r"mixes label types \['number', 'str'\]"),
        ([], [], ValueError, "empty training set"),
        (np.array([["a", "b"]]), ["x"], ValueError, r"one-dimensional .* shape \(1, 2\)"),
    ],
)
def test_fit_rejects_bad_input(X, y, error, message):
    with pytest.raises(error, match=message):
        NCDClassifier(k=1).fit(X, y)


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"k": 5}, r"k=5 is larger than the training set \(3 texts\)"),
        (
            {"k": 0},
            r"The .k. parameter of NCDClassifier .*\[1, inf\)\. Got 0 instead",
        ),
        ({"k": 1.5}, r"The 'k' parameter of NCDClassifier must be an int .* Got 1\.5 instead"),
        (
            {"compressor": "brotli"},
            r"The 'compressor' parameter .* a str among .*'gzip'.* Got 'brotli'",
        ),
        (
            {"weights": "inverse"},
            r"The 'weights' parameter .* a str among .* Got 'inverse' instead",
        ),
        (
            {"tie_break": "paper-top-k"},
            r"The 'tie_break' parameter .*'nearest'.* Got 'paper-top-k'",
        ),
        ({"order": "both"}, r"The 'order' parameter of NCDClassifier must be a str among"),
        (
            {"compressor": GzipCompressor(level=12)},
            r"The .level. parameter of GzipCompressor .* \[0, 9\]\. Got 12",
        ),
    ],
)
def test_fit_rejects_bad_parameters(params, message):
    with pytest.raises((ValueError, TypeError), match=message):
        NCDClassifier(**{"k": 1, **params}).fit(["a", "b", "c"], [0, 1, 0])


def test_predict_before_fit_raises_not_fitted():
    with pytest.raises(NotFittedError, match="not fitted yet"):
        NCDClassifier().predict(["text"])


def test_predict_rejects_a_bare_string(tiny_news):
    clf = NCDClassifier().fit(*tiny_news)
    with pytest.raises(TypeError, match=r"got a single str .* Wrap it in a list"):
        clf.predict("a single text")


def test_probabilities_and_predictions_from_a_search_equal_those_of_the_texts(tiny_news):
    clf = NCDClassifier(k=5).fit(*tiny_news)
    search = clf.kneighbors(QUERIES)
    np.testing.assert_array_equal(clf.proba_from_neighbors(*search), clf.predict_proba(QUERIES))
    np.testing.assert_array_equal(clf.predict_from_neighbors(*search), clf.predict(QUERIES))


@pytest.mark.parametrize(
    ("edit", "error", "message"),
    [
        (lambda d, i: (d, i + 24), ValueError, r"positions in the training set, 0 to 23; got 2"),
        (lambda d, i: (d, -1 - i), ValueError, r"positions in the training set, 0 to 23; got -"),
        (lambda d, i: (d[:, :2], i), ValueError, r"one shape .* got shapes \(3, 2\) and \(3, 3\)"),
        (lambda d, i: (d[:, :0], i[:, :0]), ValueError, r"n_neighbors >= 1"),
        (lambda d, i: (d, i.astype(float)), ValueError, r"integer positions; got dtype float64"),
        (lambda d, i: (d.tolist(), i.tolist()), TypeError, r"must be numpy arrays; got list"),
    ],
)
def test_a_search_that_is_not_of_this_training_set_is_refused(tiny_news, edit, error, message):
    texts, labels = tiny_news
    clf = NCDClassifier(k=3).fit(texts, labels)
    reg = NCDRegressor(k=3).fit(texts, np.arange(len(texts), dtype=float))
    neigh_dist, neigh_ind = edit(*clf.kneighbors(QUERIES))
    methods = (clf.predict_from_neighbors, clf.proba_from_neighbors, clf.class_votes)
    for method in (*methods, reg.predict_from_neighbors):
        with pytest.raises(error, match=message):
            method(neigh_dist, neigh_ind)


def test_kneighbors_rejects_more_neighbours_than_training_texts(tiny_news):
    clf = NCDClassifier().fit(*tiny_news)
    with pytest.raises(ValueError, match=r"n_neighbors=25 is larger than the training set"):
        clf.kneighbors(QUERIES, n_neighbors=25)


def test_a_k_set_after_fit_beyond_the_training_set_is_named_as_k(tiny_news):
    clf = NCDClassifier(k=3).fit(*tiny_news).set_params(k=25)
    with pytest.raises(ValueError, match=r"^k=25 is larger than the training set \(24 texts\)"):
        clf.predict(QUERIES)


def test_the_users_joblib_backend_runs_the_pairwise_work(tiny_news):
    """No backend is hard-coded: joblib.parallel_config(backend=...) is honoured."""
    from joblib import parallel_config, register_parallel_backend
    from joblib._parallel_backends import ThreadingBackend

    submitted = []

    class RecordingBackend(ThreadingBackend):
        def submit(self, func, callback=None):
            submitted.append(func)
            return super().submit(func, callback=callback)

    register_parallel_backend("recording", RecordingBackend)
    texts, labels = tiny_news
    clf = NCDClassifier(k=1, n_jobs=2).fit(texts, labels)
    expected = clf.predict(QUERIES)
    with parallel_config(backend="recording"):
        np.testing.assert_array_equal(clf.predict(QUERIES), expected)
    assert submitted, "the work went through the user's backend"


@pytest.mark.skipif(not hasattr(os, "fork"), reason="fork is POSIX")
def test_the_installed_joblib_keeps_its_worker_pool_where_the_fork_handler_drops_it():
    from joblib.externals.loky import reusable_executor

    assert hasattr(reusable_executor, "_executor")
    assert hasattr(reusable_executor, "_executor_kwargs")


def test_a_process_forked_after_a_parallel_predict_predicts_in_parallel_too(tiny_news):
    texts, labels = tiny_news
    clf = NCDClassifier(k=1, n_jobs=2).fit(texts, labels)
    expected = clf.predict(texts * 10)  # starts joblib's worker pool in this process
    child = os.fork()
    if child == 0:  # the child's own pool must start: the parent's workers are not its own
        signal.alarm(60)
        os._exit(0 if clf.predict(texts * 10).tolist() == expected.tolist() else 3)
    _, status = os.waitpid(child, 0)
    assert os.waitstatus_to_exitcode(status) == 0
