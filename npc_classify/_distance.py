"""Normalized compression distance: the formula, rows of it, and the full matrix."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from numbers import Real
from typing import Any

import numpy as np

from ._constants import ORDERS, Order
from ._neighbors import top_k
from ._parallel import N_JOBS_CONSTRAINTS, map_query_chunks
from ._text import PackedTexts, encode_text, encode_texts, pack_texts
from ._typing import Texts
from ._validation import Interval, StrOptions, check_sizes, check_texts, validate_params
from .compressors import COMPRESSOR_CONSTRAINTS, Compressor, check_compressor

#: Constraints of the parameters that decide how NCD is computed and spread over
#: workers, shared by :func:`pairwise_ncd` and every estimator that computes NCD.
NCD_CONSTRAINTS: dict[str, list[Any]] = {
    "compressor": COMPRESSOR_CONSTRAINTS,
    "separator": [str],
    "order": [StrOptions(set(ORDERS))],
    "n_jobs": N_JOBS_CONSTRAINTS,
    "working_memory": [Interval(Real, 0, None, closed="neither"), None],
    "progress": ["boolean"],
}


def compressed_sizes(compressor: Compressor, data: Sequence[bytes]) -> np.ndarray:
    """Compressed size of each item in bytes (fractional for ideal code lengths)."""
    sizes = compressor.compressed_sizes(data)
    return check_sizes(sizes, compressor, "compressed_sizes", count=len(data))


def ncd_from_sizes(c_x: Any, c_y: Any, c_xy: Any) -> np.ndarray:
    """NCD = (C(xy) - min(C(x), C(y))) / max(C(x), C(y), 1), broadcast elementwise."""
    c_x, c_y = np.asarray(c_x, dtype=np.float64), np.asarray(c_y, dtype=np.float64)
    return (np.asarray(c_xy, dtype=np.float64) - np.minimum(c_x, c_y)) / np.maximum(
        np.maximum(c_x, c_y), 1.0
    )


def joint_size_from_ncd(c_x: Any, c_y: Any, ncd: Any) -> np.ndarray:
    """The C(xy) that :func:`ncd_from_sizes` turns into ``ncd``: its exact inverse."""
    c_x, c_y = np.asarray(c_x, dtype=np.float64), np.asarray(c_y, dtype=np.float64)
    scale = np.maximum(np.maximum(c_x, c_y), 1.0)
    return np.asarray(ncd, dtype=np.float64) * scale + np.minimum(c_x, c_y)


def ncd_rows(
    queries: Sequence[bytes],
    train: Sequence[bytes],
    train_sizes: np.ndarray,
    compressor: Compressor,
    separator: bytes,
    order: str,
) -> np.ndarray:
    """NCD of each query to every training text, shape (len(queries), len(train)).

    ``query-first`` compresses ``query + separator + train``, as the paper
    does; ``train-first`` the reverse; ``symmetric`` averages the two.
    """
    out = np.empty((len(queries), len(train)), dtype=np.float64)
    size = compressor.compressed_size
    for row, query in enumerate(queries):
        joint = []
        if order != "train-first":
            sizes = compressor.compressed_sizes_with_prefix(query + separator, train)
            joint.append(
                check_sizes(
                    sizes,
                    compressor,
                    "compressed_sizes_with_prefix",
                    count=len(train),
                )
            )
        if order != "query-first":
            sizes = compressor.compressed_sizes_with_suffix([t + separator for t in train], query)
            joint.append(
                check_sizes(
                    sizes,
                    compressor,
                    "compressed_sizes_with_suffix",
                    count=len(train),
                )
            )
        query_size = check_sizes(size(query), compressor, "compressed_size")
        out[row] = ncd_from_sizes(query_size, train_sizes, np.mean(joint, axis=0))
    return out


@dataclass(frozen=True)
class NCDRowKernel:
    """Picklable task computing NCD rows (or their top ``k``) of a chunk of queries.

    It holds the settings only; the training side comes in as arguments
    (see :func:`~npc_classify._parallel.map_query_chunks`).
    """

    compressor: Compressor
    separator: bytes
    order: str
    k: int | None

    def __call__(
        self,
        train_buffer: np.ndarray,
        train_offsets: np.ndarray,
        train_sizes: np.ndarray,
        queries: list[bytes],
        candidates: np.ndarray | None = None,
    ) -> Any:
        train = PackedTexts(train_buffer, train_offsets)
        if candidates is None:
            rows = self._rows(queries, train, train_sizes)
            return rows if self.k is None else top_k(rows, self.k)
        if self.k is None:
            raise ValueError("A candidate search returns neighbours: give the kernel a k.")
        # Each query against its own candidates, sorted by index so that equal
        # distances keep the training order.
        neigh_dist = np.empty((len(queries), self.k))
        neigh_ind = np.empty((len(queries), self.k), dtype=np.intp)
        for row, (query, cand) in enumerate(zip(queries, candidates, strict=True)):
            rows = self._rows([query], [train[j] for j in cand], train_sizes[cand])
            dist, positions = top_k(rows, self.k)
            neigh_dist[row], neigh_ind[row] = dist[0], cand[positions[0]]
        return neigh_dist, neigh_ind

    def _rows(self, queries: list[bytes], train: Sequence[bytes], sizes: np.ndarray) -> np.ndarray:
        return ncd_rows(queries, train, sizes, self.compressor, self.separator, self.order)


@validate_params({"X": "no_validation", "Y": "no_validation", **NCD_CONSTRAINTS})
def pairwise_ncd(
    X: Texts,
    Y: Texts | None = None,
    *,
    compressor: str | Compressor = "gzip",
    separator: str = " ",
    order: Order = "query-first",
    n_jobs: int | None = None,
    working_memory: float | None = None,
    progress: bool = False,
) -> np.ndarray:
    """Full matrix of normalized compression distances between two text sets.

    Parameters
    ----------
    X : sequence of str of length n_x
        Query texts (the rows).
    Y : sequence of str of length n_y, default=None
        Reference texts (the columns). ``None`` means ``X``.
    compressor : str or Compressor, default="gzip"
        A registered compressor name or a :class:`Compressor` instance.
    separator : str, default=" "
        Placed between the two texts when they are concatenated.
    order : {"query-first", "train-first", "symmetric"}, default="query-first"
        ``"query-first"`` compresses ``x + separator + y`` (the paper);
        ``"train-first"`` compresses ``y + separator + x``; ``"symmetric"``
        averages both.
    n_jobs : int, default=None
        Parallel workers, as in joblib (``-1`` for all cores).
    working_memory : float, default=None
        MiB one chunk of rows may use; scikit-learn's setting when None.
    progress : bool, default=False
        Show a progress bar.

    Returns
    -------
    distances : ndarray of shape (n_x, n_y)
        ``distances[i, j]`` is NCD(X[i], Y[j]).

    Notes
    -----
    NCD(x, y) = (C(xy) - min(C(x), C(y))) / max(C(x), C(y)) with C the
    compressed size in bytes; the denominator is taken as at least 1, so that
    a model compressor's size 0 of two empty texts divides by nothing smaller.
    It is not a metric: NCD(x, x) is usually above zero
    and NCD(x, y) differs from NCD(y, x) in general.

    Examples
    --------
    >>> from npc_classify import pairwise_ncd
    >>> d = pairwise_ncd(["the cat sat", "stocks fell"], ["the cat sat down"])
    >>> bool(d[0, 0] < d[1, 0])
    True
    """
    queries = encode_texts(check_texts(X, name="X"))
    train = queries if Y is None else encode_texts(check_texts(Y, name="Y"))
    comp = check_compressor(compressor)
    references = (*pack_texts(train), compressed_sizes(comp, train))
    return ncd_matrix(
        queries,
        references,
        comp,
        encode_text(separator),
        order,
        n_jobs=n_jobs,
        working_memory=working_memory,
        progress=progress,
        description="NCD",
    )


def ncd_matrix(
    queries: list[bytes],
    references: tuple[np.ndarray, np.ndarray, np.ndarray],
    compressor: Compressor,
    separator: bytes,
    order: str,
    *,
    n_jobs: int | None,
    working_memory: float | None,
    progress: bool,
    description: str,
) -> np.ndarray:
    """NCD of every query to every reference text, in row chunks on the joblib backend.

    ``references`` is the reference side as the workers take it: the texts
    packed by :func:`~npc_classify._text.pack_texts` (buffer and offsets) and
    their compressed sizes, computed once by the caller.

    Returns
    -------
    distances : ndarray of shape (len(queries), n_references)
    """
    kernel = NCDRowKernel(compressor, separator, order, k=None)
    n_references = len(references[2])
    chunks = map_query_chunks(
        kernel,
        queries,
        n_references,
        shared=references,
        n_jobs=n_jobs,
        working_memory=working_memory,
        progress=progress,
        description=description,
    )
    return np.vstack(list(chunks)) if queries else np.empty((0, n_references))
