"""Bits per byte of every compressor on AG News test texts: per document and whole-file.

Usage::

    python benchmarks/bits_per_byte.py --data-dir ../shared/data/ag_news --lm data/lm.pt

Per document is the NCD regime: each text compressed on its own, total bits over
total bytes. Whole-file compresses the same texts joined by newlines. For the
language model the ideal code length is reported, and the real arithmetic coder
is run on the first ``--n-coded`` documents to show it matches.
"""

from __future__ import annotations

import argparse

from npc_classify import get_compressor
from npc_classify.compressors import LMCompressor
from npc_classify.datasets import load_ag_news
from npc_classify.evaluation import MODEL_FREE_COMPRESSORS, bits_per_byte


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", help="AG News's CSVs (default: the Hugging Face Hub)")
    parser.add_argument("--lm", help="a model written by npc-classify train-lm")
    parser.add_argument("--n-docs", type=int, default=200)
    parser.add_argument("--n-coded", type=int, default=10)
    args = parser.parse_args()
    docs = [t.encode() for t in load_ag_news("test", args.data_dir).texts[: args.n_docs]]
    n_bytes = sum(map(len, docs))

    compressors = {name: get_compressor(name) for name in MODEL_FREE_COMPRESSORS}
    if args.lm:
        compressors["lm"] = LMCompressor(args.lm)
    print(f"\n{len(docs)} AG News test texts, {n_bytes:,} bytes\n")
    print("| compressor | per document (bits/byte) | whole file (bits/byte) | vs gzip |")
    print("|---|---|---|---|")
    rows = {name: bits_per_byte(compressor, docs) for name, compressor in compressors.items()}
    for name, (per_doc, whole_bpb) in rows.items():
        ratio = per_doc / rows["gzip"][0]
        print(f"| {name} | {per_doc:.3f} | {whole_bpb:.3f} | {ratio:.2f}x |")
    if args.lm:
        lm = compressors["lm"]
        coded = docs[: args.n_coded]
        real = sum(len(lm.compress(d)) for d in coded)
        ideal = sum(lm.compressed_size(d) for d in coded)
        assert all(lm.decompress(lm.compress(d)) == d for d in coded)
        print(
            f"\nLM, real arithmetic coder on {len(coded)} documents: {real} bytes against "
            f"an ideal {ideal:.1f} (lossless round trip checked)"
        )


if __name__ == "__main__":
    main()
