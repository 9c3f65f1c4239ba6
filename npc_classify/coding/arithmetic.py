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

from collections.abc import Callable, Sequence
from typing import Protocol

import numpy as np

#: Bits of the coder's state (low and high).
STATE_BITS = 32
#: The default alphabet: bytes.
ALPHABET_SIZE = 256
#: The largest alphabet: every symbol keeps a count of at least 1 out of 2 ** 30.
MAX_ALPHABET_SIZE = 1 << 22

_TOP = (1 << STATE_BITS) - 1
_HALF = 1 << (STATE_BITS - 1)
_QUARTER = 1 << (STATE_BITS - 2)


class SymbolModel(Protocol):
    """A next-symbol model: a fresh state per stream, then one update per symbol."""

    def reset(self) -> np.ndarray:
        """Forget the stream; return the distribution of its first symbol."""

    def update(self, symbol: int) -> np.ndarray:
        """Observe ``symbol``; return the distribution of the next one."""


def frequency_bits(alphabet_size: int = ALPHABET_SIZE) -> int:
    """Quantised frequencies of one step sum to ``2 ** frequency_bits(alphabet_size)``.

    16 bits for bytes; 8 bits more than the alphabet needs for larger ones, so
    the count reserved for every symbol costs under 1/256 of the mass.

    >>> frequency_bits(256), frequency_bits(50257)
    (16, 24)
    """
    if not 2 <= alphabet_size <= MAX_ALPHABET_SIZE:
        raise ValueError(
            f"The alphabet must have 2 to {MAX_ALPHABET_SIZE} symbols, got {alphabet_size}."
        )
    return max(16, (alphabet_size - 1).bit_length() + 8)


def quantize(probabilities: np.ndarray, alphabet_size: int = ALPHABET_SIZE) -> np.ndarray:
    """Cumulative integer frequencies, every symbol at least 1, summing to a power of two.

    Deterministic: the same probabilities always give the same frequencies
    (floors, then the remainder to the largest fractional parts, ties to the
    lower symbol), so encoder and decoder agree exactly.

    Returns
    -------
    cumulative : ndarray of shape (alphabet_size + 1,), dtype=int64
        ``cumulative[s]`` to ``cumulative[s + 1]`` is symbol ``s``'s interval;
        ``cumulative[-1]`` is ``2 ** frequency_bits(alphabet_size)``.
    """
    p = np.asarray(probabilities, dtype=np.float64)
    if p.shape != (alphabet_size,) or not np.all(np.isfinite(p)) or np.any(p < 0):
        raise ValueError(
            f"A next-symbol distribution must be {alphabet_size} finite non-negative "
            f"numbers, got shape {p.shape}."
        )
    total = p.sum()
    p = p / total if total > 0 else np.full(alphabet_size, 1.0 / alphabet_size)
    spare = (1 << frequency_bits(alphabet_size)) - alphabet_size  # 1 count kept per symbol
    scaled = p * spare
    counts = np.floor(scaled).astype(np.int64)
    remainder = spare - int(counts.sum())
    if remainder > 0:
        order = np.lexsort((np.arange(alphabet_size), -(scaled - counts)))
        counts[order[:remainder]] += 1
    cumulative = np.zeros(alphabet_size + 1, dtype=np.int64)
    np.cumsum(counts + 1, out=cumulative[1:])
    return cumulative


