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

The counting and coding loops are compiled (:mod:`._ppm_kernels`, numba); the
tests hold a deliberately naive pure-Python PPM (``tests/ppm_reference.py``)
that the engine matches to 1e-9 bits on every order.
"""

from __future__ import annotations

import operator
from collections.abc import Sequence
from typing import Any

import numpy as np

from .._text import pack_texts
from . import _coder_kernels as coder
from . import _ppm_kernels as kernels
from . import arithmetic

_NO_BASE = np.empty(0, dtype=np.float64)
_NO_COSTS = np.empty(0, dtype=np.float64)
_NO_JOURNAL = np.empty((0, 3), dtype=np.int64)
_MIN_CAPACITY = 1 << 10
TABLE_BUDGET_BYTES = 4 << 30
"""The most memory one count table may take: 4 GiB."""
_BYTE_PRECISION = arithmetic.frequency_bits(256)
#: Bytes counted per call when no journal is kept, so the tables grow as they fill.
_CHUNK_BYTES = 1 << 14
#: The largest journal kept between journaled codings (room for about 5 KB at order 3);
#: a longer query's journal is dropped once it is rolled back.
_KEPT_JOURNAL_BYTES = 1 << 20


class CountTable:
    """The counts of every context of orders 0..``order`` seen so far, in compiled tables.

    Parameters
    ----------
    order : int
        The longest context, in bytes (0 to 16).

    Notes
    -----
    Memory: 32 bytes per context slot and 16 per (context, byte) pair slot,
    the tables kept at most half full in power-of-two capacities. A text of
    ``n`` bytes has at most ``(order + 1) n`` contexts and as many pairs, so
    at most about ``(order + 1) n (128 + 64)`` bytes; real text has far
    fewer. Measured on the 1.8 MB of the local AG News texts (0.36 MB for one
    class): order 3, 0.02 contexts and 0.07 pairs per byte, 17 MB of tables
    (9 bytes per byte of text; 35 for the single class); order 5, 67 MB (37
    per byte); order 8, 403 MB (224 per byte); order 16, 1.6 GB (897 per
    byte). So a 10 MB class text takes about 100 to 350 MB at order 3 and
    several GB at order 8. A table that would pass :data:`TABLE_BUDGET_BYTES`
    is refused before it grows. A query coded after the table's text
    (:meth:`code_suffixes`, :meth:`suffix_byte_bits`) is journaled in room
    for its worst case, ``order + 1`` new contexts per byte: about 1 KB per
    byte at order 3, given back once it is rolled back (a kept table stays
    within the room counting its own text leaves it, at most twice its
    size, and keeps a journal of at most 1 MiB). A query whose journal would
    outgrow the table is instead counted into the table as it grows and the
    table put back from a copy: the copy, and the contexts the query really
    adds (a 9 MB AG News query after a class table of 1,500 texts: 55 MB at
    the peak).
    """

    def __init__(self, order: int) -> None:
        order = operator.index(order)  # a NumPy integer would wrap in the table sizes
        if not 0 <= order <= kernels.MAX_ORDER:
            raise ValueError(f"order must be in [0, {kernels.MAX_ORDER}], got {order}.")
        self.order = order
        self.sizes = np.zeros(3, dtype=np.int64)  # contexts, pairs, journal entries
        self.contexts = np.zeros((_MIN_CAPACITY, 4), dtype=np.uint64)
        self.pairs = np.zeros((_MIN_CAPACITY, 2), dtype=np.uint64)
        self.journal = _NO_JOURNAL
        self._counted = 0  # bytes counted for good (not journaled)

    @property
    def n_contexts(self) -> int:
        """Distinct contexts counted."""
        return int(self.sizes[0])

    @property
    def n_pairs(self) -> int:
        """Distinct (context, byte) pairs counted."""
        return int(self.sizes[1])

    @property
    def nbytes(self) -> int:
        """Memory the table's arrays take, in bytes."""
        return self.contexts.nbytes + self.pairs.nbytes + self.journal.nbytes

    def reserve(self, n_bytes: int) -> None:
        """Make room for coding ``n_bytes`` more bytes (their new contexts and pairs).

        Parameters
        ----------
        n_bytes : int
        """
        new = (self.order + 1) * n_bytes
        contexts = max(len(self.contexts), _power_of_two(2 * (self.n_contexts + new)))
        pairs = max(len(self.pairs), _power_of_two(2 * (self.n_pairs + new)))
        needed = contexts * self.contexts.itemsize * 4 + pairs * self.pairs.itemsize * 2
        if needed > TABLE_BUDGET_BYTES:
            raise ValueError(
                f"The PPM counts of order {self.order} would take {needed / 2**30:.1f} GiB, "
                f"more than TABLE_BUDGET_BYTES ({TABLE_BUDGET_BYTES / 2**30:.0f} GiB), after "
                f"{self.n_contexts:,} contexts: use a lower order or shorter texts."
            )
        if contexts > len(self.contexts):
            self.contexts = kernels.rehash_contexts(self.contexts, contexts)
        if pairs > len(self.pairs):
            self.pairs = kernels.rehash_pairs(self.pairs, pairs)

    def code(
        self,
        text: bytes,
        start: int = 0,
        base: Sequence[float] | np.ndarray | None = None,
        escape: float = 1.0,
        *,
        journal: bool = False,
        costs: np.ndarray | None = None,
    ) -> float:
        """Bits of ``text[start:]`` coded after ``text[:start]``, counted as it goes.

        Parameters
        ----------
        text : bytes
        start : int, default=0
            The first byte coded; those before are only the contexts of the
            first ones.
        base : sequence of float of length len(text) - start, default=None
            Each coded byte's probability below order 0; None: uniform.
        escape : float, default=1.0
            Scales every context's escape weight (PPM method C's number of
            distinct bytes seen after it).
        journal : bool, default=False
            Record every change, so that :meth:`roll_back` takes it back.
        costs : ndarray of shape (len(text) - start,), default=None
            Receives each coded byte's bits.
        """
        if self.sizes[2]:
            raise RuntimeError("Roll back the journaled coding before coding again.")
        symbols = _writable(text)
        below = _NO_BASE if base is None else np.asarray(base, dtype=np.float64)
        if journal:  # one call: the tables must not move while the journal points into them
            self._reserve_journaled(len(text) - start)
            return self._code(symbols, start, len(text), below, escape, self.journal, costs, 0.0)
        bits = 0.0
        self._counted += len(text) - start
        for chunk in range(start, len(text), _CHUNK_BYTES):
            stop = min(chunk + _CHUNK_BYTES, len(text))
            self.reserve(stop - chunk)  # the tables grow with what was counted, not ahead of it
            part = None if costs is None else costs[chunk - start :]
            part_base = below[chunk - start :]
            bits = self._code(symbols, chunk, stop, part_base, escape, _NO_JOURNAL, part, bits)
        return bits

    def _code(
        self,
        symbols: np.ndarray,
        start: int,
        stop: int,
        base: np.ndarray,
        escape: float,
        journal: np.ndarray,
        costs: np.ndarray | None,
        bits: float,
    ) -> float:
        return float(
            kernels.code(
                self.contexts,
                self.pairs,
                self.sizes,
                symbols,
                start,
                stop,
                self.order,
                base,
                float(escape),
                journal,
                _NO_COSTS if costs is None else costs,
                bits,
            )
        )

    def code_suffixes(
        self,
        prefix: bytes,
        suffixes: Sequence[bytes],
        bases: Sequence[Sequence[float] | np.ndarray] | None = None,
        escape: float = 1.0,
    ) -> np.ndarray:
        """Bits of each suffix coded after ``prefix``, whose counts this table holds.

        The table is left as it was: each suffix is counted, then rolled back.

        Parameters
        ----------
        prefix : bytes
            The text whose counts the table holds; its last ``order`` bytes
            are the contexts of each suffix's first bytes.
        suffixes : sequence of bytes
        bases : sequence of array-like, default=None
            For each suffix, each of its bytes' probability below order 0;
            None: uniform.
        escape : float, default=1.0
            As in :meth:`code`.

        Returns
        -------
        bits : ndarray of shape (len(suffixes),)
        """
        if self.sizes[2]:
            raise RuntimeError("Roll back the journaled coding before coding again.")
        outgrows = [self._outgrows(suffix) for suffix in suffixes]
        journaled = [n for n, long in enumerate(outgrows) if not long]
        bits = np.empty(len(suffixes))
        bits[journaled] = self._code_journaled(
            prefix,
            [suffixes[n] for n in journaled],
            None if bases is None else [bases[n] for n in journaled],
            escape,
        )
        for n, long in enumerate(outgrows):
            if long:
                base = None if bases is None else bases[n]
                bits[n] = self._code_from_copy(prefix, suffixes[n], base, escape)
        return bits

    def _outgrows(self, suffix: bytes) -> bool:
        """Whether the journal of ``suffix`` would take more than the table itself."""
        entry = _NO_JOURNAL.itemsize * _NO_JOURNAL.shape[1]  # one journal row, in bytes
        return self._journal_rows(len(suffix)) * entry > self.nbytes

    def _journal_rows(self, n_bytes: int) -> int:
        """The journal's entries for coding ``n_bytes``: a new context and a pair entry per
        byte and order at most."""
        return 2 * (self.order + 1) * n_bytes

    def _code_from_copy(
        self, prefix: bytes, suffix: bytes, base: Any, escape: float, costs: Any = None
    ) -> float:
        """Bits of ``suffix`` after ``prefix``, counted into the table as it grows, the table
        then put back from a copy: for a suffix whose journal would outgrow the table."""
        tail = prefix[max(0, len(prefix) - self.order) :]
        kept = self.contexts.copy(), self.pairs.copy(), self.sizes.copy(), self._counted
        try:
            return self.code(tail + suffix, len(tail), base, escape, costs=costs)
        finally:  # stores, no call: Ctrl-C finds the table coded into or whole
            self.contexts, self.pairs, self.sizes, self._counted = kept

    def _code_journaled(
        self, prefix: bytes, suffixes: Sequence[bytes], bases: Any, escape: float
    ) -> np.ndarray:
        """:meth:`code_suffixes` in one compiled call, each suffix journaled and rolled
        back."""
        tail = np.frombuffer(prefix[max(0, len(prefix) - self.order) :], dtype=np.uint8)
        buffer, offsets = pack_texts(suffixes)
        below = (
            _NO_BASE
            if bases is None
            else np.concatenate([np.asarray(b, dtype=np.float64) for b in bases] or [_NO_BASE])
        )
        self._reserve_journaled(int(np.diff(offsets).max(initial=0)))
        try:
            return kernels.code_suffixes(
                self.contexts,
                self.pairs,
                self.sizes,
                tail,
                buffer,
                offsets,
                self.order,
                below,
                float(escape),
                self.journal,
            )
        finally:  # the kernel rolled back every suffix
            self._give_back()

    def suffix_byte_bits(
        self,
        prefix: bytes,
        suffix: bytes,
        base: Sequence[float] | np.ndarray | None = None,
        escape: float = 1.0,
    ) -> np.ndarray:
        """Bits of each byte of ``suffix`` coded after ``prefix``: the terms of
        :meth:`code_suffixes`'s total; the table is left as it was.

        Parameters
        ----------
        prefix : bytes
            As in :meth:`code_suffixes`.
        suffix : bytes
        base : sequence of float of length len(suffix), default=None
            As in :meth:`code`.
        escape : float, default=1.0
            As in :meth:`code`.

        Returns
        -------
        bits : ndarray of shape (len(suffix),)
        """
        if self.sizes[2]:  # refused before the finally below would undo the caller's coding
            raise RuntimeError("Roll back the journaled coding before coding again.")
        costs = np.empty(len(suffix))
        if self._outgrows(suffix):
            self._code_from_copy(prefix, suffix, base, escape, costs)
            return costs
        tail = prefix[max(0, len(prefix) - self.order) :]
        try:
            self.code(tail + suffix, len(tail), base, escape, journal=True, costs=costs)
        finally:  # also when Ctrl-C lands once the suffix is coded: the table is kept
            self.roll_back()
            self._give_back()
        return costs

    def _reserve_journaled(self, n_bytes: int) -> None:
        """Room in the tables and the journal for coding ``n_bytes`` with a journal."""
        self.reserve(n_bytes)
        if len(self.journal) < self._journal_rows(n_bytes):
            self.journal = np.empty((self._journal_rows(n_bytes), 3), dtype=np.int64)

    def _give_back(self) -> None:
        """Once a journaled coding is rolled back: move the tables into the room counting
        leaves them (what they hold, and the worst case of a counting chunk, or of the
        text if shorter, at most half full: at most twice what counting left) where a
        longer query grew them past it, and drop a journal larger than
        :data:`_KEPT_JOURNAL_BYTES`. So a kept class table is not left the size its
        longest query made it; sized from the counts, this also mends a table whose
        give-back an interrupt skipped."""
        new = (self.order + 1) * min(self._counted, _CHUNK_BYTES)
        contexts = _power_of_two(2 * (self.n_contexts + new))
        pairs = _power_of_two(2 * (self.n_pairs + new))
        if len(self.contexts) > contexts:
            self.contexts = kernels.rehash_contexts(self.contexts, contexts)
        if len(self.pairs) > pairs:
            self.pairs = kernels.rehash_pairs(self.pairs, pairs)
        if self.journal.nbytes > _KEPT_JOURNAL_BYTES:
            self.journal = _NO_JOURNAL

    def roll_back(self) -> None:
        """Undo everything coded with ``journal=True`` since the last roll-back."""
        kernels.roll_back(self.contexts, self.pairs, self.sizes, self.journal)

    def distribution(
        self, text: bytes, base: np.ndarray | None = None, escape: float = 1.0
    ) -> np.ndarray:
        """Probabilities of every byte after ``text``, as :meth:`code` would code it.

        Parameters
        ----------
        text : bytes
            The bytes before, whose last ``order`` are the contexts.
        base : ndarray of shape (256,), default=None
            Each byte's probability below order 0; None: uniform.
        escape : float, default=1.0
            As in :meth:`code`.
        """
        below = np.full(256, 1.0 / 256) if base is None else np.asarray(base, dtype=np.float64)
        return kernels.distribution(
            self.contexts,
            self.pairs,
            _writable(text),
            self.order,
            below,
            float(escape),
        )


