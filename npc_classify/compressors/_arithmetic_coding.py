"""What every language-model compressor shares: a next-symbol model driving the coder."""

from __future__ import annotations

import hashlib
import operator
from abc import abstractmethod
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from ..coding import arithmetic
from ._base import Compressor, check_output_size

#: What a model learns from one context (a count table, a context mixer, a fine-tuned
#: copy) is kept per thread up to this many bytes in all, the least recently used
#: dropped first: enough for the class and complement models of TREC's 50 fine classes
#: under CM (3.2 GB), so that a second ``predict`` reads none of their texts again.
MAX_CONTEXT_STATE_BYTES = 4 << 30


def state_for_context(
    cache: dict[bytes, tuple[Any, int]],
    context: bytes,
    build: Callable[[], Any],
    nbytes: Callable[[Any], int] = operator.attrgetter("nbytes"),
) -> Any:
    """``build()``'s result for ``context``, built once and kept in ``cache`` by its digest.

    ``cache`` maps digests to states and their sizes (``nbytes(state)`` when
    built or last returned: a state may grow with use), the least recently used
    first. The state returned drops the least recently used others until all
    fit in :data:`MAX_CONTEXT_STATE_BYTES` (it is kept even alone above it).
    """
    key = hashlib.sha256(context).digest()
    state = cache.pop(key)[0] if key in cache else build()
    size = nbytes(state)
    held = sum(kept for _, kept in cache.values())
    while cache and held + size > MAX_CONTEXT_STATE_BYTES:
        held -= cache.pop(next(iter(cache)))[1]
    cache[key] = (state, size)  # now the most recently used
    return state


class ArithmeticCodingCompressor(Compressor):
    """A next-symbol model driving the coder of :mod:`npc_classify.coding.arithmetic`.

    ``compress``/``decompress`` are real and lossless (``decompress`` codes its
    output again and refuses a stream that is not that code, as a truncated one
    can be: it takes about twice a decoding); sizes for NCD are the
    ideal code lengths in (fractional) bytes, from which the real code
    differs as the coder quantises the model's probabilities (shorter or
    longer; longer where the model is all but certain, every symbol keeping
    at least one count). Subclasses give :meth:`compressed_sizes_with_prefix`
    and either the model's stream and alphabet (:meth:`_coding`) with the
    symbols of a byte string and back, or a model that codes a whole stream
    itself (:meth:`_encode`, :meth:`_decode` and :meth:`ideal_bits`).
    """

    def _coding(self) -> tuple[arithmetic.SymbolModel, int]:
        """This thread's next-symbol model (a ``SymbolModel``) and its alphabet size."""
        raise NotImplementedError(
            f"{type(self).__name__} has no next-symbol model: it codes whole streams "
            "through _encode and _decode."
        )

    @abstractmethod
    def compressed_sizes_with_prefix(self, prefix: bytes, suffixes: Sequence[bytes]) -> np.ndarray:
        """Ideal code lengths of ``prefix + suffix`` in bytes; the prefix is read once.

        Parameters
        ----------
        prefix, suffixes
            As in :meth:`~npc_classify.compressors.Compressor.compressed_sizes_with_prefix`.
        """

    def _to_symbols(self, data: bytes) -> Sequence[int]:
        return data

    def _from_symbols(self, symbols: Sequence[int]) -> bytes:
        return bytes(symbols)

    def compress(self, data: bytes) -> bytes:
        if not isinstance(data, (bytes, bytearray, memoryview)):
            raise TypeError(
                f"{type(self).__name__}.compress takes bytes, got {type(data).__name__}: "
                "encode a text first, e.g. text.encode('utf-8')."
            )
        return self._encode(bytes(data))

    def _decompress(self, data: bytes, max_size: int) -> bytes:
        # Every symbol spells at least one byte: a header announcing more symbols than
        # max_size is refused before any decoding work.
        check_output_size(arithmetic.declared_length(data), max_size)
        out = self._decode(data)
        check_output_size(len(out), max_size)
        # A code cut short can decode, from the zeros that stand in for its lost bits, to
        # other last bytes; it is then not the code of what it decodes to.
        if self._encode(out) != data:
            raise ValueError(
                "The arithmetic code is truncated or corrupted: it is not the code of the "
                "bytes it decodes to."
            )
        return out

    def _encode(self, data: bytes) -> bytes:
        """The arithmetic code of ``data``: the model of :meth:`_coding` driving the coder."""
        stream, alphabet_size = self._coding()
        return arithmetic.encode(self._to_symbols(data), stream, alphabet_size)

    def _decode(self, code: bytes) -> bytes:
        """Invert :meth:`_encode`."""
        stream, alphabet_size = self._coding()
        return self._from_symbols(arithmetic.decode(code, stream, alphabet_size))

    def compressed_size(self, data: bytes) -> float:
        return float(self.compressed_sizes_with_prefix(b"", [data])[0])

    def code_lengths(self, prefix: bytes, data: bytes) -> np.ndarray:
        """Ideal bits of each byte of ``data`` when ``prefix + data`` is coded.

        The per-byte terms of the joint size: they add up (to rounding) to
        ``8 * (compressed_sizes_with_prefix(prefix, [data])[0] - compressed_size(prefix))``
        (for CM, whose tables grow with the text, less the prefix's bits under
        the pair's tables: :meth:`~npc_classify.compressors.CMCompressor.code_lengths`).

        Parameters
        ----------
        prefix : bytes
            Bytes coded before ``data``.
        data : bytes
            The bytes whose costs are returned.

        Returns
        -------
        bits : ndarray of shape (len(data),), dtype=float64

        Raises
        ------
        NotImplementedError
            For a model whose symbols are not bytes (a Hugging Face model codes
            tokens, and a token's bits have no share per byte).
        """
        raise NotImplementedError(
            f"{type(self).__name__} gives no code length per byte: its model codes tokens "
            "of one or more bytes, and a token's bits have no share per byte. "
            "PPMCompressor, CMCompressor and LMCompressor code byte by byte."
        )

    def conditional_code_lengths(self, context: bytes, data: bytes) -> np.ndarray:
        """Ideal bits of each byte of ``data`` under the model conditioned on ``context``.

        The per-byte terms of :meth:`conditional_sizes`: they add up (to
        rounding) to ``8 * conditional_sizes(context, [data])[0]``. By default
        :meth:`code_lengths` after ``context``, as ``conditional_sizes`` is
        ``C(context + data) - C(context)``.

        Parameters
        ----------
        context : bytes
            The bytes the model is conditioned on.
        data : bytes
            The bytes whose costs are returned.

        Returns
        -------
        bits : ndarray of shape (len(data),), dtype=float64
        """
        return self.code_lengths(context, data)

    def ideal_bits(self, data: bytes) -> float:
        """-sum log2 p over ``data``'s symbols under the quantised model the coder uses.

        Parameters
        ----------
        data : bytes
        """
        stream, alphabet_size = self._coding()
        return arithmetic.ideal_code_length(self._to_symbols(data), stream, alphabet_size)
