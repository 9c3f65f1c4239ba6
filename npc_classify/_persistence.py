"""Saving and loading fitted estimators with skops: no code runs from the file."""

from __future__ import annotations

import os
import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, get_args

from sklearn.base import BaseEstimator

from ._candidates import CandidateIndex
from ._compression_classifier import CompressionClassifier
from ._ncd_classifier import NCDClassifier
from ._ncd_regressor import NCDRegressor
from ._ncd_transformer import NCDTransformer
from ._output import write_chunks
from .compressors._registry import registered_classes

#: The estimators :func:`save_model` saves.
Estimator = NCDClassifier | NCDRegressor | NCDTransformer | CompressionClassifier
#: The most a model file's members may unpack to unless load_model is told otherwise: 4 GiB.
DEFAULT_MAX_MODEL_SIZE = 4 << 30
#: Types outside scikit-learn's own that a saved estimator may hold.
EXTRA_TRUSTED_TYPES: tuple[str, ...] = ("scipy.sparse._csr.csr_matrix",)


def trusted_types() -> list[str]:
    """Every type :func:`load_model` accepts beyond those skops trusts by default."""
    classes = [*get_args(Estimator), CandidateIndex, *registered_classes()]
    return sorted({f"{c.__module__}.{c.__qualname__}" for c in classes} | set(EXTRA_TRUSTED_TYPES))


def save_model(model: BaseEstimator, path: str | os.PathLike[str]) -> None:
    """Save a fitted estimator in the skops format (a zip of JSON and arrays).

    A language-model compressor is saved as its settings, the model's file or
    name included, not its weights: the model must be at the same place when
    the estimator is loaded.

    Parameters
    ----------
    model : NCDClassifier, NCDRegressor, NCDTransformer or CompressionClassifier
        The estimator to save; or a scikit-learn pipeline or other estimator
        of them, if it holds no type beyond :func:`trusted_types` and
        scikit-learn's own.
    path : path-like
        The file to write. An existing file is replaced only once the new one
        is whole (written beside it, then moved over it, with its
        permissions): a save that fails or is interrupted leaves it as it was.

    Raises
    ------
    ValueError
        If ``path`` is a directory, ``model`` holds types that
        :func:`load_model` would refuse (a ``GridSearchCV``'s
        ``StratifiedKFold``, say), or parameters its ``fit`` would refuse
        (``set_params(k=0)`` after fitting), or a ``k`` its fitted search cannot
        give (above the training texts, or the candidates ``fit`` counted); nothing
        is written then.
    """
    if Path(path).is_dir():
        raise ValueError(f"{path} is a directory; expected the path of the model file to write.")
    try:
        _check_parameters(model)
    except ValueError as error:
        raise ValueError(f"{error} Nothing was written to {path}.") from None
    skops = skops_io()
    data = skops.dumps(model)
    unexpected = _unexpected_types(skops.get_untrusted_types(data=data))
    if unexpected:
        raise ValueError(
            f"{type(model).__name__} holds types that load_model would refuse: {unexpected}. "
            f"Nothing was written to {path}. Save the fitted estimator itself (a search's "
            "best_estimator_), or use skops.io.dump and load it with skops.io.load(path, "
            "trusted=[...])."
        )
    write_chunks(path, [data])


