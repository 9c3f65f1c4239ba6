"""Context mixing: byte and word context models, mixed online, refined by secondary estimation.

The model of the PAQ family (Mahoney's lpaq in outline) at its smallest:
each bit of a byte is predicted by hashed context models of orders
0..``order`` and two word models, the predictions are combined by an online
logistic mixer and refined by two adaptive probability maps; every table
learns from each bit. The loop is compiled (:mod:`._cm_kernels`, numba);
real streams are coded by the same arithmetic coder as PPM, a bit a symbol.

Memory: 3 bytes per table slot and model, the tables sized for the text they
will see (16 slots per byte, as a power of two from 2**16 to 2**22
slots), plus 17 MB of maps and a few KB of mixer weights. At order 6 (9
models) a class text of 360 KB takes 2**22 slots: 113 MB, and 130 MB in all.
The tables and maps are mapped from the system apart from the heap, so the
memory of a model goes back to the system as soon as the model is dropped.
Scoring queries after a model takes a journal of their changes, about 2.5 KB
per byte of the longest at order 6, or, for a query whose journal would be
larger than the model, one copy of the model instead: at most twice the
model's size again, for queries of any length.
"""

from __future__ import annotations

import math
import mmap
import operator
from collections.abc import Sequence

import numpy as np

from . import _cm_kernels as kernels
from . import _coder_kernels as coder
from . import arithmetic

MIN_TABLE_BITS = 16
"""The smallest table, in bits of its number of slots."""
MAX_TABLE_BITS = 22
"""The largest table, in bits of its number of slots."""
SLOTS_PER_BYTE = 16
"""Table slots per byte of text, before rounding to a power of two."""
MAX_ORDER = 8
"""The longest byte context."""

_PRECISION = arithmetic.frequency_bits(2)
CHEAPEST_BYTE_BITS = -8 * math.log2(1 - 16 / (1 << _PRECISION))
"""The fewest bits a byte can cost: its bits' probabilities stay in [1/4096, 4095/4096],
so the less likely bit keeps at least 16 of the 2 ** 16 counts. A code whose header
announces more bytes than its payload can hold at this price is refused at once."""
_NOTHING = np.empty(0)
#: A journal entry: a slot's flat index and kind (two int64) and its old value (a float64).
_JOURNAL_ENTRY_BYTES = 24
_NO_INDEX = np.empty((0, 2), dtype=np.int64)
_NO_BYTES = np.empty(0, dtype=np.uint8)
#: Read-only, as the decoder's stream (a view of the code's bytes) is: numba compiles a
#: loop once per set of argument types, so every use then shares one compilation.
_NO_STREAM = np.frombuffer(b"", dtype=np.uint8)


def _unshared(shape: tuple[int, int], dtype: type[np.generic]) -> np.ndarray:
    """A zeroed array in an anonymous memory mapping of its own, unmapped when the array is
    freed.

    From the heap, a model's tables would outlive it: glibc raises the size
    above which it maps a block to the largest block freed (up to 32 MB), so
    the tables of every later model below that size (those of short class
    texts) come from the heap, and the small objects allocated between them
    keep the space from being given back. A process that had built and
    dropped the 100 models of TREC's 50 fine classes (2 per class) kept 1.1 GB
    of it, and a joblib worker doing so is restarted as leaking memory.
    """
    count = shape[0] * shape[1]
    buffer = mmap.mmap(-1, count * np.dtype(dtype).itemsize)
    return np.frombuffer(buffer, dtype=dtype, count=count).reshape(shape)


def table_bits(n_bytes: int) -> int:
    """Bits of the number of table slots for a text of ``n_bytes``.

    Parameters
    ----------
    n_bytes : int
        The text's length in bytes.

    Examples
    --------
    >>> table_bits(100), table_bits(360_000), table_bits(10**9)
    (16, 22, 22)
    """
    wanted = max(1, SLOTS_PER_BYTE * n_bytes - 1).bit_length()
    return min(max(wanted, MIN_TABLE_BITS), MAX_TABLE_BITS)


