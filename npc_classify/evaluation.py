"""Scoring a fitted NCDClassifier: fair scores, the paper's optimistic score, intervals.

The paper (Jiang et al., 2023) counted a query as correct when its true
class was *among* the classes tied for the most votes of its k neighbours.
With k=2 and two different neighbour classes, that is "either neighbour is
right": an upper bound that a classifier cannot reach, because choosing
among the tied classes needs the true label. It is reported here, clearly
named, beside the fair scores that real predictions give.

The protocols of ``npc-classify`` are functions here too, for scripts and
notebooks: :func:`evaluate_neighbors` (every k from one neighbour search),
:func:`few_shot` (the paper's few-shot protocol over seeds, for either
estimator), :func:`evaluate_class_conditional`, and :func:`predictions` for
``npc-classify predict``.
"""

from __future__ import annotations

import os
import time
import warnings
from collections import Counter
from collections.abc import Sequence
from numbers import Integral
from typing import Any

import numpy as np
from numpy.typing import ArrayLike
from scipy import stats
from sklearn.metrics import (
    confusion_matrix,
    f1_score,
    precision_recall_fscore_support,
)

from ._checkpoint import resumable_class_bits, resumable_kneighbors
from ._compression_classifier import CompressionClassifier, SavedColumns
from ._ncd_classifier import NCDClassifier
from ._typing import Texts
from ._validation import AT_LEAST_ONE, check_argument, label_kind
from ._voting import PAPER_TOP_K, tied_classes
from .compressors import Compressor
from .datasets import LabeledTexts, check_per_class, label_names, sample_per_class

__all__ = [
    "CLASS_CONDITIONAL",
    "PAPER_TOP_K",
    "SavedColumns",
    "bits_per_byte",
    "evaluate_class_conditional",
    "evaluate_neighbors",
    "few_shot",
    "mean_confidence_interval",
    "neighbor_predictions",
    "paper_top_k_accuracy",
    "paper_top_k_predictions",
    "predictions",
    "resumable_class_bits",
    "resumable_kneighbors",
    "score_report",
]

CLASS_CONDITIONAL = "class-conditional"
"""The key of a class-conditional classifier's scores in :func:`few_shot`'s rows."""


def neighbor_predictions(
    clf: NCDClassifier, neigh_dist: np.ndarray, neigh_ind: np.ndarray, k: int | np.integer[Any]
) -> np.ndarray:
    """Predictions of ``clf`` with ``k`` neighbours from a precomputed search.

    ``neigh_dist`` and ``neigh_ind`` come from ``clf.kneighbors(X,
    n_neighbors=K)`` with ``K >= k``, so one search scores every ``k <= K``.
    The result equals ``clf.set_params(k=k).predict(X)``.

    Parameters
    ----------
    clf : NCDClassifier
        Fitted.
    neigh_dist, neigh_ind : ndarray of shape (n_queries, n_neighbors)
        As returned by ``clf.kneighbors``.
    k : int
        Voting neighbours: the first ``k`` of each row.

    Returns
    -------
    y_pred : ndarray of shape (n_queries,)

    Raises
    ------
    ValueError
        If ``k`` is not a whole number from 1 to the search's ``n_neighbors``.
    """
    _check_depth(neigh_ind, k, "neighbor_predictions")
    return clf.predict_from_neighbors(neigh_dist[:, :k], neigh_ind[:, :k])


