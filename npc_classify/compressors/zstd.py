"""Zstandard compression through the ``zstandard`` package."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import zstandard

from ._base import Compressor, decompress_one_stream


class ZstdCompressor(Compressor):
    """Zstandard at a configurable level.

    Parameters
    ----------
    level : int, default=3
        Compression level, 1 to 22 (zstd's default is 3). Negative levels
        select zstd's fast modes.

    Notes
    -----
    ``zstandard``'s native contexts cannot be pickled and are not thread-safe,
    so one is built lazily per thread and never pickled with the object.
    """

    name = "zstd"
    parameter_bounds = {"level": (-(1 << 17), zstandard.MAX_COMPRESSION_LEVEL)}

    def __init__(self, level: int = 3) -> None:
        self.level = level

    def _compressor(self) -> zstandard.ZstdCompressor:
        return self._thread_context(lambda: zstandard.ZstdCompressor(level=self.level))

    def compress(self, data: bytes) -> bytes:
        return self._compressor().compress(data)

    def conditional_sizes(self, context: bytes, items: Sequence[bytes]) -> np.ndarray:
        """Size of each item compressed with ``context`` as a raw-content dictionary."""
        dictionary = zstandard.ZstdCompressionDict(
            context, dict_type=zstandard.DICT_TYPE_RAWCONTENT
        )
        compress = zstandard.ZstdCompressor(level=self.level, dict_data=dictionary).compress
        return np.fromiter((len(compress(item)) for item in items), np.int64, count=len(items))

    def _decompress(self, data: bytes) -> bytes:
        return decompress_one_stream(zstandard.ZstdDecompressor().decompressobj(), data)
