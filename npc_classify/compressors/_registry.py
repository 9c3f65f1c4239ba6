"""The name -> class registry of compressors, and the one way estimators get theirs."""

from __future__ import annotations

import inspect
from typing import Any, TypeVar

from sklearn.base import clone

from .._validation import StrOptions
from ._base import Compressor

_REGISTRY: dict[str, type[Compressor]] = {}
_C = TypeVar("_C", bound=type[Compressor])
#: The registered names, one live set: the parameter constraint below sees every
#: compressor registered later too.
_NAMES: set[str] = set()

COMPRESSOR_CONSTRAINTS: list[Any] = [StrOptions(_NAMES), Compressor]
"""The ``_parameter_constraints`` entry of every ``compressor`` parameter: a registered
name (compressors registered later included) or a :class:`Compressor` instance."""


def register_compressor(cls: _C) -> _C:
    """Make ``cls`` available by its ``name`` to :func:`get_compressor`.

    Usable as a class decorator on a :class:`Compressor` subclass. The class
    must set ``name`` itself (a subclass would otherwise take its parent's
    place), to a name no other class holds; a class of the same module and
    qualified name, as a notebook cell run again defines, replaces its
    earlier self.

    Parameters
    ----------
    cls : type
        The :class:`Compressor` subclass.

    Returns
    -------
    cls : type
        ``cls`` itself, so that the decorated name stays the class.

    Raises
    ------
    TypeError
        If ``cls`` is not a Compressor subclass setting a non-empty str ``name``.
    ValueError
        If another class is registered under that name (the built-ins included).
    """
    name = getattr(cls, "name", None)
    if not (isinstance(cls, type) and issubclass(cls, Compressor)) or not (
        isinstance(name, str) and name
    ):
        raise TypeError(
            f"register_compressor expects a Compressor subclass with a non-empty str "
            f"`name`, got {cls!r}."
        )
    if any(p.kind is inspect.Parameter.VAR_POSITIONAL for p in _parameters(cls)):
        raise TypeError(
            f"{cls.__name__}.__init__ takes *args, which scikit-learn's get_params cannot "
            "read; name each setting."
        )
    if "name" not in vars(cls):
        raise TypeError(
            f"{cls.__name__} inherits its name {name!r}; give it its own (name = ...) so "
            "that it does not take its parent's place."
        )
    held = _REGISTRY.get(name)
    if held is not None and _qualified(held) != _qualified(cls):
        raise ValueError(
            f"{name!r} is the name of {_qualified(held)}; give {cls.__name__} another name."
        )
    _REGISTRY[name] = cls
    _NAMES.add(name)
    return cls


def _qualified(cls: type) -> str:
    """``cls``'s module and qualified name; a script's module by one name, ``__main__``,
    whether it runs as the program or is re-run as ``__mp_main__`` by a worker process."""
    module = "__main__" if cls.__module__ == "__mp_main__" else cls.__module__
    return f"{module}.{cls.__qualname__}"


def compressor_class(name: str) -> type[Compressor]:
    """The class registered as ``name``.

    Raises
    ------
    ValueError
        If no compressor has that name; the message lists those that do.
    """
    try:
        return _REGISTRY[name]
    except KeyError:
        raise ValueError(
            f"Unknown compressor {name!r}. Expected one of {available_compressors()} or a "
            "Compressor instance."
        ) from None


def default_settings(name: str) -> dict[str, Any]:
    """The settings of the compressor ``name`` with their defaults, building none.

    A setting without a default maps to ``inspect.Parameter.empty``.
    """
    variadic = (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD)
    return {
        p.name: p.default for p in _parameters(compressor_class(name)) if p.kind not in variadic
    }


def _parameters(cls: type[Compressor]) -> list[inspect.Parameter]:
    """The parameters of ``cls``'s constructor."""
    return list(inspect.signature(cls).parameters.values())


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
        cls = compressor_class(compressor)
        settings = default_settings(compressor)
        missing = [
            s for s, d in settings.items() if d is inspect.Parameter.empty and s not in params
        ]
        if missing:
            raise TypeError(
                f"The {compressor!r} compressor needs {', '.join(missing)}, which has no "
                f"default: write get_compressor({compressor!r}, {missing[0]}=...)."
            )
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
