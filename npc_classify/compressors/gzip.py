"""DEFLATE compression, as gzip streams (the paper's choice) or raw."""

from __future__ import annotations

import gzip
import warnings
import zlib
from collections.abc import Iterator, Sequence
from numbers import Integral

import numpy as np

from .._validation import Interval, StrOptions
from ..coding import deflate
from ._base import Compressor, decompress_streams

#: DEFLATE's window: only this much of a context can be referred to.
DEFLATE_WINDOW = 32768

#: Bytes a gzip member adds around its DEFLATE data when written by
#: :func:`gzip.compress`: a 10-byte header and an 8-byte CRC/length trailer.
GZIP_FRAMING_BYTES = 18


class GzipCompressor(Compressor):
    """DEFLATE via zlib, sized exactly as ``len(gzip.compress(data, level))``.

    Parameters
    ----------
    level : int, default=9
        zlib compression level, 0 (store) to 9 (best, as in the paper).
    header : bool, default=True
        With ``True`` the output is a gzip stream, byte-for-byte what
        :func:`gzip.compress` writes with ``mtime=0``, and its size is the
        paper's ``len(gzip.compress(s.encode()))``. With ``False`` it is raw
        DEFLATE: the same data without the constant 18 bytes of framing.
    engine : {"auto", "zlib"}, default="auto"
        What computes the sizes of a batch (:meth:`compressed_sizes`,
        :meth:`compressed_sizes_with_prefix`, the inner loops of NCD).
        ``"auto"``: the native sizer of :mod:`npc_classify.coding.deflate`
        (zlib's sizes, about twice as fast) at levels 4 to 9 where it agrees
        with this Python's zlib on a fixed sample, checked at first use;
        zlib elsewhere, with a warning once if the check failed. ``"zlib"``:
        zlib always. Streams (:meth:`compress`) always come from zlib.

    Notes
    -----
    Sizes are computed from a single raw DEFLATE pass plus the framing
    length, which is exactly what :func:`gzip.compress` does internally, so
    no header or checksum is built for a size that is only counted.
    """

    name = "gzip"
    _parameter_constraints = {
        "level": [Interval(Integral, 0, 9, closed="both")],
        "header": ["boolean"],
        "engine": [StrOptions({"auto", "zlib"})],
    }
    stream_errors = (zlib.error, ValueError, EOFError)

    def __init__(self, level: int = 9, header: bool = True, engine: str = "auto") -> None:
        self.level = level
        self.header = header
        self.engine = engine

    def compress(self, data: bytes) -> bytes:
        if self.header:
            return gzip.compress(data, compresslevel=self.level, mtime=0)
        return zlib.compress(data, self.level, wbits=-15)

    def _decompress_chunks(self, data: bytes, max_size: int) -> Iterator[bytes]:
        # wbits 31: gzip members, each CRC and length checked; raw DEFLATE has no members.
        wbits = 31 if self.header else -15
        return decompress_streams(
            lambda: zlib.decompressobj(wbits=wbits), data, max_size, concatenated=self.header
        )

    def conditional_sizes(self, context: bytes, items: Sequence[bytes]) -> np.ndarray:
        """Raw DEFLATE size of each item with the last 32 KiB of ``context`` as preset
        dictionary (DEFLATE cannot look further back).

        Parameters
        ----------
        context, items
            As in :meth:`~npc_classify.compressors.Compressor.conditional_sizes`.
        """
        dictionary = context[-DEFLATE_WINDOW:]
        sizes = np.empty(len(items), dtype=np.float64)
        for i, item in enumerate(items):
            stream = zlib.compressobj(self.level, zlib.DEFLATED, -15, zdict=dictionary)
            sizes[i] = len(stream.compress(item)) + len(stream.flush())
        return sizes

    def compressed_size(self, data: bytes) -> float:
        return float(len(zlib.compress(data, self.level, wbits=-15)) + self._framing)

    def compressed_sizes(self, items: Sequence[bytes]) -> np.ndarray:
        sizer = self._sizer()
        if sizer is None:
            return super().compressed_sizes(items)
        return (sizer.sizes(items) + self._framing).astype(np.float64)

    def compressed_sizes_with_prefix(self, prefix: bytes, suffixes: Sequence[bytes]) -> np.ndarray:
        sizer = self._sizer()
        if sizer is None:
            return super().compressed_sizes_with_prefix(prefix, suffixes)
        return (sizer.sizes_with_prefix(prefix, suffixes) + self._framing).astype(np.float64)

    @property
    def _framing(self) -> int:
        return GZIP_FRAMING_BYTES if self.header else 0

    def _sizer(self) -> deflate.DeflateSizer | None:
        """This thread's native sizer where ``engine`` and the self-check allow one."""
        if self.engine == "zlib" or self.level not in deflate.LEVELS:
            return None
        if not native_sizes_agree(self.level):
            return None
        return self._thread_context(lambda: deflate.DeflateSizer(self.level))


def native_sizes_agree(level: int) -> bool:
    """:func:`~npc_classify.coding.deflate.agrees_with_zlib`, with a warning (once per
    level and process) when it does not.

    Parameters
    ----------
    level : int
        zlib's compression level, one of :data:`~npc_classify.coding.deflate.LEVELS`.
    """
    if deflate.agrees_with_zlib(level):
        return True
    if level not in _WARNED:
        _WARNED.add(level)
        warnings.warn(
            f"The native DEFLATE sizer differs from this Python's zlib "
            f"({zlib.ZLIB_RUNTIME_VERSION}) at level {level} on its self-check sample: "
            "gzip sizes come from zlib instead (exact, about half the speed).",
            RuntimeWarning,
            stacklevel=3,
        )
    return False


_WARNED: set[int] = set()
