"""Compressors, one module each, and the registry that names them.

>>> from npc_classify.compressors import get_compressor
>>> get_compressor("zstd", level=19)
ZstdCompressor(level=19)
"""

from __future__ import annotations

from ._arithmetic_coding import ArithmeticCodingCompressor
from ._base import DEFAULT_MAX_SIZE, Compressor, CorruptStreamError, OutputLimitError
from ._registry import (
    COMPRESSOR_CONSTRAINTS,
    available_compressors,
    check_compressor,
    get_compressor,
    register_compressor,
)
from ._settings import compressor_from_settings
from .bz2 import Bz2Compressor
from .cm import CMCompressor
from .gzip import GzipCompressor
from .hf import HuggingFaceCompressor
from .lm import LMCompressor
from .lzma import LzmaCompressor
from .ppm import PPMCompressor
from .zstd import ZstdCompressor, ZstdPrefixCompressor

__all__ = [
    "COMPRESSOR_CONSTRAINTS",
    "DEFAULT_MAX_SIZE",
    "ArithmeticCodingCompressor",
    "Bz2Compressor",
    "CMCompressor",
    "Compressor",
    "CorruptStreamError",
    "GzipCompressor",
    "HuggingFaceCompressor",
    "LMCompressor",
    "LzmaCompressor",
    "OutputLimitError",
    "PPMCompressor",
    "ZstdCompressor",
    "ZstdPrefixCompressor",
    "available_compressors",
    "check_compressor",
    "compressor_from_settings",
    "get_compressor",
    "register_compressor",
]

for _cls in (
    GzipCompressor,
    ZstdCompressor,
    ZstdPrefixCompressor,
    Bz2Compressor,
    LzmaCompressor,
    LMCompressor,
    HuggingFaceCompressor,
    PPMCompressor,
    CMCompressor,
):
    register_compressor(_cls)
