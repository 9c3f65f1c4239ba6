"""Context mixing as a compressor: the model of :mod:`npc_classify.coding.cm` driving the coder."""

from __future__ import annotations

from collections.abc import Sequence
from numbers import Integral, Real
from typing import Any

import numpy as np

from .._validation import Interval
from ..coding import cm
from ._arithmetic_coding import ArithmeticCodingCompressor, state_for_context


class CMCompressor(ArithmeticCodingCompressor):
    """Compression by context mixing (the PAQ family) and an arithmetic coder.

    Each bit is predicted by byte-context models of orders 0..``order`` and
    two word models, mixed by an online logistic mixer and refined by two
    adaptive probability maps (:mod:`npc_classify.coding.cm`). No model file
    and no training: everything is learned from the data being compressed.
    ``compress``/``decompress`` are real and lossless; sizes for NCD and
    class-conditional compression are the ideal code lengths (fractional
    bytes). A context given to :meth:`conditional_sizes` is read once per
    thread and the model kept (up to 4 GiB of models per thread, the least
    recently used dropped first).

    Parameters
    ----------
    order : int, default=6
        The longest byte context, 0 to 8.
    learning_rate : float, default=0.005
        The mixer's step on each bit's coding error, in (0, 1].
    limit : int, default=255
        1 to 255. A context slot learns at the rate ``1 / (count + prior + 1)`` until its
        count reaches ``limit``, then at ``1 / (limit + prior + 1)``.
    prior : float, default=5.0
        The pseudo-counts of 1/2 every context slot starts with (0 or more): how far one
        sighting of a context moves its prediction (1 is the Krichevsky-Trofimov
        estimator's half a count per bit value). 0.5 codes text about 6% smaller
        than 5 on AG News; 5 classifies better. ``order``, ``learning_rate``
        and ``prior`` are the setting with the best mean accuracy over AG News
        and TREC's coarse and fine classes in 3-fold cross-validation of
        class-conditional classification on their training splits (docs:
        benchmarks/class-conditional.md#context-mixing). Scored against
        complement texts (``CompressionClassifier(..., complement=8)``), the
        same cross-validation prefers 11.

    Notes
    -----
    A stream decodes only under the settings that coded it: they are not
    written into it. A pickled state without ``prior`` (from a version
    without the setting, whose slots learned at ``1 / (count + 1.5)``) is
    restored at ``prior=0.5``: it keeps its sizes and decodes its streams.

    The tables are sized for the text they see (16 slots per byte, 2**16 to
    2**22 slots per model): a joint size ``prefix + suffix`` uses the tables
    of ``compressed_size(prefix + suffix)``, whatever other suffixes are sized
    with it; a conditional size uses the tables of the context it starts from
    (read once and kept), so it can differ from ``C(context + item) -
    C(context)`` where the pair needs larger tables than the context (texts
    of more than 4 KiB). Memory: 3 bytes per slot and model
    plus 17 MB; about 130 MB for a 360 KB class text at order 6, and at most
    twice as much again while queries are scored after it, however long
    (:mod:`npc_classify.coding.cm`). Each byte
    costs ``8 (order + 3)`` table look-ups and updates in compiled code.

    References
    ----------
    .. [1] M. V. Mahoney, "Adaptive weighing of context models for lossless
       data compression", Florida Tech. Technical Report CS-2005-16, 2005.
    """

    name = "cm"
    _parameter_constraints = {
        "order": [Interval(Integral, 0, cm.MAX_ORDER, closed="both")],
        "learning_rate": [Interval(Real, 0, 1, closed="right")],
        "limit": [Interval(Integral, 1, 255, closed="both")],
        "prior": [Interval(Real, 0, None, closed="left")],
    }

    def __init__(
        self, order: int = 6, learning_rate: float = 0.005, limit: int = 255, prior: float = 5.0
    ) -> None:
        self.order = order
        self.learning_rate = learning_rate
        self.limit = limit
        self.prior = prior

    def __setstate__(self, state: dict[str, Any]) -> None:
        super().__setstate__({"prior": 0.5, **state})

    def _settings(self) -> tuple[int, float, int, float]:
        return self.order, float(self.learning_rate), self.limit, float(self.prior)

    def _encode(self, data: bytes) -> bytes:
        return cm.encode(data, *self._settings())

    def _decode(self, code: bytes) -> bytes:
        return cm.decode(code, *self._settings())

    def ideal_bits(self, data: bytes) -> float:
        """-sum log2 p over ``data``'s bits under the model.

        Parameters
        ----------
        data : bytes
        """
        return cm.ContextMixer(*self._settings(), len(data)).code(data)

    def compressed_size(self, data: bytes) -> float:
        return self.ideal_bits(data) / 8.0

    def compressed_sizes_with_prefix(self, prefix: bytes, suffixes: Sequence[bytes]) -> np.ndarray:
        """Ideal sizes of ``prefix + suffix`` in bytes; the prefix is read once.

        Parameters
        ----------
        prefix, suffixes
            As in :meth:`~npc_classify.compressors.Compressor.compressed_sizes_with_prefix`.
        """
        # Each pair with the tables compressed_size(prefix + suffix) uses, so that a pair's
        # size never depends on the suffixes beside it: one reading of the prefix for the
        # suffixes whose pairs take tables of one size.
        lengths = [len(prefix) + len(s) for s in suffixes]
        tables = np.array([cm.table_bits(n) for n in lengths], dtype=np.int64)
        sizes = np.empty(len(suffixes))
        for table in np.unique(tables):
            members = np.flatnonzero(tables == table)
            model = cm.ContextMixer(*self._settings(), max(lengths[i] for i in members))
            prefix_bits = model.code(prefix)
            sizes[members] = prefix_bits + model.code_suffixes([suffixes[int(i)] for i in members])
        return sizes / 8.0

    def conditional_sizes(self, context: bytes, items: Sequence[bytes]) -> np.ndarray:
        """Ideal bytes of each item coded after ``context``, from the model that read it.

        Parameters
        ----------
        context, items
            As in :meth:`~npc_classify.compressors.Compressor.conditional_sizes`.
        """
        return self._model(context).code_suffixes(items) / 8.0

    def code_lengths(self, prefix: bytes, data: bytes) -> np.ndarray:
        """Ideal bits of each byte of ``data`` coded after ``prefix``: the joint size's terms.

        The model has the tables of ``compressed_size(prefix + data)``, so the
        bits add up to the joint size less the prefix's bits under those
        tables: ``compressed_size(prefix)`` unless the pair needs larger tables
        than the prefix alone (more than 4 KiB together).

        Parameters
        ----------
        prefix, data
            As in :meth:`~npc_classify.compressors.ArithmeticCodingCompressor.code_lengths`.
        """
        if cm.table_bits(len(prefix) + len(data)) == cm.table_bits(len(prefix)):
            return self.conditional_code_lengths(prefix, data)  # the same tables: the kept model
        model = cm.ContextMixer(*self._settings(), len(prefix) + len(data))
        model.code(prefix)
        costs = np.empty(len(data))
        model.code_suffixes([data], costs)
        return costs

    def conditional_code_lengths(self, context: bytes, data: bytes) -> np.ndarray:
        """Ideal bits of each byte of ``data`` under the model that read ``context``.

        The terms of :meth:`conditional_sizes`: the model's tables are sized
        for ``context`` alone.

        Parameters
        ----------
        context, data
            As in
            :meth:`~npc_classify.compressors.ArithmeticCodingCompressor.conditional_code_lengths`.
        """
        costs = np.empty(len(data))
        self._model(context).code_suffixes([data], costs)
        return costs

    def _model(self, context: bytes) -> cm.ContextMixer:
        """The model after reading ``context``, built once per thread and kept."""

        def build() -> cm.ContextMixer:
            model = cm.ContextMixer(*self._settings(), len(context))
            model.code(context)
            return model

        return state_for_context(self._thread_context(dict), context, build)
