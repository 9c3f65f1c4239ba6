"""Checks of parameters and of input data, in one place.

Parameters are declared in scikit-learn's way: each estimator and compressor
has a ``_parameter_constraints`` dict, checked at the start of ``fit`` by
``_validate_params`` and reported as scikit-learn's ``InvalidParameterError``
(a ``ValueError`` and ``TypeError``): "The 'k' parameter of NCDClassifier must
be an int in the range [1, inf). Got 0 instead." The constraint types come
from scikit-learn and are re-exported here, so the project imports them from
one module. Data (texts, labels and regression targets) is checked by :func:`check_texts`,
:func:`check_labels` and :func:`check_targets`.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Iterable, Iterator, Mapping
from collections.abc import Set as AbstractSet
from contextlib import contextmanager
from typing import Any, TypeVar, cast

import numpy as np
from sklearn.utils import assert_all_finite
from sklearn.utils._param_validation import (
    Interval,
    InvalidParameterError,
    StrOptions,
    validate_parameter_constraints,
)
from sklearn.utils._param_validation import validate_params as _sklearn_validate_params
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import column_or_1d

from ._text import shorten

_Function = TypeVar("_Function", bound=Callable[..., Any])

#: The constraint of a count: a whole number of at least 1.
AT_LEAST_ONE = Interval(numbers.Integral, 1, None, closed="left")

__all__ = [
    "AT_LEAST_ONE",
    "Interval",
    "InvalidParameterError",
    "StrOptions",
    "TextInputMixin",
    "check_argument",
    "check_labels",
    "check_one_text",
    "check_targets",
    "check_texts",
    "check_training_texts",
    "forget_fit",
    "unfitted_on_failure",
    "validate_params",
]


def validate_params(parameter_constraints: dict[str, Any]) -> Callable[[_Function], _Function]:
    """scikit-learn's ``validate_params`` (nested validation skipped), typed so that the
    decorated function keeps its signature for a user's type checker: scikit-learn's
    decorator is untyped, which would make the function ``Any``."""
    decorate = _sklearn_validate_params(parameter_constraints, prefer_skip_nested_validation=True)
    return cast(Callable[[_Function], _Function], decorate)


def check_argument(value: Any, name: str, constraints: list[Any], caller: str) -> None:
    """Check a method's argument as ``_parameter_constraints`` checks a parameter.

    Raises scikit-learn's ``InvalidParameterError``, in its wording: "The
    'n_neighbors' parameter of kneighbors must be ... Got ... instead."
    """
    validate_parameter_constraints({name: constraints}, {name: value}, caller_name=caller)


class TextInputMixin:
    """Declares string input to scikit-learn, as ``TfidfVectorizer`` does: one text per
    sample, no 2-d arrays, no ``n_features_in_``."""

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()  # type: ignore[misc]
        tags.input_tags.string = True
        tags.input_tags.two_d_array = False
        return tags


def forget_fit(estimator: Any) -> None:
    """Remove ``estimator``'s fitted state.

    Its attributes ending in ``_`` (what ``check_is_fitted`` looks for) and the
    private ones its class names in ``_private_state``; scikit-learn's own
    attributes (``set_output``'s settings, callback contexts) are left alone.
    """
    private = getattr(estimator, "_private_state", ())
    for name in list(vars(estimator)):
        if (name.endswith("_") and not name.startswith("__")) or name in private:
            delattr(estimator, name)


@contextmanager
def unfitted_on_failure(estimator: Any) -> Iterator[None]:
    """Leave ``estimator`` unfitted when the fit inside fails or is interrupted.

    A fit replaces the fitted state piece by piece; stopped half-way (an error,
    Ctrl-C), it would leave pieces of two fits that predict without an error,
    and wrongly. So on any exception the fitted state is removed
    (:func:`forget_fit`) and the estimator raises ``NotFittedError`` until it
    is fitted again. Inputs are checked before it, so that a fit refused for
    its input leaves the earlier fit in place.
    """
    try:
        yield
    except BaseException:
        forget_fit(estimator)
        raise


def check_texts(X: Any, *, name: str = "X") -> list[str]:
    """Return ``X`` as a list of ``str``, or raise a message that says why not.

    Parameters
    ----------
    X : iterable of str
        A list, tuple, 1-d array or pandas Series of texts. Empty strings
        and any Unicode text are valid. Unordered collections (a ``set``, a
        ``dict``) and tables (a pandas ``DataFrame``, a 2-d array) are refused:
        their texts have no order to pair with labels, or are not one text
        per sample.
    name : str, default="X"
        How to call the argument in error messages.

    Returns
    -------
    texts : list of str
    """
    if isinstance(X, (str, bytes)):
        raise TypeError(
            f"{name} must be an iterable of texts, got a single "
            f"{type(X).__name__} ({_preview(X)}). Wrap it in a list: [text]."
        )
    _refuse_unordered(X, name)
    if hasattr(X, "columns") and getattr(X, "ndim", None) == 2:
        columns = list(X.columns)
        example = repr(columns[0]) if columns else "'text'"
        raise TypeError(
            f"{name} must be one text per sample, got a {type(X).__name__} with columns "
            f"{_preview(columns, 80)} (iterating over it gives the column names). Pass "
            f"the column of texts instead, e.g. {name}[{example}]."
        )
    if X is None or not isinstance(X, Iterable):
        raise TypeError(
            f"{name} must be an iterable of str (a list of texts), got {type(X).__name__}."
        )
    if isinstance(X, np.ndarray) and X.ndim != 1:
        raise ValueError(
            f"{name} must be one-dimensional (one text per sample), got an array "
            f"of shape {X.shape}."
        )
    texts = list(X)
    for i, text in enumerate(texts):
        if not isinstance(text, str):
            raise TypeError(
                f"{name} must contain only str, but item {i} is "
                f"{type(text).__name__}: {_preview(text)}. Convert or drop it first."
            )
    return texts


def check_training_texts(X: Any) -> list[str]:
    """:func:`check_texts` of a training set, which must hold at least one text."""
    texts = check_texts(X, name="X")
    if not texts:
        raise ValueError("Cannot fit on an empty training set: X has no texts.")
    return texts


def check_one_text(text: Any, caller: str) -> str:
    """Return ``text`` if it is one ``str``; refuse a list or anything else with a message."""
    if not isinstance(text, str):
        raise TypeError(
            f"{caller} takes one text (a str), got {type(text).__name__}: {_preview(text)}. "
            "Call it once per text."
        )
    return text


def check_labels(y: Any, n_samples: int) -> np.ndarray:
    """Return ``y`` as a 1-d array of ``n_samples`` valid class labels.

    Labels may be strings or numbers, not a mix of both. ``None`` and NaN
    are rejected, as are labels of a length other than ``n_samples``, and
    continuous or infinite targets (scikit-learn's
    ``check_classification_targets``). A column vector of shape
    ``(n_samples, 1)`` is flattened with scikit-learn's warning, and anything
    with ``__array__`` is read as an array.
    """
    if y is None or isinstance(y, (str, bytes)):
        raise TypeError(
            f"y must be a sequence with one label per text, got {type(y).__name__}: {_preview(y)}."
        )
    _refuse_unordered(y, "y")
    if hasattr(y, "__array__"):
        array = np.asarray(y)
        if array.ndim == 2 and array.shape[1] == 1:
            array = column_or_1d(array, warn=True)
        if array.ndim != 1:
            raise ValueError(f"y must be one-dimensional, got an array of shape {array.shape}.")
        items = array.tolist()
    elif isinstance(y, Iterable):
        items = list(y)
    else:
        raise TypeError(
            f"y must be a sequence with one label per text, got {type(y).__name__}: {_preview(y)}."
        )
    if len(items) != n_samples:
        raise ValueError(
            f"X and y must have the same length: got {n_samples} texts and {len(items)} labels."
        )
    kinds = set()
    for i, label in enumerate(items):
        if _is_missing(label):
            raise ValueError(
                f"y contains a missing label ({label!r}) at position {i}; every "
                "training text needs a class."
            )
        if isinstance(label, (tuple, list, dict, AbstractSet, np.ndarray)):
            raise TypeError(
                f"y must hold one label per text, a str or a number, but item {i} is a "
                f"{type(label).__name__}: {_preview(label)}. Join or encode it into one label."
            )
        kinds.add(label_kind(label))
    if len(kinds) > 1:
        raise TypeError(
            f"y mixes label types {sorted(kinds)}; use one type for all labels, "
            "e.g. convert them all with str()."
        )
    if not items:
        return np.asarray(items, dtype=object)
    labels = np.asarray(items)
    # Text labels are always classes: scikit-learn's check would only add its warning that
    # many distinct labels may be a regression target, wrong for one-shot learning.
    if kinds != {"str"}:
        check_classification_targets(labels)  # refuses continuous numbers
    return labels


def label_kind(label: Any) -> str:
    """What kind of label ``label`` is, as errors name it: "str", "number" or its type."""
    if isinstance(label, str):
        return "str"
    if isinstance(label, numbers.Number):
        return "number"
    return type(label).__name__


def check_targets(y: Any, n_samples: int) -> np.ndarray:
    """Return ``y`` as a 1-d float64 array of ``n_samples`` finite regression targets.

    One number per text: a 2-d ``y`` of several columns (several targets per
    text) is refused, a column vector of shape ``(n_samples, 1)`` is flattened
    with scikit-learn's warning (``column_or_1d``), and NaN or infinite
    targets are refused (``assert_all_finite``).
    """
    if y is None or isinstance(y, (str, bytes)):
        raise TypeError(
            "y must be a sequence with one numeric target per text, got "
            f"{type(y).__name__}: {_preview(y)}."
        )
    _refuse_unordered(y, "y")
    if isinstance(y, Iterator):  # a generator: read once, as check_labels reads one
        y = list(y)
    array = np.asarray(y)
    if array.ndim == 2 and array.shape[1] > 1:
        raise ValueError(
            f"y must hold one target per text, got an array of shape {array.shape}: "
            f"{array.shape[1]} targets per text. Fit one regressor per column, e.g. with "
            "sklearn.multioutput.MultiOutputRegressor."
        )
    try:
        targets = column_or_1d(array, warn=True, dtype=np.float64)
    except (TypeError, ValueError) as error:
        if array.ndim == 1:  # one item per text, but not all of them numbers
            raise ValueError(
                f"y must hold numbers (regression targets), got {_preview(array.tolist())} "
                f"({error}). Class labels go to a classifier."
            ) from None
        raise
    if len(targets) != n_samples:
        raise ValueError(
            f"X and y must have the same length: got {n_samples} texts and {len(targets)} targets."
        )
    assert_all_finite(targets, input_name="y")
    return targets


def _is_missing(label: Any) -> bool:
    """None, NaN, NaT, ``pd.NA`` or a NaN ``Decimal``: each is unequal to itself, or
    cannot say whether it is."""
    if label is None:
        return True
    if isinstance(label, numbers.Real):
        return math.isnan(label)
    try:
        return bool(label != label)
    except (TypeError, ValueError):  # pd.NA: its comparisons are NA, which has no truth
        return True


def _refuse_unordered(collection: Any, name: str) -> None:
    """A set or a mapping has no order to pair texts with labels: refuse it."""
    if isinstance(collection, (AbstractSet, Mapping)):
        raise TypeError(
            f"{name} must be an ordered sequence (a list, tuple, array or Series), got a "
            f"{type(collection).__name__}, whose iteration order is arbitrary, so its items "
            "cannot be matched with labels or predictions. Pass a list in the order you mean."
        )


def _preview(value: Any, width: int = 40) -> str:
    """``repr(value)``, cut to ``width`` characters for an error message."""
    return shorten(repr(value), width)


def check_sizes(
    sizes: Any,
    compressor: object,
    method: str,
    *,
    count: int | None = None,
    negative: bool = False,
) -> np.ndarray:
    """``sizes``, what ``compressor.method`` returned, as a float64 array if every one is a
    finite, non-negative number of bytes; else a clear error.

    A distance or a prediction computed from a NaN or negative size would be
    silently wrong, and so would ``count`` inputs given fewer or more sizes
    (broadcasting would spread them over the inputs). ``negative=True`` lets
    conditional sizes below 0 through: an item can shorten its context's code.
    """
    sizes = np.asarray(sizes, dtype=np.float64)
    name = f"{type(compressor).__name__}.{method}"
    if count is not None and sizes.shape != (count,):
        raise ValueError(
            f"{name} returned {sizes.size} sizes for {count} inputs (an array of shape "
            f"{sizes.shape}): expected one size per input, shape ({count},)."
        )
    bad = ~np.isfinite(sizes) if negative else ~(np.isfinite(sizes) & (sizes >= 0))
    if bad.any():
        first = float(sizes[bad][0])
        raise ValueError(
            f"{name} returned {first!r} for an input: "
            f"sizes must be finite numbers of bytes{'' if negative else ', at least 0'}."
        )
    return sizes
