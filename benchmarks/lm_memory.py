"""Peak memory of the byte GRU reading a class text, by the class text's size.

Usage::

    python benchmarks/lm_memory.py --data-dir ../shared/data/ag_news

For each size (``--sizes``, bytes) and each number of bytes read per forward
pass (``--chunks``: ``npc_classify.coding.byte_lm.PREFIX_CHUNK``, the library's
16,384 by default; 0 reads the class text in one pass, for comparison), a fresh
Python process loads the model, takes the first SIZE bytes of the AG News
training texts joined by newlines (repeated when SIZE is larger) as a class
text, and codes one query after it (``LMCompressor.conditional_sizes``, the
cache off). Reported: the growth of the process's peak resident memory over
that call, in MB and in bytes per byte of class text. The model is
``--model``, or an untrained GRU of ``train-lm``'s default size (memory does
not depend on the weights). Each measurement runs in its own process because
Linux keeps a process's peak memory across calls.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path


def measure(data_dir: Path, model: str, size: int, chunk: int) -> float:
    """In this process: MB the peak resident memory grows by while one query is coded."""
    import resource
    import tempfile

    import torch

    from npc_classify.coding import byte_lm
    from npc_classify.compressors import LMCompressor
    from npc_classify.datasets import load_ag_news

    train = load_ag_news("train", data_dir=data_dir)
    corpus = "\n".join(train.texts).encode()
    context = (corpus * (size // len(corpus) + 1))[:size]
    byte_lm.PREFIX_CHUNK = chunk or size + 1
    with tempfile.TemporaryDirectory() as folder:
        if not model:
            torch.manual_seed(0)
            model = str(Path(folder) / "untrained.pt")
            byte_lm.save_byte_lm(byte_lm.ByteGRU(), model)
        compressor = LMCompressor(model)
        compressor.load()
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        compressor.conditional_sizes(context, [train.texts[-1].encode()])
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 - before


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", type=Path, required=True, help="AG News train.csv")
    parser.add_argument("--model", default="", help="a byte-LM file (default: untrained)")
    parser.add_argument(
        "--sizes", type=int, nargs="+", default=[200_000, 1_000_000, 4_000_000, 10_000_000]
    )
    parser.add_argument(
        "--chunks",
        type=int,
        nargs="+",
        default=[16_384],
        help="bytes per pass; 0 reads the class text in one pass (about 6 KB per byte)",
    )
    parser.add_argument("--child", type=int, nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(measure(args.data_dir, args.model, *args.child))
        return
    print("| class text (bytes) | bytes per pass | peak growth (MB) | bytes per byte |")
    print("|---|---|---|---|")
    for size in args.sizes:
        for chunk in args.chunks:
            command = [sys.executable, __file__, "--data-dir", str(args.data_dir)]
            command += ["--model", args.model, "--child", str(size), str(chunk)]
            grown = float(
                subprocess.run(command, capture_output=True, text=True, check=True).stdout
            )
            per_pass = f"{chunk:,}" if chunk else "all"
            print(f"| {size:,} | {per_pass} | {grown:,.0f} | {grown * 2**20 / size:,.0f} |")


if __name__ == "__main__":
    main()