def paper_top_k_predictions(
    clf: NCDClassifier,
    neigh_dist: np.ndarray,
    neigh_ind: np.ndarray,
    k: int | np.integer[Any],
    y_true: ArrayLike,
) -> np.ndarray:
    """The paper's optimistic labels: the true class whenever it is among the tied.

    The paper's rule counts one vote per neighbour, whatever ``clf.weights``
    says. Where the true class is not among the classes tied for the most
    votes, the fair prediction (``clf``'s weights and ``tie_break``) is
    returned. These are not predictions (they read ``y_true``); they give an
    upper bound.

    Neighbours at equal distances are taken in the order of the training
    texts (as :meth:`~npc_classify.NCDClassifier.kneighbors` gives them); the
    paper's code takes them in the order of NumPy's default, unstable,
    ``argsort``, so where the ``k``-th neighbour ties with the next, a query's
    votes can differ from the paper's code.

    Parameters
    ----------
    clf : NCDClassifier
        Fitted.
    neigh_dist, neigh_ind : ndarray of shape (n_queries, n_neighbors)
        As returned by ``clf.kneighbors``.
    k : int
        Voting neighbours: the first ``k`` of each row.
    y_true : array-like of shape (n_queries,)
        The true class of each query.

    Returns
    -------
    y_optimistic : ndarray of shape (n_queries,)

    Raises
    ------
    ValueError
        If ``k`` is not a whole number from 1 to the search's
        ``n_neighbors``, or ``y_true`` holds other than one label per query.
    TypeError
        If ``y_true`` holds labels of another type than ``clf.classes_``.
    """
    _check_depth(neigh_ind, k, "paper_top_k_predictions")
    nearest_dist, nearest_ind = neigh_dist[:, :k], neigh_ind[:, :k]
    fair = clf.predict_from_neighbors(nearest_dist, nearest_ind)
    scores = clf.class_votes(nearest_dist, nearest_ind, weights="uniform")
    truth = _check_truth(clf, y_true, len(fair))
    true_index = np.clip(np.searchsorted(clf.classes_, truth), 0, len(clf.classes_) - 1)
    known = clf.classes_[true_index] == truth
    true_is_tied = known & tied_classes(scores)[np.arange(len(fair)), true_index]
    return np.where(true_is_tied, truth, fair)


def paper_top_k_accuracy(
    clf: NCDClassifier,
    neigh_dist: np.ndarray,
    neigh_ind: np.ndarray,
    k: int | np.integer[Any],
    y_true: ArrayLike,
) -> float:
    """Accuracy under the paper's optimistic tie rule (an upper bound).

    A query counts as correct when its true class is among the classes tied
    for the most votes (one per neighbour) of its ``k`` nearest neighbours,
    or else when the fair prediction is right (which only ``clf.weights="distance"``
    can make so): the score is never below the fair accuracy. See
    :func:`paper_top_k_predictions`.

    Parameters
    ----------
    clf, neigh_dist, neigh_ind, k, y_true
        As in :func:`paper_top_k_predictions`, which raises what this raises.

    Returns
    -------
    accuracy : float
    """
    predicted = paper_top_k_predictions(clf, neigh_dist, neigh_ind, k, y_true)
    return float(np.mean(predicted == np.asarray(y_true)))


def score_report(
    y_true: ArrayLike, y_pred: ArrayLike, class_names: Sequence[str] = ()
) -> dict[str, Any]:
    """Accuracy, macro-F1, per-class precision/recall/F1 and the confusion matrix.

    Parameters
    ----------
    y_true, y_pred : array-like of labels
    class_names : sequence of str, default=()
        Display names of integer labels, indexed by the label (AG News's
        ``("World", "Sports", "Business", "Sci/Tech")`` for 0-3); the labels
        themselves, as strings, when empty.

    Returns
    -------
    report : dict
        JSON-serialisable. ``accuracy_ci95`` is the accuracy's 95% Wilson
        score interval: the accuracies, on texts like the test texts, that
        this score is consistent with (on 1,600 texts, about 1.5 points
        either side of 0.89). ``confusion_matrix[i][j]`` counts texts of
        class ``classes[i]`` labelled ``classes[j]``.
    """
    labels = np.unique(np.concatenate([np.asarray(y_true), np.asarray(y_pred)]))
    names = label_names(labels, class_names)
    if len(set(names)) < len(names):
        raise ValueError(f"Two classes are shown under one name: {names}; name each class once.")
    precision, recall, f1, support = precision_recall_fscore_support(
        y_true, y_pred, labels=labels, zero_division=0
    )
    truth = np.asarray(y_true)
    correct = int(np.sum(truth == np.asarray(y_pred)))
    interval = stats.binomtest(correct, len(truth)).proportion_ci(method="wilson")
    return {
        "accuracy": correct / len(truth),
        "accuracy_ci95": [float(interval.low), float(interval.high)],
        "macro_f1": float(
            f1_score(y_true, y_pred, labels=labels, average="macro", zero_division=0)
        ),
        "classes": names,
        "per_class": {
            name: {
                "precision": float(p),
                "recall": float(r),
                "f1": float(f),
                "support": int(s),
            }
            for name, p, r, f, s in zip(names, precision, recall, f1, support, strict=True)
        },
        "confusion_matrix": _confusion_matrix(y_true, y_pred, labels),
    }


