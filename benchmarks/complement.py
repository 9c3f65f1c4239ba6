"""Class-conditional compression with complement texts: ``complement`` chosen by
cross-validation on training splits, then scored once on each test split.

Usage::

    python benchmarks/complement.py --data-dir ../shared/data/ag_news \\
        --trec-dir ../shared/data/trec

``CompressionClassifier(compressor, complement=R)`` (``--compressor``, CM at
its defaults unless told, with ``--param NAME=VALUE`` settings) for every
``R`` of the grid (``none`` scores each class by its own text
alone), scored by stratified 3-fold cross-validation (shuffled, seed 0, one
fold per worker) on the training split of each task: AG News, and with
``--trec-dir`` TREC's coarse (6) and fine (50) classes. The value with the best
mean CV accuracy over the tasks (ties to the smaller complement, ``none``
first) is then fitted on each whole training split and scored once on its
test split, beside ``complement=None``, with the time per test document and,
timed in the same run after a warm-up, that of a bare
``zlib.compress(query + b" " + text, 9)`` of AG News pairs.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
from cm_settings import load_tasks, task_cv_scores, zlib_pair_seconds

from npc_classify import CompressionClassifier
from npc_classify.compressors import compressor_from_settings


def complement_value(text: str) -> float | None:
    """``none`` or a positive number (``inf``: the whole complement)."""
    return None if text == "none" else float(text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", type=Path, help="the local AG News CSVs")
    parser.add_argument("--trec-dir", type=Path, help="the TREC .label files (optional)")
    parser.add_argument(
        "--complements", type=complement_value, nargs="+", default=[None, 1.0, 2.0, 4.0, 8.0]
    )
    parser.add_argument("--compressor", default="cm", help="a registered compressor name")
    parser.add_argument("--param", dest="params", action="append", default=[], metavar="N=V")
    parser.add_argument("--n-jobs", type=int, default=2, help="folds scored at once")
    parser.add_argument("--warm-up", type=float, default=10.0, help="seconds of zlib first")
    args = parser.parse_args()

    tasks = load_tasks(args.data_dir, args.trec_dir)
    compressor = compressor_from_settings(args.compressor, args.params)
    print(f"compressor: {compressor!r}")
    means: dict[float | None, float] = {}
    names = " | ".join(f"{name} CV" for name in tasks)
    print(f"| complement | {names} | mean | CV time (s) |")
    print("|---" * (len(tasks) + 3) + "|")
    for complement in args.complements:
        started = time.perf_counter()
        clf = CompressionClassifier(compressor, complement=complement)
        scores = task_cv_scores(clf, tasks, args.n_jobs)
        means[complement] = float(np.mean(scores))
        cells = " | ".join(f"{score:.4f}" for score in scores)
        seconds = time.perf_counter() - started
        print(f"| {complement} | {cells} | {means[complement]:.4f} | {seconds:.0f} |", flush=True)
    best = max(means.values())
    chosen = min((c for c in means if means[c] == best), key=lambda c: -1.0 if c is None else c)
    print(f"chosen: complement={chosen} (mean CV {best:.4f})")

    train_texts, _, test_texts, _ = tasks["AG News"]
    zlib_seconds = zlib_pair_seconds(test_texts + train_texts[:1600], args.warm_up)
    print(f"bare zlib pair: {zlib_seconds * 1e6:.1f} us")
    print("| task | complement | test accuracy | ms per document | x zlib pair |")
    print("|---|---|---|---|---|")
    for name, (X, y, X_test, y_test) in tasks.items():
        for complement in dict.fromkeys([None, chosen]):
            clf = CompressionClassifier(compressor, complement=complement).fit(X, y)
            started = time.perf_counter()
            accuracy = clf.score(X_test, y_test)
            per_document = (time.perf_counter() - started) / len(X_test)
            print(
                f"| {name} | {complement} | {accuracy:.4f} | {per_document * 1e3:.2f} "
                f"| {per_document / zlib_seconds:.0f} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
