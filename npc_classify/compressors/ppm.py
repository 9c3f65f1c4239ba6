"""PPM, prediction by partial matching, as a compressor: the model of
:mod:`npc_classify.coding.ppm` driving the arithmetic coder."""

from __future__ import annotations

from collections.abc import Sequence
from numbers import Integral

import numpy as np

from .._validation import Interval
from ..coding import ppm
from ._arithmetic_coding import ArithmeticCodingCompressor, state_for_context


class PPMCompressor(ArithmeticCodingCompressor):
    """Compression by an adaptive byte-context model (PPM) and an arithmetic coder.

    No model file and no training: the counts are built from the data being
    compressed, by the compiled engine of :mod:`npc_classify.coding.ppm`.
    ``compress``/``decompress`` are real and lossless; sizes for NCD and
    class-conditional compression are the ideal code lengths (fractional
    bytes). The real code differs from them as the coder quantises the
    model's probabilities: 0.4% (order 3) to 1.6% (order 16) below the ideal
    size on 33 KB of AG News, but longer where the model is all but certain
    (every byte then still costs at least 0.0056 bits). A prefix is read once and its counts serve
    every suffix; a context given to :meth:`conditional_sizes` is counted once
    per thread and its counts kept (up to 4 GiB of counts per thread, the least
    recently used dropped first).

    Parameters
    ----------
    order : int, default=3
        The longest context, in bytes, 0 to 16. 3 was the best of 2 to 6 in 5-fold
        cross-validation of class-conditional classification on the local AG
        News training split (docs: benchmarks/class-conditional.md).

    Notes
    -----
    The probability of byte ``s`` after context ``c`` of order ``o`` is
    ``(n(c, s) + d(c) p_{o-1}(s)) / (n(c) + d(c))``: ``n`` counts, ``d(c)`` the
    number of distinct bytes seen after ``c``, ``p_{-1}`` uniform. Unseen
    contexts defer to the longest seen one. Each byte costs ``order + 1``
    hash-table look-ups and updates in compiled code. Memory grows with the
    distinct contexts seen, at most ``order + 1`` new ones per byte: see
    :class:`npc_classify.coding.ppm.CountTable` for the bound and measured
    sizes (order 3 on the 1.8 MB of the local AG News texts: under 20 MB).

    References
    ----------
    .. [1] J. G. Cleary and I. H. Witten, "Data compression using adaptive coding
       and partial string matching", IEEE Trans. Communications, 1984.
    .. [2] W. J. Teahan and D. J. Harper, "Using compression-based language
       models for text categorization", 2003.
    """

    name = "ppm"
    _parameter_constraints = {"order": [Interval(Integral, 0, 16, closed="both")]}

    def __init__(self, order: int = 3) -> None:
        self.order = order

    def _coding(self) -> tuple[ppm.PPMModel, int]:
        return ppm.PPMModel(self.order), 256

    def _encode(self, data: bytes) -> bytes:
        return ppm.encode(data, self.order)

    def _decode(self, code: bytes) -> bytes:
        return ppm.decode(code, self.order)

    def compressed_sizes_with_prefix(self, prefix: bytes, suffixes: Sequence[bytes]) -> np.ndarray:
        """Ideal sizes of ``prefix + suffix`` in bytes; the prefix is counted once.

        Parameters
        ----------
        prefix, suffixes
            As in :meth:`~npc_classify.compressors.Compressor.compressed_sizes_with_prefix`.
        """
        prefix_bits, suffix_bits = ppm.prefix_and_suffix_bits(prefix, suffixes, self.order)
        return (prefix_bits + suffix_bits) / 8.0

    def conditional_sizes(self, context: bytes, items: Sequence[bytes]) -> np.ndarray:
        """Ideal bytes of each item coded after ``context``: C(context + item) - C(context).

        Parameters
        ----------
        context, items
            As in :meth:`~npc_classify.compressors.Compressor.conditional_sizes`.
        """
        return self._counts(context).code_suffixes(context, items) / 8.0

    def code_lengths(self, prefix: bytes, data: bytes) -> np.ndarray:
        """Ideal bits of each byte of ``data`` coded after ``prefix``, from the same loop.

        Parameters
        ----------
        prefix, data
            As in :meth:`~npc_classify.compressors.ArithmeticCodingCompressor.code_lengths`.
        """
        return self._counts(prefix).suffix_byte_bits(prefix, data)

    def _counts(self, context: bytes) -> ppm.CountTable:
        """The counts after ``context``, built once per thread and kept."""
        return state_for_context(
            self._thread_context(dict), context, lambda: ppm.count(context, self.order)
        )
