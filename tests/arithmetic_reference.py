"""A deliberately plain arithmetic coder in Python and numpy: the oracle of the compiled one.

The same coder as :mod:`npc_classify.coding.arithmetic` (Witten, Neal and
Cleary's, 32-bit state, frequencies quantised by floors and the remainder to
the largest fractional parts), written the obvious way: numpy's own sum and
lexsort for the quantisation, a Python list of bits for the output. The
compiled steps must give identical frequencies and identical streams.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

STATE_BITS = 32
_TOP = (1 << STATE_BITS) - 1
_HALF = 1 << (STATE_BITS - 1)
_QUARTER = 1 << (STATE_BITS - 2)


def quantize(probabilities: np.ndarray, precision: int) -> np.ndarray:
    """Cumulative frequencies summing to ``2 ** precision``, each symbol at least 1."""
    p = np.asarray(probabilities, dtype=np.float64)
    n = len(p)
    total = p.sum()
    p = p / total if total > 0 else np.full(n, 1.0 / n)
    spare = (1 << precision) - n
    scaled = p * spare
    counts = np.floor(scaled).astype(np.int64)
    remainder = spare - int(counts.sum())
    if remainder > 0:
        order = np.lexsort((np.arange(n), -(scaled - counts)))
        counts[order[:remainder]] += 1
    return np.concatenate([[0], np.cumsum(counts + 1)])


def encode(symbols: Sequence[int], model, alphabet_size: int, precision: int) -> bytes:
    """The stream of ``symbols`` under ``model``: a varint length, then the bits."""
    total = 1 << precision
    bits: list[int] = []
    low, high, pending = 0, _TOP, 0

    def emit(bit: int) -> None:
        nonlocal pending
        bits.extend([bit] + [1 - bit] * pending)
        pending = 0

    distribution = model.reset()
    for symbol in symbols:
        cumulative = quantize(distribution, precision)
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
    header, number = bytearray(), len(symbols)
    while True:
        header.append((number & 0x7F) | (0x80 if number > 0x7F else 0))
        number >>= 7
        if not number:
            break
    payload = np.packbits(np.array(bits, dtype=np.uint8)).tobytes()
    return bytes(header) + payload
