"""A deliberately naive context mixer in pure Python: the oracle of the compiled kernel.

It follows the model as :mod:`npc_classify.coding._cm_kernels` describes it, one
bit at a time and nothing cached: every table is a dict from slot to value, the
hashes are Python integers cut to 64 bits, and the state is copied, not
journaled, to score a suffix. The slots are chosen by the same hashes (the
compiled model's tables are hashed, so the same slots are part of the model),
and the arithmetic is the same double-precision arithmetic in the same order,
so the code lengths must agree to rounding.
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass, field

_MASK = (1 << 64) - 1
_MULTIPLIER = 0x9E3779B97F4A7C15
_SALT = 0xC2B2AE3D27D4EB4F
_MAP_RATE = 0.02
_FLOOR = 1.0 / 4096


def _mix(value: int) -> int:
    value ^= value >> 31
    value = value * 0xBF58476D1CE4E5B9 & _MASK
    return value ^ value >> 29


def _stretch(p: float) -> float:
    return math.log(p / (1.0 - p))


def _squash(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


def _is_letter(byte: int) -> bool:
    return 65 <= byte <= 90 or 97 <= byte <= 122 or byte >= 128


@dataclass
class State:
    """Every table of the model, each slot, weight row and map row made when first read."""

    n_models: int
    size: int
    slots: dict[tuple[int, int], tuple[int, int]] = field(default_factory=dict)  # P(1), count
    weights: dict[int, list[float]] = field(default_factory=dict)
    maps: dict[int, list[float]] = field(default_factory=dict)
    words: tuple[int, int] = (0, 0)

    def weight_row(self, partial: int) -> list[float]:
        return self.weights.setdefault(partial, [0.3] * (self.n_models + 1))

    def map_row(self, row: int) -> list[float]:
        return self.maps.setdefault(row, [_squash((j - 16) / 2.0) for j in range(33)])


def new_state(order: int, table_bits: int) -> State:
    """A model that has seen nothing, its tables of ``2 ** table_bits`` slots."""
    return State(n_models=order + 3, size=1 << table_bits)


def code_bits(
    state: State,
    text: bytes,
    start: int,
    order: int,
    learning_rate: float,
    limit: int,
    prior: float,
) -> list[float]:
    """Bits of each byte of ``text[start:]`` after ``text[:start]``; ``state`` learns them."""
    costs = []
    for i in range(start, len(text)):
        hashes, h = [], 0
        for o in range(order + 1):
            if o > 0 and i - o >= 0:
                h = (h + text[i - o] + 1) * _MULTIPLIER & _MASK
            hashes.append(_mix(h + o * _SALT & _MASK))
        current, previous_word = state.words
        hashes.append(_mix(current ^ _SALT))
        hashes.append(_mix(current * _MULTIPLIER & _MASK ^ previous_word ^ _SALT << 1 & _MASK))
        previous = text[i - 1] if i > 0 else 0
        byte, partial, cost = text[i], 1, 0.0
        for b in range(7, -1, -1):
            # The slot: a block of 16 hashed by the bits before this half-byte,
            # then the half-byte's bits so far (a leading 1 and its bits).
            nibble_start = 7 if b > 3 else 3
            known = nibble_start - b
            before = partial >> known
            nibble = 1 << known | partial & (1 << known) - 1
            slots = [
                (m, (_mix(hashes[m] + before * _MULTIPLIER & _MASK) & state.size // 16 - 1) * 16
                 + nibble)
                for m in range(state.n_models)
            ]  # fmt: skip
            values = [state.slots.get(slot, (32768, 0)) for slot in slots]
            inputs = [_stretch((p + 0.5) / 65537.0) for p, _ in values] + [0.25]
            weights = state.weight_row(partial)
            dot = 0.0
            for m in range(state.n_models):
                dot += weights[m] * inputs[m]
            dot += weights[-1] * inputs[-1]
            mixed = _squash(dot)
            s = min(max(_stretch(min(max(mixed, 1e-6), 1 - 1e-6)), -7.999), 7.999)
            low = int((s + 8.0) * 2.0)
            share = (s + 8.0) * 2.0 - low
            map_1, map_2 = state.map_row(partial), state.map_row(256 + (previous << 8) + partial)
            refined_1 = map_1[low] * (1 - share) + map_1[low + 1] * share
            refined_2 = map_2[low] * (1 - share) + map_2[low + 1] * share
            p1 = min(max((mixed + refined_1 + 2 * refined_2) / 4, _FLOOR), 1 - _FLOOR)
            bit = byte >> b & 1
            cost -= math.log2(p1 if bit else 1 - p1)
            error = bit - mixed
            for m in range(state.n_models + 1):
                weights[m] += learning_rate * error * inputs[m]
            for row, column, weight in (
                (map_1, low, 1 - share),
                (map_1, low + 1, share),
                (map_2, low, 1 - share),
                (map_2, low + 1, share),
            ):
                row[column] += _MAP_RATE * weight * (bit - row[column])
            for slot, (p, seen) in zip(slots, values, strict=True):
                moved = int(p + ((65535 if bit else 0) - p) / (seen + prior + 1.0))
                state.slots[slot] = (moved, seen + 1 if seen < limit else seen)
            partial = partial << 1 | bit
        if _is_letter(byte):
            folded = byte + 32 if 65 <= byte <= 90 else byte
            state.words = ((current + folded + 1) * _MULTIPLIER & _MASK, previous_word)
        elif current != 0:
            state.words = (0, current)
        costs.append(cost)
    return costs


def suffix_bits(
    prefix: bytes,
    suffixes: list[bytes],
    order: int,
    learning_rate: float,
    limit: int,
    prior: float,
    table_bits: int,
) -> list[float]:
    """Bits of each suffix coded after ``prefix``, each from a copy of the model after it."""
    state = new_state(order, table_bits)
    code_bits(state, prefix, 0, order, learning_rate, limit, prior)
    return [
        sum(code_bits(copy.deepcopy(state), prefix + s, len(prefix), order, learning_rate,
                      limit, prior))
        for s in suffixes
    ]  # fmt: skip
