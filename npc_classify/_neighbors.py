"""The k nearest of each row of distances, and the joining of per-chunk results."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np


def top_k(distances: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """The ``k`` smallest distances of each row and their column indices.

    Rows are ordered by distance, equal distances by column index, so the
    result does not depend on how rows were chunked or partitioned.

    Returns
    -------
    neigh_dist, neigh_ind : ndarray of shape (n_rows, k)
    """
    n_rows, n_cols = distances.shape
    if k >= n_cols:
        order = np.argsort(distances, axis=1, kind="stable")
    else:
        kth = np.partition(distances, k - 1, axis=1)[:, k - 1 : k]
        order = np.empty((n_rows, k), dtype=np.intp)
        for row in range(n_rows):
            # Everything at or below the k-th value: exactly k unless there
            # are ties at the boundary, which the stable sort settles by index.
            candidates = np.flatnonzero(distances[row] <= kth[row])
            ranked = np.argsort(distances[row, candidates], kind="stable")
            order[row] = candidates[ranked[:k]]
    return np.take_along_axis(distances, order, axis=1), order


def stack_neighbors(
    chunks: Iterable[tuple[np.ndarray, np.ndarray]], n_neighbors: int
) -> tuple[np.ndarray, np.ndarray]:
    """Join per-chunk ``(neigh_dist, neigh_ind)`` results into two arrays, rows in order.

    Returns
    -------
    neigh_dist : ndarray of shape (n_rows, n_neighbors), dtype float64
    neigh_ind : ndarray of shape (n_rows, n_neighbors), dtype intp
    """
    dists, inds = [], []
    for neigh_dist, neigh_ind in chunks:
        dists.append(neigh_dist)
        inds.append(neigh_ind)
    if not dists:
        return np.empty((0, n_neighbors)), np.empty((0, n_neighbors), dtype=np.intp)
    return np.vstack(dists), np.vstack(inds).astype(np.intp, copy=False)
