"""Normalized compression distance, computed in streamed, parallel row chunks."""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from joblib import Parallel, cpu_count, delayed, effective_n_jobs
from sklearn import get_config
from tqdm import tqdm

from ._validation import check_choice, check_texts
from .compressors import Compressor, get_compressor

Order = Literal["query-first", "train-first", "symmetric"]
ORDERS: tuple[str, ...] = ("query-first", "train-first", "symmetric")

#: Upper bound on the pairs one parallel task compresses, so that progress
#: is reported every few seconds even against a very large training set.
MAX_PAIRS_PER_TASK = 1 << 20


def encode_texts(texts: Sequence[str]) -> list[bytes]:
    """UTF-8 bytes of each text, as the paper's ``s.encode()``.

    Lone surrogates, which strict UTF-8 cannot encode, are passed through
    (``surrogatepass``) so that every Python string has a compressed size.
    """
    return [text.encode("utf-8", "surrogatepass") for text in texts]


def compressed_sizes(compressor: Compressor, data: Sequence[bytes]) -> np.ndarray:
    """Compressed size of each item in bytes (fractional for ideal code lengths)."""
    size = compressor.compressed_size
    return np.fromiter((size(item) for item in data), dtype=np.float64, count=len(data))


def pack_texts(items: Sequence[bytes]) -> tuple[np.ndarray, np.ndarray]:
    """Byte strings as one uint8 buffer and their offsets (length ``len(items) + 1``).

    Arrays, unlike a list of bytes, are memory-mapped once by joblib's process
    backend and scattered once by its Dask backend, instead of being pickled
    into every task.
    """
    offsets = np.zeros(len(items) + 1, dtype=np.int64)
    np.cumsum([len(item) for item in items], out=offsets[1:])
    return np.frombuffer(b"".join(items), dtype=np.uint8), offsets


def unpack_texts(buffer: np.ndarray, offsets: np.ndarray) -> list[bytes]:
    """Invert :func:`pack_texts`."""
    data = buffer.tobytes()
    bounds = offsets.tolist()
    return [data[start:stop] for start, stop in itertools.pairwise(bounds)]


def ncd_from_sizes(c_x: Any, c_y: Any, c_xy: Any) -> np.ndarray:
    """NCD = (C(xy) - min(C(x), C(y))) / max(C(x), C(y)), broadcast elementwise."""
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
            joint.append(compressor.compressed_sizes_with_prefix(query + separator, train))
        if order != "query-first":
            joint.append(compressed_sizes(compressor, [t + separator + query for t in train]))
        out[row] = ncd_from_sizes(size(query), train_sizes, np.mean(joint, axis=0))
    return out


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


def local_workers(n_jobs: int | None) -> int:
    """How many of this machine's cores ``n_jobs`` asks for: joblib's count, at most all."""
    return max(1, min(effective_n_jobs(n_jobs), cpu_count()))


