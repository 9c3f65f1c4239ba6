"""The compiled loop of the context-mixing model: bit predictions, mixed, refined, coded.

Bytes are coded a bit at a time, most significant first. For each bit,
every context model looks up its probability that the bit is 1 in a hashed
table slot chosen by its context and the bits of the byte seen so far
(``partial``, 1 followed by those bits); the 15 slots of one half-byte sit in
one block of 16, hashed once, so a byte costs each model two cache misses,
not eight:

- orders 0..``order``: the last 0..``order`` bytes;
- two word models: the current word (its letters, case folded), and the
  current word with the one before it.

An online logistic mixer combines them: ``p = squash(sum w_i stretch(p_i))``,
its weights chosen by ``partial`` and trained on each bit's coding error.
Two adaptive probability maps (secondary estimation) refine the mixed
probability, one indexed by ``partial``, one by ``partial`` and the previous
byte, each interpolating between 33 buckets of ``stretch(p)``. Every table
then moves towards the bit: the context slots at the rate
``1 / (count + prior + 1)``, which falls with their count until it reaches
``limit`` (``prior`` pseudo-counts of 1/2 that every slot starts with), the
maps at a fixed rate.

State, in arrays so that it can be copied, journaled and rolled back:

- ``probs`` ``uint16[n_models, size]`` (P(1) * 65536) and ``counts``
  ``uint8[n_models, size]``;
- ``weights`` ``float64[256, n_models + 1]`` (the last input is a bias);
- ``maps`` ``float64[256 + 65536, 33]``, the two maps stacked;
- ``words`` ``uint64[2]``: the hashes of the current and the previous word.

A journal records every table slot and map bucket before it changes
(``journal_index`` ``int64[n, 2]``: kind, flat index; ``journal_value``
``float64[n]``: the old value), so a suffix scored after a prefix is undone
exactly; the caller copies ``weights`` and ``words`` around it.

Compiled with numba (``cache=True``); the coder steps are
:mod:`._coder_kernels`' (numba checks only each function's own file, so a
change there needs this module's cache cleared too). :func:`code` and
:func:`roll_back` release the interpreter's lock (``nogil=True``), so threads,
each with its own model, run them side by side.

Arrays are copied element by element, never by slice assignment: numba compiles
a slice assignment's shape check with its error message, 2 to 3 seconds of a
first use.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from . import _coder_kernels as coder

#: Word models after the byte-context ones.
N_WORD_MODELS = 2
#: Buckets of an adaptive probability map over stretch(p) in [-8, 8].
MAP_BUCKETS = 33
#: Rows of the stacked maps: 256 partial bytes, then 256 x 256 (previous byte, partial).
MAP_ROWS = 256 + 65536
#: Learning rate of the maps.
MAP_RATE = 0.02
#: Coded probabilities stay within [1/4096, 4095/4096].
_FLOOR = 1.0 / 4096

# Modes of :func:`code`.
IDEAL, ENCODE, DECODE = 0, 1, 2
# Journal kinds.
_SLOT, _MAP = 0, 1

_MULTIPLIER = np.uint64(0x9E3779B97F4A7C15)
_SALT = np.uint64(0xC2B2AE3D27D4EB4F)


@njit(cache=True, inline="always")
def _mix(value: np.uint64) -> np.uint64:
    value ^= value >> np.uint64(31)
    value *= np.uint64(0xBF58476D1CE4E5B9)
    value ^= value >> np.uint64(29)
    return value


@njit(cache=True, inline="always")
def _stretch(p: float) -> float:
    return np.log(p / (1.0 - p))


@njit(cache=True, inline="always")
def _squash(x: float) -> float:
    return 1.0 / (1.0 + np.exp(-x))


@njit(cache=True, inline="always")
def _is_letter(byte: int) -> bool:
    return (65 <= byte <= 90) or (97 <= byte <= 122) or byte >= 128


@njit(cache=True)
def _stretch_table() -> np.ndarray:
    """stretch(p) of each slot value: entry v is the input a slot holding v gives the mixer."""
    table = np.empty(1 << 16)
    for v in range(1 << 16):
        table[v] = _stretch((np.float64(v) + 0.5) / 65537.0)
    return table


#: :func:`_stretch_table`, computed once: the mixer's input from each context model is
#: looked up by the slot's value instead of a logarithm taken at every bit (the same
#: compiled expression, so the same values).
STRETCH = _stretch_table()


@njit(cache=True)
def start_maps(maps: np.ndarray) -> None:
    """Set ``maps`` (``MAP_ROWS`` x ``MAP_BUCKETS``) to the identity: bucket j of every row
    holds squash((j - 16) / 2)."""
    row = np.empty(MAP_BUCKETS)
    for j in range(MAP_BUCKETS):
        row[j] = _squash((j - 16) / 2.0)
    for r in range(MAP_ROWS):  # element by element: see the module's docstring
        for j in range(MAP_BUCKETS):
            maps[r, j] = row[j]


@njit(cache=True)
def update_words(words: np.ndarray, byte: int) -> None:
    """Move the word hashes past ``byte``: a letter extends the current word, anything
    else ends it."""
    if _is_letter(byte):
        folded = byte + 32 if 65 <= byte <= 90 else byte
        words[0] = (words[0] + np.uint64(folded) + np.uint64(1)) * _MULTIPLIER
    elif words[0] != 0:
        words[1] = words[0]
        words[0] = np.uint64(0)


@njit(cache=True, nogil=True)
def code(
    probs: np.ndarray,
    counts: np.ndarray,
    weights: np.ndarray,
    maps: np.ndarray,
    words: np.ndarray,
    text: np.ndarray,
    start: int,
    stop: int,
    order: int,
    learning_rate: float,
    limit: int,
    prior: float,
    mode: int,
    journal_index: np.ndarray,
    journal_value: np.ndarray,
    journal_size: np.ndarray,
    costs: np.ndarray,
    state: np.ndarray,
    out: np.ndarray,
    spent: np.ndarray,
    stream: np.ndarray,
    stretched: np.ndarray,
) -> float:
    """Bits of ``text[start:stop]`` after ``text[:start]``, every table learning as it goes.

    ``mode`` IDEAL adds up ``-log2 p`` of each bit; ENCODE also codes the bits
    with the encoder ``state`` into ``out``; DECODE reads each byte from
    ``stream`` with the decoder ``state`` and ``spent`` and writes it into
    ``text``. The journal is written when it has rows (``journal_size[0]``
    entries so far); ``costs[i - start]`` receives byte ``i``'s bits when
    ``costs`` has room. ``stretched`` is :data:`STRETCH`.
    """
    n_models = order + 1 + N_WORD_MODELS
    blocks = np.uint64(probs.shape[1] // 16 - 1)
    record = len(journal_index) > 0
    hashes = np.empty(n_models, dtype=np.uint64)
    slots = np.empty(n_models, dtype=np.int64)
    bases = np.empty(n_models, dtype=np.int64)
    inputs = np.empty(n_models + 1)
    inputs[n_models] = 0.25  # the bias
    pair = np.empty(2)
    offset = prior + 1.0
    bits = 0.0
    for i in range(start, stop):
        h = np.uint64(0)
        for o in range(order + 1):
            if o > 0 and i - o >= 0:
                h = (h + np.uint64(text[i - o]) + np.uint64(1)) * _MULTIPLIER
            hashes[o] = _mix(h + np.uint64(o) * _SALT)
        hashes[order + 1] = _mix(words[0] ^ _SALT)
        hashes[order + 2] = _mix(words[0] * _MULTIPLIER ^ words[1] ^ (_SALT << np.uint64(1)))
        previous = text[i - 1] if i > 0 else 0
        byte = 0 if mode == DECODE else int(text[i])
        partial = 1
        cost = 0.0
        for b in range(7, -1, -1):
            if b == 7 or b == 3:  # a nibble's 15 bit contexts share one block of slots
                for m in range(n_models):
                    block = _mix(hashes[m] + np.uint64(partial) * _MULTIPLIER) & blocks
                    bases[m] = np.int64(block) * 16
                nibble = 1
            # Predict.
            dot = 0.0
            for m in range(n_models):
                slot = bases[m] + nibble
                slots[m] = slot
                inputs[m] = stretched[probs[m, slot]]
                dot += weights[partial, m] * inputs[m]
            dot += weights[partial, n_models] * inputs[n_models]
            mixed = _squash(dot)
            s = min(max(_stretch(min(max(mixed, 1e-6), 1 - 1e-6)), -7.999), 7.999)
            position = (s + 8.0) * 2.0
            low = int(position)
            share = position - low
            row_1, row_2 = partial, 256 + (previous << 8) + partial
            refined_1 = maps[row_1, low] * (1 - share) + maps[row_1, low + 1] * share
            refined_2 = maps[row_2, low] * (1 - share) + maps[row_2, low + 1] * share
            p1 = (mixed + refined_1 + 2 * refined_2) / 4
            p1 = min(max(p1, _FLOOR), 1 - _FLOOR)
            # Code.
            if mode == DECODE:
                pair[0], pair[1] = 1 - p1, p1
                cumulative = coder.quantize(pair, coder.SMALL_ALPHABET_BITS)
                bit = coder.decode_symbol(
                    state, spent, stream, cumulative, coder.SMALL_ALPHABET_BITS
                )
                if state[coder.ERROR]:
                    return bits  # a damaged code: the error is in state
                byte |= bit << b
            else:
                bit = (byte >> b) & 1
                if mode == ENCODE:
                    pair[0], pair[1] = 1 - p1, p1
                    cumulative = coder.quantize(pair, coder.SMALL_ALPHABET_BITS)
                    coder.encode_symbol(state, out, cumulative, bit, coder.SMALL_ALPHABET_BITS)
            cost -= np.log2(p1 if bit else 1 - p1)
            # Learn.
            error = bit - mixed
            for m in range(n_models + 1):
                weights[partial, m] += learning_rate * error * inputs[m]
            for row, column, weight in (
                (row_1, low, 1 - share),
                (row_1, low + 1, share),
                (row_2, low, 1 - share),
                (row_2, low + 1, share),
            ):
                if record:
                    n = journal_size[0]
                    journal_index[n, 0], journal_index[n, 1] = _MAP, row * MAP_BUCKETS + column
                    journal_value[n] = maps[row, column]
                    journal_size[0] = n + 1
                maps[row, column] += MAP_RATE * weight * (bit - maps[row, column])
            target = 65535 if bit else 0
            for m in range(n_models):
                slot = slots[m]
                seen = counts[m, slot]
                if record:
                    n = journal_size[0]
                    journal_index[n, 0] = _SLOT
                    journal_index[n, 1] = m * probs.shape[1] + slot
                    journal_value[n] = np.float64(probs[m, slot]) + 65536.0 * seen
                    journal_size[0] = n + 1
                old = np.int64(probs[m, slot])
                probs[m, slot] = np.uint16(old + (target - old) / (seen + offset))
                if seen < limit:
                    counts[m, slot] = seen + 1
            partial = (partial << 1) | bit
            nibble = (nibble << 1) | bit
        if mode == DECODE:
            text[i] = byte
        update_words(words, byte)
        bits += cost
        if len(costs) > i - start:
            costs[i - start] = cost
    return bits


@njit(cache=True, nogil=True)
def roll_back(
    probs: np.ndarray,
    counts: np.ndarray,
    maps: np.ndarray,
    journal_index: np.ndarray,
    journal_value: np.ndarray,
    journal_size: np.ndarray,
    weights: np.ndarray,
    saved_weights: np.ndarray,
    words: np.ndarray,
    saved_words: np.ndarray,
) -> None:
    """Restore every slot and bucket in the journal, newest first, and the mixer's weights
    and word hashes from their saved copies; the journal is emptied.

    One compiled call, so that Ctrl-C, which Python raises between statements, finds the
    model either coded or whole, never half restored.
    """
    # The journal's flat indices address the tables as the flat views do: no division.
    flat_probs, flat_counts, flat_maps = probs.reshape(-1), counts.reshape(-1), maps.reshape(-1)
    for n in range(journal_size[0] - 1, -1, -1):
        kind, index = journal_index[n, 0], journal_index[n, 1]
        if kind == _MAP:
            flat_maps[index] = journal_value[n]
        else:
            value = np.int64(journal_value[n])
            flat_probs[index] = np.uint16(value & 0xFFFF)
            flat_counts[index] = np.uint8(value >> 16)
    journal_size[0] = 0
    weights[:] = saved_weights
    words[:] = saved_words


@njit(cache=True, nogil=True)
def copy_back(
    probs: np.ndarray,
    counts: np.ndarray,
    maps: np.ndarray,
    weights: np.ndarray,
    words: np.ndarray,
    saved_probs: np.ndarray,
    saved_counts: np.ndarray,
    saved_maps: np.ndarray,
    saved_weights: np.ndarray,
    saved_words: np.ndarray,
) -> None:
    """Restore the whole model from copies, in one compiled call (as :func:`roll_back`)."""
    probs[:, :] = saved_probs
    counts[:, :] = saved_counts
    maps[:, :] = saved_maps
    weights[:, :] = saved_weights
    words[:] = saved_words
