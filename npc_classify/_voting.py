"""Turning the k nearest neighbours of a query into weights, class scores and a class."""

from __future__ import annotations

import numpy as np

WEIGHTS: tuple[str, ...] = ("uniform", "distance")
TIE_BREAKS: tuple[str, ...] = ("nearest", "random", "lowest")
PAPER_TOP_K = "paper-top-k"
"""Name of the paper's optimistic tie rule wherever it is reported: a tie counts as
correct when the true class is among the tied ones (never a rule of ``predict``)."""

#: Distances are floored at this value before ``1 / distance`` weighting, so
#: that a zero (or, with real compressors, slightly negative) NCD gets a large
#: finite weight instead of an infinite or negative one.
MIN_WEIGHTED_DISTANCE = 1e-6


def class_scores(
    neigh_dist: np.ndarray, neigh_class: np.ndarray, n_classes: int, weights: str
) -> np.ndarray:
    """Votes per class from each row's neighbours.

    Parameters
    ----------
    neigh_dist : ndarray of shape (n_queries, k)
        Distances to the neighbours, nearest first.
    neigh_class : ndarray of shape (n_queries, k)
        Class index (into ``classes_``) of each neighbour.
    n_classes : int
    weights : {"uniform", "distance"}
        One vote per neighbour, or ``1 / distance`` votes.

    Returns
    -------
    scores : ndarray of shape (n_queries, n_classes)
    """
    scores = np.zeros((neigh_class.shape[0], n_classes))
    rows = np.arange(neigh_class.shape[0])[:, None]
    np.add.at(scores, (rows, neigh_class), neighbor_weights(neigh_dist, weights))
    return scores


def neighbor_weights(neigh_dist: np.ndarray, weights: str) -> np.ndarray:
    """The weight of each neighbour: 1, or ``1 / distance`` floored at
    :data:`MIN_WEIGHTED_DISTANCE`.

    Parameters
    ----------
    neigh_dist : ndarray of shape (n_queries, k)
    weights : {"uniform", "distance"}

    Returns
    -------
    weights : ndarray of shape (n_queries, k)
    """
    if weights == "uniform":
        return np.ones_like(neigh_dist)
    return 1.0 / np.maximum(neigh_dist, MIN_WEIGHTED_DISTANCE)


def tied_classes(scores: np.ndarray) -> np.ndarray:
    """Boolean mask of the classes that share each row's top score."""
    return scores == scores.max(axis=1, keepdims=True)


def break_ties(
    scores: np.ndarray,
    neigh_class: np.ndarray,
    tie_break: str,
    *,
    seed: int | None = None,
    neigh_ind: np.ndarray | None = None,
) -> np.ndarray:
    """Index of the predicted class of each row.

    Parameters
    ----------
    scores : ndarray of shape (n_queries, n_classes)
    neigh_class : ndarray of shape (n_queries, k)
        Neighbour classes, nearest first.
    tie_break : {"nearest", "random", "lowest"}
        Among classes sharing the top score: the one whose nearest member is
        closest; one drawn uniformly; or the first in ``classes_`` order.
    seed : int, default=None
        Required for ``"random"``, with ``neigh_ind``: each row's draw comes
        from a generator seeded by ``seed`` and the row's neighbours, so a
        query gets the same draw whatever other queries share its batch, its
        chunk or its worker.
    neigh_ind : ndarray of shape (n_queries, k), default=None
        The neighbours' indices in the training set, nearest first.

    Returns
    -------
    predicted : ndarray of shape (n_queries,)
    """
    tied = tied_classes(scores)
    if tie_break == "lowest":
        return tied.argmax(axis=1)
    if tie_break == "random":
        if seed is None or neigh_ind is None:
            raise ValueError('tie_break="random" needs a seed and the neighbours\' indices.')
        predicted = tied.argmax(axis=1)
        for row in np.flatnonzero(tied.sum(axis=1) > 1):
            candidates = np.flatnonzero(tied[row])
            rng = np.random.default_rng([seed, *neigh_ind[row].tolist()])
            predicted[row] = candidates[rng.integers(len(candidates))]
        return predicted
    # "nearest": the first neighbour (nearest first) whose class is tied.
    neighbour_is_tied = np.take_along_axis(tied, neigh_class, axis=1)
    first = neighbour_is_tied.argmax(axis=1)
    return neigh_class[np.arange(len(first)), first]
