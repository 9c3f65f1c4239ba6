"""Pairs per second of every path, as ratios against baselines measured in the same run.

Usage::

    python benchmarks/speed.py --data-dir ../shared/data/ag_news
    python benchmarks/speed.py --data-dir ../shared/data/ag_news \\
        --npc-gzip-python /tmp/npc-gzip-env/bin/python   # see benchmarks/README.md

The slice is the first ``--n-train`` training and ``--n-test`` test texts of AG
News; every path is timed after 10 s of the bare zlib loop. Single-core paths
run with ``n_jobs=1``. The paper's own loop (C(y) recomputed for every pair) is
timed on the first ``--n-slow`` queries only; a rate is a rate. zstd-prefix is
timed at its default level and at level 2, its default before training-split CV
chose 4.
"""

from __future__ import annotations

import argparse
import gzip
import json
import subprocess
import tempfile
import time
import zlib
from collections.abc import Callable
from pathlib import Path

from npc_classify import NCDClassifier
from npc_classify.compressors import Compressor, GzipCompressor, get_compressor
from npc_classify.datasets import load_ag_news

NPC_GZIP_SCRIPT = """
import json, sys, time
import numpy as np
from npc_gzip.compressors.gzip_compressor import GZipCompressor
from npc_gzip.knn_classifier import KnnClassifier
data = json.load(open(sys.argv[1]))
model = KnnClassifier(compressor=GZipCompressor(), training_inputs=data["train"],
                      training_labels=data["labels"], distance_metric="ncd")
start = time.perf_counter()
model.predict(np.array(data["test"]), top_k=1)
print(time.perf_counter() - start)
"""


def timed(func: Callable[[], object]) -> float:
    start = time.perf_counter()
    func()
    return time.perf_counter() - start


def paper_loop(queries: list[str], train: list[str]) -> None:
    """The paper's code as written: every size from gzip.compress, C(y) per pair."""
    for x1 in queries:
        c_x1 = len(gzip.compress(x1.encode()))
        for x2 in train:
            c_x2 = len(gzip.compress(x2.encode()))
            c_x1x2 = len(gzip.compress(" ".join([x1, x2]).encode()))
            (c_x1x2 - min(c_x1, c_x2)) / max(c_x1, c_x2)


def bare_zlib_loop(queries: list[str], train: list[str]) -> None:
    """The floor through zlib's Python API: one zlib.compress per pair, nothing else."""
    encoded = [t.encode() for t in train]
    for query in queries:
        prefix = query.encode() + b" "
        for text in encoded:
            len(zlib.compress(prefix + text, 9, wbits=-15))


def predict_seconds(compressor: str | Compressor, train, labels, test, n_jobs: int) -> float:
    clf = NCDClassifier(compressor, k=1, n_jobs=n_jobs).fit(train, labels)
    clf.predict(test[:4])  # start the workers outside the timing
    return timed(lambda: clf.predict(test))


def npc_gzip_seconds(python: str, train, labels, test) -> float:
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
        json.dump({"train": train, "labels": [int(v) for v in labels], "test": test}, handle)
    try:
        result = subprocess.run(
            [python, "-c", NPC_GZIP_SCRIPT, handle.name],
            capture_output=True,
            text=True,
            check=True,
        )
    finally:
        Path(handle.name).unlink()
    return float(result.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", help="AG News's CSVs (default: the Hugging Face Hub)")
    parser.add_argument("--n-train", type=int, default=2000)
    parser.add_argument("--n-test", type=int, default=200)
    parser.add_argument("--n-slow", type=int, default=40)
    parser.add_argument("--npc-gzip-python", help="a Python with npc-gzip==0.1.1 installed")
    args = parser.parse_args()

    train_split = load_ag_news("train", args.data_dir)
    test_split = load_ag_news("test", args.data_dir)
    train, labels = train_split.texts[: args.n_train], train_split.labels[: args.n_train]
    test = test_split.texts[: args.n_test]
    pairs = len(train) * len(test)

    warm_up = time.perf_counter() + 10.0  # the machine at full speed before any timing
    while time.perf_counter() < warm_up:
        bare_zlib_loop(test[:5], train)
    rates: dict[str, float] = {}  # pairs per second
    rates["paper loop (gzip.compress, C(y) per pair)"] = (
        args.n_slow * len(train) / timed(lambda: paper_loop(test[: args.n_slow], train))
    )
    rates["bare zlib.compress loop"] = pairs / timed(lambda: bare_zlib_loop(test, train))
    if args.npc_gzip_python:
        seconds = npc_gzip_seconds(args.npc_gzip_python, train, labels, test)
        rates["npc-gzip 0.1.1 KnnClassifier.predict"] = pairs / seconds
    zlib_path = GzipCompressor(engine="zlib")
    level_2 = get_compressor("zstd-prefix", level=2)  # the default before level 4 was chosen
    for compressor, n_jobs in [
        (zlib_path, 1),
        ("gzip", 1),
        ("gzip", 2),
        ("zstd", 1),
        ("zstd-prefix", 1),
        (level_2, 1),
    ]:
        seconds = predict_seconds(compressor, train, labels, test, n_jobs)
        rates[f"NCDClassifier({compressor!r}, n_jobs={n_jobs}).predict"] = pairs / seconds

    ours = rates["NCDClassifier('gzip', n_jobs=1).predict"]
    through_zlib = rates[f"NCDClassifier({zlib_path!r}, n_jobs=1).predict"]
    print(f"\n{len(test)} x {len(train)} AG News pairs\n")
    print("| path | us/pair | pairs/s | vs our gzip, 1 core |")
    print("|---|---|---|---|")
    for name, rate in rates.items():
        print(f"| {name} | {1e6 / rate:.2f} | {rate:,.0f} | {rate / ours:.2f}x |")

    checks = [
        ("exact gzip vs bare zlib loop", ours / rates["bare zlib.compress loop"], 0.95),
        (
            "gzip's zlib path vs bare zlib loop",
            through_zlib / rates["bare zlib.compress loop"],
            0.95,
        ),
        ("gzip on 2 workers vs 1", rates["NCDClassifier('gzip', n_jobs=2).predict"] / ours, 1.9),
        (
            "zstd-prefix vs gzip's zlib path",
            rates["NCDClassifier('zstd-prefix', n_jobs=1).predict"] / through_zlib,
            2.8,
        ),
    ]
    if args.npc_gzip_python:
        checks.append(
            ("exact gzip vs npc-gzip", ours / rates["npc-gzip 0.1.1 KnnClassifier.predict"], 1.25)
        )
    print("\n| ratio | measured | target |")
    print("|---|---|---|")
    for name, ratio, target in checks:
        verdict = "met" if ratio >= target else "NOT met"
        print(f"| {name} | {ratio:.2f}x | >= {target}x ({verdict}) |")


if __name__ == "__main__":
    main()
