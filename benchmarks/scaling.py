"""Time against the number of training texts and of workers: linear in pairs.

Usage::

    python benchmarks/scaling.py --data-dir ../shared/data/ag_news

gzip, the first ``--n-test`` test texts against the first n_train training
texts, for n_jobs 1 and 2.
"""

from __future__ import annotations

import argparse
import time

from npc_classify import NCDClassifier
from npc_classify.datasets import load_ag_news


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", help="AG News's CSVs (default: the Hugging Face Hub)")
    parser.add_argument("--n-test", type=int, default=200)
    parser.add_argument("--n-train", type=int, nargs="+", default=[750, 1500, 3000, 6000])
    parser.add_argument("--compressor", default="gzip")
    args = parser.parse_args()
    train, test = load_ag_news("train", args.data_dir), load_ag_news("test", args.data_dir)
    queries = test.texts[: args.n_test]

    print(f"\n{args.compressor}, {len(queries)} queries\n")
    print("| n_train | pairs | n_jobs=1 (s) | us/pair | n_jobs=2 (s) | us/pair | speed-up |")
    print("|---|---|---|---|---|---|---|")
    for n_train in args.n_train:
        n_train = min(n_train, len(train))  # the texts there are
        pairs = n_train * len(queries)
        seconds = {}
        for n_jobs in (1, 2):
            clf = NCDClassifier(args.compressor, k=1, n_jobs=n_jobs)
            clf.fit(train.texts[:n_train], train.labels[:n_train])
            clf.predict(queries[:4])  # start the workers outside the timing
            start = time.perf_counter()
            clf.predict(queries)
            seconds[n_jobs] = time.perf_counter() - start
        print(
            f"| {n_train} | {pairs:,} | {seconds[1]:.2f} | {seconds[1] / pairs * 1e6:.2f} | "
            f"{seconds[2]:.2f} | {seconds[2] / pairs * 1e6:.2f} | {seconds[1] / seconds[2]:.2f}x |"
        )


if __name__ == "__main__":
    main()
