"""The k-nearest-neighbours classifier over normalized compression distance."""

from __future__ import annotations

from numbers import Integral
from typing import Any

import numpy as np
from numpy.typing import ArrayLike
from sklearn.base import ClassifierMixin
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted

from ._explanation import NeighborExplanation, query_byte_savings, saving_spans
from ._ncd_neighbors import NCDNeighborsBase
from ._text import decode_text, encode_text
from ._typing import Texts
from ._validation import (
    Interval,
    StrOptions,
    check_argument,
    check_labels,
    check_one_text,
    check_training_texts,
    unfitted_on_failure,
)
from ._voting import TIE_BREAKS, WEIGHTS, break_ties, class_scores
from .compressors import Compressor


class NCDClassifier(ClassifierMixin, NCDNeighborsBase):
    """Classify texts by their k nearest neighbours under compression distance.

    The method of Jiang et al. (2023), "Less is More: Parameter-Free Text
    Classification with Gzip": the distance between a query ``x`` and a
    training text ``y`` is the normalized compression distance

        NCD(x, y) = (C(x + " " + y) - min(C(x), C(y))) / max(C(x), C(y))

    where ``C`` is a compressed size in bytes, and the class is decided by a
    vote of the ``k`` training texts nearest to the query.

    Parameters
    ----------
    compressor : str or Compressor, default="gzip"
        A registered name (:func:`~npc_classify.compressors.available_compressors`:
        ``"gzip"``, ``"zstd"``, ``"zstd-prefix"``, ``"bz2"``, ``"lzma"``, ``"ppm"``,
        ``"cm"``, ``"lm"``, ``"hf"``) or a
        :class:`~npc_classify.compressors.Compressor` instance, whose
        parameters can then be tuned as ``compressor__level``.
    k : int, default=5
        Number of neighbours that vote.
    weights : {"uniform", "distance"}, default="uniform"
        One vote per neighbour, or votes of ``1 / distance``.
    tie_break : {"nearest", "random", "lowest"}, default="nearest"
        How a tied vote is settled: the tied class whose nearest member is
        closest to the query; a class drawn at random (``random_state``); or
        the first tied class in ``classes_`` order.
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
        Approximate search: a cheap first stage (character 4-gram overlap
        turned into an NCD estimate whose three weights ``fit`` calibrates on
        up to 2,048 training pairs compressed exactly) picks this many
        training texts per query, and only those are compressed with the
        query. None compares every pair, exactly. Agreement with the exact
        search grows with the share of the training set ``candidates`` keeps:
        on AG News, 5-8% of it kept 99% of the predictions at 6,000 and 120,000
        training texts; 400 training texts needed 25% at k=1 and 50% at k=5 (docs:
        guide/candidates.md#choosing-m). Estimates tied at the last candidate
        are taken in training order, as equal distances are.
    random_state : int, RandomState or None, default=None
        Seeds ``tie_break="random"``; an int makes predictions reproducible,
        and each text's draw independent of the other texts predicted with it
        (it is seeded by ``random_state`` and the text's neighbours).

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Class labels, sorted.
    compressor_ : Compressor
        The compressor used, built from ``compressor``.
    train_sizes_ : ndarray of shape (n_samples_fit,)
        Compressed size of every training text, computed once in ``fit``.
    n_samples_fit_ : int
        Number of training texts.
    candidate_index_ : object or None
        The calibrated first stage of the approximate search (an internal
        index of character n-grams, saved and loaded with the model); None when every
        pair is compressed (``candidates`` is None or covers the training set).
    n_candidates_ : int
        Training texts compressed with each query: ``candidates``, or
        ``n_samples_fit_`` for the exact search.

    See Also
    --------
    pairwise_ncd : The full distance matrix between two sets of texts.
    npc_classify.evaluation.paper_top_k_accuracy : The paper's optimistic score.

    Notes
    -----
    Distances are computed in chunks of query rows and each chunk is reduced
    to its ``k`` nearest neighbours at once, so the full n_queries x n_train
    matrix is never held. Neighbours at equal distance are ordered by their
    position in the training set.

    Ties: with ``tie_break="nearest"`` a vote tied between classes goes to the
    class of the nearest tied neighbour, so ``k=2`` predicts as ``k=1``. The
    paper scored a tied query as correct when the true class was among the
    tied ones; that optimistic upper bound uses the true labels and is only
    available as an evaluation
    (:func:`npc_classify.evaluation.paper_top_k_accuracy`), never as a
    prediction.

    NCD is not a metric: NCD(x, x) is usually above zero, and NCD(x, y) differs from
    NCD(y, x).

    Parameters are checked at the start of ``fit`` against
    ``_parameter_constraints``, scikit-learn's way.

    Examples
    --------
    >>> from npc_classify import NCDClassifier
    >>> texts = ["the striker scored a late goal", "the keeper saved a penalty",
    ...          "shares fell as profits slumped", "the bank raised interest rates"]
    >>> labels = ["sport", "sport", "business", "business"]
    >>> clf = NCDClassifier(k=1).fit(texts, labels)
    >>> clf.predict(["a late goal for the striker", "profits and shares fell"]).tolist()
    ['sport', 'business']
    """

    _parameter_constraints: dict[str, list[Any]] = {
        **NCDNeighborsBase._parameter_constraints,
        "weights": [StrOptions(set(WEIGHTS))],
        "tie_break": [StrOptions(set(TIE_BREAKS))],
        "random_state": ["random_state"],
    }

    def __init__(
        self,
        compressor: str | Compressor = "gzip",
        *,
        k: int = 5,
        weights: str = "uniform",
        tie_break: str = "nearest",
        separator: str = " ",
        order: str = "query-first",
        n_jobs: int | None = None,
        working_memory: float | None = None,
        progress: bool = False,
        candidates: int | None = None,
        random_state: int | np.random.RandomState | None = None,
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
        self.tie_break = tie_break
        self.random_state = random_state

    def fit(self, X: Texts, y: ArrayLike) -> NCDClassifier:
        """Store the training texts and compute their compressed sizes.

        Parameters
        ----------
        X : sequence of str of length n_samples
            Training texts.
        y : sequence of length n_samples
            Their class labels (strings or numbers).

        Returns
        -------
        self : NCDClassifier
        """
        self._validate_params()
        texts = check_training_texts(X)
        labels = check_labels(y, len(texts))
        self._check_search(len(texts))
        with unfitted_on_failure(self):
            self._fit_search(texts)
            self.classes_, self._y = np.unique(labels, return_inverse=True)
        return self

    def predict_proba(self, X: Texts) -> np.ndarray:
        """Share of the (weighted) neighbour votes won by each class.

        Parameters
        ----------
        X : sequence of str of length n_queries

        Returns
        -------
        proba : ndarray of shape (n_queries, n_classes)
            Columns follow ``classes_``.

        Notes
        -----
        These are the vote shares, ties included: where classes tie for the
        most votes they get equal probabilities, and :meth:`predict` settles
        the tie by ``tie_break``. So ``predict`` is always one of the classes
        of highest probability, but not always ``classes_[argmax(proba)]``,
        which takes the first of them. Breaking the tie inside the
        probabilities would report a certainty the neighbours do not give.
        """
        return self.proba_from_neighbors(*self.kneighbors(X))

    def predict(self, X: Texts) -> np.ndarray:
        """Predicted class of each query, ties settled by ``tie_break``.

        Parameters
        ----------
        X : sequence of str of length n_queries

        Returns
        -------
        y_pred : ndarray of shape (n_queries,)
        """
        return self.predict_from_neighbors(*self.kneighbors(X))

    def class_votes(
        self, neigh_dist: np.ndarray, neigh_ind: np.ndarray, *, weights: str | None = None
    ) -> np.ndarray:
        """The (weighted) votes each class gets from a neighbour search.

        Parameters
        ----------
        neigh_dist, neigh_ind : ndarray of shape (n_queries, n_neighbors)
            As returned by :meth:`kneighbors`; every column votes.
        weights : {"uniform", "distance"}, default=None
            How each neighbour votes; None: as ``self.weights`` says.

        Returns
        -------
        votes : ndarray of shape (n_queries, n_classes)
            Columns follow ``classes_``.

        Raises
        ------
        TypeError
            If they are not numpy arrays.
        ValueError
            If the arrays are not two of one shape (n_queries, n_neighbors >= 1),
            or ``neigh_ind`` holds other than positions in the training set.
        """
        check_is_fitted(self)
        self._check_neighbors(neigh_dist, neigh_ind)
        if weights is not None:
            check_argument(weights, "weights", [StrOptions(set(WEIGHTS))], "class_votes")
        how = self.weights if weights is None else weights
        return class_scores(neigh_dist, self._y[neigh_ind], len(self.classes_), how)

    def proba_from_neighbors(self, neigh_dist: np.ndarray, neigh_ind: np.ndarray) -> np.ndarray:
        """Probabilities from a neighbour search done before, every column of which votes.

        ``proba_from_neighbors(*kneighbors(X))`` equals ``predict_proba(X)``.

        Parameters
        ----------
        neigh_dist, neigh_ind : ndarray of shape (n_queries, n_neighbors)
            As returned by :meth:`kneighbors`.

        Returns
        -------
        proba : ndarray of shape (n_queries, n_classes)
            Each class's share of the (weighted) votes; columns follow ``classes_``.
        """
        votes = self.class_votes(neigh_dist, neigh_ind)
        return votes / votes.sum(axis=1, keepdims=True)

    def predict_from_neighbors(self, neigh_dist: np.ndarray, neigh_ind: np.ndarray) -> np.ndarray:
        """Predictions from a neighbour search done before, every column of which votes.

        One search with ``n_neighbors=K`` then scores every ``k <= K`` from its
        first ``k`` columns: ``predict_from_neighbors(dist[:, :k], ind[:, :k])``
        equals ``set_params(k=k).predict(X)``.

        Parameters
        ----------
        neigh_dist, neigh_ind : ndarray of shape (n_queries, n_neighbors)
            As returned by :meth:`kneighbors`.

        Returns
        -------
        y_pred : ndarray of shape (n_queries,)
        """
        votes = self.class_votes(neigh_dist, neigh_ind)
        seed = None
        if self.tie_break == "random":
            seed = int(check_random_state(self.random_state).randint(2**31))
        predicted = break_ties(
            votes, self._y[neigh_ind], self.tie_break, seed=seed, neigh_ind=neigh_ind
        )
        return self.classes_[predicted]

    def explain(self, text: str, *, n_spans: int = 5) -> NeighborExplanation:
        """Why one text gets its class: its neighbours, and the bytes the nearest one explains.

        The ``k`` neighbours and the prediction are those of :meth:`kneighbors`
        and :meth:`predict`. Against the nearest neighbour of the predicted
        class, each byte of the query (UTF-8) gets the bits it saved coded
        after that neighbour and the separator instead of alone (the query
        comes second whatever ``order`` the distance uses): the
        compressor's own per-byte code lengths for the model-based compressors
        (``ppm``, ``cm``, ``lm``), and for the stream compressors (gzip, zstd, bz2,
        lzma), which have none, the increments of the compressed size as the
        query grows one byte at a time (see ``method`` in
        :class:`~npc_classify.NeighborExplanation`): a marginal cost, not a
        code length.

        Parameters
        ----------
        text : str
            One query.
        n_spans : int, default=5
            How many runs of saving words to report, those that saved the most.

        Returns
        -------
        explanation : NeighborExplanation
            Plain arrays, and ``to_html()`` (shown by Jupyter) with the query
            shaded by the bits saved.

        Raises
        ------
        NotImplementedError
            With the ``hf`` compressor, which codes tokens: a token's bits have
            no share per byte.

        Examples
        --------
        >>> from npc_classify import NCDClassifier
        >>> texts = ["the striker scored a late goal", "the keeper saved a penalty",
        ...          "shares fell as profits slumped", "the bank raised interest rates"]
        >>> labels = ["sport", "sport", "business", "business"]
        >>> clf = NCDClassifier(k=1).fit(texts, labels)
        >>> explanation = clf.explain("a late goal for the striker")
        >>> explanation.predicted, explanation.reference_text
        ('sport', 'the striker scored a late goal')
        >>> explanation.byte_savings.shape
        (27,)
        """
        check_is_fitted(self)
        check_one_text(text, f"{type(self).__name__}.explain")
        check_argument(n_spans, "n_spans", [Interval(Integral, 0, None, closed="left")], "explain")
        neigh_dist, neigh_ind = self.kneighbors([text])
        predicted = self.predict_from_neighbors(neigh_dist, neigh_ind).tolist()[0]
        neighbor_labels = self.classes_[self._y[neigh_ind[0]]]
        reference = int(neigh_ind[0][np.flatnonzero(neighbor_labels == predicted)[0]])
        context = self._training_text(reference) + self._separator
        savings, method = query_byte_savings(self.compressor_, context, encode_text(text))
        spans, span_savings = saving_spans(text, savings, n_spans)
        return NeighborExplanation(
            text=text,
            predicted=predicted,
            neighbor_indices=neigh_ind[0],
            neighbor_distances=neigh_dist[0],
            neighbor_labels=neighbor_labels,
            reference_index=reference,
            reference_text=decode_text(self._training_text(reference)),
            byte_savings=savings,
            method=method,
            spans=spans,
            span_savings=span_savings,
        )

    def _targets_fingerprint(self) -> bytes:
        labels = repr(self.classes_.tolist()).encode()
        return np.asarray(self._y, dtype=np.int64).tobytes() + labels

    def _check_targets_state(self, n_samples: int, what: str) -> None:
        y, classes = getattr(self, "_y", None), getattr(self, "classes_", None)
        if not isinstance(classes, np.ndarray) or classes.ndim != 1 or not len(classes):
            raise ValueError(f"{what}: classes_ is not a 1-d array of classes")
        if not isinstance(y, np.ndarray) or y.shape != (n_samples,) or y.dtype.kind not in "iu":
            raise ValueError(f"{what}: the labels are not {n_samples} class indices")
        if y.min() < 0 or y.max() >= len(classes):
            raise ValueError(
                f"{what}: a label index is outside [0, {len(classes)}), the {len(classes)} classes"
            )
