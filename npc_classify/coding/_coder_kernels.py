"""The compiled steps of the arithmetic coder: quantising a distribution, coding one symbol.

:mod:`.arithmetic` drives these steps from Python for any model; the PPM
engine (:mod:`._ppm_kernels`) calls them from its own compiled loop, so a
PPM stream is coded without leaving compiled code. Either way the same
functions produce the same bits.

A coder's state lives in a small int64 array so that a stream can be coded
in several calls:

- encoder: ``[low, high, pending, bits_written]``, its output a zeroed
  ``uint8`` buffer filled most significant bit first;
- decoder: ``[low, high, value, bits_read, error]``, plus a float64
  ``[spent]``, the ideal bits of the symbols decoded so far. A damaged code
  sets ``error`` (:data:`TRUNCATED`, :data:`OVERSPENT`, :data:`OUTSIDE`) and
  decoding stops; the Python caller raises. (An exception raised inside
  compiled code would leak the arrays it was given.)

Compiled with numba (``cache=True``: compiled once per machine). The selection
and the bisection are written out: numba's ``np.partition`` and
``np.searchsorted`` take seconds to compile at a first use.
"""

from __future__ import annotations

import numpy as np
from numba import njit

#: Bits of the coder's state (low and high).
STATE_BITS = 32
#: Quantised frequencies of bits and bytes sum to 2 ** 16 (and of larger alphabets to
#: more: ``arithmetic.frequency_bits``).
SMALL_ALPHABET_BITS = 16

#: Where a coder's state keeps the position of the next bit (written, or read).
POSITION = 3
#: Where a decoder's state keeps its error (0: none).
ERROR = 4
#: Decoder errors: reading past the code's end, symbols costing more bits than it holds,
#: the value outside the coder's interval.
TRUNCATED, OVERSPENT, OUTSIDE = 1, 2, 3

_TOP = (1 << STATE_BITS) - 1
_HALF = 1 << (STATE_BITS - 1)
_QUARTER = 1 << (STATE_BITS - 2)
_BLOCK = 128  # numpy's pairwise summation block


@njit(cache=True, inline="always")
def _block_sum(values: np.ndarray, start: int, n: int) -> float:
    """The sum of at most 128 values as numpy adds them: eight running sums."""
    if n < 8:
        total = 0.0
        for i in range(start, start + n):
            total += values[i]
        return total
    r0, r1, r2, r3 = values[start], values[start + 1], values[start + 2], values[start + 3]
    r4, r5, r6, r7 = values[start + 4], values[start + 5], values[start + 6], values[start + 7]
    i = 8
    while i < n - n % 8:
        j = start + i
        r0 += values[j]
        r1 += values[j + 1]
        r2 += values[j + 2]
        r3 += values[j + 3]
        r4 += values[j + 4]
        r5 += values[j + 5]
        r6 += values[j + 6]
        r7 += values[j + 7]
        i += 8
    total = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
    while i < n:
        total += values[start + i]
        i += 1
    return total


@njit(cache=True)
def pairwise_sum(values: np.ndarray) -> float:
    """``values.sum()`` added in exactly numpy's order.

    numpy sums a float64 array pairwise: blocks of at most 128 with eight
    running sums, halves (cut at a multiple of 8) above that. Quantisation
    divides by this total, so the encoder, the decoder and every earlier
    stream must agree on it to the last bit. The halving runs on an explicit
    stack (a recursive function breaks numba's on-disk cache).
    """
    starts = np.empty(64, dtype=np.int64)
    sizes = np.empty(64, dtype=np.int64)
    stages = np.zeros(64, dtype=np.int64)  # 0: left half next, 1: right half, 2: add them
    left_sums = np.empty(64)
    starts[0], sizes[0], top, total = 0, len(values), 0, 0.0
    while top >= 0:
        start, n = starts[top], sizes[top]
        if n <= _BLOCK:
            total = _block_sum(values, start, n)
            top -= 1
            continue
        half = n // 2
        half -= half % 8
        if stages[top] == 0:
            stages[top] = 1
            child_start, child_n = start, half
        elif stages[top] == 1:
            stages[top], left_sums[top] = 2, total
            child_start, child_n = start + half, n - half
        else:
            total = left_sums[top] + total
            top -= 1
            continue
        top += 1
        starts[top], sizes[top], stages[top] = child_start, child_n, 0
    return total


