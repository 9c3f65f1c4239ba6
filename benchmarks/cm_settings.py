"""Class-conditional CM: its settings chosen by cross-validation on the training split, then
scored once on test.

Usage::

    python benchmarks/cm_settings.py --data-dir ../shared/data/ag_news

``CompressionClassifier(CMCompressor(order=O, learning_rate=R))`` for every
pair of the grid, scored by stratified 3-fold cross-validation (shuffled,
seed 0) on the training split only; the best pair is then fitted on the
whole training split and scored once on the test split, with its time per
test document and, timed in the same run after a warm-up, that of a bare
``zlib.compress(query + b" " + text, 9)`` of AG News pairs.
"""

from __future__ import annotations

import argparse
import itertools
import time
import zlib
from pathlib import Path

import numpy as np
from sklearn.model_selection import StratifiedKFold, cross_val_score

from npc_classify import CompressionClassifier
from npc_classify.compressors import CMCompressor
from npc_classify.datasets import load_ag_news


def zlib_pair_seconds(texts: list[str], warm_up: float) -> float:
    """Seconds of one bare zlib pair compression, after ``warm_up`` seconds of the loop."""
    pairs = [(a + " " + b).encode() for a, b in zip(texts[::2], texts[1::2], strict=False)]
    started = time.perf_counter()
    while time.perf_counter() - started < warm_up:
        for pair in pairs[:200]:
            zlib.compress(pair, 9)
    started = time.perf_counter()
    for pair in pairs:
        zlib.compress(pair, 9)
    return (time.perf_counter() - started) / len(pairs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, help="the local AG News CSVs")
    parser.add_argument("--orders", type=int, nargs="+", default=[3, 4, 5, 6])
    parser.add_argument("--rates", type=float, nargs="+", default=[0.005, 0.02])
    parser.add_argument("--warm-up", type=float, default=10.0, help="seconds of zlib first")
    args = parser.parse_args()

    train, test = load_ag_news("train", args.data_dir), load_ag_news("test", args.data_dir)
    folds = StratifiedKFold(3, shuffle=True, random_state=0)
    scores = {}
    print("| order | learning rate | CV accuracy (training split, 3 folds) | CV time (s) |")
    print("|---|---|---|---|")
    for order, rate in itertools.product(args.orders, args.rates):
        started = time.perf_counter()
        clf = CompressionClassifier(CMCompressor(order=order, learning_rate=rate))
        fold_scores = cross_val_score(clf, train.texts, train.labels, cv=folds)
        scores[order, rate] = float(np.mean(fold_scores))
        seconds = time.perf_counter() - started
        print(f"| {order} | {rate} | {scores[order, rate]:.4f} | {seconds:.0f} |", flush=True)
    order, rate = max(scores, key=lambda setting: (scores[setting], -setting[0]))
    zlib_seconds = zlib_pair_seconds(test.texts + train.texts[:1600], args.warm_up)
    clf = CompressionClassifier(CMCompressor(order=order, learning_rate=rate))
    started = time.perf_counter()
    clf.fit(train.texts, train.labels)
    fitted = time.perf_counter()
    accuracy = clf.score(test.texts, test.labels)
    per_document = (time.perf_counter() - fitted) / len(test.texts)
    print(
        f"chosen: order {order}, learning rate {rate} (CV {scores[order, rate]:.4f}); "
        f"test accuracy {accuracy:.4f} (scored once), fit {fitted - started:.1f} s, "
        f"{per_document * 1e3:.2f} ms per test document = "
        f"{per_document / zlib_seconds:.1f}x a bare zlib pair ({zlib_seconds * 1e6:.1f} us)"
    )


if __name__ == "__main__":
    main()
