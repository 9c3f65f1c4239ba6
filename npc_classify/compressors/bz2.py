"""Burrows-Wheeler compression with the standard library's :mod:`bz2`."""

from __future__ import annotations

import bz2
from collections.abc import Iterator
from numbers import Integral

from .._validation import Interval
from ._base import Compressor, decompress_streams


class Bz2Compressor(Compressor):
    """bzip2 at a configurable block size.

    Parameters
    ----------
    level : int, default=9
        Block size in units of 100 kB, 1 to 9. Texts shorter than a block
        compress to the same size at every level (the streams differ only in
        the header byte that names the level).
    """

    name = "bz2"
    _parameter_constraints = {"level": [Interval(Integral, 1, 9, closed="both")]}
    stream_errors = (OSError, ValueError, EOFError)

    def __init__(self, level: int = 9) -> None:
        self.level = level

    def compress(self, data: bytes) -> bytes:
        return bz2.compress(data, compresslevel=self.level)

    def _decompress_chunks(self, data: bytes, max_size: int) -> Iterator[bytes]:
        return decompress_streams(bz2.BZ2Decompressor, data, max_size)