def ideal_code_length(
    symbols: Sequence[int], model: SymbolModel, alphabet_size: int = ALPHABET_SIZE
) -> float:
    """-sum log2 p(symbol | previous symbols) in bits, under the quantised model."""
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
    """
    total = 1 << frequency_bits(alphabet_size)
    bits: list[int] = []
    low, high, pending = 0, _TOP, 0

    def emit(bit: int) -> None:
        nonlocal pending
        bits.append(bit)
        bits.extend([1 - bit] * pending)
        pending = 0

    distribution = model.reset()
    for symbol in symbols:
        if not 0 <= symbol < alphabet_size:
            raise ValueError(f"Symbol {symbol} is outside the alphabet [0, {alphabet_size}).")
        cumulative = quantize(distribution, alphabet_size)
        span = high - low + 1
        high = low + span * int(cumulative[symbol + 1]) // total - 1
        low = low + span * int(cumulative[symbol]) // total
        while True:
            if high < _HALF:
                emit(0)
            elif low >= _HALF:
                emit(1)
                low, high = low - _HALF, high - _HALF
            elif low >= _QUARTER and high < _HALF + _QUARTER:
                pending += 1
                low, high = low - _QUARTER, high - _QUARTER
            else:
                break
            low, high = 2 * low, 2 * high + 1
        distribution = model.update(symbol)
    pending += 1
    emit(0 if low < _QUARTER else 1)
    return _varint(len(symbols)) + _pack_bits(bits)


def declared_length(code: bytes) -> int:
    """The number of symbols the header of ``code`` announces, read without decoding."""
    return _read_varint(code)[0]


def decode(code: bytes, model: SymbolModel, alphabet_size: int = ALPHABET_SIZE) -> list[int]:
    """Invert :func:`encode` under the same model: the symbols, as ints."""
    total = 1 << frequency_bits(alphabet_size)
    length, offset = _read_varint(code)
    payload_bits = 8 * (len(code) - offset)
    # The likeliest symbol still costs -log2(1 - (alphabet_size - 1) / total) bits,
    # which bounds how many symbols the payload can hold: a corrupted length header
    # fails here instead of decoding for ever.
    cheapest = -np.log2(1 - (alphabet_size - 1) / total)
    most = int((payload_bits + 2 * STATE_BITS) / cheapest) + 1
    if length > most:
        raise ValueError(
            f"The arithmetic code claims {length} symbols, but its {payload_bits // 8} "
            f"payload bytes can hold at most {most}: the code is corrupted."
        )
    bit_at = _bit_reader(code[offset:])
    value = 0
    for _ in range(STATE_BITS):
        value = 2 * value + bit_at()
    low, high = 0, _TOP
    out: list[int] = []
    spent = 0.0  # ideal bits of the symbols decoded so far
    distribution = model.reset()
    for _ in range(length):
        cumulative = quantize(distribution, alphabet_size)
        span = high - low + 1
        target = ((value - low + 1) * total - 1) // span
        symbol = int(np.searchsorted(cumulative, target, side="right")) - 1
        spent += np.log2(total / (cumulative[symbol + 1] - cumulative[symbol]))
        if spent > payload_bits + 2 * STATE_BITS:
            raise ValueError(
                f"The arithmetic code is corrupted: its {length} symbols would need more "
                f"than the {payload_bits} bits it holds."
            )
        high = low + span * int(cumulative[symbol + 1]) // total - 1
        low = low + span * int(cumulative[symbol]) // total
        while True:
            if high < _HALF:
                pass
            elif low >= _HALF:
                low, high, value = low - _HALF, high - _HALF, value - _HALF
            elif low >= _QUARTER and high < _HALF + _QUARTER:
                low, high, value = low - _QUARTER, high - _QUARTER, value - _QUARTER
            else:
                break
            low, high, value = 2 * low, 2 * high + 1, 2 * value + bit_at()
        out.append(symbol)
        distribution = model.update(symbol)
    return out


def _pack_bits(bits: list[int]) -> bytes:
    return np.packbits(np.array(bits, dtype=np.uint8)).tobytes() if bits else b""


def _bit_reader(data: bytes) -> Callable[[], int]:
    """Bits of ``data``, most significant first, then the zeros the encoder left implicit.

    The decoder runs :data:`STATE_BITS` bits ahead of the encoder, which ends
    its output with at least one bit of its own; reading further means the
    code was cut short.
    """
    bits = np.unpackbits(np.frombuffer(data, dtype=np.uint8)).tolist()
    position = 0

    def next_bit() -> int:
        nonlocal position
        position += 1
        if position <= len(bits):
            return bits[position - 1]
        if position > len(bits) + STATE_BITS:
            raise ValueError("The arithmetic code is truncated: decoding reads past its end.")
        return 0

    return next_bit


def _varint(number: int) -> bytes:
    out = bytearray()
    while True:
        out.append((number & 0x7F) | (0x80 if number > 0x7F else 0))
        number >>= 7
        if not number:
            return bytes(out)


def _read_varint(data: bytes) -> tuple[int, int]:
    number = shift = 0
    for index, byte in enumerate(data):
        number |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return number, index + 1
        shift += 7
    raise ValueError("The arithmetic code is truncated: its length header is incomplete.")