class ContextMixer:
    """The model's whole state: context tables, mixer, maps, and the word hashes.

    Parameters
    ----------
    order : int
        The longest byte context (0 to :data:`MAX_ORDER`).
    learning_rate : float
        The mixer's step on each bit's error.
    limit : int
        A context slot's rate of learning falls as ``1 / (count + prior + 1)``
        until its count reaches ``limit`` (1 to 255).
    prior : float
        The pseudo-counts of 1/2 each slot starts with (0 or more): the larger,
        the slower a rarely seen context moves away from 1/2.
    n_bytes : int
        The bytes the model will code, which size its tables.
    """

    def __init__(
        self, order: int, learning_rate: float, limit: int, prior: float, n_bytes: int
    ) -> None:
        # NumPy integers would wrap in the table sizes
        order, limit = operator.index(order), operator.index(limit)
        if not 0 <= order <= MAX_ORDER:
            raise ValueError(f"order must be in [0, {MAX_ORDER}], got {order}.")
        if not 1 <= limit <= 255:
            raise ValueError(f"limit must be in [1, 255], got {limit}.")
        if not (math.isfinite(prior) and prior >= 0):
            raise ValueError(f"prior must be a finite number >= 0, got {prior}.")
        self.order, self.learning_rate, self.limit = order, float(learning_rate), limit
        self.prior = float(prior)
        n_models = order + 1 + kernels.N_WORD_MODELS
        size = 1 << table_bits(n_bytes)
        self.probs = _unshared((n_models, size), np.uint16)
        self.probs.fill(32768)
        self.counts = _unshared((n_models, size), np.uint8)
        self.weights = np.full((256, n_models + 1), 0.3)
        self.maps = _unshared((kernels.MAP_ROWS, kernels.MAP_BUCKETS), np.float64)
        kernels.start_maps(self.maps)
        self.words = np.zeros(2, dtype=np.uint64)
        self.tail = b""  # the last bytes coded, as many as the longest context

    @property
    def nbytes(self) -> int:
        """Bytes of the model's arrays."""
        arrays = (self.probs, self.counts, self.weights, self.maps, self.words)
        return sum(array.nbytes for array in arrays)

    def _run(
        self,
        text: np.ndarray,
        start: int,
        mode: int = kernels.IDEAL,
        journal: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None,
        costs: np.ndarray = _NOTHING,
        state: np.ndarray | None = None,
        out: np.ndarray = _NO_BYTES,
        spent: np.ndarray = _NOTHING,
        stream: np.ndarray = _NO_STREAM,
    ) -> float:
        index, value, size = journal or (_NO_INDEX, _NOTHING, np.zeros(1, dtype=np.int64))
        return float(
            kernels.code(
                self.probs, self.counts, self.weights, self.maps, self.words, text, start,
                len(text), self.order, self.learning_rate, self.limit, self.prior, mode, index,
                value, size, costs, np.zeros(4, dtype=np.int64) if state is None else state,
                out, spent, stream, kernels.STRETCH,
            )
        )  # fmt: skip

    def _history(self, data: bytes) -> tuple[np.ndarray, int]:
        """``data`` after the bytes already coded that its contexts read, and where it starts."""
        text = np.frombuffer(self.tail + data, dtype=np.uint8).copy()
        return text, len(self.tail)

    def _keep_tail(self, text: np.ndarray) -> None:
        self.tail = text[max(0, len(text) - max(self.order, 1)) :].tobytes()

    def code(self, data: bytes) -> float:
        """Bits of ``data`` coded after everything coded so far; the model learns it.

        Parameters
        ----------
        data : bytes
        """
        text, start = self._history(data)
        bits = self._run(text, start)
        self._keep_tail(text)
        return bits

    def code_suffixes(
        self, suffixes: Sequence[bytes], costs: np.ndarray | None = None
    ) -> np.ndarray:
        """Bits of each suffix coded after everything coded so far; the model is left as it was.

        Parameters
        ----------
        suffixes : sequence of bytes
        costs : ndarray of shape (len(suffix),), default=None
            Given with one suffix, receives each of its bytes' bits.

        Returns
        -------
        bits : ndarray of shape (len(suffixes),)
        """
        # A suffix's changes are journaled, at most ``per_byte`` entries per byte, and rolled
        # back; a suffix whose journal would outgrow the model is instead undone from a copy
        # of the model: scoring takes at most twice the model's size again (the journal of
        # the shorter suffixes, and one copy), however long the suffixes.
        per_byte = 8 * (self.order + 1 + kernels.N_WORD_MODELS + 4)
        journaled = self.nbytes // (per_byte * _JOURNAL_ENTRY_BYTES)  # the longest suffix
        entries = per_byte * max((len(s) for s in suffixes if len(s) <= journaled), default=0)
        journal = (
            np.empty((entries, 2), dtype=np.int64),
            np.empty(entries),
            np.zeros(1, dtype=np.int64),
        )
        weights, words = self.weights.copy(), self.words.copy()
        tables: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None
        byte_costs = _NOTHING if costs is None else costs
        out = np.empty(len(suffixes))
        for n, suffix in enumerate(suffixes):
            text, start = self._history(suffix)
            if len(suffix) <= journaled:
                try:
                    out[n] = self._run(text, start, journal=journal, costs=byte_costs)
                finally:  # also when Ctrl-C lands once the suffix is coded: the model is kept
                    kernels.roll_back(
                        self.probs, self.counts, self.maps, *journal, self.weights, weights,
                        self.words, words,
                    )  # fmt: skip
                continue
            # One copy serves every long suffix: rolled back or copied back, the model
            # equals it again after each suffix.
            if tables is None:
                tables = self.probs.copy(), self.counts.copy(), self.maps.copy()
            try:
                out[n] = self._run(text, start, costs=byte_costs)
            finally:
                kernels.copy_back(
                    self.probs, self.counts, self.maps, self.weights, self.words, *tables,
                    weights, words,
                )  # fmt: skip
        return out


