"""Candidate search against the exact search: agreement of predictions and speed-up.

Usage::

    python benchmarks/candidates.py --data-dir ../shared/data/ag_news
    python benchmarks/candidates.py --data-dir ../shared/data/ag_news --n-train 400 \
        --n-test 100 --m 20 32 100 200

The exact gzip search and each candidate search run on the whole local split, or on
its first ``--n-train`` training and ``--n-test`` test texts (every test text against
every training text), with all cores unless ``--n-jobs`` says otherwise. Agreement is
the share of test texts predicted the same as by the exact search. The
speed-up compares the searches (``kneighbors``); ``fit`` is timed apart,
since with candidates it builds the 4-gram index and calibrates it on 2,048
exactly compressed training pairs.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from npc_classify import NCDClassifier
from npc_classify.datasets import load_ag_news
from npc_classify.evaluation import neighbor_predictions

KS = (1, 5)


def search(train, test, candidates: int | None, n_jobs: int):
    clf = NCDClassifier("gzip", k=max(KS), n_jobs=n_jobs, candidates=candidates)
    start = time.perf_counter()
    clf.fit(train.texts, train.labels)
    fit_seconds = time.perf_counter() - start
    start = time.perf_counter()
    neigh_dist, neigh_ind = clf.kneighbors(test.texts)
    seconds = time.perf_counter() - start
    predicted = {k: neighbor_predictions(clf, neigh_dist, neigh_ind, k) for k in KS}
    return fit_seconds, seconds, predicted


def positive(text: str) -> int:
    """A count of texts: a whole number of at least 1."""
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, got {text}")
    return value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", help="AG News's CSVs (default: the Hugging Face Hub)")
    parser.add_argument(
        "--m", type=int, nargs="+", default=[50, 100, 200, 300, 400, 500, 600, 1000]
    )
    parser.add_argument(
        "--n-train", type=positive, help="the first N training texts (default: all)"
    )
    parser.add_argument("--n-test", type=positive, help="the first N test texts (default: all)")
    parser.add_argument("--n-jobs", type=int, default=-1, help="workers (default: all cores)")
    args = parser.parse_args()
    train, test = load_ag_news("train", args.data_dir), load_ag_news("test", args.data_dir)
    train = train.subset(np.arange(len(train))[: args.n_train])
    test = test.subset(np.arange(len(test))[: args.n_test])

    exact_fit, exact_seconds, exact = search(train, test, None, args.n_jobs)
    print(
        f"\n{len(test)} x {len(train)} AG News texts, gzip; exact search {exact_seconds:.1f} s\n"
    )
    header = "".join(f" agreement k={k} | accuracy k={k} |" for k in KS)
    print(f"| candidates M | fit (s) | search (s) | speed-up |{header}")
    print("|---|---|---|---|" + "---|---|" * len(KS))
    accuracy = "".join(f" 1 | {np.mean(exact[k] == test.labels):.4f} |" for k in KS)
    print(f"| exact (all {len(train)}) | {exact_fit:.1f} | {exact_seconds:.1f} | 1.0x |{accuracy}")
    for m in args.m:
        fit_seconds, seconds, predicted = search(train, test, m, args.n_jobs)
        cells = "".join(
            f" {np.mean(predicted[k] == exact[k]):.4f} |"
            f" {np.mean(predicted[k] == test.labels):.4f} |"
            for k in KS
        )
        speed_up = exact_seconds / seconds
        print(f"| {m} | {fit_seconds:.1f} | {seconds:.1f} | {speed_up:.1f}x |{cells}")


if __name__ == "__main__":
    main()
