"""Class-conditional compression: the class whose text makes a query cheapest wins."""

from __future__ import annotations

import hashlib
import json
import math
import warnings
from collections.abc import Callable, Iterator, Sized
from dataclasses import dataclass
from itertools import pairwise
from numbers import Integral, Real
from typing import Any

import numpy as np
from joblib import delayed, effective_n_jobs
from numpy.typing import ArrayLike
from scipy.optimize import minimize
from scipy.special import logsumexp, softmax
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils.validation import check_is_fitted

from ._compressor_parameter import CompressorParameterMixin
from ._explanation import ClassCostExplanation, saving_spans
from ._parallel import N_JOBS_CONSTRAINTS, ordered_results
from ._progress import progress_bar
from ._text import decode_text, encode_text, encode_texts
from ._typing import Texts
from ._validation import (
    Interval,
    StrOptions,
    TextInputMixin,
    check_argument,
    check_labels,
    check_one_text,
    check_sizes,
    check_texts,
    check_training_texts,
    forget_fit,
    label_kind,
    unfitted_on_failure,
)
from .compressors import (
    COMPRESSOR_CONSTRAINTS,
    ArithmeticCodingCompressor,
    Compressor,
    check_compressor,
)

#: The numbers of groups per class ``n_dictionaries="auto"`` chooses from.
AUTO_DICTIONARIES = (1, 2, 4, 8, 16)
#: The most training texts ``n_dictionaries="auto"`` classifies, over all folds.
AUTO_QUERIES = 1_500
AUTO_FOLDS = 3
#: The two kinds of texts queries are coded after: each class's own, and its complement's.
CLASS, COMPLEMENT = "class", "complement"
#: The temperatures, in bits, ``temperature="auto"`` searches between.
AUTO_TEMPERATURES = (2.0**-10, 2.0**20)
#: The penalty on the squared offsets, in units of the temperature, of ``class_offsets="auto"``:
#: it keeps finite the offset of a class that no held-out text belongs to.
OFFSET_PENALTY = 1e-3
#: The settings that can be ``"auto"``, cross-validated together in ``fit``.
_AUTO_SETTINGS = ("n_dictionaries", "temperature", "class_offsets")


@dataclass(frozen=True)
class _HeldOutFold:
    """One fold of the cross-validation behind the ``"auto"`` settings.

    Attributes
    ----------
    classes : ndarray of shape (n_classes,)
        The sorted labels of the class texts built from the other folds.
    truth : ndarray of shape (n_queries,)
        The labels of the fold's texts that were classified.
    bits : dict of int to ndarray of shape (n_queries, n_classes)
        Their costs under ``classes`` for each number of groups per class tried.
    """

    classes: np.ndarray
    truth: np.ndarray
    bits: dict[int, np.ndarray]


def _held_out_accuracy(folds: list[_HeldOutFold], n: int) -> float:
    """The share of the held-out texts of ``folds`` that ``n`` groups per class classify
    right (a text whose class is missing from the other folds counts as wrong)."""
    correct = sum(int(np.sum(f.classes[f.bits[n].argmin(axis=1)] == f.truth)) for f in folds)
    return correct / max(sum(len(f.truth) for f in folds), 1)


def _least_log_loss_softmax(
    folds: list[_HeldOutFold], n: int, classes: np.ndarray, offsets: bool
) -> tuple[float, np.ndarray]:
    """The temperature and, when ``offsets``, the class offsets that fit the held-out texts.

    The temperature, between :data:`AUTO_TEMPERATURES` bits, and the offsets, in bits
    (one per label of ``classes``; zeros unless ``offsets``), whose softmax of ``(offsets -
    bits) / temperature`` gives the held-out texts of ``folds`` their classes with the
    least mean log loss, the bits read with ``n`` groups per class, plus
    :data:`OFFSET_PENALTY` times the sum of the squared ``offsets / temperature``. The
    loss is convex in ``1 / temperature`` and ``offsets / temperature``, which L-BFGS-B
    searches. A text whose class the other folds lack is left out; with none left, the
    answer is 1 bit and no offsets, with a warning.
    """
    scored = []
    for fold in folds:
        known = np.isin(fold.truth, fold.classes)
        if known.any():
            true = np.searchsorted(fold.classes, fold.truth[known])
            columns = np.searchsorted(classes, fold.classes)
            rows = fold.bits[n][known]
            scored.append((rows - rows.mean(axis=1, keepdims=True), true, columns))
    count = sum(len(true) for _, true, _ in scored)
    if count == 0:
        warnings.warn(
            '"auto" found no held-out training text whose class the other folds have, so '
            "temperature_ is 1.0 and class_offsets_ 0; fit on more texts per class.",
            UserWarning,
            stacklevel=5,
        )
        return 1.0, np.zeros(len(classes))
    # The bits in units of their spread, so that both kinds of parameter move alike.
    spread = math.sqrt(sum(float(np.sum(rows**2)) for rows, _, _ in scored) / count) or 1.0

    def loss(params: np.ndarray) -> tuple[float, np.ndarray]:
        inverse, shift = params[0], params[1:]  # spread / temperature, offsets / temperature
        total, d_inverse, d_shift = 0.0, 0.0, np.zeros(len(classes))
        for rows, true, columns in scored:
            logits = shift[columns] - inverse * rows / spread
            normaliser = logsumexp(logits, axis=1, keepdims=True)
            picked = logits[np.arange(len(true)), true]
            total += float(np.sum(normaliser[:, 0] - picked))
            error = np.exp(logits - normaliser)  # the softmax, from the same normaliser
            error[np.arange(len(true)), true] -= 1.0
            d_inverse -= float(np.sum(error * rows)) / spread
            d_shift[columns] += error.sum(axis=0)
        value = total / count + OFFSET_PENALTY * float(shift @ shift)
        gradient = np.concatenate(
            [[d_inverse / count], d_shift / count + 2 * OFFSET_PENALTY * shift]
        )
        return value, gradient

    low, high = AUTO_TEMPERATURES
    start = np.zeros(1 + len(classes))
    start[0] = 1.0
    free = (None, None) if offsets else (0.0, 0.0)  # L-BFGS-B holds a variable with equal bounds
    bounds = [(spread / high, spread / low)] + [free] * len(classes)
    options = {"ftol": 1e-13, "gtol": 1e-10, "maxiter": 10_000}
    found = minimize(loss, start, jac=True, method="L-BFGS-B", bounds=bounds, options=options)
    temperature = spread / float(found.x[0])
    return temperature, found.x[1:] * temperature


