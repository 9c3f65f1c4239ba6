"""The ``compressor`` parameter every estimator shares, and what to do when it is misused.

Two mistakes are common: giving a compressor's setting to the estimator
(``CompressionClassifier("zstd", level=19)``; a setting whose name the
estimator has too, PPM's ``order`` given to an NCD estimator, is refused at
fit), and tuning a compressor's setting while the compressor is a name (a
grid over ``compressor__level`` with ``compressor="zstd"``: a name has no
parameters). Each gets a message that says how to write it instead.
"""

from __future__ import annotations

import inspect
from typing import Any, Self

from sklearn.utils._param_validation import InvalidParameterError

from .compressors import Compressor, available_compressors
from .compressors._registry import default_settings


class CompressorParameterMixin:
    """Hints for settings given to the wrong object; for estimators with ``compressor``."""

    def __new__(cls, *args: Any, **kwargs: Any) -> Self:
        accepted = inspect.signature(cls.__init__).parameters
        unknown = sorted(name for name in kwargs if name not in accepted)
        if unknown:
            default = accepted["compressor"].default
            compressor = args[0] if args else kwargs.get("compressor", default)
            raise TypeError(_misplaced_settings_message(cls.__name__, compressor, kwargs, unknown))
        return super().__new__(cls)

    def _validate_params(self) -> None:
        """scikit-learn's check of the parameters, and of a compressor object's settings
        (``compressor__level``), before a fit forgets the earlier one; a refused value
        that fits a setting of the same name of the compressor (PPM's ``order``) is told
        where it goes."""
        try:
            super()._validate_params()  # type: ignore[misc]
        except InvalidParameterError as error:
            hint = _shared_name_hint(self) or _unregistered_name_hint(self)
            if hint is None:
                raise
            raise InvalidParameterError(f"{error} {hint}") from None
        compressor = getattr(self, "compressor", None)
        if isinstance(compressor, Compressor):
            compressor.validate()

    def set_params(self, **params: Any) -> Self:
        """Set parameters; ``compressor__<name>`` needs a compressor object, not a name.

        Parameters
        ----------
        **params : dict
            Estimator parameters, and ``compressor__<name>`` for a setting of
            the compressor.

        Returns
        -------
        self : estimator
            The estimator, with its new parameters.
        """
        nested = sorted(name for name in params if name.startswith("compressor__"))
        compressor = params.get("compressor", getattr(self, "compressor", None))
        if nested and isinstance(compressor, str):
            cls = type(self).__name__
            raise ValueError(
                f"Cannot set {', '.join(nested)} on {cls}: its compressor is the name "
                f"{compressor!r}, which has no parameters. Give it a compressor object to "
                f"tune, {cls}(get_compressor({compressor!r})), or put whole compressors "
                f"in the grid: {{'compressor': [get_compressor({compressor!r}, "
                f"{nested[0].removeprefix('compressor__')}=...), ...]}}."
            )
        return super().set_params(**params)  # type: ignore[misc]


def _misplaced_settings_message(
    estimator: str, compressor: Any, kwargs: dict[str, Any], unknown: list[str]
) -> str:
    """Why ``unknown`` are not the estimator's settings, and where they go."""
    message = f"{estimator} got unexpected keyword arguments {unknown}."
    if isinstance(compressor, str) and compressor in available_compressors():
        settings = default_settings(compressor)
        if all(name in settings for name in unknown):
            given = ", ".join(f"{name}={kwargs[name]!r}" for name in unknown)
            return (
                f"{message} They are settings of the {compressor!r} compressor: write "
                f"{estimator}(get_compressor({compressor!r}, {given})) "
                "(get_compressor is in npc_classify)."
            )
    return message + " See help(" + estimator + ") for its parameters."


def _unregistered_name_hint(estimator: Any) -> str | None:
    """Why a compressor name may be unknown here though the user registered it: a worker
    process (loky's, Ray's) does not run the script that registered it."""
    compressor = getattr(estimator, "compressor", None)
    if not isinstance(compressor, str) or compressor in available_compressors():
        return None
    return (
        f"If you registered {compressor!r} yourself, this process has not: a worker process "
        "(GridSearchCV or cross_val_score with n_jobs, a Ray cluster) does not run the script "
        "that registered it. Give the estimator the compressor object instead, or register it "
        "in a module the workers import."
    )


def _shared_name_hint(estimator: Any) -> str | None:
    """Where a parameter goes whose value is of the type of a same-named setting of the
    compressor named, not of the estimator's own; None if there is none."""
    compressor = estimator.compressor
    if not (isinstance(compressor, str) and compressor in available_compressors()):
        return None
    settings = default_settings(compressor)
    defaults = inspect.signature(type(estimator).__init__).parameters
    for name in sorted(set(settings) & set(defaults)):
        value, own = getattr(estimator, name), defaults[name].default
        if isinstance(value, type(settings[name])) and not isinstance(value, type(own)):
            cls = type(estimator).__name__
            return (
                f"{name}={value!r} is a setting of the {compressor!r} compressor: write "
                f"{cls}(get_compressor({compressor!r}, {name}={value!r})); {cls}'s own "
                f"{name} (default {own!r}) is a different parameter (see help({cls}))."
            )
    return None
