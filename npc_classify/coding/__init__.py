"""The coding layer: an arithmetic coder and the probability models it codes with.

The coder (:mod:`~npc_classify.coding.arithmetic`) is separate from the models:
each model gives, for the symbols seen so far, a distribution over the next
symbol (the :class:`~npc_classify.coding.arithmetic.SymbolModel` protocol).

- :mod:`~npc_classify.coding.ppm`: PPM, byte contexts counted from the data itself.
- :mod:`~npc_classify.coding.cm`: context mixing, PAQ-style.
- :mod:`~npc_classify.coding.deflate`: zlib's DEFLATE lengths, counted without the stream.
- :mod:`~npc_classify.coding.byte_lm`: a byte-level GRU language model and its file
  format (needs PyTorch, the ``lm`` extra).
- :mod:`~npc_classify.coding.training`: training and fine-tuning that model.
- :mod:`~npc_classify.coding.hf_lm`: Hugging Face causal language models as lossless
  byte coders (the ``hf`` extra).

The compressors of :mod:`npc_classify.compressors` are thin adapters over these.
"""
