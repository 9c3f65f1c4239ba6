"""The PPM model: byte contexts counted on the fly, blended into next-byte probabilities.

The model is the classic adaptive context model of PPM (Cleary and Witten,
1984) in its blended form: the probability of the next byte mixes the counts
seen after each of the last 0..``order`` bytes, every order's estimate
falling back on the one below it with the escape weight of PPM method C
(Moffat, 1990), which is Witten-Bell smoothing. Counts start empty and grow
with every byte coded, so the code length of ``context + item`` minus that of
``context`` is exactly what the item costs once the model has read the
context: the class-conditional compression of Teahan and Harper's PPM text
classifiers, here through the same interface as gzip and zstd.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

#: context bytes -> [counts of each following byte, their total]
CountTable = dict[bytes, list]


def undo(table: CountTable, journal: list) -> None:
    """Take back the counts recorded in ``journal``, newest first."""
    for context, symbol in reversed(journal):
        entry = table[context]
        counts = entry[0]
        counts[symbol] -= 1
        if not counts[symbol]:
            del counts[symbol]
        entry[1] -= 1
        if not entry[1]:
            del table[context]
    journal.clear()


def distribution(
    table: CountTable, text: bytes, order: int, base: np.ndarray | None = None, escape: float = 1.0
) -> np.ndarray:
    """Probabilities of every byte following ``text``: :func:`code_bits`'s, for all 256.

    ``base`` is the distribution below order 0 (uniform if None).
    """
    i = len(text)
    p = np.full(256, 1.0 / 256) if base is None else base
    for o in range(min(order, i) + 1):
        entry = table.get(text[i - o : i])
        if entry is None:
            break
        counts, total = entry
        seen = np.zeros(256)
        seen[list(counts)] = list(counts.values())
        weight = escape * len(counts)
        p = (seen + weight * p) / (total + weight)
    return p


def code_bits(
    table: CountTable,
    text: bytes,
    start: int,
    order: int,
    journal: list | None = None,
    base: Sequence[float] | None = None,
    escape: float = 1.0,
    costs: list[float] | None = None,
) -> float:
    """Bits of ``text[start:]`` coded adaptively after ``text[:start]``, counting as it goes.

    Each byte is predicted from the counts after its 0..``order`` preceding
    contexts, then counted there. The estimate below order 0 is uniform, or
    ``base[i - start]`` for byte ``i`` (the probability another model gives
    it); ``escape`` scales every context's escape weight. With a
    ``journal``, every count added is recorded so that :func:`undo` can
    take it back; with ``costs``, the bits of each byte are appended to it.
    """
    bits = 0.0
    for i in range(start, len(text)):
        symbol = text[i]
        p = 1.0 / 256 if base is None else base[i - start]
        predicting = True
        for o in range(min(order, i) + 1):
            context = text[i - o : i]
            entry = table.get(context)
            if entry is None:
                entry = table[context] = [{}, 0]
                predicting = False  # a longer context cannot have been seen either
            elif predicting:
                counts, total = entry
                weight = escape * len(counts)
                p = (counts.get(symbol, 0) + weight * p) / (total + weight)
            counts = entry[0]
            counts[symbol] = counts.get(symbol, 0) + 1
            entry[1] += 1
            if journal is not None:
                journal.append((context, symbol))
        bits -= math.log2(p)
        if costs is not None:
            costs.append(-math.log2(p))
    return bits


def prefix_and_suffix_bits(
    prefix: bytes,
    suffixes: Sequence[bytes],
    order: int,
    prefix_base: Sequence[float] | None = None,
    suffix_bases: Sequence[Sequence[float]] | None = None,
    escape: float = 1.0,
) -> tuple[float, np.ndarray]:
    """Bits of ``prefix``, and of each suffix coded after it; the prefix is counted once.

    ``prefix_base`` and ``suffix_bases`` are :func:`code_bits`'s ``base`` for
    the prefix and for each suffix (uniform if None).
    """
    table: CountTable = {}
    prefix_bits = code_bits(table, prefix, 0, order, base=prefix_base, escape=escape)
    return prefix_bits, suffix_bits(table, prefix, suffixes, order, suffix_bases, escape)


def suffix_bits(
    table: CountTable,
    prefix: bytes,
    suffixes: Sequence[bytes],
    order: int,
    bases: Sequence[Sequence[float]] | None = None,
    escape: float = 1.0,
) -> np.ndarray:
    """Bits of each suffix after ``prefix``, whose counts are ``table`` (left unchanged)."""
    bits = np.empty(len(suffixes))
    for n, suffix in enumerate(suffixes):
        base = None if bases is None else bases[n]
        bits[n] = _code_after(table, prefix, suffix, order, base, escape)
    return bits


def suffix_byte_bits(
    table: CountTable,
    prefix: bytes,
    suffix: bytes,
    order: int,
    base: Sequence[float] | None = None,
    escape: float = 1.0,
) -> np.ndarray:
    """Bits of each byte of ``suffix`` after ``prefix``, whose counts are ``table``.

    The per-byte terms of :func:`suffix_bits` (the same loop), so they add up
    to its total; ``table`` is left unchanged.

    Returns
    -------
    bits : ndarray of shape (len(suffix),)
    """
    costs: list[float] = []
    _code_after(table, prefix, suffix, order, base, escape, costs)
    return np.array(costs, dtype=np.float64)


def _code_after(
    table: CountTable,
    prefix: bytes,
    suffix: bytes,
    order: int,
    base: Sequence[float] | None,
    escape: float,
    costs: list[float] | None = None,
) -> float:
    """:func:`code_bits` of ``suffix`` after ``prefix`` (counted in ``table``), then undone."""
    tail = prefix[max(0, len(prefix) - order) :]
    journal: list = []
    bits = code_bits(table, tail + suffix, len(tail), order, journal, base, escape, costs)
    undo(table, journal)
    return bits


class PPMModel:
    """The model as a :class:`~npc_classify.coding.arithmetic.SymbolModel`.

    With ``base_stream`` (another ``SymbolModel``), its distributions replace
    the uniform one below order 0.
    """

    def __init__(self, order: int, base_stream: Any = None, escape: float = 1.0) -> None:
        self.order = order
        self.base_stream = base_stream
        self.escape = escape

    def reset(self) -> np.ndarray:
        self.table: CountTable = {}
        self.text = bytearray()
        base = None if self.base_stream is None else self.base_stream.reset()
        return distribution(self.table, b"", self.order, base, self.escape)

    def update(self, symbol: int) -> np.ndarray:
        self.text.append(symbol)
        text = bytes(self.text[-(self.order + 1) :])
        code_bits(self.table, text, len(text) - 1, self.order)
        base = None if self.base_stream is None else self.base_stream.update(symbol)
        return distribution(self.table, text, self.order, base, self.escape)


def count(text: bytes, order: int) -> CountTable:
    """The counts of every context of orders 0..``order`` after coding ``text``."""
    table: CountTable = {}
    code_bits(table, text, 0, order)
    return table