def _writable(data: bytes) -> np.ndarray:
    """``data`` as a writable array of bytes.

    numba compiles a loop once for each set of argument types it is called
    with, and a read-only array is a type of its own. The compiled loops
    that call others (``code_suffixes``, the stream decoder) pass them
    writable arrays, so the calls from Python do too: each loop is then
    compiled once, at its first use.
    """
    return np.frombuffer(data, dtype=np.uint8).copy()


def _power_of_two(n: int) -> int:
    return max(_MIN_CAPACITY, 1 << (int(n) - 1).bit_length())


def count(text: bytes, order: int) -> CountTable:
    """The counts of every context of orders 0..``order`` after coding ``text``.

    Parameters
    ----------
    text : bytes
    order : int
        The longest context, in bytes (0 to 16).
    """
    table = CountTable(order)
    table.code(text)
    return table


def prefix_and_suffix_bits(
    prefix: bytes,
    suffixes: Sequence[bytes],
    order: int,
    prefix_base: Sequence[float] | np.ndarray | None = None,
    suffix_bases: Sequence[Sequence[float] | np.ndarray] | None = None,
    escape: float = 1.0,
) -> tuple[float, np.ndarray]:
    """Bits of ``prefix``, and of each suffix coded after it; the prefix is counted once.

    Parameters
    ----------
    prefix : bytes
    suffixes : sequence of bytes
    order : int
        The longest context, in bytes (0 to 16).
    prefix_base : sequence of float of length len(prefix), default=None
        Each byte's probability below order 0, as :meth:`CountTable.code`'s
        ``base``; None: uniform.
    suffix_bases : sequence of array-like, default=None
        The same for each suffix, as :meth:`CountTable.code_suffixes`'s
        ``bases``.
    escape : float, default=1.0
        As in :meth:`CountTable.code`.
    """
    table = CountTable(order)
    prefix_bits = table.code(prefix, base=prefix_base, escape=escape)
    return prefix_bits, table.code_suffixes(prefix, suffixes, suffix_bases, escape)


