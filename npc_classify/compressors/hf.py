"""A pretrained Hugging Face causal language model driving an arithmetic coder."""

from __future__ import annotations

from collections.abc import Sequence
from numbers import Integral
from typing import Any

import numpy as np

from .._validation import Interval
from ._arithmetic_coding import ArithmeticCodingCompressor


class HuggingFaceCompressor(ArithmeticCodingCompressor):
    """Compression by any Hugging Face causal LM, bytes in and bytes out.

    The text is tokenized losslessly (see ``npc_classify.coding.hf_lm.ByteTokenizer``:
    runs the tokenizer would not give back exactly, and invalid UTF-8, are
    spelled with the vocabulary's single-byte tokens), and the model's
    next-token distributions drive the arithmetic coder. For NCD a pair is
    tokenized as one text, as :meth:`compress` would code it; the tokens all
    pairs share with the query are read once and a copy of their key/value
    cache starts each batch of training texts. Sizes are ideal code lengths in
    fractional bytes.

    Needs the ``hf`` extra (``transformers`` and PyTorch).

    Parameters
    ----------
    model : str, default=""
        Required: the default ``""`` is refused when the model is first loaded.
        A Hub model name (``"gpt2"``) or a folder written by
        ``save_pretrained``. Weights are read from safetensors only and no
        code from the model's repository runs.
    device : str, default="cpu"
        A torch device, e.g. ``"cuda"``.
    batch_size : int, default=16
        Training texts scored together after a query, 1 to 2**20; memory grows with
        ``batch_size x tokens x vocabulary size``.
    """

    name = "hf"
    #: ``npc-classify --model`` sets this parameter.
    model_parameter = "model"
    _parameter_constraints = {
        "model": [str],
        "device": [str],
        "batch_size": [Interval(Integral, 1, 1 << 20, closed="both")],
    }

    def __init__(self, model: str = "", device: str = "cpu", batch_size: int = 16) -> None:
        self.model = model
        self.device = device
        self.batch_size = batch_size

    def load(self) -> None:
        """Load the model and its tokenizer in this thread."""
        self._loaded()

    def _loaded(self) -> Any:
        return self._thread_context(self._read_model)

    def _read_model(self) -> Any:
        """The model and its tokenizer loaded for a thread."""
        from ..coding.hf_lm import load_causal_lm

        if not self.model:
            raise ValueError(
                "HuggingFaceCompressor needs model: a Hub name such as 'gpt2' or a folder "
                "written by save_pretrained."
            )
        return load_causal_lm(self.model, self.device)

    def _coding(self) -> tuple[Any, int]:
        from ..coding.hf_lm import TokenStream

        model, tokenizer = self._loaded()
        stream = TokenStream(model, tokenizer, self.device)
        return stream, stream.alphabet_size

    def _to_symbols(self, data: bytes) -> Sequence[int]:
        return self._loaded()[1].encode(data)

    def _from_symbols(self, symbols: Sequence[int]) -> bytes:
        return self._loaded()[1].decode(symbols)

    def compressed_sizes_with_prefix(self, prefix: bytes, suffixes: Sequence[bytes]) -> np.ndarray:
        from ..coding.hf_lm import joint_bits

        model, tokenizer = self._loaded()
        bits = joint_bits(model, tokenizer, prefix, list(suffixes), self.device, self.batch_size)
        return bits / 8.0

    def conditional_sizes(self, context: bytes, items: Sequence[bytes]) -> np.ndarray:
        """Bytes each item costs coded after the end of ``context``, as much as a window holds.

        The model reads at most its window of tokens, so each item is coded
        after the last tokens of ``context`` that leave room in one window for
        the longest item (``npc_classify.coding.hf_lm.context_tail``):
        ``C(tail + item) - C(tail)``. Every context then conditions its items on
        the same amount of its text, whatever its length; ``C(context + item) -
        C(context)``, with windows aligned on the context's start, would leave
        an item anywhere from none to a window of the context's tokens, by the
        context's length. ``C(tail)`` is the joined text with an empty item,
        scored in the same call, so the tail is read once.

        Parameters
        ----------
        context, items
            As in :meth:`~npc_classify.compressors.Compressor.conditional_sizes`.
        """
        from ..coding.hf_lm import context_tail

        model, tokenizer = self._loaded()
        tail = context_tail(model, tokenizer, context, items)
        sizes = self.compressed_sizes_with_prefix(tail, [*items, b""])
        return sizes[:-1] - sizes[-1]
