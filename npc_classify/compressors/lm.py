"""A language model driving an arithmetic coder (Delétang et al., 2023)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from .. import _arithmetic
from ._base import Compressor


class LMCompressor(Compressor):
    """Compression by a byte-level language model and an arithmetic coder.

    ``compress``/``decompress`` are real and lossless: the model's next-byte
    distributions, quantised deterministically, drive the arithmetic coder of
    :mod:`npc_classify._arithmetic`. For NCD the sizes are the ideal code
    lengths, ``-sum log2 p(byte | previous bytes) / 8`` bytes (fractional),
    which the real coder matches within a few bytes (tested); the query
    prefix is read once and its state starts every training text.

    Parameters
    ----------
    model_path : str
        A model saved by ``npc_classify._byte_lm.save_byte_lm`` (``npc-classify
        train-lm`` is the planned command); read with ``weights_only=True``.
    device : str, default="cpu"
        A torch device, e.g. ``"cuda"``.
    batch_size : int, default=64
        Training texts scored together after a query.
    """

    name = "lm"

    def __init__(self, model_path: str = "", device: str = "cpu", batch_size: int = 64) -> None:
        self.model_path = model_path
        self.device = device
        self.batch_size = batch_size

    def validate(self) -> None:
        if not self.model_path:
            raise ValueError("LMCompressor needs model_path: a model saved by save_byte_lm.")
        self._model()

    def _model(self) -> Any:
        from .._byte_lm import load_byte_lm

        return self._thread_context(lambda: load_byte_lm(self.model_path, self.device))

    def _stream(self) -> Any:
        from .._byte_lm import ByteLMStream

        return ByteLMStream(self._model(), self.device)

    def compress(self, data: bytes) -> bytes:
        return _arithmetic.encode(data, self._stream())

    def _decompress(self, data: bytes) -> bytes:
        return _arithmetic.decode(data, self._stream())

    def compressed_size(self, data: bytes) -> float:
        return float(self.compressed_sizes_with_prefix(b"", [data])[0])

    def compressed_sizes_with_prefix(self, prefix: bytes, suffixes: Sequence[bytes]) -> np.ndarray:
        from .._byte_lm import prefix_and_suffix_bits

        prefix_bits, suffix_bits = prefix_and_suffix_bits(
            self._model(), prefix, list(suffixes), self.device, self.batch_size
        )
        return (prefix_bits + suffix_bits) / 8.0

    def ideal_bits(self, data: bytes) -> float:
        """-sum log2 p over ``data`` under the quantised model the coder uses."""
        return _arithmetic.ideal_code_length(data, self._stream())
