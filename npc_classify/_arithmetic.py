"""Arithmetic coding of bytes under any next-byte model, with deterministic quantisation.

The coder is separate from the model: a model is anything that gives, for the
bytes seen so far, a probability for each of the 256 next bytes (see
:class:`ByteModel`). Probabilities are turned into integer frequencies by
:func:`quantize`, deterministically, so the decoder rebuilds exactly the
frequencies the encoder used. The coder is the classic integer arithmetic
coder (Witten, Neal and Cleary, 1987) with a 32-bit state.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

import numpy as np

#: Bits of the coder's state (low and high).
STATE_BITS = 32
#: Quantised frequencies of one step sum to 2 ** FREQUENCY_BITS.
FREQUENCY_BITS = 16
#: Symbols are bytes.
ALPHABET_SIZE = 256

_TOP = (1 << STATE_BITS) - 1
_HALF = 1 << (STATE_BITS - 1)
_QUARTER = 1 << (STATE_BITS - 2)
_TOTAL = 1 << FREQUENCY_BITS


class ByteModel(Protocol):
    """A next-byte model: a fresh state per stream, then one update per byte."""

    def reset(self) -> np.ndarray:
        """Forget the stream; return the distribution of its first byte."""

    def update(self, byte: int) -> np.ndarray:
        """Observe ``byte``; return the distribution of the next one."""


def quantize(probabilities: np.ndarray) -> np.ndarray:
    """Cumulative integer frequencies, every byte at least 1, summing to 2 ** 16.

    Deterministic: the same probabilities always give the same frequencies
    (floors, then the remainder to the largest fractional parts, ties to the
    lower byte), so encoder and decoder agree exactly.

    Returns
    -------
    cumulative : ndarray of shape (257,), dtype=int64
        ``cumulative[b]`` to ``cumulative[b + 1]`` is byte ``b``'s interval.
    """
    p = np.asarray(probabilities, dtype=np.float64)
    if p.shape != (ALPHABET_SIZE,) or not np.all(np.isfinite(p)) or np.any(p < 0):
        raise ValueError(
            f"A next-byte distribution must be {ALPHABET_SIZE} finite non-negative "
            f"numbers, got shape {p.shape}."
        )
    total = p.sum()
    p = p / total if total > 0 else np.full(ALPHABET_SIZE, 1.0 / ALPHABET_SIZE)
    spare = _TOTAL - ALPHABET_SIZE  # one count is reserved for every byte
    scaled = p * spare
    counts = np.floor(scaled).astype(np.int64)
    remainder = spare - int(counts.sum())
    if remainder > 0:
        order = np.lexsort((np.arange(ALPHABET_SIZE), -(scaled - counts)))
        counts[order[:remainder]] += 1
    cumulative = np.zeros(ALPHABET_SIZE + 1, dtype=np.int64)
    np.cumsum(counts + 1, out=cumulative[1:])
    return cumulative


def ideal_code_length(data: bytes, model: ByteModel) -> float:
    """-sum log2 p(byte | previous bytes) in bits, under the quantised model."""
    bits = 0.0
    distribution = model.reset()
    for byte in data:
        cumulative = quantize(distribution)
        bits -= np.log2((cumulative[byte + 1] - cumulative[byte]) / _TOTAL)
        distribution = model.update(byte)
    return bits


def encode(data: bytes, model: ByteModel) -> bytes:
    """Arithmetic-code ``data`` under ``model``; the length is stored up front."""
    bits: list[int] = []
    low, high, pending = 0, _TOP, 0

    def emit(bit: int) -> None:
        nonlocal pending
        bits.append(bit)
        bits.extend([1 - bit] * pending)
        pending = 0

    distribution = model.reset()
    for byte in data:
        cumulative = quantize(distribution)
        span = high - low + 1
        high = low + span * int(cumulative[byte + 1]) // _TOTAL - 1
        low = low + span * int(cumulative[byte]) // _TOTAL
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
        distribution = model.update(byte)
    pending += 1
    emit(0 if low < _QUARTER else 1)
    return _varint(len(data)) + _pack_bits(bits)


def decode(code: bytes, model: ByteModel) -> bytes:
    """Invert :func:`encode` under the same model."""
    length, offset = _read_varint(code)
    bit_at = _bit_reader(code[offset:])
    value = 0
    for _ in range(STATE_BITS):
        value = 2 * value + bit_at()
    low, high = 0, _TOP
    out = bytearray()
    distribution = model.reset()
    for _ in range(length):
        cumulative = quantize(distribution)
        span = high - low + 1
        target = ((value - low + 1) * _TOTAL - 1) // span
        byte = int(np.searchsorted(cumulative, target, side="right")) - 1
        high = low + span * int(cumulative[byte + 1]) // _TOTAL - 1
        low = low + span * int(cumulative[byte]) // _TOTAL
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
        out.append(byte)
        distribution = model.update(byte)
    return bytes(out)


def _pack_bits(bits: list[int]) -> bytes:
    return np.packbits(np.array(bits, dtype=np.uint8)).tobytes() if bits else b""


def _bit_reader(data: bytes) -> Callable[[], int]:
    """Bits of ``data``, most significant first, then zeros forever."""
    bits = np.unpackbits(np.frombuffer(data, dtype=np.uint8)).tolist()
    position = 0

    def next_bit() -> int:
        nonlocal position
        position += 1
        return bits[position - 1] if position <= len(bits) else 0

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
