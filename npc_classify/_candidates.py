"""A cheap first stage: the training texts most likely to be a query's nearest under NCD.

The estimate models what a compressor does with ``x + " " + y``: the part of
``y`` whose character 4-grams already occur in ``x`` costs little, the rest
costs about what it costs alone, and what every compressed text pays once
(gzip's header and code tables) is paid once for the pair, not twice. With
``f`` the share of ``y``'s distinct 4-grams found in ``x``,

    C(xy) ~ C(x) + a C(y) + b + c f C(y),

and the estimated NCD uses the real sizes C(x) and C(y). The weights ``a``,
``b`` and ``c`` are fitted by least squares, once in ``fit``, to the exact
NCD of a fixed sample of training pairs computed with the classifier's own
compressor (for gzip on AG News, ``b`` is about -40 bytes: the overhead).
The 4-gram overlap of every pair is one sparse matrix product. The choices
were measured on AG News (docs/benchmarks/candidates.md).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor

import numpy as np
from scipy.sparse import csr_matrix
from sklearn.feature_extraction.text import HashingVectorizer

from ._distance import joint_size_from_ncd, ncd_from_sizes
from ._neighbors import top_k

NGRAM_SIZE = 4
N_HASHED_FEATURES = 2**20
#: Queries whose estimates are computed at once (a dense block of n_train floats each),
#: fewer when the block would pass ESTIMATE_FLOATS (32 MiB per float64 array).
QUERY_BLOCK = 256
ESTIMATE_FLOATS = 2**22
#: Training texts used as queries to fit the estimate's weights.
CALIBRATION_QUERIES = 32
#: Training texts compared with each of them: a quarter drawn at random, the
#: rest those the unfitted estimate ranks nearest (where the ranking matters).
CALIBRATION_CANDIDATES = 64
CALIBRATION_SEED = 0
#: C(xy) ~ C(x) + C(y) - f C(y): the weights before calibration.
UNFITTED_WEIGHTS = (1.0, 0.0, -1.0)
#: Fewer calibration pairs than this (a training set of under about 15 texts) fit three
#: weights too loosely: the unfitted ones are kept.
MIN_CALIBRATION_PAIRS = 200

#: ``distances(queries, candidates)``: exact NCD of training text ``queries[i]``
#: to each training text ``candidates[i, j]``, shape of ``candidates``.
PairDistances = Callable[[np.ndarray, np.ndarray], np.ndarray]


class CandidateIndex:
    """The training side of the first stage, built and calibrated once in ``fit``.

    Parameters
    ----------
    texts : sequence of str
        Training texts.
    sizes : ndarray of shape (n_train,)
        Their compressed sizes.

    Attributes
    ----------
    weights : ndarray of shape (3,)
        ``a``, ``b``, ``c`` of ``C(xy) ~ C(x) + a C(y) + b + c f C(y)``:
        ``(1, 0, -1)`` until :meth:`calibrate` fits them.
    """

    def __init__(self, texts: Sequence[str], sizes: np.ndarray) -> None:
        self.vectorizer = _four_grams()
        grams = self.vectorizer.transform(_hashable(texts))
        self.train_grams_t = grams.T.tocsr()
        self.train_gram_counts = np.maximum(np.asarray(grams.sum(axis=1)).ravel(), 1.0)
        self.train_sizes = np.asarray(sizes, dtype=np.float64)
        self.weights = np.array(UNFITTED_WEIGHTS)

    def check_state(self, train_sizes: np.ndarray, what: str) -> None:
        """Refuse a loaded index that does not index the training texts of ``train_sizes``.

        Raises
        ------
        ValueError
            If its sizes are not ``train_sizes``, its 4-gram counts or weights do
            not fit that many texts, or its 4-gram hashing is not the one its
            table was built with; the message beginning with ``what``.
        """
        n_train = len(train_sizes)
        sizes, counts = self.train_sizes, self.train_gram_counts
        shapes = [getattr(array, "shape", None) for array in (sizes, counts)]
        shapes.append(getattr(self.train_grams_t, "shape", (None, None))[1:])
        if any(shape != shapes[0] for shape in shapes) or not shapes[0]:
            raise ValueError(
                f"{what}: candidate_index_ does not hold one size and 4-gram count per text"
            )
        if shapes[0] != (n_train,):
            raise ValueError(
                f"{what}: candidate_index_ indexes {shapes[0][0]} texts, not the {n_train} "
                "training texts"
            )
        weights = np.asarray(self.weights)
        if weights.shape != (3,) or not np.all(np.isfinite(weights)):
            raise ValueError(f"{what}: candidate_index_'s weights are not 3 finite numbers")
        if not np.array_equal(sizes, train_sizes):
            raise ValueError(f"{what}: candidate_index_'s sizes are not the training texts' sizes")
        hashing = self.vectorizer
        if (
            not isinstance(hashing, HashingVectorizer)
            or hashing.get_params() != _four_grams().get_params()
            or self.train_grams_t.shape[0] != N_HASHED_FEATURES
        ):
            raise ValueError(
                f"{what}: candidate_index_'s 4-gram hashing is not the one it was built with"
            )

    def search(
        self, texts: Sequence[str], sizes: np.ndarray, m: int, n_threads: int = 1
    ) -> np.ndarray:
        """Indices of the ``m`` training texts of lowest estimated NCD, per query.

        Blocks of queries run on ``n_threads`` threads of this process (the
        sparse product and NumPy release the GIL), never on the joblib
        backend, so the index is not shipped anywhere.

        Returns
        -------
        candidates : ndarray of shape (len(texts), m)
            Sorted ascending in each row.
        """
        out = np.empty((len(texts), m), dtype=np.intp)
        block = max(1, min(QUERY_BLOCK, ESTIMATE_FLOATS // len(self.train_sizes)))

        def search_block(start: int) -> None:
            stop = min(start + block, len(texts))
            share = self._shares(self.vectorizer.transform(_hashable(texts[start:stop])))
            estimate = _estimate(share, sizes[start:stop], self.train_sizes, self.weights)
            out[start:stop] = np.sort(_lowest(estimate, m), axis=1)

        with ThreadPoolExecutor(max(1, n_threads)) as threads:
            list(threads.map(search_block, range(0, len(texts), block)))
        return out

    def _shares(self, query_grams: csr_matrix) -> np.ndarray:
        """Share of each training text's distinct 4-grams (columns) found in each query (rows)."""
        return (query_grams @ self.train_grams_t).toarray() / self.train_gram_counts

    def calibrate(self, distances: PairDistances) -> CandidateIndex:
        """Fit :attr:`weights` to the exact NCD of a fixed sample of training pairs.

        Parameters
        ----------
        distances : callable
            ``distances(queries, candidates)`` returns the exact NCD between
            training texts ``queries[i]`` and ``candidates[i, j]`` (each row
            of ``candidates`` sorted, never holding ``queries[i]``). Called
            once, on at most ``CALIBRATION_QUERIES * CALIBRATION_CANDIDATES``
            pairs. With fewer than :data:`MIN_CALIBRATION_PAIRS` pairs (a
            training set of under 15 texts) it is not called, and the unfitted
            weights stay: three weights fitted on a dozen pairs can take the
            wrong sign and rank a query's exact duplicate last (the unfitted
            ones rank it first or tied first, if it has a 4-gram).

        Returns
        -------
        self : CandidateIndex
        """
        n_train = len(self.train_sizes)
        n_candidates = min(CALIBRATION_CANDIDATES, n_train - 1)
        if min(CALIBRATION_QUERIES, n_train) * n_candidates < MIN_CALIBRATION_PAIRS:
            return self
        rng = np.random.default_rng(CALIBRATION_SEED)
        queries = np.sort(rng.choice(n_train, min(CALIBRATION_QUERIES, n_train), replace=False))
        shares = self._shares(self.train_grams_t[:, queries].T)
        c_x = self.train_sizes[queries]
        estimate = _estimate(shares, c_x, self.train_sizes, self.weights)
        estimate[np.arange(len(queries)), queries] = np.inf  # never a text with itself
        # Most candidates where the ranking matters, some drawn from the rest.
        n_nearest = n_candidates - n_candidates // 4
        candidates = np.empty((len(queries), n_candidates), dtype=np.intp)
        for row, nearest in enumerate(_lowest(estimate, n_nearest)):
            others = np.setdiff1d(np.flatnonzero(np.isfinite(estimate[row])), nearest)
            drawn = rng.choice(others, n_candidates - n_nearest, replace=False)
            candidates[row] = np.sort(np.concatenate([nearest, drawn]))
        exact = distances(queries, candidates)

        share = np.take_along_axis(shares, candidates, axis=1)
        c_x = c_x[:, None]
        c_y = self.train_sizes[candidates]
        c_xy = joint_size_from_ncd(c_x, c_y, exact)  # the joint size each distance stands for
        design = np.stack([c_y, np.ones_like(c_y), share * c_y], axis=-1).reshape(-1, 3)
        self.weights, *_ = np.linalg.lstsq(design, (c_xy - c_x).ravel(), rcond=None)
        return self