@njit(cache=True)
def _kth_smallest(values: np.ndarray, k: int) -> float:
    """The ``k``-th smallest of ``values`` (from 0), by Hoare's selection; ``values`` is
    reordered.

    The value ``np.partition(values, k)[k]`` gives, from a loop numba compiles in a
    fraction of the seconds ``np.partition`` takes to compile. ``values`` must not hold NaN.
    """
    low, high = 0, len(values) - 1
    while low < high:
        pivot = values[(low + high) >> 1]
        i, j = low, high
        while i <= j:
            while values[i] < pivot:
                i += 1
            while values[j] > pivot:
                j -= 1
            if i <= j:
                values[i], values[j] = values[j], values[i]
                i += 1
                j -= 1
        if k <= j:  # values[low:j + 1] <= pivot <= values[i:high + 1]
            high = j
        elif k >= i:
            low = i
        else:  # between them every value equals the pivot
            return values[k]
    return values[k]


@njit(cache=True)
def quantize(probabilities: np.ndarray, frequency_bits: int) -> np.ndarray:
    """Cumulative integer frequencies: every symbol at least 1, summing to ``2 ** frequency_bits``.

    Floors of the normalised probabilities times the spare mass, then one
    more count to each of the largest fractional parts (ties to the lower
    symbol) until the mass is spent. The caller checks the probabilities are
    finite and non-negative.
    """
    n = len(probabilities)
    total = pairwise_sum(probabilities)
    spare = (1 << frequency_bits) - n
    counts = np.empty(n, dtype=np.int64)
    fractions = np.empty(n)  # negated, so the largest come first
    given = 0
    for s in range(n):
        p = probabilities[s] / total if total > 0 else 1.0 / n
        scaled = p * spare
        floor = np.floor(scaled)
        counts[s] = np.int64(floor)
        fractions[s] = -(scaled - floor)
        given += counts[s]
    remainder = spare - given
    if remainder > 0:  # to the largest fractions, ties to the lower symbol
        threshold = _kth_smallest(fractions.copy(), remainder - 1)
        for s in range(n):
            if fractions[s] < threshold:
                counts[s] += 1
                remainder -= 1
        for s in range(n):
            if remainder == 0:
                break
            if fractions[s] == threshold:
                counts[s] += 1
                remainder -= 1
    cumulative = np.empty(n + 1, dtype=np.int64)
    cumulative[0] = 0
    for s in range(n):
        cumulative[s + 1] = cumulative[s] + counts[s] + 1
    return cumulative


@njit(cache=True, inline="always")
def _put_bit(state: np.ndarray, out: np.ndarray, bit: int) -> None:
    position = state[3]
    if position >> 3 >= len(out):  # cannot happen with arithmetic.output_buffer's size
        raise ValueError("The arithmetic coder's output buffer is too small.")
    if bit:
        out[position >> 3] |= np.uint8(0x80 >> (position & 7))
    state[3] = position + 1


@njit(cache=True, inline="always")
def _emit(state: np.ndarray, out: np.ndarray, bit: int) -> None:
    """``bit``, then the opposite bit for every pending one."""
    _put_bit(state, out, bit)
    for _ in range(state[2]):
        _put_bit(state, out, 1 - bit)
    state[2] = 0


@njit(cache=True)
def new_encoder() -> np.ndarray:
    """An encoder's state at the start of a stream."""
    return np.array([0, _TOP, 0, 0], dtype=np.int64)


