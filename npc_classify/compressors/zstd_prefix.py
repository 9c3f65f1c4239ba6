"""Zstandard with the query as a raw-content dictionary: C(xy) = C(x) + C(y | x)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .zstd import ZstdCompressor


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
    level : int, default=2
        Compression level, for the plain and the dictionary compressions.
        Level 2 is the default because on AG News (1,000 x 6,000 texts) it
        gave the same 1-NN accuracy as level 3 (0.778) in 1.2x less time;
        level 1 lost a point (0.768).
    """

    name = "zstd-prefix"

    def __init__(self, level: int = 2) -> None:
        super().__init__(level=level)

    def compressed_sizes_with_prefix(self, prefix: bytes, suffixes: Sequence[bytes]) -> np.ndarray:
        return self.conditional_sizes(prefix, suffixes) + self.compressed_size(prefix)
