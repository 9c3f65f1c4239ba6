"""The k-nearest-neighbours regressor over normalized compression distance."""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike
from sklearn.base import RegressorMixin
from sklearn.utils.validation import check_is_fitted

from ._ncd_neighbors import NCDNeighborsBase
from ._typing import Texts
from ._validation import StrOptions, check_targets, check_training_texts, unfitted_on_failure
from ._voting import WEIGHTS, neighbor_weights
from .compressors import Compressor


class NCDRegressor(RegressorMixin, NCDNeighborsBase):
    """Predict a number for a text from its k nearest neighbours under compression distance.

    The neighbour search is :class:`NCDClassifier`'s: the distance between a
    query ``x`` and a training text ``y`` is the normalized compression distance

        NCD(x, y) = (C(x + " " + y) - min(C(x), C(y))) / max(C(x), C(y))

    and the prediction is the mean target of the ``k`` nearest training texts,
    or their mean weighted by ``1 / distance``.

    Parameters
    ----------
    compressor : str or Compressor, default="gzip"
        A registered name (:func:`~npc_classify.compressors.available_compressors`:
        ``"gzip"``, ``"zstd"``, ``"zstd-prefix"``, ``"bz2"``, ``"lzma"``, ``"ppm"``,
        ``"cm"``, ``"lm"``, ``"hf"``) or a
        :class:`~npc_classify.compressors.Compressor` instance, whose
        parameters can then be tuned as ``compressor__level``.
    k : int, default=5
        Number of neighbours whose targets are averaged.
    weights : {"uniform", "distance"}, default="uniform"
        Equal weights, or weights of ``1 / distance`` (distances floored at
        ``1e-6``, as :class:`NCDClassifier` floors them for its votes).
    separator : str, default=" "
        Placed between the two texts when they are concatenated.
    order : {"query-first", "train-first", "symmetric"}, default="query-first"
        Which text comes first in the concatenation; ``"symmetric"`` averages
        the distances of both orders.
    n_jobs : int, default=None
        Parallel workers for the pairwise compression, as in joblib. The
        joblib backend in effect (``joblib.parallel_config``) is used.
    working_memory : float, default=None
        MiB that one chunk of distance rows may take; scikit-learn's global
        ``working_memory`` when None.
    progress : bool, default=False
        Show a progress bar over the pairs compressed.
    candidates : int, default=None
        Approximate search: only this many training texts per query, picked
        by a calibrated 4-gram estimate of NCD, are compressed with the query
        (see :class:`NCDClassifier`). None compares every pair, exactly.

    Attributes
    ----------
    compressor_ : Compressor
        The compressor used, built from ``compressor``.
    train_sizes_ : ndarray of shape (n_samples_fit,)
        Compressed size of every training text, computed once in ``fit``.
    n_samples_fit_ : int
        Number of training texts.
    candidate_index_ : object or None
        The calibrated first stage of the approximate search (an internal
        index of character n-grams, saved and loaded with the model); None when every
        pair is compressed.
    n_candidates_ : int
        Training texts compressed with each query.

    See Also
    --------
    NCDClassifier : The same neighbours voting for a class.
    NCDTransformer : NCD to reference texts as features, for any scikit-learn regressor.

    Notes
    -----
    One target per text: ``y`` of shape (n_samples,), numeric and finite
    (scikit-learn's ``column_or_1d`` and ``assert_all_finite``); a 2-d ``y``
    of several columns is refused. Neighbours at equal distance are ordered
    by their position in the training set, so the ``k`` averaged are always
    the same.

    NCD is not a metric: NCD(x, x) is usually above zero, and NCD(x, y) differs from
    NCD(y, x).

    Examples
    --------
    >>> from npc_classify import NCDRegressor
    >>> texts = ["the striker scored a late goal", "the keeper saved a penalty",
    ...          "shares fell as profits slumped", "the bank raised interest rates"]
    >>> sportiness = [9.0, 7.0, 2.0, 1.0]
    >>> reg = NCDRegressor(k=1).fit(texts, sportiness)
    >>> reg.predict(["a late goal for the striker", "profits and shares fell"]).tolist()
    [9.0, 2.0]
    """

    _parameter_constraints: dict[str, list[Any]] = {
        **NCDNeighborsBase._parameter_constraints,
        "weights": [StrOptions(set(WEIGHTS))],
    }

    def __init__(
        self,
        compressor: str | Compressor = "gzip",
        *,
        k: int = 5,
        weights: str = "uniform",
        separator: str = " ",
        order: str = "query-first",
        n_jobs: int | None = None,
        working_memory: float | None = None,
        progress: bool = False,
        candidates: int | None = None,
    ) -> None:
        super().__init__(
            compressor,
            k=k,
            separator=separator,
            order=order,
            n_jobs=n_jobs,
            working_memory=working_memory,
            progress=progress,
            candidates=candidates,
        )
        self.weights = weights

    def fit(self, X: Texts, y: ArrayLike) -> NCDRegressor:
        """Store the training texts and their targets; compute the texts' compressed sizes.

        Parameters
        ----------
        X : sequence of str of length n_samples
            Training texts.
        y : array-like of shape (n_samples,)
            Their numeric targets.

        Returns
        -------
        self : NCDRegressor
        """
        self._validate_params()
        texts = check_training_texts(X)
        targets = check_targets(y, len(texts))
        self._check_search(len(texts))
        with unfitted_on_failure(self):
            self._fit_search(texts)
            self._y = targets
        return self

    def predict(self, X: Texts) -> np.ndarray:
        """The (weighted) mean target of each query's ``k`` nearest training texts.

        Parameters
        ----------
        X : sequence of str of length n_queries

        Returns
        -------
        y_pred : ndarray of shape (n_queries,)
        """
        return self.predict_from_neighbors(*self.kneighbors(X))

    def predict_from_neighbors(self, neigh_dist: np.ndarray, neigh_ind: np.ndarray) -> np.ndarray:
        """Predictions from a neighbour search done before, every column of which counts.

        ``predict_from_neighbors(dist[:, :k], ind[:, :k])`` of one search with
        ``n_neighbors=K`` equals ``set_params(k=k).predict(X)`` for every
        ``k <= K``.

        Parameters
        ----------
        neigh_dist, neigh_ind : ndarray of shape (n_queries, n_neighbors)
            As returned by :meth:`kneighbors`.

        Returns
        -------
        y_pred : ndarray of shape (n_queries,)
        """
        check_is_fitted(self)
        self._check_neighbors(neigh_dist, neigh_ind)
        weights = neighbor_weights(neigh_dist, self.weights)
        return np.sum(weights * self._y[neigh_ind], axis=1) / np.sum(weights, axis=1)

    def _targets_fingerprint(self) -> bytes:
        return np.asarray(self._y, dtype=np.float64).tobytes()

    def _check_targets_state(self, n_samples: int, what: str) -> None:
        y = getattr(self, "_y", None)
        if not isinstance(y, np.ndarray) or y.shape != (n_samples,) or y.dtype.kind != "f":
            raise ValueError(f"{what}: the targets are not {n_samples} numbers")
        if not np.all(np.isfinite(y)):
            raise ValueError(f"{what}: the targets hold non-finite values")
