"""LZMA compression with the standard library's :mod:`lzma`."""

from __future__ import annotations

import lzma
import operator
from collections.abc import Iterator
from numbers import Integral

from .._validation import Interval
from ._base import Compressor, decompress_streams


class LzmaCompressor(Compressor):
    """LZMA2 in an ``.xz`` container at a configurable preset.

    Parameters
    ----------
    level : int, default=6
        Preset, 0 (fastest) to 9 (smallest), as ``xz -0`` to ``xz -9``.
    """

    name = "lzma"
    _parameter_constraints = {"level": [Interval(Integral, 0, 9, closed="both")]}
    stream_errors = (lzma.LZMAError, ValueError, EOFError)

    def __init__(self, level: int = 6) -> None:
        self.level = level

    def compress(self, data: bytes) -> bytes:
        return lzma.compress(data, preset=operator.index(self.level))

    def _decompress_chunks(self, data: bytes, max_size: int) -> Iterator[bytes]:
        return decompress_streams(lzma.LZMADecompressor, data, max_size, padding=True)