def map_query_chunks(
    func: Callable[..., Any],
    queries: list[bytes],
    n_train: int,
    *,
    shared: tuple[Any, ...] = (),
    aligned: np.ndarray | None = None,
    n_jobs: int | None,
    working_memory: float | None,
    progress: bool,
    description: str,
) -> Iterator[Any]:
    """Apply ``func`` to row chunks of ``queries`` in parallel, yielding in order.

    Each task calls ``func(*shared, chunk_of_queries)``, plus the matching
    rows of ``aligned`` when it is given. ``shared`` holds the arguments
    every task needs (the training side): passed as top-level arrays, they
    are memory-mapped or scattered once rather than sent with every task.
    ``n_train`` is the number of pairs per query.

    Chunks are sized so that one chunk's distance rows fit in
    ``working_memory`` MiB (scikit-learn's global ``working_memory`` when
    None), no task compresses more than :data:`MAX_PAIRS_PER_TASK` pairs, and
    every worker receives several tasks. The joblib backend is the caller's:
    only ``n_jobs`` and the soft hint ``prefer="processes"`` are given.
    """
    n_queries = len(queries)
    if working_memory is None:
        working_memory = get_config()["working_memory"]
    row_bytes = 8 * max(n_train, 1)
    memory_rows = int(working_memory * 2**20 // row_bytes)
    balance_rows = math.ceil(n_queries / (4 * effective_n_jobs(n_jobs)))
    pair_rows = MAX_PAIRS_PER_TASK // max(n_train, 1)
    chunk = max(1, min(memory_rows, balance_rows, pair_rows))
    starts = range(0, n_queries, chunk)
    extra = (lambda s: ()) if aligned is None else (lambda s: (aligned[s : s + chunk],))
    tasks = [delayed(func)(*shared, queries[s : s + chunk], *extra(s)) for s in starts]
    results = _ordered_results(tasks, n_jobs)
    with tqdm(
        total=n_queries * n_train,
        desc=description,
        unit="pair",
        unit_scale=True,
        disable=not progress,
    ) as bar:
        for start, result in zip(starts, results, strict=True):
            bar.update((min(start + chunk, n_queries) - start) * n_train)
            yield result


def _ordered_results(tasks: list[Any], n_jobs: int | None) -> Iterator[Any]:
    """Run ``tasks`` on the active joblib backend, yielding results in order as they come.

    Backends that cannot hand results back one by one (Ray's, for one) get
    the tasks in waves of four per worker, so results still arrive, and are
    checkpointed, while the rest run.
    """
    try:
        streaming = Parallel(n_jobs=n_jobs, prefer="processes", return_as="generator")
    except ValueError as error:  # raised by the constructor, before any task runs
        if "return_as=generator" not in str(error):
            raise
    else:
        yield from streaming(tasks)
        return
    wave = 4 * effective_n_jobs(n_jobs)
    with Parallel(n_jobs=n_jobs, prefer="processes") as parallel:
        for start in range(0, len(tasks), wave):
            yield from parallel(tasks[start : start + wave])


@dataclass(frozen=True)
class _RowKernel:
    """Picklable task computing NCD rows (or their top ``k``) of a chunk of queries.

    It holds the settings only; the training side comes in as arguments
    (see :func:`map_query_chunks`).
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
        train = unpack_texts(train_buffer, train_offsets)
        if candidates is None:
            rows = self._rows(queries, train, train_sizes)
            return rows if self.k is None else top_k(rows, self.k)
        # Each query against its own candidates, sorted by index so that equal
        # distances keep the training order.
        neigh = [
            top_k(self._rows([query], [train[j] for j in cand], train_sizes[cand]), self.k)
            for query, cand in zip(queries, candidates, strict=True)
        ]
        neigh_dist = np.vstack([dist for dist, _ in neigh])
        positions = np.vstack([ind for _, ind in neigh])
        return neigh_dist, np.take_along_axis(candidates, positions, axis=1)

    def _rows(self, queries: list[bytes], train: Sequence[bytes], sizes: np.ndarray) -> np.ndarray:
        return ncd_rows(queries, train, sizes, self.compressor, self.separator, self.order)


def check_separator(separator: Any) -> bytes:
    """Validate the separator and return it as UTF-8 bytes."""
    if not isinstance(separator, str):
        raise TypeError(
            f"separator must be a str placed between the two texts, got "
            f"{type(separator).__name__}: {separator!r}."
        )
    return separator.encode("utf-8", "surrogatepass")


def pairwise_ncd(
    X: Sequence[str],
    Y: Sequence[str] | None = None,
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
    compressed size in bytes. It is not a metric: NCD(x, x) is above zero
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
    comp = get_compressor(compressor)
    comp.validate()
    kernel = _RowKernel(
        comp, check_separator(separator), check_choice(order, "order", ORDERS), k=None
    )
    chunks = map_query_chunks(
        kernel,
        queries,
        len(train),
        shared=(*pack_texts(train), compressed_sizes(comp, train)),
        n_jobs=n_jobs,
        working_memory=working_memory,
        progress=progress,
        description="NCD",
    )
    return np.vstack(list(chunks)) if queries else np.empty((0, len(train)))
