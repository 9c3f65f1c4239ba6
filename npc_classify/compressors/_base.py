"""The interface every compressor implements."""

from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from typing import Any, ClassVar, TypeVar

import numpy as np
from sklearn.base import BaseEstimator

_Context = TypeVar("_Context")


class CorruptStreamError(ValueError):
    """``decompress`` was given bytes that are not one complete stream of its compressor."""


def decompress_one_stream(decompressor: Any, data: bytes) -> bytes:
    """Run a streaming decompressor over ``data``, which must be exactly one stream.

    ``decompressor`` is a fresh zlib, bz2, lzma or zstandard decompression
    object. A stream cut short or followed by other bytes is an error, where
    the one-shot functions would return partial output or ignore the rest.
    Streaming also keeps a header that announces a huge size from allocating it.
    """
    out: bytes = decompressor.decompress(data)
    if not decompressor.eof:
        raise EOFError("the stream ends before its end marker")
    if decompressor.unused_data:
        raise ValueError(f"{len(decompressor.unused_data)} bytes follow the end of the stream")
    return out


class Compressor(BaseEstimator, ABC):
    """Base class of the compressors used to compute compression distances.

    A compressor is a small configuration object: its constructor only stores
    settings, which :meth:`get_params` and :meth:`set_params` expose so that a
    grid search can tune them (``compressor__level``), and
    ``_parameter_constraints`` declares what each setting accepts, in
    scikit-learn's form; :meth:`validate` checks them and reads no file.
    Native contexts that cannot be pickled or shared between threads are
    built lazily, one per thread, through :meth:`_thread_context`, and
    dropped when the object is pickled, so clones, joblib workers and saved
    models all work.

    Subclasses set :attr:`name` and implement :meth:`compress` (abstract:
    a class without it cannot be instantiated); those that can be inverted
    also implement :meth:`_decompress`. Sizes are in bytes, as floats: whole numbers for a
    real stream's length, fractional for the ideal code lengths of the
    model-based compressors.

    The joint size :meth:`compressed_sizes_with_prefix` is the primitive of
    NCD; :meth:`conditional_sizes` derives from it,
    ``C(context + item) - C(context)``. A subclass may override either with a
    faster exact path, or, saying so in its documentation, with another
    estimate: the dictionary compression of :class:`ZstdCompressor` and
    :class:`GzipCompressor` for conditional sizes, the joint size of
    :class:`ZstdPrefixCompressor`, the ideal code lengths of the language
    models.
    """

    name: ClassVar[str] = ""
    #: The parameter naming the model a compressor is built from (a file, a Hub name),
    #: which ``npc-classify --model`` sets; None for compressors that need no model.
    model_parameter: ClassVar[str | None] = None
    _parameter_constraints: ClassVar[dict[str, list[Any]]] = {}
    #: Exceptions of the underlying library that mean "these bytes are not a valid
    #: stream"; :meth:`decompress` reports them as :class:`CorruptStreamError`.
    stream_errors: ClassVar[tuple[type[Exception], ...]] = (ValueError, EOFError)

    def validate(self) -> None:
        """Check every parameter against ``_parameter_constraints``; reads no file.

        Raises
        ------
        sklearn.utils._param_validation.InvalidParameterError
            A ``ValueError`` (and ``TypeError``) naming the parameter, what it
            accepts and what it got.
        """
        self._validate_params()

    def load(self) -> None:
        """Read what the compressor needs beyond its settings (a model file), now.

        Estimators call it in ``fit`` so that a missing or damaged model file
        fails there, not at the first compression. Compressors built from
        their settings alone have nothing to load.
        """

    @abstractmethod
    def compress(self, data: bytes) -> bytes:
        """Compress ``data`` into a self-contained stream."""

    def decompress(self, data: bytes) -> bytes:
        """Invert :meth:`compress`.

        Raises
        ------
        CorruptStreamError
            If ``data`` is damaged, truncated or not this compressor's format
            (the error of the underlying library is kept as the cause).
        """
        try:
            return self._decompress(data)
        except CorruptStreamError:
            raise
        except self.stream_errors as error:
            raise CorruptStreamError(
                f"{type(self).__name__} cannot decompress these {len(data)} bytes: the "
                f"stream is corrupted, truncated or of another format "
                f"({type(error).__name__}: {error})."
            ) from error

    def _decompress(self, data: bytes) -> bytes:
        """Decompress one stream, raising one of :attr:`stream_errors` on bad data."""
        raise NotImplementedError(
            f"{type(self).__name__} only sizes data: it does not implement _decompress()."
        )

    def compressed_size(self, data: bytes) -> float:
        """Size of ``data`` compressed, in bytes: ``len(self.compress(data))`` by default."""
        return float(len(self.compress(data)))

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
        sizes : ndarray of shape (len(suffixes),), dtype=float64
        """
        size = self.compressed_size
        return np.fromiter(
            (size(prefix + suffix) for suffix in suffixes), dtype=np.float64, count=len(suffixes)
        )

    def conditional_sizes(self, context: bytes, items: Sequence[bytes]) -> np.ndarray:
        """Bytes each item costs once the compressor has seen ``context``.

        ``C(context + item) - C(context)``, from
        :meth:`compressed_sizes_with_prefix`. Compressors with a dictionary
        mechanism override it with the size of the item compressed against
        ``context`` as a dictionary, which digests the context once instead of
        once per item.

        Returns
        -------
        sizes : ndarray of shape (len(items),), dtype=float64
        """
        return self.compressed_sizes_with_prefix(context, items) - self.compressed_size(context)

    def _thread_context(self, factory: Callable[[], _Context]) -> _Context:
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
        state: dict[str, Any] = super().__getstate__()
        state.pop("_local", None)
        return state
