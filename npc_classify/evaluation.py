"""Scoring a fitted NCDClassifier: fair scores, the paper's optimistic score, intervals.

The paper (Jiang et al., 2023) counted a query as correct when its true
class was *among* the classes tied for the most votes of its k neighbours.
With k=2 and two different neighbour classes, that is "either neighbour is
right": an upper bound that a classifier cannot reach, because choosing
among the tied classes needs the true label. It is reported here, clearly
named, beside the fair scores that real predictions give.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from scipy import stats
from sklearn.metrics import (
    accuracy_score,
    confusion_matrix,
    f1_score,
    precision_recall_fscore_support,
)

from ._checkpoint import resumable_kneighbors
from ._ncd_classifier import NCDClassifier
from ._voting import tied_classes
from .compressors import Compressor

__all__ = [
    "PAPER_TOP_K",
    "bits_per_byte",
    "mean_confidence_interval",
    "neighbor_predictions",
    "paper_top_k_accuracy",
    "paper_top_k_predictions",
    "resumable_kneighbors",
    "score_report",
]

#: Name of the paper's optimistic tie rule wherever it is reported.
PAPER_TOP_K = "paper-top-k"


def neighbor_predictions(
    clf: NCDClassifier, neigh_dist: np.ndarray, neigh_ind: np.ndarray, k: int
) -> np.ndarray:
    """Predictions of ``clf`` with ``k`` neighbours from a precomputed search.

    ``neigh_dist`` and ``neigh_ind`` come from ``clf.kneighbors(X,
    n_neighbors=K)`` with ``K >= k``, so one search scores every ``k <= K``.
    The result equals ``clf.set_params(k=k).predict(X)``.
    """
    _check_depth(neigh_ind, k)
    return clf.predict_from_neighbors(neigh_dist[:, :k], neigh_ind[:, :k])


def paper_top_k_predictions(
    clf: NCDClassifier,
    neigh_dist: np.ndarray,
    neigh_ind: np.ndarray,
    k: int,
    y_true: Sequence[Any],
) -> np.ndarray:
    """The paper's optimistic labels: the true class whenever it is among the tied.

    Where the true class is not among the classes tied for the most votes,
    the class chosen by ``clf.tie_break`` is returned. These are not
    predictions (they read ``y_true``); they give an upper bound.
    """
    fair = neighbor_predictions(clf, neigh_dist, neigh_ind, k)
    scores = clf.class_votes(neigh_dist[:, :k], neigh_ind[:, :k])
    y_true = np.asarray(y_true)
    true_index = np.clip(np.searchsorted(clf.classes_, y_true), 0, len(clf.classes_) - 1)
    known = clf.classes_[true_index] == y_true
    true_is_tied = known & tied_classes(scores)[np.arange(len(fair)), true_index]
    return np.where(true_is_tied, y_true, fair)


def paper_top_k_accuracy(
    clf: NCDClassifier,
    neigh_dist: np.ndarray,
    neigh_ind: np.ndarray,
    k: int,
    y_true: Sequence[Any],
) -> float:
    """Accuracy under the paper's optimistic tie rule (an upper bound).

    A query counts as correct when its true class is among the classes tied
    for the most votes of its ``k`` nearest neighbours.
    """
    predicted = paper_top_k_predictions(clf, neigh_dist, neigh_ind, k, y_true)
    return float(np.mean(predicted == np.asarray(y_true)))


def score_report(
    y_true: Sequence[Any], y_pred: Sequence[Any], class_names: Sequence[str] = ()
) -> dict[str, Any]:
    """Accuracy, macro-F1, per-class precision/recall/F1 and the confusion matrix.

    Parameters
    ----------
    y_true, y_pred : sequences of labels
    class_names : sequence of str, default=()
        Display names of the sorted label values; the labels themselves when
        empty.

    Returns
    -------
    report : dict
        JSON-serialisable. ``confusion_matrix[i][j]`` counts texts of class
        ``classes[i]`` labelled ``classes[j]``.
    """
    labels = np.unique(np.concatenate([np.asarray(y_true), np.asarray(y_pred)]))
    names = list(class_names) if class_names else [str(label) for label in labels]
    if class_names:
        names = [class_names[int(label)] for label in labels]
    precision, recall, f1, support = precision_recall_fscore_support(
        y_true, y_pred, labels=labels, zero_division=0
    )
    return {
        "accuracy": float(accuracy_score(y_true, y_pred)),
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
        "confusion_matrix": confusion_matrix(y_true, y_pred, labels=labels).tolist(),
    }


#: The compressors ``npc-classify bpb`` always reports: those that need no model.
MODEL_FREE_COMPRESSORS = ("gzip", "zstd", "bz2", "lzma", "ppm")


def bits_per_byte(compressor: Compressor, documents: Sequence[bytes]) -> tuple[float, float]:
    """Bits per byte of ``documents``: each compressed alone, and all as one file.

    Per document is the regime of NCD (every text compressed on its own); the
    whole file joins the documents with newlines.

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
    values: Sequence[float], confidence: float = 0.95
) -> tuple[float, float, float]:
    """Mean and Student-t confidence interval of repeated measurements.

    Returns
    -------
    mean, low, high : float
        With a single value the interval collapses to it.
    """
    values = np.asarray(values, dtype=np.float64)
    mean = float(values.mean())
    if len(values) < 2:
        return mean, mean, mean
    half = float(stats.sem(values) * stats.t.ppf((1 + confidence) / 2, len(values) - 1))
    return mean, mean - half, mean + half


def _check_depth(neigh_ind: np.ndarray, k: int) -> None:
    if neigh_ind.shape[1] < k:
        raise ValueError(
            f"k={k} needs at least {k} neighbours per query, got {neigh_ind.shape[1]}."
        )
