"""NCD pairs/second of the language-model paths, with the query's state reused and without.

Usage::

    python benchmarks/lm_speed.py --data-dir ../shared/data/ag_news [--lm data/lm.pt]
        [--device cuda] [--no-hf]

Two models: the byte GRU of ``npc-classify train-lm`` (``--lm``), alone and
with its adaptive cache (``cache_order=4``, the compiled PPM engine), and a
Hugging Face GPT-2 with the *architecture* of GPT-2 small (12 layers, width
768, 50,257-token output, 1,024 positions) built from its config with random
weights, since no pretrained model can be downloaded here. Speed does not
depend on the weights; its tokenizer is a byte-level BPE of 8,000 tokens
trained here on the training texts, so the token counts are realistic for
English news while the output layer has GPT-2's full width.

Each path scores the first ``--n-queries`` test texts against the first
``--n-train`` training texts, in the same batches. "reuse" is the
compressor's own ``compressed_sizes_with_prefix(query, texts)`` (the query
read once, its recurrent state or key/value cache copied for each batch);
"no reuse" passes the whole pairs ``query + " " + text`` as suffixes of an
empty prefix, so every pair is read from its start. The tests prove the two
give the same sizes for both models (the Hugging Face path tokenizes each pair
as one text and reads the tokens all pairs share once).

A second table times class-conditional coding: the queries' bits after the
first ``--context-bytes`` bytes of one class's training texts, from
``conditional_sizes`` (the class text read once) against the same difference
taken as ``compressed_sizes_with_prefix(context, queries) -
compressed_size(context)`` (read twice), and the largest difference between the
two in bits.
"""

from __future__ import annotations

import argparse
import tempfile
import time

import numpy as np

from npc_classify.compressors import HuggingFaceCompressor, LMCompressor
from npc_classify.datasets import load_ag_news


def save_gpt2_small(texts: list[str], folder: str) -> None:
    """Write to ``folder`` GPT-2 small's shape, random weights, a tokenizer trained here."""
    import torch
    from transformers import GPT2Config, GPT2LMHeadModel

    from npc_classify.coding.hf_lm import byte_level_bpe_tokenizer

    wrapped = byte_level_bpe_tokenizer(texts, vocab_size=8000)
    config = GPT2Config(bos_token_id=wrapped.bos_token_id, eos_token_id=wrapped.eos_token_id)
    torch.manual_seed(0)
    GPT2LMHeadModel(config).save_pretrained(folder)
    wrapped.save_pretrained(folder)


def time_paths(compressor, queries: list[bytes], train: list[bytes]) -> tuple[float, float]:
    """Milliseconds per pair with the query's state reused, and with every pair read whole."""
    compressor.compressed_sizes_with_prefix(queries[0], train[:2])  # load the model
    pairs = len(queries) * len(train)
    start = time.perf_counter()
    for query in queries:
        compressor.compressed_sizes_with_prefix(query + b" ", train)
    reuse_ms = 1000 * (time.perf_counter() - start) / pairs
    start = time.perf_counter()
    for query in queries:
        compressor.compressed_sizes_with_prefix(b"", [query + b" " + text for text in train])
    whole_ms = 1000 * (time.perf_counter() - start) / pairs
    return reuse_ms, whole_ms


def time_conditional(
    compressor, context: bytes, queries: list[bytes]
) -> tuple[float, float, float]:
    """Seconds of ``conditional_sizes`` and of the two-call difference; their largest gap, bits."""
    compressor.conditional_sizes(context[:200], queries[:2])  # load the model
    start = time.perf_counter()
    once = compressor.conditional_sizes(context, queries)
    once_s = time.perf_counter() - start
    start = time.perf_counter()
    twice = compressor.compressed_sizes_with_prefix(context, queries)
    twice -= compressor.compressed_size(context)
    twice_s = time.perf_counter() - start
    return once_s, twice_s, 8 * float(np.max(np.abs(once - twice)))


