"""Texts as features: their normalized compression distances to a set of reference texts."""

from __future__ import annotations

from numbers import Integral
from typing import Any

import numpy as np
from numpy.typing import ArrayLike
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils import check_random_state
from sklearn.utils.multiclass import type_of_target
from sklearn.utils.validation import check_is_fitted

from ._compressor_parameter import CompressorParameterMixin
from ._distance import NCD_CONSTRAINTS, compressed_sizes, ncd_matrix
from ._text import check_packed_state, encode_text, encode_texts, pack_texts
from ._typing import Texts
from ._validation import (
    Interval,
    StrOptions,
    TextInputMixin,
    check_labels,
    check_targets,
    check_texts,
    check_training_texts,
    unfitted_on_failure,
)
from .compressors import Compressor, check_compressor


class NCDTransformer(CompressorParameterMixin, TransformerMixin, TextInputMixin, BaseEstimator):
    """Map each text to its compression distances to reference texts from the training set.

    Feature ``j`` of a text ``x`` is the normalized compression distance

        NCD(x, r_j) = (C(x + " " + r_j) - min(C(x), C(r_j))) / max(C(x), C(r_j))

    to the ``j``-th reference text ``r_j``, with ``C`` a compressed size. The
    references are all the training texts, or ``n_references`` of each class
    drawn at random, so that any scikit-learn model can learn from the
    distances: ``make_pipeline(NCDTransformer(), LogisticRegression())``
    weighs every reference where k-nearest-neighbours lets the ``k`` closest
    vote.

    Parameters
    ----------
    compressor : str or Compressor, default="gzip"
        A registered name (:func:`~npc_classify.compressors.available_compressors`:
        ``"gzip"``, ``"zstd"``, ``"zstd-prefix"``, ``"bz2"``, ``"lzma"``, ``"ppm"``,
        ``"cm"``, ``"lm"``, ``"hf"``) or a
        :class:`~npc_classify.compressors.Compressor` instance, whose
        parameters can then be tuned as ``compressor__level``.
    n_references : int, default=None
        Reference texts per class, drawn without replacement with
        ``random_state`` (a class with fewer training texts gives all of
        them); without classes (``stratify``), ``n_references`` texts drawn
        from the whole training set. None keeps every training text.
    stratify : "auto" or bool, default="auto"
        Whether ``n_references`` are drawn per class of ``fit``'s ``y``.
        ``"auto"``: when ``y`` holds class labels as scikit-learn's
        ``type_of_target`` reads them (strings, and also whole numbers such as
        star ratings 1.0 to 5.0), not for continuous targets, several targets
        per text (a 2-d ``y``: only its rows are counted) or no ``y``.
        False draws from the whole training set whatever ``y`` holds, as a
        regression pipeline on whole-number targets wants; True refuses a
        ``y`` without class labels.
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
    random_state : int, RandomState or None, default=None
        Seeds the draw of the references; an int makes it reproducible.

    Attributes
    ----------
    compressor_ : Compressor
        The compressor used, built from ``compressor``.
    references_ : ndarray of shape (n_features_out_,)
        Positions of the reference texts in the training set, in training
        order: column ``j`` of :meth:`transform` is the distance to training
        text ``references_[j]``.
    reference_sizes_ : ndarray of shape (n_features_out_,)
        Compressed size of each reference text, computed once in ``fit``.
    n_features_out_ : int
        Number of features (reference texts).

    See Also
    --------
    pairwise_ncd : The same distances between any two sets of texts.
    NCDClassifier : k nearest neighbours under the same distance.

    Notes
    -----
    :meth:`transform` computes the distances as :func:`pairwise_ncd` does, in
    chunks of query rows on the joblib backend in effect; the references'
    compressed sizes are computed once, in ``fit``. It costs one compression
    per (text, reference) pair, so ``n_references`` sets the cost of
    ``transform`` as the training set's size sets NCD-kNN's.

    NCD is not a metric: NCD(x, x) is usually above zero, and NCD(x, y) differs from
    NCD(y, x). A reference's distance to itself is small but not zero, so
    the features of the training texts (``fit_transform``) include, for the
    references, one unusually small distance each.

    Examples
    --------
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.pipeline import make_pipeline
    >>> from npc_classify import NCDTransformer
    >>> texts = ["the striker scored a late goal", "the keeper saved a penalty",
    ...          "shares fell as profits slumped", "the bank raised interest rates"]
    >>> labels = ["sport", "sport", "business", "business"]
    >>> NCDTransformer().fit_transform(texts).shape
    (4, 4)
    >>> model = make_pipeline(NCDTransformer(), LogisticRegression()).fit(texts, labels)
    >>> model.predict(["a late goal for the striker", "profits and shares fell"]).tolist()
    ['sport', 'business']
    """

    #: Fitted state besides the attributes ending in "_" (see ``forget_fit``).
    _private_state = ("_separator", "_reference_buffer", "_reference_offsets")
    _parameter_constraints: dict[str, list[Any]] = {
        **NCD_CONSTRAINTS,
        "n_references": [Interval(Integral, 1, None, closed="left"), None],
        "stratify": [StrOptions({"auto"}), "boolean"],
        "random_state": ["random_state"],
    }

    def __init__(
        self,
        compressor: str | Compressor = "gzip",
        *,
        n_references: int | None = None,
        stratify: bool | str = "auto",
        separator: str = " ",
        order: str = "query-first",
        n_jobs: int | None = None,
        working_memory: float | None = None,
        progress: bool = False,
        random_state: int | np.random.RandomState | None = None,
    ) -> None:
        self.compressor = compressor
        self.n_references = n_references
        self.stratify = stratify
        self.separator = separator
        self.order = order
        self.n_jobs = n_jobs
        self.working_memory = working_memory
        self.progress = progress
        self.random_state = random_state

    def fit(self, X: Texts, y: ArrayLike | None = None) -> NCDTransformer:
        """Choose the reference texts and compute their compressed sizes.

        Parameters
        ----------
        X : sequence of str of length n_samples
            Training texts.
        y : sequence of length n_samples, default=None
            Class labels, to draw ``n_references`` per class, or regression
            targets (see ``stratify``); read only to draw the references.

        Returns
        -------
        self : NCDTransformer
        """
        self._validate_params()
        texts = check_training_texts(X)
        strata = _strata(y, len(texts), self.stratify)
        with unfitted_on_failure(self):
            self.compressor_ = check_compressor(self.compressor)
            self._separator = encode_text(self.separator)
            self.references_ = self._draw_references(len(texts), strata)
            references = encode_texts([texts[i] for i in self.references_])
            self._reference_buffer, self._reference_offsets = pack_texts(references)
            self.reference_sizes_ = compressed_sizes(self.compressor_, references)
            self.n_features_out_ = len(self.references_)
        return self

    def __setstate__(self, state: dict[str, Any]) -> None:
        """Restore a pickled or skops-loaded transformer, refusing an inconsistent fitted state."""
        state.setdefault("stratify", "auto")  # the behaviour before the parameter existed
        super().__setstate__(state)
        if "_reference_buffer" not in state:
            return  # not fitted
        what = "NCDTransformer's fitted state"
        references = state.get("references_")
        if not isinstance(references, np.ndarray) or references.ndim != 1 or not len(references):
            raise ValueError(f"{what}: references_ is not a 1-d array of positions")
        n = len(references)
        names = ("_reference_buffer", "_reference_offsets", "reference_sizes_")
        check_packed_state(state, names, n, what)
        if state.get("n_features_out_") != n:
            raise ValueError(f"{what}: n_features_out_ is not the {n} references")

    def _draw_references(self, n_samples: int, strata: np.ndarray | None) -> np.ndarray:
        """Positions of the references: all, or ``n_references`` per stratum, sorted."""
        if self.n_references is None:
            return np.arange(n_samples)
        random_state = check_random_state(self.random_state)
        groups = (
            [np.arange(n_samples)]
            if strata is None
            else [np.flatnonzero(strata == s) for s in range(strata.max() + 1)]
        )
        drawn = [
            random_state.choice(group, min(self.n_references, len(group)), replace=False)
            for group in groups
        ]
        return np.sort(np.concatenate(drawn))

    def transform(self, X: Texts) -> np.ndarray:
        """NCD of each text to every reference text.

        Parameters
        ----------
        X : sequence of str of length n_samples

        Returns
        -------
        distances : ndarray of shape (n_samples, n_features_out_)
            ``distances[i, j]`` is NCD(X[i], training text ``references_[j]``).
        """
        check_is_fitted(self)
        queries = encode_texts(check_texts(X, name="X"))
        return ncd_matrix(
            queries,
            (self._reference_buffer, self._reference_offsets, self.reference_sizes_),
            self.compressor_,
            self._separator,
            self.order,
            n_jobs=self.n_jobs,
            working_memory=self.working_memory,
            progress=self.progress,
            description=f"NCD {self.compressor_.name}",
        )

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """Names of the features: ``"ncd_<i>"`` for the distance to training text ``i``.

        Parameters
        ----------
        input_features : None
            Not used; present for scikit-learn's API (texts have no input
            feature names).

        Returns
        -------
        feature_names_out : ndarray of str objects of shape (n_features_out_,)
        """
        check_is_fitted(self)
        return np.asarray([f"ncd_{index}" for index in self.references_], dtype=object)


def _strata(y: ArrayLike | None, n_samples: int, stratify: bool | str) -> np.ndarray | None:
    """Class index of each training text, or None to draw from all of them (``stratify``)."""
    if y is None:
        if stratify is True:
            raise ValueError("stratify=True draws the references per class, but y is None.")
        return None
    try:
        kind = type_of_target(y, input_name="y")
    except (TypeError, ValueError):  # not an array of targets: check_labels says why
        kind = "unknown"
    if kind in ("binary", "multiclass", "unknown"):
        labels = check_labels(y, n_samples)
        return None if stratify is False else np.unique(labels, return_inverse=True)[1]
    if stratify is True:
        raise ValueError(
            f"stratify=True draws the references per class, but y holds {kind} targets "
            "(type_of_target); give class labels, or stratify='auto' or False."
        )
    if kind == "continuous":
        check_targets(y, n_samples)
    else:  # several targets per text (sparse ones too): nothing to check but the rows
        shape = getattr(y, "shape", None)
        n_rows = shape[0] if shape is not None else len(np.asarray(y))
        if n_rows != n_samples:
            raise ValueError(
                f"X and y must have the same length: got {n_samples} texts and {n_rows} rows "
                "of targets."
            )
    return None
