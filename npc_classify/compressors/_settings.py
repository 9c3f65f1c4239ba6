"""Compressors from text: ``NAME=VALUE`` settings, each read as the type of its default.

This is how the command line's ``--param`` and ``--model`` build a compressor,
and it works for any registered compressor, a user's included: the accepted
names and their types come from the defaults of the compressor's constructor, the
settings ``get_params()`` returns.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Sequence
from typing import Any

from ._base import Compressor
from ._registry import compressor_class, default_settings, get_compressor, registered_classes

_BOOLEANS = {"true": True, "1": True, "false": False, "0": False}
#: How a value is read, by the type of the setting's default: parser, what it expects.
_VALUE_PARSERS: dict[type, tuple[Callable[[str], Any], str]] = {
    bool: (lambda text: _BOOLEANS[text.lower()], "true, false, 1 or 0"),
    int: (int, "an integer"),
    float: (float, "a number"),
    str: (str, "a string"),
}


def compressor_from_settings(
    name: str, settings: Sequence[str] = (), *, model: str | None = None
) -> Compressor:
    """A validated compressor from its registered name and ``NAME=VALUE`` settings.

    Parameters
    ----------
    name : str
        A name from :func:`available_compressors`.
    settings : sequence of str, default=()
        ``"level=19"``, ``"header=false"``...: each value is read as the type
        of that setting's default (``true``/``false``/``1``/``0`` for a bool).
    model : str, default=None
        The model of a compressor built from one (``lm``: a file, ``hf``: a
        Hub name or folder), given to its ``model_parameter``.

    Returns
    -------
    compressor : Compressor
        With its parameters checked (:meth:`Compressor.validate`).

    Raises
    ------
    ValueError
        A malformed setting, a name the compressor lacks (the message lists
        its settings), a value that is not of the expected type, a model given
        to a compressor without one or missing for one that needs it, or a
        value outside the setting's range.

    Examples
    --------
    >>> from npc_classify.compressors import compressor_from_settings
    >>> compressor_from_settings("gzip", ["level=6", "header=false"])
    GzipCompressor(header=False, level=6)
    """
    parameter = compressor_class(name).model_parameter
    accepted = {key: value for key, value in default_settings(name).items() if key != parameter}
    params: dict[str, Any] = {}
    for setting in settings:
        key, equals, text = setting.partition("=")
        if not (equals and key):
            raise ValueError(f"A setting is NAME=VALUE, got {setting!r}.")
        if key not in accepted:
            given_by_model = f" (and the model gives its {parameter})" if parameter else ""
            shown = key if key.isidentifier() else repr(key)
            raise ValueError(
                f"{shown} is not a setting of the {name} compressor; its settings are "
                f"{', '.join(sorted(accepted)) or 'none'}{given_by_model}."
            )
        if key in params:
            given = ", ".join(other for other in settings if other.partition("=")[0] == key)
            raise ValueError(f"{key} is given twice ({given}); give each setting once.")
        params[key] = _parse_value(key, text, accepted[key])
    if model is not None:
        if parameter is None:
            with_model = [cls.name for cls in registered_classes() if cls.model_parameter]
            raise ValueError(
                f"A model is for the compressors built from one ({', '.join(with_model)}), "
                f"not {name}."
            )
        params[parameter] = model
    elif parameter is not None:
        try:
            get_compressor(name).load()  # without its model, it says what it expects
        except ValueError as error:
            raise ValueError(f"The {name} compressor needs a model. {error}") from None
    compressor = get_compressor(name, **params)
    compressor.validate()
    return compressor


def _parse_value(name: str, text: str, default: Any) -> Any:
    """``text`` read as a value of the type of ``default``, the setting's default."""
    if default is inspect.Parameter.empty:
        raise ValueError(
            f"{name} cannot be set from text: it has no default to give its type; build "
            "the compressor in Python instead."
        )
    if type(default) not in _VALUE_PARSERS:
        raise ValueError(
            f"{name} cannot be set from text: its default {default!r} is a "
            f"{type(default).__name__}, not a bool, int, float or str."
        )
    parse, expected = _VALUE_PARSERS[type(default)]
    try:
        return parse(text)
    except (KeyError, ValueError):
        raise ValueError(f"{name} expects {expected}, got {text!r}.") from None
