"""A language model driving an arithmetic coder (Delétang et al., 2023)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ._coding import ArithmeticCodingCompressor, state_for_context


class LMCompressor(ArithmeticCodingCompressor):
    """Compression by a byte-level language model and an arithmetic coder.

    ``compress``/``decompress`` are real and lossless: the model's next-byte
    distributions, quantised deterministically, drive the arithmetic coder of
    :mod:`npc_classify._arithmetic`. For NCD the sizes are the ideal code
    lengths, ``-sum log2 p(byte | previous bytes) / 8`` bytes (fractional),
    which the real coder matches within a few bytes (tested); the query
    prefix is read once and its recurrent state starts every training text.

    Parameters
    ----------
    model_path : str
        A model written by ``npc-classify train-lm`` (or
        ``npc_classify._byte_lm.save_byte_lm``); read with ``weights_only=True``.
    device : str, default="cpu"
        A torch device, e.g. ``"cuda"``.
    batch_size : int, default=64
        Training texts scored together after a query.
    fine_tune_steps : int, default=0
        How :meth:`conditional_sizes` (class-conditional compression) uses a
        class's text. 0: the model reads it as a prefix, and its recurrent
        state after it starts each item. N > 0: a copy of the model is trained
        N more steps on random 256-byte windows of it (batches of 16, Adam at
        1e-3, seeded) and codes each item from the start; the tuned copies are
        kept per thread, one per distinct context (up to 64), so a second ``predict``
        does not train again.
    """

    name = "lm"
    parameter_bounds = {"batch_size": (1, 1 << 20), "fine_tune_steps": (0, 1 << 30)}

    def __init__(
        self,
        model_path: str = "",
        device: str = "cpu",
        batch_size: int = 64,
        fine_tune_steps: int = 0,
    ) -> None:
        self.model_path = model_path
        self.device = device
        self.batch_size = batch_size
        self.fine_tune_steps = fine_tune_steps

    def validate(self) -> None:
        super().validate()
        if not self.model_path:
            raise ValueError("LMCompressor needs model_path: a model saved by save_byte_lm.")
        self._model()

    def _model(self) -> Any:
        return self._loaded()["model"]

    def _loaded(self) -> dict[str, Any]:
        """This thread's model, and its fine-tuned copies by context digest."""
        from .._byte_lm import load_byte_lm

        return self._thread_context(
            lambda: {"model": load_byte_lm(self.model_path, self.device), "tuned": {}}
        )

    def _coding(self) -> tuple[Any, int]:
        from .._byte_lm import ByteLMStream

        return ByteLMStream(self._model(), self.device), 256

    def compressed_sizes_with_prefix(self, prefix: bytes, suffixes: Sequence[bytes]) -> np.ndarray:
        from .._byte_lm import prefix_and_suffix_bits

        prefix_bits, suffix_bits = prefix_and_suffix_bits(
            self._model(), prefix, list(suffixes), self.device, self.batch_size
        )
        return (prefix_bits + suffix_bits) / 8.0

    def conditional_sizes(self, context: bytes, items: Sequence[bytes]) -> np.ndarray:
        """Bytes each item costs under the model conditioned on ``context``.

        See ``fine_tune_steps`` for the two ways of conditioning.
        """
        if self.fine_tune_steps == 0:
            return super().conditional_sizes(context, items)
        from .._byte_lm import prefix_and_suffix_bits
        from .._train_lm import fine_tune_byte_lm

        loaded = self._loaded()
        tuned = state_for_context(
            loaded["tuned"],
            context,
            lambda: fine_tune_byte_lm(loaded["model"], context, steps=self.fine_tune_steps),
        )
        _, bits = prefix_and_suffix_bits(tuned, b"", list(items), self.device, self.batch_size)
        return bits / 8.0
