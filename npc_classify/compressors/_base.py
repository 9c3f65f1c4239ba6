"""The interface every compressor implements."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any, ClassVar

import numpy as np
from sklearn.base import BaseEstimator


class CorruptStreamError(ValueError):
    """``decompress`` was given bytes that are not one complete stream of its compressor."""


def decompress_one_stream(decompressor: Any, data: bytes) -> bytes:
    """Run a streaming decompressor over ``data``, which must be exactly one stream.

    ``decompressor`` is a fresh zlib, bz2, lzma or zstandard decompression
    object. A stream cut short or followed by other bytes is an error, where
    the one-shot functions would return partial output or ignore the rest.
    Streaming also keeps a header that announces a huge size from allocating it.
    """
    out = decompressor.decompress(data)
    if not decompressor.eof:
        raise EOFError("the stream ends before its end marker")
    if decompressor.unused_data:
        raise ValueError(f"{len(decompressor.unused_data)} bytes follow the end of the stream")
    return out


class Compressor(BaseEstimator):
    """Base class of the compressors used to compute compression distances.

    A compressor is a small configuration object: its constructor only stores
    settings, which :meth:`get_params` and :meth:`set_params` expose so that a
    grid search can tune them (``compressor__level``). Native contexts that
    cannot be pickled or shared between threads are built lazily, one per
    thread, through :meth:`_thread_context`, and dropped when the object is
    pickled, so clones, joblib workers and saved models all work.

    Subclasses set :attr:`name` and implement :meth:`compress` and
    :meth:`_decompress`. They may override :meth:`compressed_size` and
    :meth:`compressed_sizes_with_prefix` either with an exact faster path
    (``len(self.compress(...))``) or, saying so in their documentation, with
    another estimate: the joint size of :class:`ZstdPrefixCompressor`, the
    ideal code length of :class:`LMCompressor`.
    """

    name: ClassVar[str] = ""
    #: Inclusive bounds of each integer parameter, checked by :meth:`validate`.
    parameter_bounds: ClassVar[dict[str, tuple[int, int]]] = {}

    def validate(self) -> None:
        """Raise ``ValueError`` if a parameter is outside its documented range."""
        for param, (low, high) in self.parameter_bounds.items():
            value = getattr(self, param)
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
                raise TypeError(
                    f"{type(self).__name__}: {param} must be an int in "
                    f"[{low}, {high}], got {value!r} of type {type(value).__name__}."
                )
            if not low <= value <= high:
                raise ValueError(
                    f"{type(self).__name__}: {param} must be in [{low}, {high}], got {value}."
                )

    def compress(self, data: bytes) -> bytes:
        """Compress ``data`` into a self-contained stream."""
        raise NotImplementedError

    def decompress(self, data: bytes) -> bytes:
        """Invert :meth:`compress`.

        Raises
        ------
        CorruptStreamError
            If ``data`` is damaged, truncated or not this compressor's format,
            whatever error the underlying library raised (kept as the cause).
        """
        try:
            return self._decompress(data)
        except (CorruptStreamError, MemoryError):
            raise
        except Exception as error:
            raise CorruptStreamError(
                f"{type(self).__name__} cannot decompress these {len(data)} bytes: the "
                f"stream is corrupted, truncated or of another format "
                f"({type(error).__name__}: {error})."
            ) from error

    def _decompress(self, data: bytes) -> bytes:
        """Decompress one stream; any exception is reported as corruption."""
        raise NotImplementedError

    def compressed_size(self, data: bytes) -> int:
        """Length in bytes of ``self.compress(data)``."""
        return len(self.compress(data))

    def compressed_sizes_with_prefix(self, prefix: bytes, suffixes: Sequence[bytes]) -> np.ndarray:
        """Compressed sizes of ``prefix + suffix`` for every suffix.

        This is the inner loop of every compression distance: the query is the
        shared prefix and the training texts are the suffixes. Compressors
        that can reuse work done on the prefix override it.

        Parameters
        ----------
        prefix : bytes
            Bytes shared by every input.
        suffixes : sequence of bytes
            The varying tails.

        Returns
        -------
        sizes : ndarray of shape (len(suffixes),), dtype=int64
        """
        size = self.compressed_size
        return np.fromiter(
            (size(prefix + suffix) for suffix in suffixes),
            dtype=np.int64,
            count=len(suffixes),
        )

    def conditional_sizes(self, context: bytes, items: Sequence[bytes]) -> np.ndarray:
        """Bytes each item costs once the compressor has seen ``context``.

        The default is the exact difference C(context + item) - C(context).
        Compressors with a dictionary mechanism override it with the size of
        the item compressed against ``context`` as a dictionary, which digests
        the context once instead of once per item.
        """
        return self.compressed_sizes_with_prefix(context, items) - self.compressed_size(context)

    def _thread_context(self, factory: Any) -> Any:
        """Return this thread's native context, building it with ``factory``."""
        local = self.__dict__.get("_local")
        if local is None:
            local = self.__dict__.setdefault("_local", threading.local())
        context = getattr(local, "context", None)
        if context is None:
            context = local.context = factory()
        return context

    def set_params(self, **params: Any) -> Compressor:
        """Set parameters and forget any native context built from the old ones."""
        self.__dict__.pop("_local", None)
        return super().set_params(**params)

    def __getstate__(self) -> dict[str, Any]:
        state = super().__getstate__()
        state.pop("_local", None)
        return state
