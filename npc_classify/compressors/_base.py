"""The interface every compressor implements."""

from __future__ import annotations

import hashlib
import inspect
import json
import os
import threading
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Sequence
from numbers import Integral
from pathlib import Path
from typing import Any, ClassVar, TypeVar

import numpy as np
from sklearn.base import BaseEstimator

from .._constants import DEFAULT_MAX_SIZE
from .._validation import Interval, check_argument, check_sizes

_Context = TypeVar("_Context")


class CorruptStreamError(ValueError):
    """``decompress`` was given bytes that are not one complete stream of its compressor."""


class OutputLimitError(ValueError):
    """``decompress`` stopped because the output would pass its ``max_size``."""


def _setting_key(value: Any) -> Any:
    """``value``, a setting, as JSON that decides it and is the same in every process.

    JSON's own values stay as they are, and lists and string-keyed dicts hold
    their items' keys; other dicts become their sorted pairs and sets their
    sorted items; an array is its dtype, shape and every value (its repr
    leaves values out), and so is an array-like (a masked array with its
    mask, a SciPy sparse matrix, a pandas object, a tensor); a compressor is
    its :meth:`Compressor.fingerprint`
    (its model file included), another estimator its class and settings; a
    function (built-in ones and numpy's included) or class defined at a
    module's top level is its module and qualified name.
    Anything else is its repr: a lambda's or a bound method's holds an
    address that differs in every process, so a checkpoint of a search with
    one is never resumed, rather than resumed with another one's sizes.
    """
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (list, tuple)):
        return [_setting_key(item) for item in value]
    if isinstance(value, dict):
        if all(isinstance(key, str) for key in value):
            return {key: _setting_key(item) for key, item in value.items()}
        pairs = [[_setting_key(key), _setting_key(item)] for key, item in value.items()]
        return ["dict", sorted(pairs, key=json.dumps)]
    if isinstance(value, (set, frozenset)):
        return ["set", sorted(map(_setting_key, value), key=json.dumps)]
    if isinstance(value, bytes):
        return ["bytes", value.hex()]
    if isinstance(value, np.ma.MaskedArray):
        return ["masked", _setting_key(value.data), _setting_key(np.ma.getmaskarray(value))]
    if hasattr(value, "tocsr") and hasattr(value, "nnz"):  # a SciPy sparse matrix or array
        rows = value.tocsr()
        parts = (rows.data, rows.indices, rows.indptr)
        return ["sparse", list(rows.shape), *map(_setting_key, parts)]
    if not isinstance(value, np.ndarray) and hasattr(value, "__array__"):  # pandas, torch...
        kind = f"{type(value).__module__}.{type(value).__qualname__}"
        return [kind, _setting_key(np.asarray(value))]
    if isinstance(value, np.ndarray) and value.dtype.hasobject:  # its bytes are pointers
        return ["ndarray", value.dtype.str, list(value.shape), _setting_key(value.tolist())]
    if isinstance(value, np.ndarray):
        contents = hashlib.sha256(np.ascontiguousarray(value).tobytes()).hexdigest()
        return ["ndarray", value.dtype.str, list(value.shape), contents]
    if isinstance(value, Compressor):
        return ["compressor", value.fingerprint()]
    if isinstance(value, BaseEstimator):
        kind = f"{type(value).__module__}.{type(value).__qualname__}"
        return [kind, _setting_key(value.get_params(deep=False))]
    name = getattr(value, "__qualname__", None)
    unbound = inspect.ismodule(getattr(value, "__self__", None)) or not hasattr(value, "__self__")
    named = callable(value) and unbound and isinstance(name, str) and "<" not in name
    if named and isinstance(getattr(value, "__module__", None), str):
        return f"{value.__module__}.{name}"
    return repr(value)


def file_contents(path: str | os.PathLike[str]) -> Iterator[bytes]:
    """The bytes of a file or of every file in a folder (by sorted relative path), in chunks.

    A path that does not exist (a Hugging Face Hub name) gives its name only.
    """
    root = Path(path)
    if not root.exists():
        yield os.fsencode(str(path))
        return
    files = sorted(p for p in root.rglob("*") if p.is_file()) if root.is_dir() else [root]
    for file in files:
        yield os.fsencode(str(file.relative_to(root) if root.is_dir() else file.name))
        with open(file, "rb") as handle:
            while chunk := handle.read(1 << 20):
                yield chunk


