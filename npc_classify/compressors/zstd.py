"""Zstandard through the ``zstandard`` package: plain frames, or the query as a dictionary."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from numbers import Integral

import numpy as np
import zstandard

from .._validation import Interval
from ._base import Compressor, decompress_streams


class ZstdCompressor(Compressor):
    """Zstandard at a configurable level.

    Parameters
    ----------
    level : int, default=3
        Compression level, 1 to 22 (zstd's default is 3). Negative levels
        select zstd's fast modes; 0 is zstd's default level, 3 (the same
        streams, under another setting).

    Notes
    -----
    ``zstandard``'s native contexts cannot be pickled and are not thread-safe,
    so one is built lazily per thread and never pickled with the object.
    :meth:`conditional_sizes` compresses each item with the context as a
    raw-content dictionary.
    """

    name = "zstd"
    _parameter_constraints = {
        "level": [Interval(Integral, -(1 << 17), zstandard.MAX_COMPRESSION_LEVEL, closed="both")]
    }
    stream_errors = (zstandard.ZstdError, ValueError, EOFError)

    def __init__(self, level: int = 3) -> None:
        self.level = level

    def _compressor(self) -> zstandard.ZstdCompressor:
        return self._thread_context(lambda: zstandard.ZstdCompressor(level=self.level))

    def compress(self, data: bytes) -> bytes:
        return self._compressor().compress(data)

    def _decompress_chunks(self, data: bytes, max_size: int) -> Iterator[bytes]:
        # zstandard's objects take no max_length: 32 bytes of input at a time bound the
        # output of one call to 1 MiB (a block of at most 128 KiB can be written in 4 bytes).
        decompressor = zstandard.ZstdDecompressor()
        return decompress_streams(
            decompressor.decompressobj, data, max_size, takes_max_length=False, feed_bytes=32
        )

    def conditional_sizes(self, context: bytes, items: Sequence[bytes]) -> np.ndarray:
        """Size of each item compressed with ``context`` as a raw-content dictionary.

        Parameters
        ----------
        context, items
            As in :meth:`~npc_classify.compressors.Compressor.conditional_sizes`.
        """
        return self._dictionary_sizes(context, items)

    def _dictionary_sizes(self, dictionary: bytes, items: Sequence[bytes]) -> np.ndarray:
        """Size of each item's zstd frame compressed against ``dictionary`` (raw content)."""
        loaded = zstandard.ZstdCompressionDict(
            dictionary, dict_type=zstandard.DICT_TYPE_RAWCONTENT
        )
        compress = zstandard.ZstdCompressor(level=self.level, dict_data=loaded).compress
        return np.fromiter((len(compress(item)) for item in items), np.float64, count=len(items))


class ZstdPrefixCompressor(ZstdCompressor):
    """Zstandard that sizes a concatenation by conditional compression.

    ``compress`` and ``compressed_size`` are plain zstd, as in
    :class:`ZstdCompressor`. The joint size used by NCD is different: the
    shared prefix (the query and the separator) is loaded once as a
    raw-content dictionary, every suffix is compressed against it, and

        C(prefix + suffix) := C(prefix) + len(zstd_with_dictionary(prefix)(suffix))

    This digests each query once instead of once per training text, and it
    is a different estimate of the joint information, not the size of one
    zstd frame: it is not claimed to equal ``len(compress(prefix + suffix))``.

    Parameters
    ----------
    level : int, default=4
        Compression level, for the plain and the dictionary compressions.
        Chosen by stratified 3-fold cross-validation of NCD-kNN (k=5) on
        3,000 AG News training texts (``benchmarks/zstd_prefix_level.py``):
        levels 4, 6 and 9 scored within one standard error (0.008) of the
        best (9: 0.740), and 4 is the best of them at k=1 (0.710) and, with
        6, the fastest; level 2 gave 0.725, level 1 0.710, exact gzip 0.708.
    """

    name = "zstd-prefix"

    def __init__(self, level: int = 4) -> None:
        super().__init__(level=level)

    def compressed_sizes_with_prefix(self, prefix: bytes, suffixes: Sequence[bytes]) -> np.ndarray:
        return self._dictionary_sizes(prefix, suffixes) + self.compressed_size(prefix)

    def compressed_sizes_with_suffix(self, prefixes: Sequence[bytes], suffix: bytes) -> np.ndarray:
        """The joint sizes of :meth:`compressed_sizes_with_prefix`, each prefix the
        dictionary of its pair (one dictionary per prefix).

        Parameters
        ----------
        prefixes, suffix
            As in :meth:`~npc_classify.compressors.Compressor.compressed_sizes_with_suffix`.
        """
        return np.array(
            [self.compressed_sizes_with_prefix(prefix, [suffix])[0] for prefix in prefixes],
            dtype=np.float64,
        )
