"""The neighbour search under compression distance that the kNN estimators share."""

from __future__ import annotations

import hashlib
import json
from abc import ABC, abstractmethod
from collections.abc import Iterator
from numbers import Integral
from typing import Any, Literal, overload

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from ._candidates import CandidateIndex
from ._compressor_parameter import CompressorParameterMixin
from ._distance import NCD_CONSTRAINTS, NCDRowKernel, compressed_sizes
from ._neighbors import stack_neighbors
from ._parallel import local_workers, map_query_chunks
from ._text import (
    PackedTexts,
    check_packed_state,
    decode_text,
    encode_text,
    encode_texts,
    pack_texts,
)
from ._typing import Texts
from ._validation import AT_LEAST_ONE, Interval, TextInputMixin, check_argument, check_texts
from .compressors import Compressor, check_compressor


class NCDNeighborsBase(CompressorParameterMixin, TextInputMixin, BaseEstimator, ABC):
    """Base class of the estimators that search the nearest training texts under NCD.

    It holds what :class:`NCDClassifier` and :class:`NCDRegressor` share, as
    scikit-learn's ``NeighborsBase`` does for its kNN estimators: the
    parameters of the search, :meth:`_fit_search` (the training texts packed
    for the workers, their compressed sizes, the calibrated first stage of
    the approximate search), :meth:`kneighbors`, :meth:`kneighbors_chunks`
    and :meth:`search_fingerprint`. A subclass adds its own parameters to
    ``_parameter_constraints`` and turns neighbours into predictions.

    Parameters
    ----------
    compressor : str or Compressor, default="gzip"
        A registered name or a :class:`~npc_classify.compressors.Compressor`.
    k : int, default=5
        Number of neighbours that predict.
    separator : str, default=" "
        Placed between the two texts when they are concatenated.
    order : {"query-first", "train-first", "symmetric"}, default="query-first"
        Which text comes first in the concatenation.
    n_jobs : int, default=None
        Parallel workers, as in joblib.
    working_memory : float, default=None
        MiB that one chunk of distance rows may take.
    progress : bool, default=False
        Show a progress bar over the pairs compressed.
    candidates : int, default=None
        Training texts compressed with each query by the approximate search;
        None compares every pair.
    """

    #: Fitted state besides the attributes ending in "_" (see ``forget_fit``).
    _private_state = ("_separator", "_fit_buffer", "_fit_offsets", "_y")
    _parameter_constraints: dict[str, list[Any]] = {
        **NCD_CONSTRAINTS,
        "k": [Interval(Integral, 1, None, closed="left")],
        "candidates": [Interval(Integral, 1, None, closed="left"), None],
    }

    def __init__(
        self,
        compressor: str | Compressor = "gzip",
        *,
        k: int = 5,
        separator: str = " ",
        order: str = "query-first",
        n_jobs: int | None = None,
        working_memory: float | None = None,
        progress: bool = False,
        candidates: int | None = None,
    ) -> None:
        self.compressor = compressor
        self.k = k
        self.separator = separator
        self.order = order
        self.n_jobs = n_jobs
        self.working_memory = working_memory
        self.progress = progress
        self.candidates = candidates

    def _check_search(self, n_texts: int) -> None:
        """Refuse a training set of ``n_texts`` the search cannot use with these parameters."""
        _check_at_most_training_set(self.k, "k", n_texts)
        if self.candidates is not None and self.candidates < self.k:
            raise ValueError(
                f"candidates={self.candidates} must be at least k={self.k}: the "
                "neighbours are chosen among the candidates."
            )

    def _fit_search(self, texts: list[str]) -> None:
        """Store the training texts (checked) and everything the search needs from them.

        Sets ``compressor_``, ``train_sizes_``, ``n_samples_fit_``,
        ``candidate_index_`` and ``n_candidates_``.
        """
        self._separator = encode_text(self.separator)
        self.compressor_ = check_compressor(self.compressor)
        encoded = encode_texts(texts)
        self.train_sizes_ = compressed_sizes(self.compressor_, encoded)
        self._fit_buffer, self._fit_offsets = pack_texts(encoded)
        self.n_samples_fit_ = len(texts)
        n_candidates = len(texts) if self.candidates is None else min(self.candidates, len(texts))
        exact = n_candidates == len(texts)
        self.candidate_index_ = (
            None
            if exact
            else CandidateIndex(texts, self.train_sizes_).calibrate(self._training_pair_distances)
        )
        self.n_candidates_ = int(n_candidates)

    def _training_text(self, index: int) -> bytes:
        """The UTF-8 bytes of training text ``index``, as the compressor saw them."""
        start, stop = self._fit_offsets[index], self._fit_offsets[index + 1]
        return self._fit_buffer[start:stop].tobytes()

    @overload
    def kneighbors(
        self,
        X: Texts,
        n_neighbors: int | None = None,
        return_distance: Literal[True] = True,
    ) -> tuple[np.ndarray, np.ndarray]: ...

    @overload
    def kneighbors(
        self, X: Texts, n_neighbors: int | None, return_distance: Literal[False]
    ) -> np.ndarray: ...

    @overload
    def kneighbors(
        self,
        X: Texts,
        n_neighbors: int | None = None,
        *,
        return_distance: Literal[False],
    ) -> np.ndarray: ...

    @overload
    def kneighbors(
        self, X: Texts, n_neighbors: int | None = None, return_distance: bool = True
    ) -> tuple[np.ndarray, np.ndarray] | np.ndarray: ...

    def kneighbors(
        self,
        X: Texts,
        n_neighbors: int | None = None,
        return_distance: bool = True,
    ) -> tuple[np.ndarray, np.ndarray] | np.ndarray:
        """Find the nearest training texts of each query.

        Parameters
        ----------
        X : sequence of str of length n_queries
            Query texts.
        n_neighbors : int, default=None
            Neighbours to return; ``k`` when None.
        return_distance : bool, default=True
            Also return the distances.

        Returns
        -------
        neigh_dist : ndarray of shape (n_queries, n_neighbors)
            NCD to each neighbour, nearest first (only if ``return_distance``).
        neigh_ind : ndarray of shape (n_queries, n_neighbors)
            Positions of the neighbours in the training set.
        """
        chunks = self.kneighbors_chunks(X, n_neighbors)
        width = self.k if n_neighbors is None else n_neighbors
        neigh_dist, neigh_ind = stack_neighbors(((dist, ind) for _, dist, ind in chunks), width)
        return (neigh_dist, neigh_ind) if return_distance else neigh_ind

    def kneighbors_chunks(
        self, X: Texts, n_neighbors: int | None = None
    ) -> Iterator[tuple[int, np.ndarray, np.ndarray]]:
        """Stream the neighbour search: one result per chunk of queries, in order.

        Parameters
        ----------
        X : sequence of str of length n_queries
            Query texts.
        n_neighbors : int, default=None
            Neighbours per query; ``k`` when None.

        Yields
        ------
        start : int
            Position in ``X`` of the chunk's first query.
        neigh_dist, neigh_ind : ndarray of shape (chunk_size, n_neighbors)
            As returned by :meth:`kneighbors` for those queries.
        """
        check_is_fitted(self)
        if n_neighbors is None:  # k, set after fit perhaps: named as such if refused
            n_neighbors = self._check_n_neighbors(self.k, "k")
        else:
            n_neighbors = self._check_n_neighbors(n_neighbors)
        texts = check_texts(X, name="X")
        queries = encode_texts(texts)
        candidates = None
        if self.candidate_index_ is not None:
            query_sizes = compressed_sizes(self.compressor_, queries)
            candidates = self.candidate_index_.search(
                texts, query_sizes, self.n_candidates_, n_threads=local_workers(self.n_jobs)
            )
        chunks = self._search(queries, n_neighbors, self.n_candidates_, candidates, self.progress)
        start = 0
        for neigh_dist, neigh_ind in chunks:
            yield start, neigh_dist, neigh_ind
            start += len(neigh_ind)

    def _check_n_neighbors(self, n_neighbors: int, name: str = "n_neighbors") -> int:
        """``n_neighbors`` as an int, if the fitted search can find that many per query;
        refused under ``name``."""
        check_argument(n_neighbors, name, [AT_LEAST_ONE], f"{type(self).__name__}.kneighbors")
        _check_at_most_training_set(n_neighbors, name, self.n_samples_fit_)
        if n_neighbors > self.n_candidates_:
            raise ValueError(
                f"{name}={n_neighbors} is more than the {self.n_candidates_} "
                "candidates searched per query, set when fitted: raise candidates and "
                "fit again."
            )
        return int(n_neighbors)

    def _check_neighbors(self, neigh_dist: Any, neigh_ind: Any) -> None:
        """Refuse what is not a neighbour search of this estimator's training set."""
        what = "neigh_dist and neigh_ind, as kneighbors returns them,"
        if not isinstance(neigh_dist, np.ndarray) or not isinstance(neigh_ind, np.ndarray):
            raise TypeError(
                f"{what} must be numpy arrays; got {type(neigh_dist).__name__} and "
                f"{type(neigh_ind).__name__}."
            )
        if neigh_ind.ndim != 2 or neigh_dist.shape != neigh_ind.shape or not neigh_ind.shape[1]:
            raise ValueError(
                f"{what} must be of one shape (n_queries, n_neighbors >= 1); got shapes "
                f"{neigh_dist.shape} and {neigh_ind.shape}."
            )
        if neigh_ind.dtype.kind not in "iu":
            raise ValueError(
                f"neigh_ind must hold integer positions; got dtype {neigh_ind.dtype}."
            )
        if neigh_ind.size and (neigh_ind.min() < 0 or neigh_ind.max() >= self.n_samples_fit_):
            raise ValueError(
                f"neigh_ind must hold positions in the training set, 0 to "
                f"{self.n_samples_fit_ - 1}; got {neigh_ind.min()} to {neigh_ind.max()}."
            )

    def _search(
        self,
        queries: list[bytes],
        n_neighbors: int,
        pairs_per_query: int,
        candidates: np.ndarray | None,
        progress: bool,
        description: str | None = None,
    ) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """Exact NCD of each query to every training text (or to its candidates), top-k;
        ``description``: the progress bar's, ``"NCD <compressor>"`` when None."""
        kernel = NCDRowKernel(self.compressor_, self._separator, self.order, k=n_neighbors)
        return map_query_chunks(
            kernel,
            queries,
            pairs_per_query,
            shared=(self._fit_buffer, self._fit_offsets, self.train_sizes_),
            aligned=candidates,
            n_jobs=self.n_jobs,
            working_memory=self.working_memory,
            progress=progress,
            description=description or f"NCD {self.compressor_.name}",
        )

    def _training_pair_distances(self, queries: np.ndarray, candidates: np.ndarray) -> np.ndarray:
        """Exact NCD of training texts ``queries[i]`` to ``candidates[i]`` (rows sorted)."""
        train = PackedTexts(self._fit_buffer, self._fit_offsets)
        width = candidates.shape[1]
        chunks = self._search(
            [train[q] for q in queries],
            width,
            width,
            candidates,
            self.progress,
            description=f"candidate calibration, NCD {self.compressor_.name}",
        )
        neigh_dist, neigh_ind = stack_neighbors(chunks, width)
        # Each row of neigh_ind is its sorted candidates' row, ordered by distance.
        return np.take_along_axis(neigh_dist, np.argsort(neigh_ind, axis=1), axis=1)

    def search_fingerprint(self, X: Texts, n_neighbors: int) -> str:
        """A digest of everything ``kneighbors(X, n_neighbors)`` depends on.

        The compressor (its :meth:`~npc_classify.compressors.Compressor.fingerprint`:
        class, every setting, the contents of its model files), ``order``, the
        separator the estimator was fitted with, the candidate search (its size and calibrated
        weights), the training texts and targets, the queries and the number
        of neighbours: two searches with the same fingerprint give the same
        result, so a checkpoint of one can resume the other.

        Parameters
        ----------
        X : sequence of str of length n_queries
            Query texts.
        n_neighbors : int
            Neighbours per query, as given to :meth:`kneighbors`.

        Returns
        -------
        fingerprint : str
            The SHA-256 digest, in hexadecimal.

        Raises
        ------
        ValueError
            If the search cannot find ``n_neighbors`` per query (more than the
            training texts or the candidates), as :meth:`kneighbors` would.
        """
        check_is_fitted(self)
        digest = hashlib.sha256()
        index = self.candidate_index_
        settings = [
            self.compressor_.fingerprint(),
            self.order,
            decode_text(self._separator),  # fixed at fit, as the search reads it
            int(self.n_candidates_) if index is not None else None,
            self._check_n_neighbors(n_neighbors),
        ]
        if index is not None:  # the first stage's calibration decides the candidates
            settings.append(index.weights.tolist())
        digest.update(json.dumps(settings).encode())
        queries = encode_texts(check_texts(X, name="X"))
        for array in (self._fit_buffer, self._fit_offsets, *pack_texts(queries)):
            digest.update(len(array).to_bytes(8, "little"))
            digest.update(array.tobytes())
        digest.update(self._targets_fingerprint())
        return digest.hexdigest()

    @abstractmethod
    def _targets_fingerprint(self) -> bytes:
        """The fitted targets as bytes, for :meth:`search_fingerprint`."""

    def __setstate__(self, state: dict[str, Any]) -> None:
        """Restore a pickled or skops-loaded estimator, refusing an inconsistent fitted state.

        A hand-edited or damaged file could otherwise load and predict wrongly:
        the packed training texts, their sizes and the targets must agree.
        """
        super().__setstate__(state)
        if "_fit_buffer" not in state:
            return  # not fitted
        n = state.get("n_samples_fit_")
        what = f"{type(self).__name__}'s fitted state"
        if isinstance(n, bool) or not isinstance(n, Integral) or n < 1:
            raise ValueError(f"{what}: n_samples_fit_ is {n!r}, not a positive int")
        n = int(n)
        check_packed_state(state, ("_fit_buffer", "_fit_offsets", "train_sizes_"), n, what)
        self._check_targets_state(n, what)
        if "n_candidates_" in state:
            _check_candidates_state(
                state["n_candidates_"], state.get("candidate_index_"), state["train_sizes_"], what
            )

    @abstractmethod
    def _check_targets_state(self, n_samples: int, what: str) -> None:
        """Refuse fitted targets that do not fit ``n_samples`` training texts."""