def _confusion_matrix(y_true: ArrayLike, y_pred: ArrayLike, labels: np.ndarray) -> list[Any]:
    """scikit-learn's confusion matrix over ``labels``, without its warning that one class
    makes a 1 x 1 matrix (it asks for every known label, which ``labels`` are)."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "A single label was found", UserWarning)
        return confusion_matrix(y_true, y_pred, labels=labels).tolist()


#: The compressors ``npc-classify bpb`` always reports: those that need no model.
MODEL_FREE_COMPRESSORS = ("gzip", "zstd", "bz2", "lzma", "ppm", "cm")


def bits_per_byte(compressor: Compressor, documents: Sequence[bytes]) -> tuple[float, float]:
    """Bits per byte of ``documents``: each compressed alone, and all as one file.

    Per document is the regime of NCD (every text compressed on its own); the
    whole file joins the documents with newlines.

    Parameters
    ----------
    compressor : Compressor
    documents : sequence of bytes
        At least one of them not empty.

    Returns
    -------
    per_document, whole_file : float
    """
    total = sum(map(len, documents))
    if total == 0:
        raise ValueError("bits_per_byte needs at least one non-empty document.")
    per_document = 8 * sum(compressor.compressed_size(d) for d in documents) / total
    whole = b"\n".join(documents)
    return float(per_document), 8 * compressor.compressed_size(whole) / len(whole)


def mean_confidence_interval(
    values: ArrayLike, confidence: float = 0.95
) -> tuple[float, float, float]:
    """Mean and Student-t confidence interval of repeated measurements.

    Parameters
    ----------
    values : array-like of float
        The measurements.
    confidence : float, default=0.95
        The interval's confidence level, strictly between 0 and 1.

    Returns
    -------
    mean, low, high : float
        With a single value the interval collapses to it.
    """
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be strictly between 0 and 1, got {confidence}.")
    measured = np.asarray(values, dtype=np.float64)
    mean = float(measured.mean())
    if len(measured) < 2:
        return mean, mean, mean
    half = float(stats.sem(measured) * stats.t.ppf((1 + confidence) / 2, len(measured) - 1))
    return mean, mean - half, mean + half


def _check_samples(shots: Sequence[int], seeds: Sequence[int]) -> None:
    """Refuse sample sizes and seeds that cannot draw a sample, or that repeat one."""
    if not all(_is_whole(n) and n >= 1 for n in shots) or not len(shots):
        raise ValueError(f"shots must be whole numbers from 1, got {list(shots)}.")
    if not all(_is_whole(seed) and 0 <= seed < 2**32 for seed in seeds):
        raise ValueError(f"seeds must be whole numbers from 0 to 2**32 - 1, got {list(seeds)}.")
    repeated = _repeated(shots)
    if repeated:
        raise ValueError(
            f"shots repeat {repeated}: a repeated size scores the same samples again; "
            "give distinct shots."
        )
    repeated = _repeated(seeds)
    if repeated:
        raise ValueError(
            f"seeds repeat {repeated}: a repeated seed draws the same sample again, and "
            "counting it twice narrows the interval; give distinct seeds."
        )


def _repeated(values: Sequence[int]) -> str:
    """The values given more than once, in order and joined by commas ("" if none)."""
    return ", ".join(str(v) for v, n in sorted(Counter(map(int, values)).items()) if n > 1)


def _is_whole(value: Any) -> bool:
    return isinstance(value, Integral) and not isinstance(value, bool)


def evaluate_neighbors(
    clf: NCDClassifier,
    train: LabeledTexts,
    test: LabeledTexts,
    k_values: Sequence[int],
    *,
    paper_top_k: bool = False,
    checkpoint: str | os.PathLike[str] | None = None,
) -> dict[str, Any]:
    """Fit ``clf`` once, search the test texts' neighbours once, score every k from it.

    The search finds ``max(k_values)`` neighbours per test text; each ``k`` is
    scored on the first ``k`` of them (:func:`neighbor_predictions`), which
    equals fitting and predicting with ``NCDClassifier(k=k)``.

    Parameters
    ----------
    clf : NCDClassifier
        Fitted in place on ``train``. Its ``tie_break`` is the fair rule
        every k is scored with; its ``k`` must not exceed the training set.
    train, test : LabeledTexts
        The labels of ``test`` are only read to score.
    k_values : sequence of int
        Numbers of voting neighbours to score, each at most ``len(train)``.
    paper_top_k : bool, default=False
        Also score each k from 2 up under the paper's optimistic rule (an upper
        bound, one vote per neighbour, :func:`paper_top_k_predictions`), under the key
        :data:`PAPER_TOP_K`. One neighbour never ties, so for k=1 the rule is
        the fair score and is not repeated.
    checkpoint : path-like, default=None
        Append the search to this file as it goes, and first read back the
        queries an earlier run of the same search saved there
        (:func:`resumable_kneighbors`). None keeps the search in memory.

    Returns
    -------
    outcome : dict
        JSON-serialisable, with keys ``n_train``, ``n_test``;
        ``resumed_queries``, the test texts read back from ``checkpoint``;
        ``pairs``, the pairs compressed by this call
        (``clf.n_candidates_`` per test text searched); ``wall_time_s``, of
        the fit and the search; ``pairs_per_second``; and ``results``, one
        entry per k in order: ``{"k": k, clf.tie_break: score_report(...)}``,
        plus ``PAPER_TOP_K: score_report(...)`` when ``paper_top_k`` and
        ``k >= 2``.

    Examples
    --------
    >>> import numpy as np
    >>> from npc_classify import NCDClassifier
    >>> from npc_classify.datasets import LabeledTexts
    >>> train = LabeledTexts(
    ...     ["the striker scored a late goal", "the keeper saved a penalty",
    ...      "shares fell as profits slumped", "the bank raised interest rates"],
    ...     np.array(["sport", "sport", "business", "business"]))
    >>> test = LabeledTexts(["a late goal by the striker", "profits and shares fell"],
    ...                     np.array(["sport", "business"]))
    >>> outcome = evaluate_neighbors(NCDClassifier(k=1), train, test, [1, 3])
    >>> outcome["pairs"]
    8
    >>> [(entry["k"], entry["nearest"]["accuracy"]) for entry in outcome["results"]]
    [(1, 1.0), (3, 0.5)]
    """
    _check_k_values(k_values, "evaluate_neighbors")
    depth = max(k_values)
    started = time.perf_counter()
    clf.fit(train.texts, train.labels)
    if checkpoint is None:
        neigh_dist, neigh_ind = clf.kneighbors(test.texts, n_neighbors=depth)
        resumed = 0
    else:
        neigh_dist, neigh_ind, resumed = resumable_kneighbors(clf, test.texts, depth, checkpoint)
    seconds = time.perf_counter() - started
    pairs = clf.n_candidates_ * (len(test) - resumed)
    results = []
    for k in k_values:
        fair = neighbor_predictions(clf, neigh_dist, neigh_ind, k)
        entry = {"k": int(k), clf.tie_break: score_report(test.labels, fair, train.class_names)}
        if paper_top_k and k >= 2:
            optimistic = paper_top_k_predictions(clf, neigh_dist, neigh_ind, k, test.labels)
            entry[PAPER_TOP_K] = score_report(test.labels, optimistic, train.class_names)
        results.append(entry)
    return {
        "n_train": len(train),
        "n_test": len(test),
        "resumed_queries": resumed,
        "pairs": pairs,
        "wall_time_s": seconds,
        "pairs_per_second": pairs / max(seconds, 1e-9),
        "results": results,
    }


def few_shot(
    clf: NCDClassifier | CompressionClassifier,
    train_pool: LabeledTexts,
    test: LabeledTexts,
    shots: Sequence[int],
    seeds: Sequence[int],
    k_values: Sequence[int] = (),
    *,
    paper_top_k: bool = False,
) -> list[dict[str, Any]]:
    """The paper's few-shot protocol: accuracy with a few training texts per class.

    For each number of shots and each seed, ``shots`` training texts of every
    class are drawn from ``train_pool`` (:func:`~npc_classify.datasets.sample_per_class`
    with ``RandomState(seed)``) and scored on ``test``: an NCDClassifier with
    :func:`evaluate_neighbors` (every k of ``k_values`` from one search), a
    CompressionClassifier with :func:`evaluate_class_conditional`. The seeds'
    accuracies give a mean and a 95% Student-t interval
    (:func:`mean_confidence_interval`).

    Parameters
    ----------
    clf : NCDClassifier or CompressionClassifier
        Refitted in place on every sample. An NCDClassifier's ``k`` must not
        exceed the smallest sample, ``min(shots)`` times the number of classes.
    train_pool : LabeledTexts
        Where the training texts are drawn from.
    test : LabeledTexts
    shots : sequence of int
        Training texts per class, one sample size each.
    seeds : sequence of int
        One sample per seed and size.
    k_values : sequence of int, default=()
        NCDClassifier: numbers of voting neighbours to score, all from one
        search per sample (at least one). CompressionClassifier: none.
    paper_top_k : bool, default=False
        NCDClassifier: also report the paper's optimistic rule, under
        :data:`PAPER_TOP_K`, for each k from 2 up (for k=1 it is the fair
        score).

    Returns
    -------
    rows : list of dict
        NCDClassifier: one per shots and k, in that order: ``{"shots": ...,
        "k": ..., rule: {"accuracies": [one per seed], "mean": ..., "ci95":
        [low, high]}}`` for the rule ``clf.tie_break``, and :data:`PAPER_TOP_K`
        when asked and ``k >= 2``. CompressionClassifier: one per shots,
        ``{"shots": ..., CLASS_CONDITIONAL: {"accuracies": ..., "mean": ...,
        "ci95": ...}}``. The interval is cut to [0, 1], where an accuracy lies
        (with two or three seeds a Student-t interval reaches past it); with
        one seed it is None.

    Raises
    ------
    ValueError
        If a class of ``train_pool`` has fewer than ``max(shots)`` texts, if
        ``shots`` are not whole numbers from 1 or repeat one, if ``seeds`` is
        empty, repeats a seed or holds one that is not a whole number from 0
        to 2**32 - 1, if an NCDClassifier is given no ``k_values``, one that is not a whole
        number from 1, or one larger than the smallest sample, or if a
        CompressionClassifier is given ``k_values`` or ``paper_top_k``; all
        before any sample is drawn.

    Examples
    --------
    >>> import numpy as np
    >>> from npc_classify import CompressionClassifier, NCDClassifier
    >>> from npc_classify.datasets import LabeledTexts
    >>> pool = LabeledTexts(
    ...     ["the striker scored a late goal", "the keeper saved a penalty",
    ...      "shares fell as profits slumped", "the bank raised interest rates"],
    ...     np.array(["sport", "sport", "business", "business"]))
    >>> test = LabeledTexts(["a late goal by the striker", "profits and shares fell"],
    ...                     np.array(["sport", "business"]))
    >>> rows = few_shot(NCDClassifier(k=1), pool, test, shots=[1], seeds=[0, 1], k_values=[1])
    >>> [(row["shots"], row["k"], len(row["nearest"]["accuracies"])) for row in rows]
    [(1, 1, 2)]
    >>> rows = few_shot(CompressionClassifier("ppm"), pool, test, shots=[1, 2], seeds=[0, 1])
    >>> [(row["shots"], row[CLASS_CONDITIONAL]["mean"]) for row in rows]
    [(1, 0.75), (2, 1.0)]
    """
    if len(seeds) == 0:
        raise ValueError("seeds is empty: expected at least one seed to draw a sample with.")
    if isinstance(clf, CompressionClassifier) and (len(k_values) or paper_top_k):
        raise ValueError(
            "k_values and paper_top_k score neighbours; a CompressionClassifier has none: "
            f"expected neither, got k_values={list(k_values)}, paper_top_k={paper_top_k}."
        )
    if not isinstance(clf, CompressionClassifier):
        _check_k_values(k_values, "few_shot")
    _check_samples(shots, seeds)
    n_classes = len(np.unique(train_pool.labels))
    if not isinstance(clf, CompressionClassifier) and max(k_values) > min(shots) * n_classes:
        raise ValueError(
            f"k_values go up to {max(k_values)}, but the smallest sample, shots={min(shots)} "
            f"of {n_classes} classes, has {min(shots) * n_classes} training texts; give "
            "k_values no larger, or more shots."
        )
    names = train_pool.class_names
    check_per_class(train_pool.labels, max(shots, default=0), class_names=names)
    rows = []
    for n_shots in shots:
        runs = []
        for seed in seeds:
            rng = np.random.RandomState(seed)
            chosen = sample_per_class(train_pool.labels, n_shots, rng, class_names=names)
            sample = train_pool.subset(chosen)
            runs.append(_sample_scores(clf, sample, test, k_values, paper_top_k))
        for index, entry in enumerate(runs[0]):
            row: dict[str, Any] = {"shots": int(n_shots)}
            row |= {"k": entry["k"]} if "k" in entry else {}
            for rule in [key for key in entry if key != "k"]:
                accuracies = [run[index][rule]["accuracy"] for run in runs]
                mean, low, high = mean_confidence_interval(accuracies)
                # an accuracy lies in [0, 1]; one seed gives no interval at all
                interval = [max(low, 0.0), min(high, 1.0)] if len(seeds) > 1 else None
                row[rule] = {"accuracies": accuracies, "mean": mean, "ci95": interval}
            rows.append(row)
    return rows


def _check_k_values(k_values: Sequence[int], caller: str) -> None:
    """Refuse an empty ``k_values`` or one that is not a whole number from 1."""
    if len(k_values) == 0:
        raise ValueError("k_values is empty: expected at least one number of neighbours.")
    for k in k_values:
        check_argument(k, "k_values", [AT_LEAST_ONE], caller)


def _sample_scores(
    clf: NCDClassifier | CompressionClassifier,
    sample: LabeledTexts,
    test: LabeledTexts,
    k_values: Sequence[int],
    paper_top_k: bool,
) -> list[dict[str, Any]]:
    """``clf`` fitted on ``sample``: the score reports of each k, or of its predictions."""
    if isinstance(clf, CompressionClassifier):
        return [{CLASS_CONDITIONAL: evaluate_class_conditional(clf, sample, test)["report"]}]
    return evaluate_neighbors(clf, sample, test, k_values, paper_top_k=paper_top_k)["results"]


def evaluate_class_conditional(
    clf: CompressionClassifier,
    train: LabeledTexts,
    test: LabeledTexts,
    *,
    checkpoint: str | os.PathLike[str] | None = None,
) -> dict[str, Any]:
    """Fit a class-conditional classifier, predict the test texts, score and time both.

    Parameters
    ----------
    clf : CompressionClassifier
        Fitted in place on ``train``.
    train, test : LabeledTexts
    checkpoint : path-like, default=None
        Append the test texts' bits under each class text to this file as they
        are done, and first read back the ones an earlier run of the same
        evaluation saved there (:func:`resumable_class_bits`). None keeps them
        in memory.

    Returns
    -------
    outcome : dict
        JSON-serialisable, with keys ``n_train``, ``n_test``,
        ``resumed_class_texts`` (the class and complement texts whose bits were
        read back from ``checkpoint``), ``fit_time_s``,
        ``predict_time_s``, ``ms_per_document`` (of the prediction),
        ``n_dictionaries`` (the number used, as ``"auto"`` chose it) with
        ``cv_accuracy`` (each candidate's, or None without ``"auto"``),
        ``complement`` (the classifier's, None or a ratio; ``inf`` is written
        ``"all"``), ``class_offsets`` (with ``class_offsets="auto"``, each
        class's offset in bits under its name as the report gives it, else
        None), and ``report``, the :func:`score_report` of the predictions.

    Examples
    --------
    >>> import numpy as np
    >>> from npc_classify import CompressionClassifier
    >>> from npc_classify.datasets import LabeledTexts
    >>> train = LabeledTexts(
    ...     ["the striker scored a late goal", "the keeper saved a penalty",
    ...      "shares fell as profits slumped", "the bank raised interest rates"],
    ...     np.array(["sport", "sport", "business", "business"]))
    >>> test = LabeledTexts(["a late goal by the striker", "profits and shares fell"],
    ...                     np.array(["sport", "business"]))
    >>> outcome = evaluate_class_conditional(CompressionClassifier(), train, test)
    >>> outcome["report"]["accuracy"]
    1.0
    """
    started = time.perf_counter()
    clf.fit(train.texts, train.labels)
    fitted = time.perf_counter()
    if checkpoint is None:
        predicted, resumed = clf.predict(test.texts), 0
    else:
        bits, resumed = resumable_class_bits(clf, test.texts, checkpoint)
        predicted = clf.classes_[bits.argmin(axis=1)]
    seconds = time.perf_counter() - fitted
    return {
        "n_train": len(train),
        "n_test": len(test),
        "resumed_class_texts": resumed,
        "fit_time_s": fitted - started,
        "predict_time_s": seconds,
        "ms_per_document": 1000 * seconds / max(len(test), 1),
        "n_dictionaries": clf.n_dictionaries_,
        "cv_accuracy": getattr(clf, "cv_accuracy_", None),
        "complement": "all" if clf.complement_ == float("inf") else clf.complement_,
        "class_offsets": None
        if clf.class_offsets is None
        else dict(
            zip(
                label_names(clf.classes_, train.class_names),
                clf.class_offsets_.tolist(),
                strict=True,
            )
        ),
        "report": score_report(test.labels, predicted, train.class_names),
    }


def predictions(
    model: Any, X: Texts, *, labels: bool = True, proba: bool = False
) -> tuple[np.ndarray | None, np.ndarray | None]:
    """The labels and the class probabilities of ``X``, as ``npc-classify predict`` gives them.

    For an :class:`~npc_classify.NCDClassifier` asked for both, both come from
    one neighbour search (``predict`` and ``predict_proba`` would search
    twice); any other model is asked for each.

    Parameters
    ----------
    model : fitted estimator
        With ``predict``, and ``predict_proba`` when ``proba``.
    X : sequence of str
    labels : bool, default=True
        Compute ``model.predict(X)``.
    proba : bool, default=False
        Compute ``model.predict_proba(X)``.

    Returns
    -------
    labels : ndarray of shape (n_texts,) or None
        Equal to ``model.predict(X)``; None unless ``labels``.
    proba : ndarray of shape (n_texts, n_classes) or None
        Equal to ``model.predict_proba(X)``, columns following
        ``model.classes_``; None unless ``proba``.

    Raises
    ------
    TypeError
        If ``model`` lacks a method asked for (a transformer has no
        ``predict``, a regressor no ``predict_proba``).
    """
    for asked, method in ((labels, "predict"), (proba, "predict_proba")):
        if asked and not hasattr(model, method):
            raise TypeError(
                f"{type(model).__name__} has no {method}: expected a classifier, such as a "
                "model written by npc-classify fit."
            )
    if labels and proba and isinstance(model, NCDClassifier):
        neigh_dist, neigh_ind = model.kneighbors(X)
        shares = model.proba_from_neighbors(neigh_dist, neigh_ind)
        return model.predict_from_neighbors(neigh_dist, neigh_ind), shares
    return (model.predict(X) if labels else None), (model.predict_proba(X) if proba else None)


def _check_depth(neigh_ind: np.ndarray, k: Any, caller: str) -> None:
    """Refuse a ``k`` that is no number of the search's neighbours."""
    check_argument(k, "k", [AT_LEAST_ONE], caller)
    if np.ndim(neigh_ind) != 2 or np.shape(neigh_ind)[1] < k:
        raise ValueError(
            f"k={k} needs a search of at least {k} neighbours per query; got neigh_ind of "
            f"shape {np.shape(neigh_ind)}."
        )


def _check_truth(clf: NCDClassifier, y_true: ArrayLike, n_queries: int) -> np.ndarray:
    """``y_true`` as an array of one label per query, of the type of ``clf``'s classes."""
    truth = np.asarray(y_true)
    if truth.shape != (n_queries,):
        raise ValueError(
            f"y_true must hold one label per query, {n_queries}; got shape {truth.shape}."
        )
    if n_queries and label_kind(truth[0]) != label_kind(clf.classes_[0]):
        raise TypeError(
            f"y_true holds {label_kind(truth[0])} labels, but the classifier's classes are "
            f"{label_kind(clf.classes_[0])} labels ({clf.classes_.tolist()[:5]})."
        )
    return truth
