"""A language model driving an arithmetic coder (Delétang et al., 2023)."""

from __future__ import annotations

import os
from collections.abc import Sequence
from numbers import Integral, Real
from pathlib import Path
from typing import Any

import numpy as np

from .._validation import Interval
from ..coding import ppm
from ..coding.arithmetic import SymbolModel
from ._arithmetic_coding import ArithmeticCodingCompressor, state_for_context


class LMCompressor(ArithmeticCodingCompressor):
    """Compression by a byte-level language model and an arithmetic coder.

    ``compress``/``decompress`` are real and lossless: the model's next-byte
    distributions, quantised deterministically, drive the arithmetic coder of
    :mod:`npc_classify.coding.arithmetic`. For NCD the sizes are the ideal code
    lengths, ``-sum log2 p(byte | previous bytes) / 8`` bytes (fractional);
    the real code differs from them as the coder quantises the
    distributions (longer where the model is all but certain, as every byte
    costs at least 0.0056 bits; shorter where it rules bytes all but out, as
    none costs more than about 16 bits: with the cache on, by a few percent on
    AG News text); the query
    prefix is read once and its recurrent state starts every training text.

    Parameters
    ----------
    model_path : str or path-like, default=""
        Required: the default ``""`` is refused when the model is first used.
        A model written by ``npc-classify train-lm`` (or
        ``npc_classify.coding.byte_lm.save_byte_lm``); read with ``weights_only=True``.
    device : str, default="cpu"
        A torch device, e.g. ``"cuda"``.
    batch_size : int, default=64
        Training texts scored together after a query, 1 to 2**20.
    cache_order : int, default=-1
        An adaptive cache for NCD (docs: guide/language-models.md): the counts of
        the byte contexts of orders 0..``cache_order`` seen so far in the text
        being coded, blended over the network's prediction as the contexts of
        PPM are (:class:`~npc_classify.compressors.PPMCompressor`, the network in
        place of its uniform estimate). It lets the query's own words make a
        training text cheaper, which the recurrent state alone barely does.
        -1, the default: the network alone; at most 16. Order 4 with ``cache_escape=0.25``
        had the best mean of orders 2 to 4 and escapes 0.25 to 1 in few-shot
        NCD on queries from the AG News training split (docs:
        benchmarks/language-models.md; order 3 with
        0.5 was within 0.01).
    cache_escape : float, default=0.25
        How much each cache context defers to the estimate below it: PPM
        method C's escape weight (the number of distinct bytes seen after the
        context) times this, above 0. Smaller trusts the counts more.
    fine_tune_steps : int, default=0
        How :meth:`conditional_sizes` (class-conditional compression) uses a
        class's text. 0: the model reads it as a prefix, and its recurrent
        state after it starts each item. N > 0: a copy of the model is trained
        N more steps on random 256-byte windows of it (batches of 16, Adam at
        1e-3, seeded) and codes each item from the start; the tuned copies are
        kept per thread, one per distinct context (up to 4 GiB of them, the least
        recently used dropped first), so a second ``predict`` does not train again.
    """

    name = "lm"
    #: ``npc-classify --model`` sets this parameter.
    model_parameter = "model_path"
    _derived_from_settings = ("_local", "_model_digest")
    _parameter_constraints = {
        "model_path": [str, os.PathLike],
        "device": [str],
        "batch_size": [Interval(Integral, 1, 1 << 20, closed="both")],
        "cache_order": [Interval(Integral, -1, 16, closed="both")],
        "cache_escape": [Interval(Real, 0, None, closed="neither")],
        "fine_tune_steps": [Interval(Integral, 0, 1 << 30, closed="both")],
    }

    def __init__(
        self,
        model_path: str | os.PathLike[str] = "",
        device: str = "cpu",
        batch_size: int = 64,
        cache_order: int = -1,
        cache_escape: float = 0.25,
        fine_tune_steps: int = 0,
    ) -> None:
        self.model_path = model_path
        self.device = device
        self.batch_size = batch_size
        self.cache_order = cache_order
        self.cache_escape = cache_escape
        self.fine_tune_steps = fine_tune_steps

    def load(self) -> None:
        """Load the model file in this thread."""
        self._model()

    def _model(self) -> Any:
        return self._loaded()["model"]

    def _loaded(self) -> dict[str, Any]:
        """This thread's model, and its fine-tuned copies by context digest."""
        return self._thread_context(self._read_model)

    def _read_model(self) -> dict[str, Any]:
        """The model file read for a thread, with no fine-tuned copies yet."""
        from ..coding.byte_lm import load_byte_lm

        if not self.model_path:
            raise ValueError(
                "LMCompressor needs model_path: a model written by npc-classify train-lm or "
                "npc_classify.coding.byte_lm.save_byte_lm."
            )
        self._check_model_unchanged()
        return {"model": load_byte_lm(self.model_path, self.device), "tuned": {}}

    def _check_model_unchanged(self) -> None:
        """Refuse a model file that changed since this compressor first read it.

        Each thread reads the model at its first use; one reading a file
        replaced since (a model retrained at the same path) would give sizes of
        another model beside those of the first, such as a fitted estimator's
        training sizes. The digest of the first reading is kept, with the
        compressor's settings, in its pickles and saved models: the
        :meth:`fingerprint` that checkpoints record. A missing file is left to
        the loader, which says so.
        """
        if not Path(self.model_path).is_file():
            return
        digest = self.fingerprint()
        if self.__dict__.setdefault("_model_digest", digest) != digest:
            raise ValueError(
                f"{self.model_path} has changed since this compressor first read it: its "
                "sizes would mix two models'. Fit the estimator again with the new model, or "
                "put the model it was fitted with back."
            )

    def _coding(self) -> tuple[SymbolModel, int]:
        from ..coding.byte_lm import ByteLMStream

        network = ByteLMStream(self._model(), self.device)
        if self.cache_order < 0:
            return network, 256
        return ppm.PPMModel(self.cache_order, network, self.cache_escape), 256

    def compressed_sizes_with_prefix(self, prefix: bytes, suffixes: Sequence[bytes]) -> np.ndarray:
        prefix_bits, suffix_bits = self._prefix_and_suffix_bits(self._model(), prefix, suffixes)
        return (prefix_bits + suffix_bits) / 8.0

    def _prefix_and_suffix_bits(
        self, model: Any, prefix: bytes, suffixes: Sequence[bytes]
    ) -> tuple[float, np.ndarray]:
        """Ideal bits of ``prefix``, and of each suffix after it, under ``model`` and the cache."""
        from ..coding.byte_lm import prefix_and_suffix_probabilities

        prefix_probs, suffix_probs = prefix_and_suffix_probabilities(
            model, prefix, list(suffixes), self.device, self.batch_size
        )
        if self.cache_order < 0:
            bits = np.array([(-np.log2(p)).sum() for p in suffix_probs])
            return float((-np.log2(prefix_probs)).sum()), bits
        return ppm.prefix_and_suffix_bits(
            prefix, suffixes, self.cache_order, prefix_probs, suffix_probs, self.cache_escape
        )

    def conditional_sizes(self, context: bytes, items: Sequence[bytes]) -> np.ndarray:
        """Bytes each item costs under the model conditioned on ``context``.

        See ``fine_tune_steps`` for the two ways of conditioning.

        Parameters
        ----------
        context, items
            As in :meth:`~npc_classify.compressors.Compressor.conditional_sizes`.
        """
        if self.fine_tune_steps == 0:
            _, bits = self._prefix_and_suffix_bits(self._model(), context, items)
        else:
            _, bits = self._prefix_and_suffix_bits(self._tuned(context), b"", items)
        return bits / 8.0

    def code_lengths(self, prefix: bytes, data: bytes) -> np.ndarray:
        """Ideal bits of each byte of ``data`` after ``prefix``, under the model and the cache.

        Parameters
        ----------
        prefix, data
            As in :meth:`~npc_classify.compressors.ArithmeticCodingCompressor.code_lengths`.
        """
        return self._byte_bits(self._model(), prefix, data)

    def conditional_code_lengths(self, context: bytes, data: bytes) -> np.ndarray:
        """Bits of each byte of ``data`` under the model conditioned on ``context``.

        Conditioned as :meth:`conditional_sizes` conditions it (see ``fine_tune_steps``).

        Parameters
        ----------
        context, data
            As in
            :meth:`~npc_classify.compressors.ArithmeticCodingCompressor.conditional_code_lengths`.
        """
        if self.fine_tune_steps == 0:
            return super().conditional_code_lengths(context, data)
        return self._byte_bits(self._tuned(context), b"", data)

    def _tuned(self, context: bytes) -> Any:
        """This thread's copy of the model fine-tuned on ``context``, trained once."""
        from ..coding.training import fine_tune_byte_lm

        loaded = self._loaded()
        return state_for_context(
            loaded["tuned"],
            context,
            lambda: fine_tune_byte_lm(loaded["model"], context, steps=self.fine_tune_steps),
            lambda model: sum(tensor.nbytes for tensor in model.state_dict().values()),
        )

    def _byte_bits(self, model: Any, prefix: bytes, data: bytes) -> np.ndarray:
        """Bits of each byte of ``data`` after ``prefix``: the terms of
        :meth:`_prefix_and_suffix_bits`'s suffix cost."""
        from ..coding.byte_lm import prefix_and_suffix_probabilities

        _, (probs,) = prefix_and_suffix_probabilities(
            model, prefix, [data], self.device, self.batch_size
        )
        if self.cache_order < 0:
            return -np.log2(probs)
        counts = ppm.count(prefix, self.cache_order)  # the cache after the prefix
        return counts.suffix_byte_bits(prefix, data, probs, self.cache_escape)