@dataclass(frozen=True)
class SavedColumns:
    """Columns of bits an earlier run computed, and where newly computed ones go.

    What :meth:`CompressionClassifier.class_bits` takes as ``saved`` to resume
    a stopped run (:func:`~npc_classify.evaluation.resumable_class_bits` keeps
    them in a file).

    Attributes
    ----------
    known : dict of (str, int) to ndarray
        Keyed by kind (``"class"``, or ``"complement"`` for the complement
        texts) and class (its column of ``classes_``): the bits of every
        query after that class's texts of that kind, the mean over its
        groups.
    save : callable
        Called as ``save(kind, column, bits)`` with each column computed.

    Examples
    --------
    >>> from npc_classify import CompressionClassifier
    >>> from npc_classify.evaluation import SavedColumns
    >>> clf = CompressionClassifier(compressor="ppm").fit(
    ...     ["goal in the last minute", "shares fell sharply"], ["sport", "money"]
    ... )
    >>> computed = {}
    >>> saved = SavedColumns({}, lambda kind, column, bits: computed.update({column: bits}))
    >>> bits = clf.class_bits(["a late goal"], saved=saved)
    >>> sorted(computed)  # both columns, each handed over when done
    [0, 1]
    >>> again = clf.class_bits(["a late goal"], saved=SavedColumns(
    ...     {("class", j): b for j, b in computed.items()}, lambda *_: None))
    >>> bool((again == bits).all())
    True
    """

    known: dict[tuple[str, int], np.ndarray]
    save: Callable[[str, int, np.ndarray], None]


def _group_count(n_texts: int, n: int) -> int:
    """How many groups :func:`_groups` makes of ``n_texts`` texts."""
    return max(1, min(n, n_texts))