def encode(data: bytes, order: int, learning_rate: float, limit: int, prior: float) -> bytes:
    """The arithmetic code of ``data`` under the model, a bit a symbol, in one compiled loop.

    Parameters
    ----------
    data : bytes
    order, learning_rate, limit, prior
        As in :class:`ContextMixer`.
    """
    model = ContextMixer(order, learning_rate, limit, prior, len(data))
    text = np.frombuffer(data, dtype=np.uint8).copy()
    state, out = coder.new_encoder(), arithmetic.output_buffer(8 * len(text), _PRECISION)
    model._run(text, 0, kernels.ENCODE, state=state, out=out)
    return arithmetic.varint(len(text)) + out[: coder.finish_encoding(state, out)].tobytes()


def decode(code: bytes, order: int, learning_rate: float, limit: int, prior: float) -> bytes:
    """Invert :func:`encode`.

    Parameters
    ----------
    code : bytes
        A code written by :func:`encode` with the same settings.
    order, learning_rate, limit, prior
        As in :class:`ContextMixer`.

    Raises
    ------
    ValueError
        If the code is truncated or corrupted.
    """
    length, payload = arithmetic.read_header(code, cheapest=CHEAPEST_BYTE_BITS)
    model = ContextMixer(order, learning_rate, limit, prior, length)
    text = np.zeros(length, dtype=np.uint8)
    state, spent = coder.new_decoder(payload), np.zeros(1)
    model._run(text, 0, kernels.DECODE, state=state, spent=spent, stream=payload)
    arithmetic.check_decoded(state, payload)
    return text.tobytes()