def _hashable(texts: Sequence[str]) -> list[str]:
    """``texts`` with each lone surrogate's three bytes read as U+FFFD, for the 4-gram
    hashing, which encodes strictly and refuses a lone surrogate (the compressors see
    its bytes, ``surrogatepass``). Other texts are left as they are."""
    return [text.encode("utf-8", "surrogatepass").decode("utf-8", "replace") for text in texts]


def _four_grams() -> HashingVectorizer:
    """The hashing of texts' character 4-grams the index is built and searched with."""
    return HashingVectorizer(
        analyzer="char",
        ngram_range=(NGRAM_SIZE, NGRAM_SIZE),
        n_features=N_HASHED_FEATURES,
        alternate_sign=False,
        norm=None,
        binary=True,
        lowercase=False,
        dtype=np.float32,
    )


def _estimate(
    share: np.ndarray, query_sizes: np.ndarray, train_sizes: np.ndarray, weights: np.ndarray
) -> np.ndarray:
    """Estimated NCD of each query (rows) to every training text (columns)."""
    c_x = np.asarray(query_sizes, dtype=np.float64)[:, None]
    a, b, c = weights
    return ncd_from_sizes(c_x, train_sizes, c_x + a * train_sizes + b + c * share * train_sizes)


def _lowest(values: np.ndarray, m: int) -> np.ndarray:
    """Column indices of the ``m`` lowest values of each row, equal values taken in column
    order (as the exact search orders equal distances by training index)."""
    return top_k(values, m)[1]