def check_output_size(size: int, max_size: int) -> None:
    """Raise :class:`OutputLimitError` if ``size`` bytes of output pass ``max_size``."""
    if size > max_size:
        raise OutputLimitError(
            f"The decompressed output passes max_size={max_size:,} bytes (at least "
            f"{size:,} bytes): stopped before using more memory. If you trust this input, "
            "pass a larger max_size to decompress()."
        )


def decompress_streams(
    new_decompressor: Callable[[], Any],
    data: bytes,
    max_size: int,
    *,
    concatenated: bool = True,
    takes_max_length: bool = True,
    feed_bytes: int = 1 << 16,
    padding: bool = False,
) -> Iterator[bytes]:
    """Decompress ``data``: one stream, or several concatenated, yielding the output as it comes.

    ``new_decompressor`` makes a fresh zlib, bz2, lzma or zstandard
    decompression object. Input is fed ``feed_bytes`` at a time and, where the
    object ``takes_max_length`` (zlib, bz2, lzma), output is asked for only up
    to the limit, so a decompression bomb stops at ``max_size`` (zstandard's
    objects take none: a small ``feed_bytes`` bounds what one call can
    produce). With ``concatenated``, a stream followed by another is
    decompressed as their tools do (gzip members, zstd frames, xz and bzip2
    streams); ``padding`` skips the NUL stream padding of the xz format between
    and after streams (in multiples of 4 bytes).

    Raises
    ------
    EOFError
        A stream ends before its end marker.
    ValueError
        Bytes that are not a stream follow one.
    OutputLimitError
        The output passes ``max_size``.
    """
    written = 0
    rest = data
    while True:
        decompressor = new_decompressor()
        position = 0
        while not decompressor.eof:
            if position >= len(rest):
                raise EOFError("the stream ends before its end marker")
            chunk = rest[position : position + feed_bytes]
            position += len(chunk)
            pieces = (
                _feed(decompressor, chunk, max_size + 1 - written)
                if takes_max_length
                else [decompressor.decompress(chunk)]
            )
            for out in pieces:
                written += len(out)
                check_output_size(written, max_size)
                yield out
        rest = decompressor.unused_data + rest[position:]
        if padding:
            unpadded = rest.lstrip(b"\0")
            if (len(rest) - len(unpadded)) % 4:
                raise ValueError("the stream padding is not a multiple of 4 bytes")
            rest = unpadded
        if not rest:
            return
        if not concatenated:
            raise ValueError(f"{len(rest)} bytes follow the end of the stream")


#: The most output one piece of :func:`decompress_streams` holds: 1 MiB.
PIECE_BYTES = 1 << 20


