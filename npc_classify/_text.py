"""Texts as the compressors see them: UTF-8 bytes, packed into arrays for the workers."""

from __future__ import annotations

import functools
import itertools
from collections.abc import Iterator, Sequence
from typing import Any, overload

import numpy as np


def encode_text(text: str) -> bytes:
    """UTF-8 bytes of ``text``, as the paper's ``s.encode()``.

    Lone surrogates, which strict UTF-8 cannot encode, are passed through
    (``surrogatepass``) so that every Python string has a compressed size.
    """
    return text.encode("utf-8", "surrogatepass")


def decode_text(data: bytes) -> str:
    """Invert :func:`encode_text`."""
    return data.decode("utf-8", "surrogatepass")


def shorten(text: str, width: int) -> str:
    """``text`` cut to ``width`` characters, ending in "..." where it is cut.

    >>> shorten("a long label", 9)
    'a long...'
    """
    return text if len(text) <= width else text[: width - 3] + "..."


#: How the characters of a label or text that would break a line or a tab-separated field
#: are written.
_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def one_line(value: Any) -> str:
    """``str(value)`` as one tab-separated field of one line, its breaks escaped.

    >>> print(one_line("busi\\nness\\tnews"))
    busi\\nness\\tnews
    """
    return str(value).translate(_ESCAPES)


def encode_texts(texts: Sequence[str]) -> list[bytes]:
    """:func:`encode_text` of each text."""
    return [encode_text(text) for text in texts]


def pack_texts(items: Sequence[bytes]) -> tuple[np.ndarray, np.ndarray]:
    """Byte strings as one uint8 buffer and their offsets (length ``len(items) + 1``).

    Arrays, unlike a list of bytes, are memory-mapped once by joblib's process
    backend and scattered once by its Dask backend, instead of being pickled
    into every task.
    """
    offsets = np.zeros(len(items) + 1, dtype=np.int64)
    np.cumsum([len(item) for item in items], out=offsets[1:])
    return np.frombuffer(b"".join(items), dtype=np.uint8), offsets


def check_packed_texts(buffer: Any, offsets: Any, n_texts: int, what: str) -> None:
    """Refuse a buffer and offsets that :func:`pack_texts` could not have made for ``n_texts``.

    Raises
    ------
    ValueError
        Naming ``what`` and the inconsistency (offsets past the buffer,
        decreasing, or of another count).
    """
    if not (isinstance(buffer, np.ndarray) and buffer.dtype == np.uint8 and buffer.ndim == 1):
        raise ValueError(f"{what}: the text buffer is not a 1-d uint8 array")
    if not (isinstance(offsets, np.ndarray) and offsets.dtype.kind == "i" and offsets.ndim == 1):
        raise ValueError(f"{what}: the text offsets are not a 1-d integer array")
    if len(offsets) != n_texts + 1:
        raise ValueError(f"{what}: {len(offsets) - 1} texts in the buffer, expected {n_texts}")
    if len(offsets) and (offsets[0] != 0 or offsets[-1] != len(buffer)):
        raise ValueError(
            f"{what}: the text offsets run from {offsets[0]} to {offsets[-1]}, not from 0 to "
            f"the buffer's {len(buffer)} bytes"
        )
    if np.any(np.diff(offsets) < 0):
        raise ValueError(f"{what}: the text offsets decrease")


def check_packed_state(
    state: dict[str, Any], names: tuple[str, str, str], n_texts: int, what: str
) -> None:
    """Refuse a loaded estimator's packed texts and their compressed sizes if inconsistent.

    ``names`` are the state's keys of the buffer, the offsets and the sizes:
    :func:`check_packed_texts`, then ``n_texts`` finite, non-negative sizes.
    """
    buffer, offsets, sizes_name = names
    check_packed_texts(state.get(buffer), state.get(offsets), n_texts, what)
    sizes = state.get(sizes_name)
    if not isinstance(sizes, np.ndarray) or sizes.shape != (n_texts,):
        raise ValueError(f"{what}: {sizes_name} is not an array of {n_texts} sizes")
    if not np.all(np.isfinite(sizes) & (sizes >= 0)):
        raise ValueError(f"{what}: {sizes_name} holds negative or non-finite sizes")


class PackedTexts(Sequence[bytes]):
    """The byte strings that :func:`pack_texts` packed, as a read-only sequence.

    :attr:`buffer` and :attr:`offsets` are the packed form, which a compiled
    kernel taking texts end to end (the native gzip sizer) reads as they are;
    items and iteration come from a list of the strings, made at first use.
    """

    def __init__(self, buffer: np.ndarray, offsets: np.ndarray) -> None:
        self.buffer = buffer
        self.offsets = offsets

    @functools.cached_property
    def _items(self) -> list[bytes]:
        data = self.buffer.tobytes()
        return [data[start:stop] for start, stop in itertools.pairwise(self.offsets.tolist())]

    def __len__(self) -> int:
        return len(self.offsets) - 1

    @overload
    def __getitem__(self, index: int) -> bytes: ...

    @overload
    def __getitem__(self, index: slice) -> list[bytes]: ...

    def __getitem__(self, index: int | slice) -> bytes | list[bytes]:
        return self._items[index]

    def __iter__(self) -> Iterator[bytes]:
        return iter(self._items)