def _query_shares(n_queries: int, n_groups: int, workers: int) -> list[slice]:
    """The slices of the queries that each group's tasks code: all of them in one, unless
    there are more workers than groups; then enough shares to keep every worker busy.

    >>> _query_shares(1000, 4, 2)
    [slice(0, 1000, None)]
    >>> _query_shares(1000, 4, 8)
    [slice(0, 500, None), slice(500, 1000, None)]
    """
    count = min(max(1, -(-workers // n_groups)), n_queries)
    bounds = np.linspace(0, n_queries, count + 1).astype(int).tolist()
    return [slice(start, stop) for start, stop in pairwise(bounds)]


def _groups(texts: list[bytes], n: int, separator: bytes) -> list[bytes]:
    """``texts``, each followed by ``separator``, joined into ``n`` contiguous groups of
    about equal count (fewer when there are fewer texts; one empty group when none)."""
    if not texts:
        return [b""]
    groups = np.array_split(np.arange(len(texts)), _group_count(len(texts), n))
    return [b"".join(texts[i] + separator for i in group) for group in groups]


def _digest_texts(digest: Any, texts: list[bytes]) -> None:
    """Feed ``texts`` to ``digest``: their number, then each one's length and bytes."""
    digest.update(len(texts).to_bytes(8, "little"))
    for text in texts:
        digest.update(len(text).to_bytes(8, "little"))
        digest.update(text)


def _complement(by_class: dict[Any, list[bytes]], label: Any, ratio: float) -> list[bytes]:
    """The complement texts of ``label``: the other classes' texts, each class spread evenly
    through them in its own order (positions tied between classes in label order), the most
    recent kept while their length stays within ``ratio`` times the class's (the one that
    crosses it included). A class whose texts are empty (declared but without texts yet,
    or only empty ones) takes the mean length of the others: an empty complement would
    code a query as its empty class text does, giving it 0 bits, below the real classes
    wherever their complements beat them."""
    filled = [n for texts in by_class.values() if (n := sum(map(len, texts)))]
    own = sum(map(len, by_class[label])) or (sum(filled) / len(filled) if filled else 0)
    others = sorted(
        ((j + 0.5) / len(by_class[other]), k, text)
        for k, other in enumerate(sorted(by_class))
        if other != label
        for j, text in enumerate(by_class[other])
    )
    budget = ratio * own
    kept: list[bytes] = []
    for *_, text in reversed(others):
        if budget <= 0:
            break
        kept.append(text)
        budget -= len(text)
    return kept[::-1]


def _complements(by_class: dict[Any, list[bytes]], ratio: float) -> dict[Any, list[bytes]]:
    """The complement texts of every class of ``by_class``."""
    return {label: _complement(by_class, label, ratio) for label in by_class}


class CompressionClassifier(
    CompressorParameterMixin, ClassifierMixin, TextInputMixin, BaseEstimator
):
    """Classify a text by the class whose training text compresses it best.

    Each class keeps the concatenation of its training texts, each followed
    by ``separator``: the *class text*, after which a query reads as the
    class's next text. A query costs ``C(query | class text)`` bytes under each class,
    computed by the compressor's
    :meth:`~npc_classify.compressors.Compressor.conditional_sizes`: for zstd the
    class text is a raw-content dictionary, for gzip its last 32 KiB (DEFLATE's
    window) are a preset dictionary, for bz2 and lzma it is the exact
    difference ``C(class text + query) - C(class text)``. The query goes to
    the class where it costs the fewest bits: one compression per class
    instead of one per training text.

    Parameters
    ----------
    compressor : str or Compressor, default="zstd"
        A registered name or a :class:`~npc_classify.compressors.Compressor`.
    separator : str, default="\\n"
        Placed after each text of a class, so a query starts where every
        training text started.
    n_dictionaries : int or "auto", default=1
        Split each class's texts, in the order they were added, into this many
        contiguous groups of about equal count; a query's cost under the class
        is its mean cost against the groups. ``"auto"`` picks it from 1, 2,
        4, 8 and 16 (:data:`AUTO_DICTIONARIES`) by 3-fold cross-validation on the training
        texts when the classifier is first fitted (see Notes).
    max_class_bytes : int, default=None
        Keep only the most recently added texts of each class whose joined
        length is at most this many bytes (always at least the newest text),
        and cut the class texts of ``"auto"``'s cross-validation the same way;
        None keeps everything. Unlike the other settings, read again by every
        :meth:`partial_fit`, so that the class texts stay a window of the most
        recent texts: a smaller value set between calls drops texts at the
        next call, for good.
    temperature : float or "auto", default=1.0
        Softness of :meth:`predict_proba`, in bits: probabilities are a
        softmax of ``-class_bits / temperature``. A query's costs under two
        classes often differ by tens of bits, so at 1 bit the probabilities
        are all but 0 or 1. ``"auto"`` takes the temperature whose
        probabilities have the least log loss on held-out training texts, in
        the cross-validation ``n_dictionaries="auto"`` runs (see Notes).
        Predictions do not depend on it.
    complement : float or None, default=None
        Also code each query after a *complement text* of each class, and
        score the class by the bits its own text saves against it (see
        Notes). The complement text of a class holds the other classes'
        texts, each class spread evenly through it in its own order, the most
        recent of them while their length stays within ``complement`` times
        the class's (the text that crosses it included; ``float("inf")``: all
        of them), split into
        ``n_dictionaries_`` groups like the class text. None scores a class
        by its own text alone.
    class_offsets : "auto" or None, default=None
        ``"auto"``: subtract from each class's cost an offset, in bits, fitted
        with a temperature to give held-out training texts their classes with
        the least log loss, in the cross-validation ``n_dictionaries="auto"``
        runs (see Notes). It corrects what the costs get wrong class by class,
        such as a small class text coding everything worse. None: no offsets.
    progress : bool, default=False
        Show a progress bar over the class texts (and complement texts) that
        the queries of :meth:`predict`, :meth:`predict_proba`,
        :meth:`decision_function` and the ``*_bits`` methods are coded after,
        and one over the settings that ``n_dictionaries="auto"`` (or
        ``temperature="auto"``, ``class_offsets="auto"``) cross-validates in
        :meth:`fit`.
    n_jobs : int, default=None
        Workers that code the queries after the class texts (and complement
        texts) at once, as in joblib, on the backend in effect
        (``joblib.parallel_config``): one task per class text, or per group
        with ``n_dictionaries``; with more workers than tasks, each class
        text's queries are shared out between several tasks, each of which
        reads the class text again. Worker processes each get a copy of the
        compressor and build its models anew, threads share it and each build
        their own: what a compressor keeps between calls (the models of the
        contexts it has read) is reused only with one worker. The bits are the
        same for every ``n_jobs`` and backend, but for ``hf`` and for ``lm`` with
        ``fine_tune_steps``: PyTorch sums in an order that depends on its number
        of threads (in the forward pass, in the fine-tuning's gradients), and
        worker processes run one each (a tiny GPT-2 on 40 AG News texts: 6.9e-7
        bits at most; a small GRU fine-tuned for 3 steps: 5.2e-6).

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Class labels, sorted.
    compressor_ : Compressor
        The compressor used, built from ``compressor``.
    class_bytes_ : ndarray of shape (n_classes,)
        Length of each class text.
    complement_ : float or None
        ``complement`` as the classifier was fitted with it, which the bits
        use: like every other setting but ``max_class_bytes``, a
        ``set_params(complement=...)`` takes effect at the next ``fit``.
    n_dictionaries_ : int
        The number of groups per class asked for: ``n_dictionaries``, or the
        one ``"auto"`` chose. A class of fewer texts is split into one group
        per text.
    cv_accuracy_ : dict of int to float
        With ``n_dictionaries="auto"``: the cross-validated accuracy of each
        candidate.
    temperature_ : float
        The temperature :meth:`predict_proba` uses: ``temperature``, or the
        one ``"auto"`` chose.
    class_offsets_ : ndarray of shape (n_classes,)
        The bits subtracted from each class's cost in :meth:`class_bits`:
        those ``class_offsets="auto"`` fitted, or zeros.

    See Also
    --------
    NCDClassifier : k nearest neighbours under compression distance.

    References
    ----------
    .. [1] J. D. M. Rennie, L. Shih, J. Teevan and D. R. Karger, "Tackling the
       poor assumptions of naive Bayes text classifiers", ICML 2003.
    .. [2] C. Guo, G. Pleiss, Y. Sun and K. Q. Weinberger, "On calibration of
       modern neural networks", ICML 2017.

    Notes
    -----
    A query tied between classes goes to the first in ``classes_`` order.

    With ``complement``, the cost of a query under a class is
    ``extra_bits - complement_bits``: the bits it costs after the class's
    texts minus the bits it costs after texts of the other classes (the idea
    of complement naive Bayes [1]_). Coding after other texts of comparable
    size cancels what any class text of that size predicts well, common words
    and phrasing, and how badly a small class text predicts everything, so
    the class decides by what is its own. It costs a second conditional
    compression per class and query. What it is worth depends on the
    compressor: in 3-fold cross-validation on training splits only, ``cm``
    gains with ``complement=8`` (the best mean of None, 1, 2, 4, 8 and all:
    AG News 0.8825 -> 0.8872, TREC coarse 0.7568 -> 0.7627, TREC fine
    0.6130 -> 0.6695; with ``CMCompressor(prior=11)``, which the same
    cross-validation prefers against complement texts, TREC's test splits
    score 0.800 coarse and 0.698 fine), while ``ppm`` and ``zstd`` lose 2.5
    to 7 points on TREC's 50 small classes; so it is off by default (docs:
    guide/class-conditional.md#complement-texts).

    How many groups suit a corpus depends on it: on AG News (four classes of
    about 360 KB each) zstd-19 gains 3 points from 8 groups, on a corpus of
    many small classes 8 groups can lose 11. ``"auto"`` measures it on the
    training data: the texts are cut into 3 folds (shuffled, seed 0); at most
    1,500 of them (:data:`AUTO_QUERIES`), spread over the folds, are classified with
    each candidate by class texts built from the other folds; the most
    accurate candidate wins, ties going to fewer groups. This costs about
    ``AUTO_QUERIES * n_classes * sum(AUTO_DICTIONARIES)`` conditional
    compressions in ``fit``; :meth:`partial_fit` keeps the choice of the
    first fit.

    ``temperature="auto"`` reads the held-out costs of the same
    cross-validation, with the number of groups per class that is used (the
    one ``"auto"`` chose, or ``n_dictionaries``), and takes the temperature
    between 2**-10 and 2**20 bits (:data:`AUTO_TEMPERATURES`) whose softmax gives the held-out
    texts' classes the least mean log loss: temperature scaling (Guo et al.
    [2]_), fitted on training texts. With ``n_dictionaries="auto"`` it costs
    nothing more, otherwise ``AUTO_QUERIES * n_classes * n_dictionaries``
    conditional compressions in ``fit``; :meth:`partial_fit` keeps it too.

    ``class_offsets="auto"`` fits, on the same held-out costs, one offset per
    class together with a temperature: the least mean log loss of the softmax
    of ``(offset - cost) / temperature``, plus 1e-3 (:data:`OFFSET_PENALTY`) times
    the sum of the squared ``offset / temperature``, which keeps finite the
    offset of a class that no held-out text belongs to (a convex problem,
    solved by L-BFGS-B). The offsets change the predictions (docs:
    guide/class-conditional.md#class-offsets). With ``temperature="auto"``
    as well, the temperature fitted with them is ``temperature_``. A class
    that :meth:`partial_fit` adds gets offset 0.

    Examples
    --------
    >>> from npc_classify import CompressionClassifier
    >>> texts = ["the striker scored a late goal", "the keeper saved a penalty",
    ...          "shares fell as profits slumped", "the bank raised interest rates"]
    >>> labels = ["sport", "sport", "business", "business"]
    >>> clf = CompressionClassifier().fit(texts, labels)
    >>> clf.predict(["a late goal by the striker", "profits and shares fell"]).tolist()
    ['sport', 'business']
    """

    #: Fitted state besides the attributes ending in "_" (see ``forget_fit``).
    _private_state = ("_separator", "_class_texts", "_declared")
    _parameter_constraints: dict[str, list[Any]] = {
        "compressor": COMPRESSOR_CONSTRAINTS,
        "separator": [str],
        "n_dictionaries": [Interval(Integral, 1, None, closed="left"), StrOptions({"auto"})],
        "max_class_bytes": [Interval(Integral, 1, None, closed="left"), None],
        "temperature": [Interval(Real, 0, None, closed="neither"), StrOptions({"auto"})],
        "complement": [Interval(Real, 0, None, closed="right"), None],
        "class_offsets": [StrOptions({"auto"}), None],
        "progress": ["boolean"],
        "n_jobs": N_JOBS_CONSTRAINTS,
    }

    classes_: np.ndarray
    class_offsets_: np.ndarray

    def __init__(
        self,
        compressor: str | Compressor = "zstd",
        *,
        separator: str = "\n",
        n_dictionaries: int | str = 1,
        max_class_bytes: int | None = None,
        temperature: float | str = 1.0,
        complement: float | None = None,
        class_offsets: str | None = None,
        progress: bool = False,
        n_jobs: int | None = None,
    ) -> None:
        self.compressor = compressor
        self.separator = separator
        self.n_dictionaries = n_dictionaries
        self.max_class_bytes = max_class_bytes
        self.temperature = temperature
        self.complement = complement
        self.class_offsets = class_offsets
        self.progress = progress
        self.n_jobs = n_jobs

    def fit(self, X: Texts, y: ArrayLike) -> CompressionClassifier:
        """Build each class text from scratch.

        Parameters
        ----------
        X : sequence of str
        y : sequence of labels

        Returns
        -------
        self : CompressionClassifier
        """
        self._validate_params()
        texts = check_training_texts(X)
        labels = check_labels(y, len(texts))
        forget_fit(self)
        with unfitted_on_failure(self):
            return self._append(texts, labels)

    def partial_fit(
        self, X: Texts, y: ArrayLike, classes: ArrayLike | None = None
    ) -> CompressionClassifier:
        """Append texts to their class texts; unseen labels become new classes, unless the
        first call fixed the classes.

        The first call fits the classifier: it must hold texts (an empty one is
        refused, as by :meth:`fit`), and it chooses the ``"auto"`` settings from
        its texts for every later call, so it should hold texts of every class.

        Parameters
        ----------
        X : sequence of str
        y : sequence of labels
        classes : array-like of labels, default=None
            As in scikit-learn's incremental estimators: every class there will
            be, given to the first call, which makes them ``classes_`` from the
            start (the columns of :meth:`predict_proba` never change). A class
            without texts yet is coded after an empty class text, the
            compressor alone, and is predicted where that costs a query less
            than every class text does (rare, but seen with zstd and small
            class texts; see the class-conditional guide); with ``complement``,
            against the complement a class of the mean length would have.
            Labels outside
            them are then refused, in this
            call and every later one. A later call may give ``classes_``
            again, unchanged. None: the classes are the labels seen so far.

        Returns
        -------
        self : CompressionClassifier
        """
        self._validate_params()
        first = not hasattr(self, "n_dictionaries_")
        texts = check_training_texts(X) if first else check_texts(X, name="X")
        labels = check_labels(y, len(texts))
        declared = None if classes is None else self._check_classes(classes, labels, first)
        if not first:
            self._refuse_undeclared(labels)
            return self._append(texts, labels)
        with unfitted_on_failure(self):  # the first fit: settings chosen, perhaps by CV
            return self._append(texts, labels, declared)

    def _check_classes(self, classes: ArrayLike, labels: np.ndarray, first: bool) -> np.ndarray:
        """``classes`` as sorted labels: on the first call those of every label of ``y``,
        later ``classes_``."""
        if isinstance(classes, (str, bytes)) or not isinstance(classes, Sized):
            raise TypeError(
                f"classes must be a sequence of labels, got {type(classes).__name__}: "
                f"{classes!r:.80}."
            )
        declared = np.unique(check_labels(classes, len(classes)))  # sorted
        shown = declared.tolist()
        if not first and shown != self.classes_.tolist():
            raise ValueError(
                f"classes={shown[:10]} is not this classifier's classes_ "
                f"({self.classes_.tolist()[:10]}); a later partial_fit takes them "
                "unchanged, or none."
            )
        unknown = sorted(set(labels.tolist()) - set(shown))
        if unknown:
            raise ValueError(
                f"y holds {unknown[:5]}, not among classes={shown[:10]}; give every "
                "class there will be."
            )
        return declared

    def _refuse_undeclared(self, labels: np.ndarray) -> None:
        """Refuse labels outside ``classes_`` when the first partial_fit fixed them."""
        if not self._declared or not len(labels):
            return
        unknown = sorted(set(labels.tolist()) - set(self.classes_.tolist()))
        if unknown:
            raise ValueError(
                f"y holds {unknown[:5]}, not among the classes the first partial_fit was "
                f"given ({self.classes_.tolist()[:10]})."
            )

    def _append(
        self, texts: list[str], labels: np.ndarray, declared: np.ndarray | None = None
    ) -> CompressionClassifier:
        """:meth:`partial_fit` on texts and labels already checked; ``declared``: the
        classes the first call fixed."""
        if hasattr(self, "classes_") and len(labels):
            known, given = label_kind(self.classes_[0]), label_kind(labels[0])
            if known != given:  # checked before the texts are stored, which leaves self as it was
                raise TypeError(
                    f"y holds {given} labels, but this classifier's classes are {known} labels "
                    f"({self.classes_.tolist()[:5]}); give new texts labels of that type."
                )
        if not hasattr(self, "_class_texts"):
            self.compressor_ = check_compressor(self.compressor)
            self.complement_ = self.complement
            self._separator = encode_text(self.separator)
            self._class_texts: dict[Any, list[bytes]] = {}
            self._declared = declared is not None
            for label in [] if declared is None else declared.tolist():
                self._class_texts[label] = []
        for label, text in zip(labels.tolist(), encode_texts(texts), strict=True):
            self._class_texts.setdefault(label, []).append(text)
        for class_texts in self._class_texts.values():
            self._keep_most_recent(class_texts)
        classes = np.array(sorted(self._class_texts))
        if hasattr(self, "class_offsets_"):  # a class partial_fit adds gets offset 0
            offsets = dict(zip(self.classes_.tolist(), self.class_offsets_.tolist(), strict=True))
            self.class_offsets_ = np.array([offsets.get(c, 0.0) for c in classes.tolist()])
        self.classes_ = classes
        self.class_bytes_ = np.array(
            [self._joined_length(self._class_texts[c]) for c in self.classes_.tolist()]
        )
        if not hasattr(self, "n_dictionaries_"):
            self._choose_settings(texts, labels)
        return self

    def _choose_settings(self, texts: list[str], labels: np.ndarray) -> None:
        """Set ``n_dictionaries_``, ``temperature_`` and ``class_offsets_``, cross-validating
        on the first fit's texts those that are ``"auto"``."""
        fixed = self.n_dictionaries != "auto"
        candidates = (int(self.n_dictionaries),) if fixed else AUTO_DICTIONARIES
        automatic = [name for name in _AUTO_SETTINGS if getattr(self, name) == "auto"]
        folds: list[_HeldOutFold] = []
        if automatic and len(self.classes_) < 2:
            warnings.warn(
                f"{', '.join(automatic)}='auto' cross-validated on texts of one class, "
                f"{self.classes_.tolist()}, where every text is classified right: the "
                "settings chosen say nothing; fit them on texts of every class (a first "
                "partial_fit chooses them for every later one).",
                UserWarning,
                stacklevel=4,
            )
        if automatic:
            name = f'{automatic[0]}="auto" CV'
            folds = self._cross_validate(texts, labels, candidates, name)
        if fixed:
            self.n_dictionaries_ = candidates[0]
        else:
            self.cv_accuracy_ = {n: _held_out_accuracy(folds, n) for n in candidates}
            best = max(self.cv_accuracy_.values())
            self.n_dictionaries_ = min(n for n, a in self.cv_accuracy_.items() if a == best)
        temperature, self.class_offsets_ = 1.0, np.zeros(len(self.classes_))
        if self.temperature == "auto" or self.class_offsets == "auto":
            temperature, self.class_offsets_ = _least_log_loss_softmax(
                folds, self.n_dictionaries_, self.classes_, self.class_offsets == "auto"
            )
            if temperature >= AUTO_TEMPERATURES[1] * (1 - 1e-9):
                warnings.warn(self._no_better_than_chance(), UserWarning, stacklevel=4)
        self.temperature_ = temperature if self.temperature == "auto" else float(self.temperature)

    def _no_better_than_chance(self) -> str:
        """What a fit at the largest temperature means for what ``"auto"`` fitted."""
        consequences = []
        if self.temperature == "auto":
            consequences.append("every probability is close to 1 / n_classes")
        if self.class_offsets == "auto":
            consequences.append(
                "the class offsets outweigh every text's bits, so the predictions follow "
                "how often each class was held out"
            )
        return (
            f'"auto" fitted the held-out training texts best at the largest temperature, '
            f"{AUTO_TEMPERATURES[1]:.0f} bits: their class bits tell the classes apart no "
            f"better than chance, and {' and '.join(consequences)}. Fit on more texts per "
            "class."
        )

    def _cross_validate(
        self, texts: list[str], labels: np.ndarray, candidates: tuple[int, ...], name: str
    ) -> list[_HeldOutFold]:
        """Costs of held-out folds of the texts under class texts built from the other folds,
        split into each of ``candidates`` groups per class; ``name``: the progress bar's."""
        rng = np.random.default_rng(0)
        fold = rng.permutation(len(texts)) % AUTO_FOLDS
        encoded = encode_texts(texts)
        held_out = rng.permutation(len(texts))[:AUTO_QUERIES]
        folds = []
        total = AUTO_FOLDS * len(candidates)
        with progress_bar(self.progress, total=total, desc=name, unit="setting") as bar:
            for f in range(AUTO_FOLDS):
                queries = [i for i in held_out.tolist() if fold[i] == f]
                kept = np.flatnonzero(fold != f)
                classes = sorted(set(labels[kept].tolist()))
                if not queries or not classes:
                    bar.update(len(candidates))
                    continue
                by_class = {c: [encoded[i] for i in kept if labels[i] == c] for c in classes}
                for class_texts in by_class.values():  # as predict will read them
                    self._keep_most_recent(class_texts)
                query_bytes = [encoded[i] for i in queries]
                bits = {}
                for n in candidates:
                    bits[n] = self._costs(by_class, n, query_bytes)
                    bar.update()
                folds.append(_HeldOutFold(np.asarray(classes), labels[queries], bits))
        return folds

    def __getstate__(self) -> dict[str, Any]:
        """The state to pickle or save, the class texts as a list in ``classes_`` order.

        A dict keyed by the labels would not survive skops, which cannot tell
        the keys ``True`` and ``False`` apart."""
        state = dict(super().__getstate__())
        if "_class_texts" in state:
            state["_class_texts"] = [self._class_texts[c] for c in self.classes_.tolist()]
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        """Restore a pickled or skops-loaded classifier, refusing an inconsistent fitted state.

        A state saved before ``complement``, ``progress`` or ``n_jobs`` existed is
        restored with ``complement=None``, the scoring it was fitted for,
        ``progress=False`` and ``n_jobs=None``; one saved before ``temperature_``
        existed, with ``temperature_`` its ``temperature``, and before
        ``complement_``, with its ``complement``; one saved before class
        offsets existed, with ``class_offsets=None`` and no offsets."""
        defaults = {"complement": None, "class_offsets": None, "progress": False, "n_jobs": None}
        state = {**defaults, **state}
        super().__setstate__(state)
        if "_class_texts" not in state:
            return  # not fitted
        if "complement_" not in state:  # saved before the fitted copy existed
            self.complement_ = state["complement"]
        what = "CompressionClassifier's fitted state"
        texts, classes = state["_class_texts"], state.get("classes_")
        if not isinstance(texts, (list, dict)) or not isinstance(classes, np.ndarray):
            raise ValueError(f"{what}: the class texts or classes_ are missing")
        if isinstance(texts, list):  # one per class, in classes_ order
            if len(texts) != len(classes) or len(set(classes.tolist())) != len(classes):
                raise ValueError(f"{what}: classes_ does not give one label per class text")
            texts = self._class_texts = dict(zip(classes.tolist(), texts, strict=True))
        if sorted(texts) != classes.tolist():
            raise ValueError(f"{what}: classes_ is not the sorted labels of the class texts")
        declared = self._declared = state.get("_declared", False)  # False: saved before it
        if not isinstance(declared, bool):
            raise ValueError(f"{what}: _declared is not a bool, got {declared!r}")
        if not all(
            isinstance(group, list)
            and (group or declared)  # a class given to partial_fit may have no texts yet
            and all(isinstance(t, bytes) for t in group)
            for group in texts.values()
        ):
            raise ValueError(f"{what}: a class text is not a non-empty list of bytes")
        if not isinstance(state.get("_separator"), bytes):
            raise ValueError(f"{what}: the separator is not bytes")
        if "n_dictionaries_" not in state and isinstance(state.get("n_dictionaries"), int):
            self.n_dictionaries_ = state["n_dictionaries"]  # saved before "auto" existed
        chosen = getattr(self, "n_dictionaries_", None)
        if not isinstance(chosen, int) or isinstance(chosen, bool) or chosen < 1:
            raise ValueError(f"{what}: n_dictionaries_ is not a positive int, got {chosen!r}")
        temperature = state.get("temperature")
        if "temperature_" not in state and isinstance(temperature, Real):
            self.temperature_ = float(temperature)  # saved before "auto" existed
        if "class_offsets_" not in state:
            self.class_offsets_ = np.zeros(len(classes))
        offsets = self.class_offsets_
        if not (
            isinstance(offsets, np.ndarray)
            and offsets.dtype == float
            and offsets.shape == classes.shape
            and np.isfinite(offsets).all()
        ):
            raise ValueError(f"{what}: class_offsets_ is not one finite float per class")
        chosen_temperature = getattr(self, "temperature_", None)
        if not (isinstance(chosen_temperature, float) and 0 < chosen_temperature < math.inf):
            raise ValueError(
                f"{what}: temperature_ is not a positive finite float, got {chosen_temperature!r}"
            )

    def _keep_most_recent(self, class_texts: list[bytes]) -> None:
        """Drop a class's oldest texts until it holds at most ``max_class_bytes`` (the
        newest text always kept)."""
        if self.max_class_bytes is None:
            return
        while len(class_texts) > 1 and self._joined_length(class_texts) > self.max_class_bytes:
            del class_texts[0]

    def _joined_length(self, texts: list[bytes]) -> int:
        return sum(map(len, texts)) + len(self._separator) * len(texts)

    def _bits_after(
        self,
        texts: dict[Any, list[bytes]],
        n: int,
        queries: list[bytes],
        kind: str = CLASS,
        shown: bool = False,
        saved: SavedColumns | None = None,
    ) -> np.ndarray:
        """Bits of each query coded after each class's ``texts`` (of ``kind``) split into ``n``
        groups, the mean over the groups. Columns follow the sorted labels.

        One task per group, on ``n_jobs`` workers; with more workers than groups,
        the queries are shared out between a group's tasks, each of which reads the
        group again. A class's groups are joined when its tasks are dispatched.
        ``saved``: columns already known are not computed again, and each one
        computed is saved. ``shown``: with ``progress``, a bar counts the groups
        coded after."""
        labels = sorted(texts)
        if not queries:
            return np.empty((0, len(labels)))
        columns = {} if saved is None else {j: b for (k, j), b in saved.known.items() if k == kind}
        todo = [j for j in range(len(labels)) if j not in columns]
        counts = [_group_count(len(texts[labels[j]]), n) for j in todo]
        shares = _query_shares(len(queries), max(sum(counts), 1), effective_n_jobs(self.n_jobs))
        sizes = self.compressor_.conditional_sizes

        def tasks() -> Iterator[Any]:
            for j in todo:
                for group in _groups(texts[labels[j]], n, self._separator):
                    yield from (delayed(sizes)(group, queries[share]) for share in shares)

        results = ordered_results(tasks(), self.n_jobs)
        shown = self.progress and shown
        with progress_bar(shown, total=sum(counts), desc=f"{kind} texts", unit="text") as bar:
            for j, count in zip(todo, counts, strict=True):
                rows = []
                for _ in range(count):
                    row = [
                        check_sizes(
                            next(results),
                            self.compressor_,
                            "conditional_sizes",
                            count=len(queries[share]),
                            negative=True,
                        )
                        for share in shares
                    ]
                    rows.append(np.concatenate(row))
                    bar.update()
                columns[j] = 8.0 * np.mean(rows, axis=0)
                if saved is not None:
                    saved.save(kind, j, columns[j])
        return np.column_stack([columns[j] for j in range(len(labels))])

    def _costs(
        self,
        by_class: dict[Any, list[bytes]],
        n: int,
        queries: list[bytes],
        shown: bool = False,
        saved: SavedColumns | None = None,
    ) -> np.ndarray:
        """The costs predictions compare: bits of each query under each class of ``by_class``
        split into ``n`` groups, less its bits under the class's complement text when
        ``complement`` is set. Columns follow the sorted labels. ``shown``: with ``progress``,
        a bar for the class texts and one for the complement texts; ``saved``: as for
        :meth:`_bits_after`."""
        bits = self._bits_after(by_class, n, queries, CLASS, shown, saved)
        if self.complement_ is not None:
            complements = _complements(by_class, self.complement_)
            bits = bits - self._bits_after(complements, n, queries, COMPLEMENT, shown, saved)
        return bits

    def _dictionaries(self, texts: list[bytes]) -> list[bytes]:
        """``texts`` split into ``n_dictionaries_`` contiguous groups, as they are coded."""
        return _groups(texts, self.n_dictionaries_, self._separator)

    def extra_bits(self, X: Texts) -> np.ndarray:
        """Bits each query costs given each class text (mean over its dictionaries).

        Parameters
        ----------
        X : sequence of str
            Query texts.

        Returns
        -------
        bits : ndarray of shape (n_queries, n_classes)
            Columns follow ``classes_``.
        """
        check_is_fitted(self)
        queries = encode_texts(check_texts(X, name="X"))
        return self._bits_after(
            self._class_texts, self.n_dictionaries_, queries, CLASS, shown=True
        )

    def complement_bits(self, X: Texts) -> np.ndarray:
        """Bits each query costs given each class's complement text (mean over its groups).

        Parameters
        ----------
        X : sequence of str
            Query texts.

        Returns
        -------
        bits : ndarray of shape (n_queries, n_classes)
            Columns follow ``classes_``.

        Raises
        ------
        ValueError
            When the classifier has no ``complement``.
        """
        check_is_fitted(self)
        if self.complement_ is None:
            raise ValueError(
                "complement_bits needs complement texts, but this classifier was fitted with "
                "complement=None; set complement (for example complement=8) and fit it again."
            )
        queries = encode_texts(check_texts(X, name="X"))
        complements = _complements(self._class_texts, self.complement_)
        return self._bits_after(complements, self.n_dictionaries_, queries, COMPLEMENT, shown=True)

    def class_bits(self, X: Texts, *, saved: SavedColumns | None = None) -> np.ndarray:
        """The cost of each query under each class, which the predictions compare.

        ``extra_bits(X)``, less ``complement_bits(X)`` when fitted with a
        ``complement`` (``complement_`` is not None), less ``class_offsets_``.

        Parameters
        ----------
        X : sequence of str
            Query texts.
        saved : SavedColumns, default=None
            Columns of bits computed earlier for the same queries, which are
            not computed again, and where each column computed is handed as
            it is done: what lets
            :func:`~npc_classify.evaluation.resumable_class_bits` resume a
            stopped run. None computes every column.

        Returns
        -------
        bits : ndarray of shape (n_queries, n_classes)
            Columns follow ``classes_``; the smallest of a row is the prediction.
        """
        check_is_fitted(self)
        queries = encode_texts(check_texts(X, name="X"))
        costs = self._costs(self._class_texts, self.n_dictionaries_, queries, True, saved)
        return costs - self.class_offsets_

    def bits_fingerprint(self, X: Texts) -> str:
        """A digest of everything ``class_bits(X)`` depends on.

        The compressor (its :meth:`~npc_classify.compressors.Compressor.fingerprint`:
        class, every setting, the contents of its model files), the separator
        the class texts were joined with at fit, the number of groups per
        class, ``complement``, the class offsets when there are any, the class
        texts with their labels, and the queries: two calls with the same
        fingerprint give the same bits, so a checkpoint of one can resume the
        other.

        Parameters
        ----------
        X : sequence of str
            Query texts.

        Returns
        -------
        fingerprint : str
            The SHA-256 digest, in hexadecimal.
        """
        check_is_fitted(self)
        digest = hashlib.sha256()
        settings = [
            self.compressor_.fingerprint(),
            decode_text(self._separator),  # fixed at fit, as the class texts read it
            self.n_dictionaries_,
            None if self.complement_ is None else str(float(self.complement_)),
            [repr(label) for label in self.classes_.tolist()],
        ]
        if self.class_offsets_.any():
            settings.append(self.class_offsets_.tolist())
        digest.update(json.dumps(settings).encode())
        for label in self.classes_.tolist():
            _digest_texts(digest, self._class_texts[label])
        _digest_texts(digest, encode_texts(check_texts(X, name="X")))
        return digest.hexdigest()

    def decision_function(self, X: Texts) -> np.ndarray:
        """Bits each query saves under each class against its mean cost over the classes.

        The largest score is the predicted class, and the scores keep the
        differences of :meth:`class_bits` unsquashed (unlike
        :meth:`predict_proba` at a small ``temperature``), which suits a model
        stacked on them: ``StackingClassifier(...,
        stack_method="decision_function")``.

        Parameters
        ----------
        X : sequence of str
            Query texts.

        Returns
        -------
        scores : ndarray of shape (n_queries, n_classes), or (n_queries,) for two classes
            ``class_bits(X).mean(axis=1) - class_bits(X)[:, j]`` in column ``j``;
            with two classes, scikit-learn's binary convention: one score per
            query, the bits ``classes_[1]`` saves against ``classes_[0]``
            (positive when ``classes_[1]`` is cheaper).
        """
        bits = self.class_bits(X)
        if len(self.classes_) == 2:
            return bits[:, 0] - bits[:, 1]
        return bits.mean(axis=1, keepdims=True) - bits

    def predict_proba(self, X: Texts) -> np.ndarray:
        """Softmax of ``-class_bits / temperature_`` over the classes.

        Parameters
        ----------
        X : sequence of str
            Query texts.

        Returns
        -------
        proba : ndarray of shape (n_queries, n_classes)
            Columns follow ``classes_``.
        """
        return softmax(-self.class_bits(X) / self.temperature_, axis=1)

    def predict(self, X: Texts) -> np.ndarray:
        """The class under which each query costs the fewest bits (of :meth:`class_bits`).

        Parameters
        ----------
        X : sequence of str
            Query texts.

        Returns
        -------
        y_pred : ndarray of shape (n_queries,)
        """
        bits = self.class_bits(X)
        return self.classes_[bits.argmin(axis=1)]

    def explain(self, text: str, *, n_spans: int = 5) -> ClassCostExplanation:
        """Where one text's bytes are cheaper under its predicted class than under the runner-up.

        Each byte of the query (UTF-8) gets its code length under each class:
        the compressor's per-byte terms of :meth:`class_bits` (mean over the
        class's dictionaries, less the mean over its complement groups with
        ``complement``), so the bytes of a class add up to the query's
        ``class_bits`` under it plus the class's ``class_offsets_``, to
        rounding. Only compressors whose model
        codes byte by byte have them: ``ppm``, ``cm`` and ``lm``.

        Parameters
        ----------
        text : str
            One query.
        n_spans : int, default=5
            How many runs of words the predicted class coded more cheaply than
            the runner-up to report, those that saved the most.

        Returns
        -------
        explanation : ClassCostExplanation
            Plain arrays, and ``to_html()`` (shown by Jupyter) with the query
            shaded by the bits the predicted class saved.

        Raises
        ------
        TypeError
            With a stream compressor (gzip, zstd, bz2, lzma), whose sizes have
            no share per byte.
        NotImplementedError
            With the ``hf`` compressor, which codes tokens of several bytes.
        ValueError
            If the classifier knows one class only: there is no runner-up.

        Examples
        --------
        >>> from npc_classify import CompressionClassifier
        >>> texts = ["the striker scored a late goal", "the keeper saved a penalty",
        ...          "shares fell as profits slumped", "the bank raised interest rates"]
        >>> labels = ["sport", "sport", "business", "business"]
        >>> clf = CompressionClassifier("ppm").fit(texts, labels)
        >>> explanation = clf.explain("a late goal by the keeper")
        >>> explanation.predicted, explanation.runner_up
        ('sport', 'business')
        >>> explanation.byte_bits.shape
        (2, 25)
        """
        check_is_fitted(self)
        check_one_text(text, f"{type(self).__name__}.explain")
        check_argument(n_spans, "n_spans", [Interval(Integral, 0, None, closed="left")], "explain")
        compressor = self.compressor_
        if not isinstance(compressor, ArithmeticCodingCompressor):
            raise TypeError(
                f"{type(self).__name__}.explain needs a compressor that codes byte by byte "
                f"(ppm, cm or lm), got {compressor!r}: the size of a {compressor.name} stream "
                "has no share per byte."
            )
        if len(self.classes_) < 2:
            raise ValueError(
                "explain compares the predicted class with the runner-up, but the "
                f"classifier knows one class ({self.classes_[0]!r}); fit it on two or more."
            )
        query = encode_text(text)

        def byte_costs(texts: list[bytes]) -> np.ndarray:
            contexts = self._dictionaries(texts)
            lengths = [compressor.conditional_code_lengths(c, query) for c in contexts]
            return np.mean(lengths, axis=0)

        labels = self.classes_.tolist()
        byte_bits = np.array([byte_costs(self._class_texts[c]) for c in labels])
        if self.complement_ is not None:
            complements = _complements(self._class_texts, self.complement_)
            byte_bits -= np.array([byte_costs(complements[c]) for c in labels])
        class_bits = self.class_bits([text])[0]
        predicted, runner_up = np.argsort(class_bits, kind="stable")[:2]
        savings = byte_bits[runner_up] - byte_bits[predicted]
        spans, span_savings = saving_spans(text, savings, n_spans)
        return ClassCostExplanation(
            text=text,
            classes=self.classes_,
            predicted=labels[predicted],
            runner_up=labels[runner_up],
            class_bits=class_bits,
            byte_bits=byte_bits,
            spans=spans,
            span_savings=span_savings,
        )