def encode(data: bytes, order: int, escape: float = 1.0) -> bytes:
    """The arithmetic code of ``data`` under the PPM model of ``order``, in one compiled loop.

    The same stream as :func:`npc_classify.coding.arithmetic.encode` under
    :class:`PPMModel`, byte for byte (tested), without a Python call per byte.

    Parameters
    ----------
    data : bytes
    order : int
        The longest context, in bytes (0 to 16).
    escape : float, default=1.0
        As in :meth:`CountTable.code`.
    """
    table = CountTable(order)
    text = _writable(data)
    state, out = coder.new_encoder(), arithmetic.output_buffer(len(text), _BYTE_PRECISION)
    for start in range(0, len(text), _CHUNK_BYTES):
        stop = min(start + _CHUNK_BYTES, len(text))
        table.reserve(stop - start)
        kernels.encode_stream(
            table.contexts, table.pairs, table.sizes, text, start, stop, order, escape, state, out
        )
    return arithmetic.varint(len(text)) + out[: coder.finish_encoding(state, out)].tobytes()


def decode(code: bytes, order: int, escape: float = 1.0) -> bytes:
    """Invert :func:`encode`: the bytes of an arithmetic code made under the same model.

    Parameters
    ----------
    code : bytes
        A code written by :func:`encode` with the same ``order`` and ``escape``.
    order : int
        The longest context, in bytes (0 to 16).
    escape : float, default=1.0
        As in :meth:`CountTable.code`.

    Raises
    ------
    ValueError
        If the code is truncated or corrupted (its header announces more bytes
        than its payload can hold, or decoding runs past its bits).
    """
    length, payload = arithmetic.read_header(code)
    table = CountTable(order)
    text = np.empty(length, dtype=np.uint8)
    state, spent = coder.new_decoder(payload), np.zeros(1)
    for start in range(0, length, _CHUNK_BYTES):
        stop = min(start + _CHUNK_BYTES, length)
        table.reserve(stop - start)
        kernels.decode_stream(
            table.contexts, table.pairs, table.sizes, text, start, stop, order, escape,
            state, spent, payload,
        )  # fmt: skip
        arithmetic.check_decoder(state)
    arithmetic.check_decoded(state, payload)
    return text.tobytes()