def _check_candidates_state(
    n_candidates: Any, index: Any, train_sizes: np.ndarray, what: str
) -> None:
    """Refuse a candidate count or first-stage index that the fit of the training texts
    of ``train_sizes`` could not have given: the index exists exactly when the candidates
    are fewer."""
    n_samples = len(train_sizes)
    if isinstance(n_candidates, bool) or not isinstance(n_candidates, Integral):
        raise ValueError(f"{what}: n_candidates_ is {n_candidates!r}, not an int")
    n_candidates = int(n_candidates)
    if not 1 <= n_candidates <= n_samples:
        raise ValueError(
            f"{what}: n_candidates_ is {n_candidates}, not from 1 to the {n_samples} "
            "training texts"
        )
    if n_candidates == n_samples:
        if index is not None:
            raise ValueError(f"{what}: candidate_index_ is set for an exact search")
        return
    if index is None:
        raise ValueError(
            f"{what}: candidate_index_ is None with {n_candidates} of {n_samples} candidates"
        )
    if not isinstance(index, CandidateIndex):
        raise ValueError(
            f"{what}: candidate_index_ is a {type(index).__name__}, not a CandidateIndex"
        )
    index.check_state(train_sizes, what)


def _check_at_most_training_set(value: int, name: str, n_samples: int) -> None:
    """Refuse a neighbour count above the number of training texts."""
    if value > n_samples:
        raise ValueError(
            f"{name}={value} is larger than the training set ({n_samples} texts); "
            f"use {name} <= {n_samples} or more training data."
        )