def _feed(decompressor: Any, chunk: bytes, max_length: int) -> Iterator[bytes]:
    """The output ``chunk`` gives, at most ``max_length`` bytes, in pieces of at most
    :data:`PIECE_BYTES` (zlib, bz2 or lzma)."""
    left = max_length
    asked = min(left, PIECE_BYTES)
    out: bytes = decompressor.decompress(chunk, asked)
    while True:
        left -= len(out)
        if out:
            yield out
        if left <= 0 or decompressor.eof:
            return
        if hasattr(decompressor, "unconsumed_tail"):
            # zlib keeps the input it did not use, and can hold output it had no room
            # for with all its input used: a full piece may have more behind it.
            rest = decompressor.unconsumed_tail
            if not rest and len(out) < asked:
                return
        else:  # bz2 and lzma keep it inside, and say whether more output is waiting
            if decompressor.needs_input:
                return
            rest = b""
        asked = min(left, PIECE_BYTES)
        out = decompressor.decompress(rest, asked)


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
    models all work, and when a setting changes (``set_params`` or an
    assignment), so none outlives the settings it was built from.

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
    #: What is derived from the settings and forgotten when one changes: the native
    #: contexts of each thread, and whatever a subclass keeps of the model they name.
    _derived_from_settings: ClassVar[tuple[str, ...]] = ("_local",)

    def validate(self) -> None:
        """Check every parameter against ``_parameter_constraints``; reads no file.

        Raises
        ------
        sklearn.utils._param_validation.InvalidParameterError
            A ``ValueError`` (and ``TypeError``) naming the parameter, what it
            accepts and what it got.
        """
        self._validate_params()

    def fingerprint(self) -> str:
        """A digest of everything that decides this compressor's sizes.

        The class, every setting (``get_params``, each as :func:`_setting_key`
        writes it: an array by all its values, a compressor by its own
        fingerprint, a function or class by its module and qualified name),
        and the contents of the model file or folder that
        :attr:`model_parameter` names
        (:meth:`_model_contents`): a model retrained at the same path gives
        another fingerprint. Resumable searches record it, so a checkpoint is
        never resumed with other sizes.
        """
        digest = hashlib.sha256()
        digest.update(f"{type(self).__module__}.{type(self).__qualname__}".encode())
        settings = json.dumps(_setting_key(self.get_params(deep=False)), sort_keys=True)
        digest.update(settings.encode())
        for chunk in self._model_contents():
            digest.update(chunk)
        return digest.hexdigest()

    def _model_contents(self) -> Iterator[bytes]:
        """The bytes of the model that :attr:`model_parameter` names (none without one).

        A file by its bytes, a folder by its files' names and bytes, and a name
        that is no path (a Hugging Face Hub name) by the name alone: save such
        a model to a folder to pin its weights.
        """
        path = getattr(self, self.model_parameter) if self.model_parameter else None
        return file_contents(path) if path else iter(())

    def load(self) -> None:
        """Read what the compressor needs beyond its settings (a model file), now.

        Estimators call it in ``fit`` so that a missing or damaged model file
        fails there, not at the first compression. Compressors built from
        their settings alone have nothing to load.
        """

    @abstractmethod
    def compress(self, data: bytes) -> bytes:
        """Compress ``data`` into a self-contained stream.

        Parameters
        ----------
        data : bytes
        """

    def decompress(self, data: bytes, *, max_size: int = DEFAULT_MAX_SIZE) -> bytes:
        """Invert :meth:`compress`, writing at most ``max_size`` bytes.

        Parameters
        ----------
        data : bytes
            A stream written by :meth:`compress` (gzip with its header, zstd,
            bz2 and lzma also read several concatenated streams, as their
            command-line tools do).
        max_size : int, default=DEFAULT_MAX_SIZE
            The largest output accepted, in bytes (1 GiB by default): a
            decompression bomb stops there instead of exhausting memory.

        Raises
        ------
        OutputLimitError
            If the output would pass ``max_size``.
        CorruptStreamError
            If ``data`` is damaged, truncated or not this compressor's format
            (the error of the underlying library is kept as the cause).
        """
        return b"".join(self.decompress_chunks(data, max_size=max_size))

    def decompress_chunks(
        self, data: bytes, *, max_size: int = DEFAULT_MAX_SIZE
    ) -> Iterator[bytes]:
        """:meth:`decompress`'s output in pieces, as it is produced, for writing as it comes.

        The stream compressors yield as they inflate, so a caller that writes
        each piece holds one at a time; the others yield their whole output.
        Errors are those of :meth:`decompress`; one may come after some
        pieces.

        Parameters
        ----------
        data : bytes
            As in :meth:`decompress`.
        max_size : int, default=DEFAULT_MAX_SIZE
            As in :meth:`decompress`.
        """
        check_argument(
            max_size, "max_size", [Interval(Integral, 0, None, closed="left")], "decompress"
        )
        try:
            yield from self._decompress_chunks(data, max_size)
        except (CorruptStreamError, OutputLimitError):
            raise
        except self.stream_errors as error:
            raise CorruptStreamError(
                f"{type(self).__name__} cannot decompress these {len(data)} bytes: the "
                f"stream is corrupted, truncated or of another format "
                f"({type(error).__name__}: {error})."
            ) from error

    def _decompress_chunks(self, data: bytes, max_size: int) -> Iterator[bytes]:
        """The output in pieces: :meth:`_decompress`'s whole, unless a subclass streams it."""
        yield self._decompress(data, max_size)

    def _decompress(self, data: bytes, max_size: int) -> bytes:
        """Decompress ``data``, raising one of :attr:`stream_errors` on bad data and
        :class:`OutputLimitError` past ``max_size`` bytes."""
        raise NotImplementedError(
            f"{type(self).__name__} only sizes data: it does not implement _decompress()."
        )

    def compressed_size(self, data: bytes) -> float:
        """Size of ``data`` compressed, in bytes: ``len(self.compress(data))`` by default.

        Parameters
        ----------
        data : bytes
        """
        return float(len(self.compress(data)))

    def compressed_sizes(self, items: Sequence[bytes]) -> np.ndarray:
        """:meth:`compressed_size` of each item, shape (len(items),), dtype=float64.

        Compressors with a faster batch path override it.

        Parameters
        ----------
        items : sequence of bytes
        """
        size = self.compressed_size
        return np.fromiter((size(item) for item in items), dtype=np.float64, count=len(items))

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

    def compressed_sizes_with_suffix(self, prefixes: Sequence[bytes], suffix: bytes) -> np.ndarray:
        """Compressed sizes of ``prefix + suffix`` for every prefix: the pairs of
        :meth:`compressed_sizes_with_prefix` with the shared text second.

        NCD's ``train-first`` order sizes its pairs so. By default the
        concatenations' :meth:`compressed_sizes`; a compressor that defines a
        pair's joint size otherwise than as its concatenation's size (as
        ``zstd-prefix`` does) overrides it to give what
        ``compressed_sizes_with_prefix(prefix, [suffix])`` gives.

        Parameters
        ----------
        prefixes : sequence of bytes
            The varying heads.
        suffix : bytes
            Bytes shared by every input, after each head.

        Returns
        -------
        sizes : ndarray of shape (len(prefixes),), dtype=float64
        """
        return np.asarray(
            self.compressed_sizes([prefix + suffix for prefix in prefixes]), dtype=np.float64
        )

    def conditional_sizes(self, context: bytes, items: Sequence[bytes]) -> np.ndarray:
        """Bytes each item costs once the compressor has seen ``context``.

        ``C(context + item) - C(context)``, from
        :meth:`compressed_sizes_with_prefix`. Compressors with a dictionary
        mechanism override it with the size of the item compressed against
        ``context`` as a dictionary, which digests the context once instead of
        once per item.

        Parameters
        ----------
        context : bytes
            The bytes read before each item.
        items : sequence of bytes

        Returns
        -------
        sizes : ndarray of shape (len(items),), dtype=float64
        """
        joint = self.compressed_sizes_with_prefix(context, items)
        alone = self.compressed_size(context)
        joint = check_sizes(joint, self, "compressed_sizes_with_prefix", count=len(items))
        return joint - check_sizes(alone, self, "compressed_size")

    def _thread_context(self, factory: Callable[[], _Context]) -> _Context:
        """Return this thread's native context, building it with ``factory``."""
        local = self.__dict__.get("_local")
        if local is None:
            local = self.__dict__.setdefault("_local", threading.local())
        context = getattr(local, "context", None)
        if context is None:
            context = local.context = factory()
        return context

    def __setattr__(self, name: str, value: Any) -> None:
        """Set an attribute; a setting (a public name) also forgets every native context
        and kept model built from the old settings (:attr:`_derived_from_settings`).

        So ``set_params(level=19)`` and ``compressor.level = 19``, which
        scikit-learn allows alike, both take effect at the next call.
        """
        super().__setattr__(name, value)
        if not name.startswith("_"):
            for derived in self._derived_from_settings:
                self.__dict__.pop(derived, None)

    def __getstate__(self) -> dict[str, Any]:
        state: dict[str, Any] = dict(super().__getstate__())  # not the live __dict__
        state.pop("_local", None)
        return state
