"""DEFLATE sizes without the stream: the length zlib's raw DEFLATE would have, counted.

:class:`DeflateSizer` returns, for an input, exactly
``len(zlib.compress(data, level, wbits=-15))`` as zlib 1.2.x writes it at
levels 4 to 9, about twice as fast as zlib itself: it runs zlib's parse and
block decisions (:mod:`._deflate_kernels`, compiled with numba) but writes no
bits, builds no codes, and clears only the hash entries it used. Inputs that
share a prefix (an NCD row: the query, then each training text) share the
steps of the parse that read only the prefix.

Being a reimplementation, it is only as right as its agreement with the zlib
it stands in for: :func:`agrees_with_zlib` compares the two on a fixed sample
at first use, and the gzip compressor uses the sizer only where they agree
(a Python built on zlib-ng, say, does not).
"""

from __future__ import annotations

import functools
import zlib
from collections.abc import Sequence

import numpy as np

from .._text import PackedTexts, pack_texts
from . import _deflate_kernels as kernels

LEVELS = tuple(kernels.LEVEL_PARAMETERS)
"""The levels the sizer reproduces: zlib's lazy parse (levels 1-3 parse greedily)."""


def _packed(items: Sequence[bytes]) -> tuple[np.ndarray, np.ndarray]:
    """``items`` end to end in one array, and where each starts (with the end last)."""
    if isinstance(items, PackedTexts):
        return items.buffer, items.offsets
    return pack_texts(items)


class DeflateSizer:
    """Raw DEFLATE lengths equal to zlib's, without compressing.

    Parameters
    ----------
    level : int, default=9
        zlib's compression level, one of :data:`LEVELS` (4 to 9).

    Notes
    -----
    Memory: 0.9 MB of window, hash chains and journal, reused input after
    input; :meth:`sizes` also copies its longest input, and
    :meth:`sizes_with_prefix` the prefix joined with its longest suffix. An
    instance is not safe to share between threads; the gzip compressor keeps
    one per thread.

    Examples
    --------
    >>> import zlib
    >>> sizer = DeflateSizer(9)
    >>> data = b"the cat sat on the mat, the cat sat"
    >>> int(sizer.sizes([data])[0]) == len(zlib.compress(data, 9, wbits=-15))
    True
    """

    def __init__(self, level: int = 9) -> None:
        if level not in kernels.LEVEL_PARAMETERS:
            raise ValueError(
                f"DeflateSizer reproduces zlib levels {LEVELS[0]} to {LEVELS[-1]}; got {level!r}."
            )
        self.level = level
        self._parameters = kernels.LEVEL_PARAMETERS[level]
        self._workspace = kernels.Workspace()

    def sizes(self, items: Sequence[bytes]) -> np.ndarray:
        """``len(zlib.compress(item, level, wbits=-15))`` for each item, as int64.

        Parameters
        ----------
        items : sequence of bytes
        """
        return self.sizes_with_prefix(b"", items)

    def sizes_with_prefix(self, prefix: bytes, suffixes: Sequence[bytes]) -> np.ndarray:
        """``len(zlib.compress(prefix + suffix, level, wbits=-15))`` for each suffix.

        Suffixes given as :class:`~npc_classify._text.PackedTexts` are read
        from their buffer as they are; any other sequence is packed first.

        Parameters
        ----------
        prefix : bytes
        suffixes : sequence of bytes
        """
        data, offsets = _packed(suffixes)
        return kernels.deflate_sizes_with_prefix(
            np.frombuffer(prefix, dtype=np.uint8),
            data,
            offsets,
            *self._parameters,
            *self._workspace.arrays(),
        )


def self_check_sample() -> tuple[bytes, list[bytes]]:
    """The fixed inputs :func:`agrees_with_zlib` compares on: a prefix and its suffixes.

    Made from a seeded generator, so the same on every machine: word salad of
    news-like length (dynamic blocks), random bytes (stored blocks), a few
    bytes (fixed blocks), runs of one byte (the longest matches), 100 KB of
    text (several blocks, a sliding window), and three-byte repeats exactly
    4,096 bytes back (zlib's ``TOO_FAR``: a three-byte match further back is
    dropped, one this far kept).
    """
    rng = np.random.default_rng(20230710)
    words = [
        bytes(rng.integers(97, 123, size=int(length), dtype=np.uint8))
        for length in rng.integers(1, 10, size=400)
    ]

    def salad(n_words: int) -> bytes:
        return b" ".join(words[i] for i in rng.integers(0, len(words), size=n_words))

    suffixes = [salad(int(n)) for n in rng.integers(5, 80, size=60)]
    suffixes += [rng.bytes(int(n)) for n in (1, 50, 300, 2000)]
    suffixes += [b"", b"a", b"ab", b"abc", b"a" * 1000, b"ab" * 700, salad(20_000)]
    suffixes.append(_repeats_too_far_back(rng))
    return salad(40) + b" ", suffixes


def _repeats_too_far_back(rng: np.random.Generator) -> bytes:
    """6,000 bytes of 64 symbols of falling frequency; every 97 bytes, three bytes are
    copied 4,096 bytes further on: three-byte matches at exactly zlib's ``TOO_FAR``."""
    frequencies = 0.9 ** np.arange(64)
    text = bytearray(48 + rng.choice(64, 6000, p=frequencies / frequencies.sum()).astype(np.uint8))
    for start in range(20, len(text) - 4100, 97):
        text[start + 4096 : start + 4099] = text[start : start + 3]
    return bytes(text)


@functools.cache
def agrees_with_zlib(level: int) -> bool:
    """Whether the sizer gives this Python's zlib's sizes on :func:`self_check_sample`.

    Both the whole-input and the shared-prefix paths are compared, on every
    sample input; the answer is computed once per level and process.

    Parameters
    ----------
    level : int
        zlib's compression level, one of :data:`LEVELS`.
    """
    prefix, suffixes = self_check_sample()
    sizer = DeflateSizer(level)
    expected = [len(zlib.compress(prefix + s, level, wbits=-15)) for s in suffixes]
    expected_alone = [len(zlib.compress(s, level, wbits=-15)) for s in suffixes]
    return bool(
        np.array_equal(sizer.sizes_with_prefix(prefix, suffixes), expected)
        and np.array_equal(sizer.sizes(suffixes), expected_alone)
    )
