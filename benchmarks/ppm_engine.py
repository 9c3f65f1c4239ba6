"""The compiled PPM engine against a bare zlib loop and the pure-Python reference, one run.

Usage::

    python benchmarks/ppm_engine.py --data-dir ../shared/data/ag_news

Three measurements, each a ratio against ``zlib.compress(query + b" " + text, 9)``
timed in the same run on the same AG News pairs (warmed up for ``--warm-up``
seconds first):

- class-conditional PPM (order 3): seconds per test document of
  ``CompressionClassifier("ppm").predict`` over the four class texts of the
  whole local training split (target: at most 20x one zlib pair), and its
  accuracy;
- PPM-NCD: seconds per pair of ``PPMCompressor.compressed_sizes_with_prefix``
  (the query counted once, each training text scored after it) against the
  zlib pair loop on the same pairs (target: at most 3x);
- the pure-Python reference of ``tests/ppm_reference.py`` on a few queries, for
  the speed-up of the engine.

All on one core: the estimators run with their default single worker.
"""

from __future__ import annotations

import argparse
import sys
import time
import zlib
from pathlib import Path

import numpy as np

from npc_classify import CompressionClassifier
from npc_classify.compressors import PPMCompressor
from npc_classify.datasets import load_ag_news

sys.path.insert(0, str(Path(__file__).parent.parent / "tests"))
import ppm_reference


def best_of(repeats: int, run) -> float:
    """The fastest of ``repeats`` timings of ``run()``, in seconds."""
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", type=Path, help="the local AG News CSVs")
    parser.add_argument("--n-test", type=int, default=400, help="test documents (default: 400)")
    parser.add_argument("--n-pairs-train", type=int, default=1000, help="training texts per query")
    parser.add_argument("--warm-up", type=float, default=10.0, help="seconds of zlib first")
    args = parser.parse_args()

    train = load_ag_news("train", args.data_dir)
    test = load_ag_news("test", args.data_dir)
    queries = [text.encode() for text in test.texts[: args.n_test]]
    train_bytes = [text.encode() for text in train.texts[: args.n_pairs_train]]
    pairs = [(q, t) for q in queries[:20] for t in train_bytes]

    def zlib_pairs() -> None:
        for query, text in pairs:
            zlib.compress(query + b" " + text, 9)

    warm_until = time.perf_counter() + args.warm_up
    while time.perf_counter() < warm_until:
        zlib_pairs()
    zlib_pair = best_of(3, zlib_pairs) / len(pairs)

    compressor = PPMCompressor(order=3)
    compressor.compressed_sizes_with_prefix(queries[0], train_bytes[:10])  # compile

    def ppm_pairs() -> None:
        for query in queries[:20]:
            compressor.compressed_sizes_with_prefix(query + b" ", train_bytes)

    ppm_pair = best_of(3, ppm_pairs) / len(pairs)

    clf = CompressionClassifier(PPMCompressor(order=3)).fit(train.texts, train.labels)
    clf.predict(test.texts[:2])  # counts the class texts once
    started = time.perf_counter()
    predicted = clf.predict(test.texts[: len(queries)])
    per_document = (time.perf_counter() - started) / len(queries)
    accuracy = float(np.mean(predicted == test.labels[: len(queries)]))

    table: ppm_reference.Table = {}
    ppm_reference.code_bits(table, queries[0] + b" ", 0, 3)
    referenced = train_bytes[:200]
    reference_pair = best_of(
        1, lambda: ppm_reference.suffix_bits(table, queries[0] + b" ", referenced, 3)
    ) / len(referenced)

    print(f"bare zlib.compress of one pair (level 9): {zlib_pair * 1e6:.1f} us")
    print()
    print("| measurement | time | x zlib pair | target |")
    print("|---|---|---|---|")
    print(
        f"| class-conditional PPM-3, per document ({len(clf.classes_)} classes, "
        f"{len(train)} training texts) | {per_document * 1e6:.0f} us | "
        f"{per_document / zlib_pair:.1f} | <= 20 |"
    )
    print(
        f"| PPM-3 NCD, per pair ({len(pairs):,} pairs) | {ppm_pair * 1e6:.1f} us | "
        f"{ppm_pair / zlib_pair:.2f} | <= 3 |"
    )
    print(
        f"| pure-Python reference, per pair ({len(referenced)} pairs) | "
        f"{reference_pair * 1e6:.0f} us | "
        f"{reference_pair / zlib_pair:.1f} | |"
    )
    print()
    print(f"engine speed-up over the reference: {reference_pair / ppm_pair:.0f}x per pair")
    print(
        f"class-conditional PPM-3 accuracy on the first {len(queries)} test texts: {accuracy:.4f}"
    )


if __name__ == "__main__":
    main()