class PPMModel:
    """The model as a :class:`~npc_classify.coding.arithmetic.SymbolModel`.

    Parameters
    ----------
    order : int
        The longest context, in bytes (0 to 16).
    base_stream : SymbolModel, default=None
        A model whose distributions replace the uniform one below order 0
        (the byte GRU under the LM's cache); None: uniform.
    escape : float, default=1.0
        Each context's escape weight is the number of distinct bytes seen
        after it times this (PPM method C at 1).
    """

    def __init__(self, order: int, base_stream: Any = None, escape: float = 1.0) -> None:
        self.order = operator.index(order)
        self.base_stream = base_stream
        self.escape = escape

    def reset(self) -> np.ndarray:
        """Forget the stream; return the distribution of its first symbol."""
        self.table = CountTable(self.order)
        self.text = bytearray()
        base = None if self.base_stream is None else self.base_stream.reset()
        return self.table.distribution(b"", base, self.escape)

    def update(self, symbol: int) -> np.ndarray:
        """Observe ``symbol``; return the distribution of the next one."""
        self.text.append(symbol)
        del self.text[: -(self.order + 1)]
        text = bytes(self.text)
        self.table.code(text, len(text) - 1)
        base = None if self.base_stream is None else self.base_stream.update(symbol)
        return self.table.distribution(text, base, self.escape)
