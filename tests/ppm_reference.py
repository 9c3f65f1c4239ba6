"""A deliberately naive PPM in pure Python: the oracle the compiled engine is tested against.

Counts live in a dict of dicts; every byte is predicted from its contexts of
orders 0..``order``, each order's estimate blending in the one below it with
PPM method C's escape weight, then counted. The compiled engine
(:mod:`npc_classify.coding.ppm`) must give the same code lengths.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

#: context bytes -> [counts of each following byte, their total]
Table = dict[bytes, list]


def code_bits(
    table: Table,
    text: bytes,
    start: int,
    order: int,
    journal: list | None = None,
    base: Sequence[float] | None = None,
    escape: float = 1.0,
) -> float:
    """Bits of ``text[start:]`` coded adaptively after ``text[:start]``, counting as it goes."""
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
                predicting = False
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
    return bits


def undo(table: Table, journal: list) -> None:
    """Take back the counts recorded in ``journal``, newest first."""
    for context, symbol in reversed(journal):
        entry = table[context]
        entry[0][symbol] -= 1
        if not entry[0][symbol]:
            del entry[0][symbol]
        entry[1] -= 1
        if not entry[1]:
            del table[context]
    journal.clear()


def suffix_bits(
    table: Table,
    prefix: bytes,
    suffixes: Sequence[bytes],
    order: int,
    bases: Sequence[Sequence[float]] | None = None,
    escape: float = 1.0,
) -> np.ndarray:
    """Bits of each suffix after ``prefix``, whose counts are ``table`` (left unchanged)."""
    tail = prefix[max(0, len(prefix) - order) :]
    bits = np.empty(len(suffixes))
    for n, suffix in enumerate(suffixes):
        journal: list = []
        base = None if bases is None else bases[n]
        bits[n] = code_bits(table, tail + suffix, len(tail), order, journal, base, escape)
        undo(table, journal)
    return bits


def distribution(
    table: Table, text: bytes, order: int, base: np.ndarray | None = None, escape: float = 1.0
) -> np.ndarray:
    """Probabilities of every byte following ``text``, as :func:`code_bits` gives them."""
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
