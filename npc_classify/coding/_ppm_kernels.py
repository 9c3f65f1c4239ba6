"""The compiled loops of the PPM model: count tables in flat arrays, coded byte by byte.

A table is two open-addressing hash tables (linear probing, power-of-two
capacities, at most half full), one record per slot so that a probe touches
one cache line:

- contexts, ``uint64[capacity, 4]``: the context's bytes (up to 16, packed
  into two words), ``id << 8 | (length + 1)`` (0: an empty slot), and
  ``total << 32 | distinct``, the count of bytes seen after the context and
  how many distinct ones;
- pairs, ``uint64[capacity, 2]``: ``(id << 8 | byte) + 1`` (0: empty) and the
  count of that byte after that context.

Coding a byte looks up its contexts of orders 0..``order``, blends their
estimates exactly as the reference loop of ``tests/ppm_reference.py`` does (the
same floating-point operations in the same order), and counts the byte in
each. A suffix scored after a prefix is counted with a journal of every change
and rolled back newest first, which restores the tables exactly (insertions
into a linear-probing table undone in reverse leave every probe chain as it
was).

Coding a byte as an arithmetic-coded stream (:func:`encode_stream`,
:func:`decode_stream`) adds the coder's steps of :mod:`._coder_kernels` to the
same loop.

Compiled with numba (``cache=True``: compiled once per machine, into
``__pycache__``; numba checks only each function's own file, so a change to
:mod:`._coder_kernels` needs this module's cache cleared too). The functions
called from Python release the interpreter's lock (``nogil=True``), so
threads, each with its own model, run them side by side.

Arrays are copied element by element, never by slice assignment: numba compiles
a slice assignment's shape check with its error message, 2 to 3 seconds of a
first use.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from . import _coder_kernels as coder

#: The longest context the packed keys hold, in bytes.
MAX_ORDER = 16

# Journal entry kinds.
_NEW_CONTEXT = 0
_NEW_PAIR = 1
_MORE = 2


_ONE = np.uint64(1)
_BYTE = np.uint64(8)
_HALF = np.uint64(32)
_LOW_HALF = np.uint64(0xFFFFFFFF)
_MULTIPLIER_1 = np.uint64(0x9E3779B97F4A7C15)
_MULTIPLIER_2 = np.uint64(0xC2B2AE3D27D4EB4F)


@njit(cache=True, inline="always")
def _mix(value: np.uint64) -> np.uint64:
    value ^= value >> np.uint64(33)
    value *= np.uint64(0xFF51AFD7ED558CCD)
    value ^= value >> np.uint64(33)
    return value


@njit(cache=True, inline="always")
def _context_key(text: np.ndarray, stop: int, length: int) -> tuple[np.uint64, np.uint64]:
    """``text[stop - length : stop]`` packed into two words (little-endian)."""
    low = np.uint64(0)
    high = np.uint64(0)
    for j in range(length):
        byte = np.uint64(text[stop - length + j])
        if j < 8:
            low |= byte << np.uint64(8 * j)
        else:
            high |= byte << np.uint64(8 * (j - 8))
    return low, high


@njit(cache=True, inline="always")
def _context_slot(contexts: np.ndarray, low: np.uint64, high: np.uint64, length: int) -> np.int64:
    """The slot holding this context, or the empty slot where it would go."""
    mask = np.uint64(len(contexts) - 1)
    tag = np.uint64(length + 1)
    slot = np.int64(_mix(low * _MULTIPLIER_1 ^ high * _MULTIPLIER_2 ^ tag) & mask)
    while contexts[slot, 2] != 0:
        if (
            contexts[slot, 2] & np.uint64(0xFF) == tag
            and contexts[slot, 0] == low
            and contexts[slot, 1] == high
        ):
            return slot
        slot = np.int64((np.uint64(slot) + _ONE) & mask)
    return slot


@njit(cache=True, inline="always")
def _pair_slot(pairs: np.ndarray, key: np.uint64) -> np.int64:
    """The slot holding the pair of ``key``, or the empty slot where it would go."""
    mask = np.uint64(len(pairs) - 1)
    slot = np.int64(_mix(key * _MULTIPLIER_1) & mask)
    while pairs[slot, 0] != 0 and pairs[slot, 0] != key:
        slot = np.int64((np.uint64(slot) + _ONE) & mask)
    return slot


@njit(cache=True, nogil=True)
def code(
    contexts: np.ndarray,
    pairs: np.ndarray,
    sizes: np.ndarray,
    text: np.ndarray,
    start: int,
    stop: int,
    order: int,
    base: np.ndarray,
    escape: float,
    journal: np.ndarray,
    costs: np.ndarray,
    bits: float,
) -> float:
    """``bits`` plus the bits of ``text[start:stop]`` after ``text[:start]``, counted as it goes.

    The sum runs byte by byte from ``bits``, so coding a text in several calls
    (each continuing the previous total) adds in the same order as one call.
    ``base[i - start]`` is byte ``i``'s probability below order 0 (an empty
    ``base``: uniform). ``sizes`` holds the number of contexts, of pairs, and
    of journal entries; the journal (shape (n, 3): kind, pair slot, context
    slot) is written only when it has rows. ``costs[i - start]`` receives byte
    ``i``'s bits when ``costs`` has room. The caller reserves room for every
    new context and pair (at most ``order + 1`` of each per byte).
    """
    uniform = len(base) == 0
    record = len(journal) > 0
    for i in range(start, stop):
        symbol = np.uint64(text[i])
        p = 1.0 / 256 if uniform else base[i - start]
        predicting = True
        for o in range(min(order, i) + 1):
            low, high = _context_key(text, i, o)
            slot = _context_slot(contexts, low, high, o)
            if contexts[slot, 2] == 0:
                context = np.uint64(sizes[0])
                sizes[0] += 1
                contexts[slot, 0], contexts[slot, 1] = low, high
                contexts[slot, 2] = (context << _BYTE) | np.uint64(o + 1)
                contexts[slot, 3] = 0
                predicting = False  # a longer context cannot have been seen either
                if record:
                    n = sizes[2]
                    journal[n, 0], journal[n, 1], journal[n, 2] = _NEW_CONTEXT, 0, slot
                    sizes[2] += 1
            else:
                context = contexts[slot, 2] >> _BYTE
            key = ((context << _BYTE) | symbol) + _ONE
            pair = _pair_slot(pairs, key)
            stats = contexts[slot, 3]
            if predicting:
                seen = pairs[pair, 1] if pairs[pair, 0] != 0 else np.uint64(0)
                weight = escape * np.int64(stats & _LOW_HALF)
                p = (np.int64(seen) + weight * p) / (np.int64(stats >> _HALF) + weight)
            if pairs[pair, 0] == 0:
                pairs[pair, 0], pairs[pair, 1] = key, 1
                contexts[slot, 3] = stats + (_ONE << _HALF) + _ONE
                sizes[1] += 1
                kind = _NEW_PAIR
            else:
                pairs[pair, 1] += _ONE
                contexts[slot, 3] = stats + (_ONE << _HALF)
                kind = _MORE
            if record:
                n = sizes[2]
                journal[n, 0], journal[n, 1], journal[n, 2] = kind, pair, slot
                sizes[2] += 1
        cost = -np.log2(p)
        bits += cost
        if len(costs) > i - start:
            costs[i - start] = cost
    return bits


@njit(cache=True, nogil=True)
def roll_back(
    contexts: np.ndarray, pairs: np.ndarray, sizes: np.ndarray, journal: np.ndarray
) -> None:
    """Undo every change in the journal, newest first; the journal is emptied."""
    for n in range(sizes[2] - 1, -1, -1):
        kind, pair, slot = journal[n, 0], journal[n, 1], journal[n, 2]
        if kind == _NEW_CONTEXT:
            contexts[slot, 2] = 0
            sizes[0] -= 1
        elif kind == _NEW_PAIR:
            pairs[pair, 0] = 0
            contexts[slot, 3] -= (_ONE << _HALF) + _ONE
            sizes[1] -= 1
        else:
            pairs[pair, 1] -= _ONE
            contexts[slot, 3] -= _ONE << _HALF
    sizes[2] = 0


@njit(cache=True, nogil=True)
def distribution(
    contexts: np.ndarray,
    pairs: np.ndarray,
    text: np.ndarray,
    order: int,
    base: np.ndarray,
    escape: float,
) -> np.ndarray:
    """Probabilities of every byte after ``text``: what :func:`code` gives each of the 256."""
    i = len(text)
    p = base.copy()
    for o in range(min(order, i) + 1):
        low, high = _context_key(text, i, o)
        slot = _context_slot(contexts, low, high, o)
        if contexts[slot, 2] == 0:
            break
        context = contexts[slot, 2] >> _BYTE
        stats = contexts[slot, 3]
        weight = escape * np.int64(stats & _LOW_HALF)
        total = np.int64(stats >> _HALF) + weight
        for symbol in range(256):
            pair = _pair_slot(pairs, ((context << _BYTE) | np.uint64(symbol)) + _ONE)
            seen = np.int64(pairs[pair, 1]) if pairs[pair, 0] != 0 else 0
            p[symbol] = (seen + weight * p[symbol]) / total
    return p


@njit(cache=True)
def rehash_contexts(contexts: np.ndarray, capacity: int) -> np.ndarray:
    """The context table moved into ``capacity`` slots."""
    moved = np.zeros((capacity, 4), dtype=np.uint64)
    for slot in range(len(contexts)):
        if contexts[slot, 2] != 0:
            length = int(contexts[slot, 2] & np.uint64(0xFF)) - 1
            target = _context_slot(moved, contexts[slot, 0], contexts[slot, 1], length)
            for column in range(4):  # element by element: see the module's docstring
                moved[target, column] = contexts[slot, column]
    return moved


@njit(cache=True)
def rehash_pairs(pairs: np.ndarray, capacity: int) -> np.ndarray:
    """The pair table moved into ``capacity`` slots."""
    moved = np.zeros((capacity, 2), dtype=np.uint64)
    for slot in range(len(pairs)):
        if pairs[slot, 0] != 0:
            target = _pair_slot(moved, pairs[slot, 0])
            moved[target, 0], moved[target, 1] = pairs[slot, 0], pairs[slot, 1]
    return moved


@njit(cache=True, nogil=True)
def code_suffixes(
    contexts: np.ndarray,
    pairs: np.ndarray,
    sizes: np.ndarray,
    tail: np.ndarray,
    suffixes: np.ndarray,
    offsets: np.ndarray,
    order: int,
    bases: np.ndarray,
    escape: float,
    journal: np.ndarray,
) -> np.ndarray:
    """Bits of each suffix coded after ``tail`` (the prefix's last bytes), tables unchanged.

    ``suffixes`` is every suffix joined, suffix ``n`` at
    ``offsets[n]:offsets[n + 1]``; ``bases`` (empty: uniform) is aligned with it.
    Each suffix is coded with the journal, then rolled back.
    """
    n_suffixes = len(offsets) - 1
    out = np.empty(n_suffixes)
    longest = 0
    for n in range(n_suffixes):
        longest = max(longest, offsets[n + 1] - offsets[n])
    text = np.empty(len(tail) + longest, dtype=np.uint8)
    for i in range(len(tail)):  # element by element: see the module's docstring
        text[i] = tail[i]
    no_costs = np.empty(0)
    for n in range(n_suffixes):
        begin, end = offsets[n], offsets[n + 1]
        stop = len(tail) + end - begin
        for i in range(end - begin):
            text[len(tail) + i] = suffixes[begin + i]
        base = bases[begin:end] if len(bases) else bases
        out[n] = code(
            contexts, pairs, sizes, text, len(tail), stop, order, base, escape, journal,
            no_costs, 0.0,
        )  # fmt: skip
        roll_back(contexts, pairs, sizes, journal)
    return out


@njit(cache=True, nogil=True)
def encode_stream(
    contexts: np.ndarray,
    pairs: np.ndarray,
    sizes: np.ndarray,
    text: np.ndarray,
    start: int,
    stop: int,
    order: int,
    escape: float,
    state: np.ndarray,
    out: np.ndarray,
) -> None:
    """Arithmetic-code ``text[start:stop]`` after ``text[:start]``, counting as it goes.

    Each byte is coded under :func:`distribution` (uniform below order 0),
    quantised as :func:`npc_classify.coding.arithmetic.quantize` does, by the
    encoder whose ``state`` and ``out`` are :mod:`._coder_kernels`'s. The
    caller reserves room for the new contexts and pairs.
    """
    uniform, nothing, no_journal = np.full(256, 1.0 / 256), np.empty(0), np.empty((0, 3), np.int64)
    for i in range(start, stop):
        p = distribution(contexts, pairs, text[:i], order, uniform, escape)
        cumulative = coder.quantize(p, coder.SMALL_ALPHABET_BITS)
        coder.encode_symbol(state, out, cumulative, np.int64(text[i]), coder.SMALL_ALPHABET_BITS)
        code(contexts, pairs, sizes, text, i, i + 1, order, nothing, escape, no_journal,
             nothing, 0.0)  # fmt: skip


@njit(cache=True, nogil=True)
def decode_stream(
    contexts: np.ndarray,
    pairs: np.ndarray,
    sizes: np.ndarray,
    text: np.ndarray,
    start: int,
    stop: int,
    order: int,
    escape: float,
    state: np.ndarray,
    spent: np.ndarray,
    stream: np.ndarray,
) -> None:
    """Decode ``text[start:stop]`` from ``stream`` after ``text[:start]``: the inverse of
    :func:`encode_stream`, with the decoder's ``state`` and ``spent`` of :mod:`._coder_kernels`;
    it stops at a damaged code, the error in ``state``."""
    uniform, nothing, no_journal = np.full(256, 1.0 / 256), np.empty(0), np.empty((0, 3), np.int64)
    for i in range(start, stop):
        p = distribution(contexts, pairs, text[:i], order, uniform, escape)
        cumulative = coder.quantize(p, coder.SMALL_ALPHABET_BITS)
        text[i] = coder.decode_symbol(state, spent, stream, cumulative, coder.SMALL_ALPHABET_BITS)
        if state[coder.ERROR]:
            return
        code(contexts, pairs, sizes, text, i, i + 1, order, nothing, escape, no_journal,
             nothing, 0.0)  # fmt: skip
