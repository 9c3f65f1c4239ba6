"""Arithmetic coding of symbols under any next-symbol model, with deterministic quantisation.

The coder is separate from the model: a model is anything that gives, for the
symbols seen so far, a probability for each possible next symbol (see
:class:`SymbolModel`). Symbols are bytes (an alphabet of 256) for the byte
language model and token ids (the vocabulary) for a Hugging Face model.
Probabilities are turned into integer frequencies by :func:`quantize`,
deterministically, so the decoder rebuilds exactly the frequencies the encoder
used. The coder is the classic integer arithmetic coder (Witten, Neal and
Cleary, 1987) with a 32-bit state.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import numpy as np

from . import _coder_kernels as kernels
from ._coder_kernels import SMALL_ALPHABET_BITS, STATE_BITS

ALPHABET_SIZE = 256
"""The default alphabet: bytes."""
MAX_ALPHABET_SIZE = 1 << 22
"""The largest alphabet: every symbol keeps a count of at least 1 out of 2 ** 30."""


class SymbolModel(Protocol):
    """A next-symbol model: a fresh state per stream, then one update per symbol."""

    def reset(self) -> np.ndarray:
        """Forget the stream; return the distribution of its first symbol."""

    def update(self, symbol: int) -> np.ndarray:
        """Observe ``symbol``; return the distribution of the next one.

        Parameters
        ----------
        symbol : int
            The stream's next symbol.
        """


def frequency_bits(alphabet_size: int = ALPHABET_SIZE) -> int:
    """Quantised frequencies of one step sum to ``2 ** frequency_bits(alphabet_size)``.

    16 bits for bytes; 8 bits more than the alphabet needs for larger ones, so
    the count reserved for every symbol costs under 1/256 of the mass.

    Parameters
    ----------
    alphabet_size : int, default=ALPHABET_SIZE
        Symbols in the alphabet, 2 to :data:`MAX_ALPHABET_SIZE`.

    Examples
    --------
    >>> frequency_bits(256), frequency_bits(50257)
    (16, 24)
    """
    if not 2 <= alphabet_size <= MAX_ALPHABET_SIZE:
        raise ValueError(
            f"The alphabet must have 2 to {MAX_ALPHABET_SIZE} symbols, got {alphabet_size}."
        )
    return max(SMALL_ALPHABET_BITS, (alphabet_size - 1).bit_length() + 8)


def quantize(probabilities: np.ndarray, alphabet_size: int = ALPHABET_SIZE) -> np.ndarray:
    """Cumulative integer frequencies, every symbol at least 1, summing to a power of two.

    Deterministic: the same probabilities always give the same frequencies
    (floors, then the remainder to the largest fractional parts, ties to the
    lower symbol), so encoder and decoder agree exactly.

    Parameters
    ----------
    probabilities : array-like of shape (alphabet_size,)
        The next symbol's distribution: finite, non-negative, not necessarily
        summing to 1 (all zeros count as uniform).
    alphabet_size : int, default=ALPHABET_SIZE
        Symbols in the alphabet (256: bytes).

    Returns
    -------
    cumulative : ndarray of shape (alphabet_size + 1,), dtype=int64
        ``cumulative[s]`` to ``cumulative[s + 1]`` is symbol ``s``'s interval;
        ``cumulative[-1]`` is ``2 ** frequency_bits(alphabet_size)``.
    """
    p = np.ascontiguousarray(probabilities, dtype=np.float64)
    if p.shape != (alphabet_size,):
        raise ValueError(
            f"A next-symbol distribution must be {alphabet_size} numbers, got shape {p.shape}."
        )
    if not np.all(np.isfinite(p)) or np.any(p < 0):
        raise ValueError(
            "A next-symbol distribution must be finite non-negative numbers, got "
            f"{np.count_nonzero(~np.isfinite(p))} not finite and {np.count_nonzero(p < 0)} "
            "negative."
        )
    return kernels.quantize(p, frequency_bits(alphabet_size))


def ideal_code_length(
    symbols: Sequence[int], model: SymbolModel, alphabet_size: int = ALPHABET_SIZE
) -> float:
    """-sum log2 p(symbol | previous symbols) in bits, under the quantised model.

    Parameters
    ----------
    symbols : sequence of int
        The stream, each symbol below ``alphabet_size``.
    model : SymbolModel
        Reset, then updated with each symbol.
    alphabet_size : int, default=ALPHABET_SIZE
        Symbols in the alphabet (256: bytes).
    """
    bits = 0.0
    distribution = model.reset()
    for symbol in symbols:
        cumulative = quantize(distribution, alphabet_size)
        bits -= np.log2((cumulative[symbol + 1] - cumulative[symbol]) / cumulative[-1])
        distribution = model.update(symbol)
    return bits


def encode(
    symbols: Sequence[int], model: SymbolModel, alphabet_size: int = ALPHABET_SIZE
) -> bytes:
    """Arithmetic-code ``symbols`` (bytes, or ints below ``alphabet_size``) under ``model``.

    The number of symbols is stored up front as a varint.

    Parameters
    ----------
    symbols : bytes or sequence of int
        The stream.
    model : SymbolModel
        Reset, then updated with each symbol.
    alphabet_size : int, default=ALPHABET_SIZE
        Symbols in the alphabet (256: bytes).
    """
    precision = frequency_bits(alphabet_size)
    state, out = kernels.new_encoder(), output_buffer(len(symbols), precision)
    distribution = model.reset()
    for symbol in symbols:
        if not 0 <= symbol < alphabet_size:
            raise ValueError(f"Symbol {symbol} is outside the alphabet [0, {alphabet_size}).")
        cumulative = quantize(distribution, alphabet_size)
        kernels.encode_symbol(state, out, cumulative, symbol, precision)
        distribution = model.update(symbol)
    return varint(len(symbols)) + out[: kernels.finish_encoding(state, out)].tobytes()


def output_buffer(n_symbols: int, precision: int) -> np.ndarray:
    """A zeroed buffer the code of ``n_symbols`` symbols cannot overflow.

    A symbol keeps a frequency of at least 1 out of ``2 ** precision``, so it
    settles at most ``precision + 1`` bits; the end of the stream adds at
    most two more.

    Parameters
    ----------
    n_symbols : int
        Symbols to code.
    precision : int
        The alphabet's :func:`frequency_bits`.
    """
    return np.zeros(((precision + 1) * n_symbols + 2 * STATE_BITS) // 8 + 1, dtype=np.uint8)


def declared_length(code: bytes) -> int:
    """The number of symbols the header of ``code`` announces, read without decoding.

    Parameters
    ----------
    code : bytes
        A code written by :func:`encode`.
    """
    return _read_varint(code)[0]


def read_header(
    code: bytes, alphabet_size: int = ALPHABET_SIZE, *, cheapest: float | None = None
) -> tuple[int, np.ndarray]:
    """The number of symbols ``code`` announces, and its payload as a uint8 array.

    Parameters
    ----------
    code : bytes
        A code written by :func:`encode`.
    alphabet_size : int, default=ALPHABET_SIZE
        Symbols in the alphabet (256: bytes).
    cheapest : float, default=None
        The fewest bits a symbol can cost; None: that of the likeliest symbol
        when every other keeps one count.

    Raises
    ------
    ValueError
        If the header is incomplete, or announces more symbols than the
        payload can hold: a corrupted length fails here instead of decoding
        for ever.
    """
    length, offset = _read_varint(code)
    payload_bits = 8 * (len(code) - offset)
    # The likeliest symbol still costs -log2(1 - (alphabet_size - 1) / total) bits,
    # which bounds how many symbols the payload can hold.
    if cheapest is None:
        cheapest = -np.log2(1 - (alphabet_size - 1) / (1 << frequency_bits(alphabet_size)))
    most = int((payload_bits + 2 * STATE_BITS) / cheapest) + 1
    if length > most:
        raise ValueError(
            f"The arithmetic code claims {length} symbols, but its {payload_bits // 8} "
            f"payload bytes can hold at most {most}: the code is corrupted."
        )
    return length, np.frombuffer(code, dtype=np.uint8, offset=offset)


def decode(code: bytes, model: SymbolModel, alphabet_size: int = ALPHABET_SIZE) -> list[int]:
    """Invert :func:`encode` under the same model: the symbols, as ints.

    Parameters
    ----------
    code : bytes
        A code written by :func:`encode`.
    model : SymbolModel
        The model it was written under; reset, then updated with each symbol.
    alphabet_size : int, default=ALPHABET_SIZE
        Symbols in the alphabet (256: bytes).
    """
    precision = frequency_bits(alphabet_size)
    length, payload = read_header(code, alphabet_size)
    state, spent = kernels.new_decoder(payload), np.zeros(1)
    out: list[int] = []
    distribution = model.reset()
    for _ in range(length):
        cumulative = quantize(distribution, alphabet_size)
        symbol = int(kernels.decode_symbol(state, spent, payload, cumulative, precision))
        check_decoder(state)
        out.append(symbol)
        distribution = model.update(symbol)
    check_decoded(state, payload)
    return out


def varint(number: int) -> bytes:
    """``number`` as the stream's length header: 7 bits per byte, lowest first.

    Parameters
    ----------
    number : int
        Not negative (a negative one is refused).

    Examples
    --------
    >>> varint(300).hex()
    'ac02'
    """
    if number < 0:
        raise ValueError(f"A length header holds a count of 0 or more, got {number}.")
    out = bytearray()
    while True:
        out.append((number & 0x7F) | (0x80 if number > 0x7F else 0))
        number >>= 7
        if not number:
            return bytes(out)


_DECODER_ERRORS = {
    kernels.TRUNCATED: "The arithmetic code is truncated: decoding reads past its end.",
    kernels.OVERSPENT: "The arithmetic code is corrupted: its symbols would need more bits "
    "than it holds.",
    kernels.OUTSIDE: "The arithmetic code is corrupted: its value left the coder's interval.",
}


def check_decoder(state: np.ndarray) -> None:
    """Raise the error a compiled decoder's ``state`` records, if any.

    Parameters
    ----------
    state : ndarray
        The state of the compiled decoder.

    Raises
    ------
    ValueError
        If the code was truncated or corrupted.
    """
    if state[kernels.ERROR]:
        raise ValueError(_DECODER_ERRORS[int(state[kernels.ERROR])])


def check_decoded(state: np.ndarray, code: np.ndarray) -> None:
    """Raise if the decoder, its symbols all decoded, needed bits past the end of ``code``.

    The encoder writes one bit for every bit the decoder shifts in past its
    first :data:`STATE_BITS`, and two more to end the stream; a code shorter
    than that lost its last byte or more, and its last symbols were decoded
    from zeros standing in for them.

    Parameters
    ----------
    state : ndarray
        The state of the compiled decoder after the last symbol.
    code : ndarray of uint8
        The payload it decoded (:func:`read_header`'s).

    Raises
    ------
    ValueError
        If the code was truncated or corrupted.
    """
    check_decoder(state)
    if state[kernels.POSITION] - STATE_BITS + 2 > 8 * len(code):
        raise ValueError(_DECODER_ERRORS[kernels.TRUNCATED])


def _read_varint(data: bytes) -> tuple[int, int]:
    number = shift = 0
    for index, byte in enumerate(data):
        number |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return number, index + 1
        shift += 7
    raise ValueError("The arithmetic code is truncated: its length header is incomplete.")