@njit(cache=True)
def encode_symbol(
    state: np.ndarray,
    out: np.ndarray,
    cumulative: np.ndarray,
    symbol: int | np.int64,
    frequency_bits: int,
) -> None:
    """Narrow the interval to ``symbol``'s share of ``cumulative``, writing settled bits."""
    low, high = state[0], state[1]
    span = high - low + 1
    high = low + ((span * cumulative[symbol + 1]) >> frequency_bits) - 1
    low = low + ((span * cumulative[symbol]) >> frequency_bits)
    while True:
        if high < _HALF:
            state[0], state[1] = low, high
            _emit(state, out, 0)
        elif low >= _HALF:
            state[0], state[1] = low, high
            _emit(state, out, 1)
            low, high = low - _HALF, high - _HALF
        elif low >= _QUARTER and high < _HALF + _QUARTER:
            state[2] += 1
            low, high = low - _QUARTER, high - _QUARTER
        else:
            break
        low, high = 2 * low, 2 * high + 1
    state[0], state[1] = low, high


@njit(cache=True)
def finish_encoding(state: np.ndarray, out: np.ndarray) -> int:
    """Write the bits that settle the final interval; return the bytes of output."""
    state[2] += 1
    _emit(state, out, 0 if state[0] < _QUARTER else 1)
    return (state[3] + 7) >> 3


@njit(cache=True, inline="always")
def _next_bit(state: np.ndarray, code: np.ndarray) -> int:
    """The next bit of ``code``, then the zeros the encoder left implicit.

    The decoder runs :data:`STATE_BITS` bits ahead of the encoder, which ends
    its output with at least one bit of its own; reading further means the
    code was cut short.
    """
    position = state[3]
    state[3] = position + 1
    if position < 8 * len(code):
        return (code[position >> 3] >> (7 - (position & 7))) & 1
    if position >= 8 * len(code) + STATE_BITS:
        state[ERROR] = TRUNCATED
    return 0


@njit(cache=True)
def new_decoder(code: np.ndarray) -> np.ndarray:
    """A decoder's state after reading the first :data:`STATE_BITS` bits of ``code``."""
    state = np.array([0, _TOP, 0, 0, 0], dtype=np.int64)
    value = 0
    for _ in range(STATE_BITS):
        value = 2 * value + _next_bit(state, code)
    state[2] = value
    return state


@njit(cache=True, inline="always")
def _last_at_most(cumulative: np.ndarray, target: int) -> int:
    """The last index whose value is at most ``target`` (-1 if none), by bisection.

    ``np.searchsorted(cumulative, target, side="right") - 1`` for a sorted
    ``cumulative``, from a loop numba compiles in a fraction of the time.
    """
    low, high = 0, len(cumulative)
    while low < high:
        middle = (low + high) >> 1
        if cumulative[middle] <= target:
            low = middle + 1
        else:
            high = middle
    return low - 1


@njit(cache=True)
def decode_symbol(
    state: np.ndarray,
    spent: np.ndarray,
    code: np.ndarray,
    cumulative: np.ndarray,
    frequency_bits: int,
) -> int:
    """The symbol whose interval holds the decoder's value; the state moves past it.

    ``spent[0]`` adds up the symbols' ideal bits: past the bits ``code``
    holds (plus the state's), the code is damaged. A damaged code sets the
    state's error and gives symbol 0: the caller stops there.
    """
    low, high, value = state[0], state[1], state[2]
    span = high - low + 1
    target = (((value - low + 1) << frequency_bits) - 1) // span
    symbol = _last_at_most(cumulative, target)
    if not 0 <= symbol < len(cumulative) - 1:
        state[ERROR] = OUTSIDE
        return 0
    width = cumulative[symbol + 1] - cumulative[symbol]
    spent[0] += np.log2((1 << frequency_bits) / width)
    if spent[0] > 8 * len(code) + 2 * STATE_BITS:
        state[ERROR] = OVERSPENT
        return 0
    high = low + ((span * cumulative[symbol + 1]) >> frequency_bits) - 1
    low = low + ((span * cumulative[symbol]) >> frequency_bits)
    while True:
        if high < _HALF:
            pass
        elif low >= _HALF:
            low, high, value = low - _HALF, high - _HALF, value - _HALF
        elif low >= _QUARTER and high < _HALF + _QUARTER:
            low, high, value = low - _QUARTER, high - _QUARTER, value - _QUARTER
        else:
            break
        low, high = 2 * low, 2 * high + 1
        value = 2 * value + _next_bit(state, code)
    state[0], state[1], state[2] = low, high, value
    return symbol
