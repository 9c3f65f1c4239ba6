"""Texts as the compressors see them: UTF-8 bytes, packed into arrays for the workers."""

from __future__ import annotations

import itertools
from collections.abc import Sequence

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


def unpack_texts(buffer: np.ndarray, offsets: np.ndarray) -> list[bytes]:
    """Invert :func:`pack_texts`."""
    data = buffer.tobytes()
    bounds = offsets.tolist()
    return [data[start:stop] for start, stop in itertools.pairwise(bounds)]