def cache_share(model_path: str, device: str, queries: list[bytes], train: list[bytes]) -> str:
    """The adaptive cache's time per pair as a share of the network's, on the same pairs."""
    from npc_classify.coding import ppm
    from npc_classify.coding.byte_lm import load_byte_lm, prefix_and_suffix_probabilities

    model = load_byte_lm(model_path, device)

    def score(query: bytes) -> tuple[float, float]:
        started = time.perf_counter()
        probabilities = prefix_and_suffix_probabilities(model, query, train, device, 64)
        network = time.perf_counter() - started
        started = time.perf_counter()
        ppm.prefix_and_suffix_bits(query, train, 4, *probabilities, 0.25)
        return network, time.perf_counter() - started

    score(queries[0] + b" ")  # warm both up
    times = [score(query + b" ") for query in queries]
    network, cache = sum(t[0] for t in times), sum(t[1] for t in times)
    pairs = len(queries) * len(train)
    return (
        f"cache of order 4: {1000 * cache / pairs:.4f} ms/pair, the network "
        f"{1000 * network / pairs:.3f} ms/pair: the cache is {100 * cache / network:.1f}% of it"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", help="AG News's CSVs (default: the Hugging Face Hub)")
    parser.add_argument("--lm", help="a byte GRU from npc-classify train-lm")
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--n-queries", type=int, default=4)
    parser.add_argument("--n-train", type=int, default=64)
    parser.add_argument("--no-hf", action="store_true", help="time the byte GRU only")
    parser.add_argument("--context-bytes", type=int, default=30_000)
    args = parser.parse_args()
    train_set, test_set = load_ag_news("train", args.data_dir), load_ag_news("test", args.data_dir)
    queries = [t.encode() for t in test_set.texts[: args.n_queries]]
    train = [t.encode() for t in train_set.texts[: args.n_train]]

    compressors = {}
    if args.lm:
        compressors["byte GRU (train-lm), batch 64"] = LMCompressor(args.lm, args.device)
        compressors["byte GRU + cache of order 4, batch 64"] = LMCompressor(
            args.lm, args.device, cache_order=4
        )
    # The GPT-2 folder (about 480 MB) lives while the timings run, then is removed.
    with tempfile.TemporaryDirectory(prefix="gpt2_small_random_") as folder:
        if not args.no_hf:
            save_gpt2_small(train_set.texts, folder)
            compressors["GPT-2 small shape (hf), batch 16"] = HuggingFaceCompressor(
                folder, args.device
            )
        print_tables(args, compressors, train_set, queries, train)


def print_tables(args, compressors, train_set, queries: list[bytes], train: list[bytes]) -> None:
    """The NCD table, the class-conditional table and, with ``--lm``, the cache's share."""
    print(f"\n{len(queries)} queries x {len(train)} training texts of AG News, {args.device}\n")
    print("| model | reuse, ms/pair | no reuse, ms/pair | speed-up | pairs/s (reuse) |")
    print("|---|---|---|---|---|")
    for name, compressor in compressors.items():
        reuse_ms, whole_ms = time_paths(compressor, queries, train)
        print(
            f"| {name} | {reuse_ms:.2f} | {whole_ms:.2f} | {whole_ms / reuse_ms:.2f}x | "
            f"{1000 / reuse_ms:,.0f} |"
        )

    first = train_set.labels[0]
    class_text = "".join(
        t + "\n"
        for t, label in zip(train_set.texts, train_set.labels, strict=True)
        if label == first
    )
    context = class_text.encode()[: args.context_bytes]
    print(f"\n{len(queries)} queries after {len(context):,} bytes of class {first}\n")
    print("| model | read once, s | read twice, s | speed-up | largest gap, bits |")
    print("|---|---|---|---|---|")
    for name, compressor in compressors.items():
        once_s, twice_s, gap = time_conditional(compressor, context, queries)
        print(f"| {name} | {once_s:.2f} | {twice_s:.2f} | {twice_s / once_s:.2f}x | {gap:.1e} |")
    if args.lm:
        print("\n" + cache_share(args.lm, args.device, queries, train))


if __name__ == "__main__":
    main()
