"""The name -> class registry of compressors, and the one way estimators get theirs."""

from __future__ import annotations

from typing import Any

from sklearn.base import clone

from .._validation import StrOptions
from ._base import Compressor

_REGISTRY: dict[str, type[Compressor]] = {}
#: The registered names, one live set: the parameter constraint below sees every
#: compressor registered later too.
_NAMES: set[str] = set()

COMPRESSOR_CONSTRAINTS: list[Any] = [StrOptions(_NAMES), Compressor]
"""The ``_parameter_constraints`` entry of every ``compressor`` parameter: a registered
name (compressors registered later included) or a :class:`Compressor` instance."""


def register_compressor(cls: type[Compressor]) -> type[Compressor]:
    """Make ``cls`` available by its ``name`` to :func:`get_compressor`.

    Usable as a class decorator on a :class:`Compressor` subclass.
    """
    if not (isinstance(cls, type) and issubclass(cls, Compressor)) or not cls.name:
        raise TypeError(
            f"register_compressor expects a Compressor subclass with a non-empty "
            f"`name`, got {cls!r}."
        )
    _REGISTRY[cls.name] = cls
    _NAMES.add(cls.name)
    return cls


def available_compressors() -> list[str]:
    """Names accepted by :func:`get_compressor`, sorted."""
    return sorted(_REGISTRY)


def registered_classes() -> list[type[Compressor]]:
    """The registered compressor classes, sorted by name; none is instantiated."""
    return [_REGISTRY[name] for name in available_compressors()]


def get_compressor(compressor: str | Compressor, **params: Any) -> Compressor:
    """Turn a registered name, or a compressor object, into a compressor.

    Parameters
    ----------
    compressor : str or Compressor
        A name from :func:`available_compressors`, or an instance of a
        :class:`Compressor` subclass (returned as is).
    **params
        Constructor arguments for a named compressor, e.g. ``level=19``.

    Returns
    -------
    compressor : Compressor

    Examples
    --------
    >>> from npc_classify.compressors import get_compressor
    >>> get_compressor("zstd", level=19)
    ZstdCompressor(level=19)
    """
    if isinstance(compressor, Compressor):
        if params:
            raise TypeError(
                f"Parameters can only be given with a compressor name, got "
                f"{type(compressor).__name__} and {sorted(params)}: set them with "
                "compressor.set_params(...) instead."
            )
        return compressor
    if isinstance(compressor, str):
        try:
            cls = _REGISTRY[compressor]
        except KeyError:
            raise ValueError(
                f"Unknown compressor {compressor!r}. Expected one of "
                f"{available_compressors()} or a Compressor instance."
            ) from None
        return cls(**params)
    raise TypeError(
        f"compressor must be a name from {available_compressors()} or an instance "
        f"of npc_classify.compressors.Compressor, got {type(compressor).__name__}: "
        f"{compressor!r}. To use your own algorithm, subclass Compressor and "
        "implement compress()."
    )


def check_compressor(compressor: str | Compressor) -> Compressor:
    """The estimators' compressor: built or cloned, validated, its model loaded.

    A name builds a new compressor with its defaults; an object is cloned, so
    fitting never changes the user's object. Its parameters are checked
    (:meth:`Compressor.validate`), then :meth:`Compressor.load` reads any
    model file, so a missing file fails in ``fit``.

    Parameters
    ----------
    compressor : str or Compressor
        A registered name or a :class:`Compressor`.
    """
    built = get_compressor(compressor)
    if built is compressor:
        built = clone(built)
    built.validate()
    built.load()
    return built
