"""The native DEFLATE sizer against zlib: pairs per second, as ratios measured in one run.

Usage::

    python benchmarks/gzip_engine.py --data-dir ../shared/data/ag_news
    python benchmarks/gzip_engine.py --data-dir ../shared/data/ag_news --compare-all

The slice is the first ``--n-train`` training and ``--n-test`` test texts of AG
News. After a 10 s warm-up of both loops, each of ``--repeats`` rounds times,
one after the other, the bare per-pair ``zlib.compress`` loop (the floor of
zlib's Python API), ``NCDClassifier("gzip").predict`` with ``engine="zlib"``
and with the native sizer on 1 and 2 workers; the ratios are the medians over
rounds. ``--compare-all`` then checks every pair of the whole local split
(query first, as NCD compresses them) against zlib and counts the sizes that
differ.
"""

from __future__ import annotations

import argparse
import statistics
import time
import zlib

import numpy as np
from joblib import Parallel, delayed

from npc_classify import NCDClassifier
from npc_classify.coding.deflate import DeflateSizer
from npc_classify.compressors.gzip import GzipCompressor
from npc_classify.datasets import load_ag_news


def bare_zlib_loop(queries: list[bytes], train: list[bytes]) -> None:
    for query in queries:
        prefix = query + b" "
        for text in train:
            len(zlib.compress(prefix + text, 9, wbits=-15))


def differing_sizes(queries: list[bytes], train: list[bytes]) -> int:
    """How many pairs of ``queries`` x ``train`` the sizer sizes otherwise than zlib."""
    sizer = DeflateSizer(9)
    differ = 0
    for query in queries:
        prefix = query + b" "
        expected = [len(zlib.compress(prefix + t, 9, wbits=-15)) for t in train]
        differ += int(np.sum(sizer.sizes_with_prefix(prefix, train) != expected))
    return differ


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", help="AG News's CSVs (default: the Hugging Face Hub)")
    parser.add_argument("--n-train", type=int, default=2000)
    parser.add_argument("--n-test", type=int, default=200)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--compare-all", action="store_true")
    args = parser.parse_args()

    train_split = load_ag_news("train", args.data_dir)
    test_split = load_ag_news("test", args.data_dir)
    train, labels = train_split.texts[: args.n_train], train_split.labels[: args.n_train]
    test = test_split.texts[: args.n_test]
    encoded_train = [t.encode() for t in train]
    encoded_test = [t.encode() for t in test]
    pairs = len(train) * len(test)

    paths = {
        "engine='zlib', 1 worker": NCDClassifier(GzipCompressor(engine="zlib"), k=1, n_jobs=1),
        "native sizer, 1 worker": NCDClassifier(GzipCompressor(), k=1, n_jobs=1),
        "native sizer, 2 workers": NCDClassifier(GzipCompressor(), k=1, n_jobs=2),
    }
    for clf in paths.values():
        clf.fit(train, labels).predict(test)  # compile, self-check, start every worker
    warm_until = time.perf_counter() + 10
    while time.perf_counter() < warm_until:
        bare_zlib_loop(encoded_test[:10], encoded_train)
        paths["native sizer, 1 worker"].predict(test[:10])

    seconds: dict[str, list[float]] = {"bare zlib.compress loop": []}
    seconds.update({name: [] for name in paths})
    for _ in range(args.repeats):
        start = time.perf_counter()
        bare_zlib_loop(encoded_test, encoded_train)
        seconds["bare zlib.compress loop"].append(time.perf_counter() - start)
        for name, clf in paths.items():
            start = time.perf_counter()
            clf.predict(test)
            seconds[name].append(time.perf_counter() - start)

    bare = seconds["bare zlib.compress loop"]
    print(f"\n{len(test)} x {len(train)} AG News pairs, {args.repeats} rounds\n")
    print("| path | us/pair (median) | vs bare zlib loop (median of rounds) |")
    print("|---|---|---|")
    for name, times in seconds.items():
        ratios = [b / t for b, t in zip(bare, times, strict=True)]
        print(
            f"| {name} | {1e6 * statistics.median(times) / pairs:.2f} | "
            f"{statistics.median(ratios):.2f}x ({min(ratios):.2f}-{max(ratios):.2f}) |"
        )
    one = seconds["native sizer, 1 worker"]
    two = seconds["native sizer, 2 workers"]
    scaling = statistics.median([a / b for a, b in zip(one, two, strict=True)])
    print(f"\n2 workers vs 1 (native sizer): {scaling:.2f}x")

    if args.compare_all:
        all_train = [t.encode() for t in train_split.texts]
        all_test = [t.encode() for t in test_split.texts]
        chunks = np.array_split(np.arange(len(all_test)), 16)
        start = time.perf_counter()
        differ = Parallel(n_jobs=2)(
            delayed(differing_sizes)([all_test[i] for i in chunk], all_train) for chunk in chunks
        )
        print(
            f"\nwhole split: {len(all_test) * len(all_train):,} pairs compared with zlib, "
            f"{sum(differ)} sizes differ ({time.perf_counter() - start:.0f} s)"
        )


if __name__ == "__main__":
    main()
