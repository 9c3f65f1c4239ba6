"""Class-conditional compression on one worker and on several: time and identical bits.

Usage::

    python benchmarks/conditional_workers.py --data-dir ../shared/data/ag_news --n-jobs 2
    python benchmarks/conditional_workers.py --data-dir ../shared/data/ag_news --n-jobs 2 \
        --backend threading

For each compressor, ``CompressionClassifier`` is fitted on AG News's
training split and ``class_bits`` of the test split is timed with
``n_jobs=1`` and with ``--n-jobs`` on joblib's ``--backend``, alternately,
``--repeats`` times each after one untimed call of each (worker processes
started, numba's compiled kernels loaded). Every timed call is a fresh fit's
first, as in an evaluation: a compressor keeps the models of the class texts
it has read, so a second call on one worker would skip reading them. Prints
the median seconds, the ratio of the two medians, and whether every call gave
exactly the bits of the first.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path
from typing import Any

import numpy as np
from joblib import parallel_config

from npc_classify import CompressionClassifier
from npc_classify.compressors import CMCompressor, Compressor, ZstdCompressor
from npc_classify.datasets import load_ag_news

#: The compressors timed, with the classifier's settings.
SETTINGS: dict[str, tuple[str | Compressor, dict[str, Any]]] = {
    "PPM order 3": ("ppm", {}),
    "zstd-19, 8 dictionaries": (ZstdCompressor(level=19), {"n_dictionaries": 8}),
    "CM": ("cm", {}),
    "CM prior 11, complement 8": (CMCompressor(prior=11), {"complement": 8}),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", type=Path, required=True, help="the local AG News CSVs")
    parser.add_argument("--n-jobs", type=int, default=2, help="the workers timed against one")
    parser.add_argument("--backend", default="loky", help="joblib's backend for the workers")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--settings", nargs="+", choices=list(SETTINGS), default=list(SETTINGS))
    args = parser.parse_args()

    train = load_ag_news("train", args.data_dir)
    test = load_ag_news("test", args.data_dir)
    print(f"{args.n_jobs} workers on joblib's {args.backend} backend\n")
    print(f"| compressor | 1 worker (s) | {args.n_jobs} workers (s) | ratio | bits identical |")
    print("|---|---|---|---|---|")
    for name in args.settings:
        compressor, options = SETTINGS[name]
        seconds: dict[int, list[float]] = {1: [], args.n_jobs: []}
        reference, identical = None, True
        for n_jobs in [1, args.n_jobs] * (args.repeats + 1):
            model = CompressionClassifier(compressor, n_jobs=n_jobs, **options)
            model.fit(train.texts, train.labels)
            with parallel_config(backend=args.backend):
                started = time.perf_counter()
                bits = model.class_bits(test.texts)
                seconds[n_jobs].append(time.perf_counter() - started)
            reference = bits if reference is None else reference
            identical &= bool(np.array_equal(bits, reference))
        one, many = (statistics.median(seconds[n][1:]) for n in (1, args.n_jobs))
        print(f"| {name} | {one:.2f} | {many:.2f} | {one / many:.2f} | {identical} |", flush=True)


if __name__ == "__main__":
    main()