def load_model(path: str | os.PathLike[str], *, max_size: int = DEFAULT_MAX_MODEL_SIZE) -> Any:
    """Load an estimator saved by :func:`save_model`, refusing any type not expected.

    Unlike pickle, loading executes no code from the file: skops rebuilds only
    the types listed by :func:`trusted_types` (and scikit-learn's and numpy's
    own), and this function refuses a file that asks for anything else. The
    file must be a regular file whose members unpack to at most ``max_size``
    bytes (a zip bomb is refused before it is unpacked), and the estimator's
    fitted state is checked as strictly as ``fit`` checks its input and
    parameters.

    Parameters
    ----------
    path : path-like
        The file.
    max_size : int, default=DEFAULT_MAX_MODEL_SIZE
        The most the file's members may unpack to, in bytes (4 GiB).

    Returns
    -------
    model : estimator
        The estimator the file holds, as it was saved.

    Raises
    ------
    FileNotFoundError
        If there is no file at ``path``.
    ValueError
        If the file is not a regular file, is truncated, damaged, not a skops
        file, would unpack past ``max_size``, holds types outside
        :func:`trusted_types`, or holds an inconsistent fitted state.
    """
    skops = skops_io()
    _check_archive(path, max_size)
    try:
        requested = skops.get_untrusted_types(file=path)
    except (zipfile.BadZipFile, KeyError, ValueError, EOFError, RecursionError) as error:
        raise _unreadable(path, error) from None
    unexpected = _unexpected_types(requested)
    if unexpected:
        raise ValueError(
            f"{path} asks to build types that npc_classify does not expect: {unexpected}. "
            "Refusing to load it. If you trust the file, inspect those types and call "
            "skops.io.load(path, trusted=[...]) yourself."
        )
    try:
        model = skops.load(path, trusted=requested)
        _check_parameters(model)
    except Exception as error:  # skops raises many kinds; the state checks raise ValueError
        raise ValueError(
            f"{path} could not be rebuilt as a model ({type(error).__name__}: {error})."
        ) from error
    return model


def _check_parameters(model: Any) -> None:
    """Refuse an estimator of this package, or one anywhere inside ``model`` (a pipeline's
    step, a meta-estimator's fitted copies), whose parameters its ``fit`` would refuse
    (changed by ``set_params`` after fitting, or edited in the file).

    Checked on saving and loading rather than on every unpickling, which a worker
    process does with a user's compressor class it may not have registered.
    """
    for estimator in estimators_within(model, set()):
        estimator._validate_params()
        if hasattr(estimator, "n_candidates_"):  # a fitted neighbour search: predict's check
            estimator._check_n_neighbors(estimator.k, "k")


def estimators_within(value: Any, seen: set[int]) -> Iterator[Estimator]:
    """The estimators of this package in ``value``: it, its attributes if it is a
    scikit-learn estimator, and the items of its lists, tuples and dicts, to any depth."""
    if id(value) in seen:
        return
    seen.add(id(value))
    if isinstance(value, get_args(Estimator)):
        yield value
    if isinstance(value, (list, tuple)):
        children: Iterable[Any] = value
    elif isinstance(value, dict):
        children = value.values()
    elif isinstance(value, BaseEstimator):
        children = vars(value).values()
    else:
        return
    for child in children:
        yield from estimators_within(child, seen)


def _unexpected_types(requested: list[str]) -> list[str]:
    """The types of ``requested`` beyond :func:`trusted_types`, sorted."""
    return sorted(set(requested) - set(trusted_types()))


def _unreadable(path: str | os.PathLike[str], error: Exception) -> ValueError:
    return ValueError(
        f"{path} is not a readable model file: it is truncated, damaged or not in "
        f"the skops format ({type(error).__name__}: {error})."
    )


def _check_archive(path: str | os.PathLike[str], max_size: int) -> None:
    """Refuse what is not a regular zip file, or would unpack past ``max_size`` bytes."""
    if not os.path.isfile(path):
        kind = "a folder" if os.path.isdir(path) else "not a regular file"
        if not os.path.exists(path):
            raise FileNotFoundError(f"No such model file: {path}")
        raise ValueError(f"{path} is {kind}: a model is a file written by save_model.")
    try:
        with zipfile.ZipFile(path) as archive:
            unpacked = sum(member.file_size for member in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise _unreadable(path, error) from None
    if unpacked > max_size:
        raise ValueError(
            f"{path} would unpack to {unpacked:,} bytes, more than max_size={max_size:,}: "
            "refused before unpacking. Pass a larger max_size to load_model if you trust it."
        )


def skops_io() -> Any:
    """``skops.io``, or an ImportError that says how to install it."""
    try:
        import skops.io
    except ImportError as error:
        if error.name in ("skops", "skops.io"):  # not installed
            raise ImportError(
                'Saving and loading models needs skops: pip install "npc-classify[persist]".'
            ) from None
        raise ImportError(
            f"skops is installed but cannot be imported ({error}). If it is 0.10 or earlier, "
            "it does not import with scikit-learn 1.6 and later: pip install -U 'skops>=0.11'."
        ) from error
    return skops.io
