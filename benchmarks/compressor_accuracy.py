"""Accuracy and speed of the compressors on one slice, in one run.

Usage::

    python benchmarks/compressor_accuracy.py --data-dir ../shared/data/ag_news

Default slice: the first 1,000 test texts against all 6,000 training texts of
the local split, all cores, fair tie rule. A compressor is a name, or a name
with settings after colons (``zstd-prefix:level=2``).
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from npc_classify import NCDClassifier
from npc_classify.compressors import compressor_from_settings
from npc_classify.datasets import load_ag_news
from npc_classify.evaluation import neighbor_predictions

KS = (1, 5, 11)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", help="AG News's CSVs (default: the Hugging Face Hub)")
    parser.add_argument("--n-test", type=int, default=1000)
    text = "compressors (NAME or NAME:SETTING...); the first is the baseline of the speed ratio"
    parser.add_argument(
        "--compressors", nargs="+", default=["gzip", "zstd", "zstd-prefix"], help=text
    )
    args = parser.parse_args()
    train, test = load_ag_news("train", args.data_dir), load_ag_news("test", args.data_dir)
    queries, truth = test.texts[: args.n_test], test.labels[: args.n_test]
    pairs = len(queries) * len(train)

    print(f"\n{len(queries)} x {len(train)} AG News texts, all cores\n")
    baseline = args.compressors[0]
    accuracies = "".join(f" accuracy k={k} |" for k in KS)
    print(f"| compressor |{accuracies} pairs/s | vs {baseline} |")
    print("|---|" + "---|" * len(KS) + "---|---|")
    baseline_rate = None
    for name in args.compressors:
        compressor_name, *settings = name.split(":")
        compressor = compressor_from_settings(compressor_name, settings)
        clf = NCDClassifier(compressor, k=max(KS), n_jobs=-1).fit(train.texts, train.labels)
        clf.kneighbors(queries[:20])  # compiled loops loaded, workers started
        start = time.perf_counter()
        neigh_dist, neigh_ind = clf.kneighbors(queries)
        rate = pairs / (time.perf_counter() - start)
        baseline_rate = baseline_rate or rate
        scores = "".join(
            f" {np.mean(neighbor_predictions(clf, neigh_dist, neigh_ind, k) == truth):.4f} |"
            for k in KS
        )
        print(f"| {name} |{scores} {rate:,.0f} | {rate / baseline_rate:.2f}x |")


if __name__ == "__main__":
    main()
