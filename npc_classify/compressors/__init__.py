"""Compressors, one module each, and the registry that names them.

>>> from npc_classify.compressors import get_compressor
>>> get_compressor("zstd", level=19)
ZstdCompressor(level=19)
"""

from __future__ import annotations

from typing import Any

from ._base import Compressor, CorruptStreamError
from .bz2 import Bz2Compressor
from .gzip import GzipCompressor
from .hf import HuggingFaceCompressor
from .lm import LMCompressor
from .lzma import LzmaCompressor
from .ppm import PPMCompressor
from .zstd import ZstdCompressor
from .zstd_prefix import ZstdPrefixCompressor

__all__ = [
    "Bz2Compressor",
    "Compressor",
    "CorruptStreamError",
    "GzipCompressor",
    "HuggingFaceCompressor",
    "LMCompressor",
    "LzmaCompressor",
    "PPMCompressor",
    "ZstdCompressor",
    "ZstdPrefixCompressor",
    "available_compressors",
    "get_compressor",
    "register_compressor",
]

_REGISTRY: dict[str, type[Compressor]] = {}


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
    return cls


def available_compressors() -> list[str]:
    """Names accepted by :func:`get_compressor`, sorted."""
    return sorted(_REGISTRY)


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
    """
    if isinstance(compressor, Compressor):
        if params:
            raise TypeError("Parameters can only be given with a compressor name.")
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


for _cls in (
    GzipCompressor,
    ZstdCompressor,
    ZstdPrefixCompressor,
    Bz2Compressor,
    LzmaCompressor,
    LMCompressor,
    HuggingFaceCompressor,
    PPMCompressor,
):
    register_compressor(_cls)
