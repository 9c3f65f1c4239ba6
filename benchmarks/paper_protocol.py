"""The paper's protocol on AG News, as Markdown tables for the README.

For each compressor: every k from one neighbour search, fair and paper-top-k
scores side by side (``npc_classify.evaluation.evaluate_neighbors``), then the
few-shot protocol (``few_shot``), and prints the tables. Usage::

    python benchmarks/paper_protocol.py --data-dir ../shared/data/ag_news

With no ``--data-dir`` the Hugging Face dataset is used. ``--n-test`` and
``--n-train-per-class`` shrink the k sweep for a quick look (seed 0, as
``npc-classify evaluate``); the few-shot runs score the whole test split.
"""

from __future__ import annotations

import argparse

import numpy as np

from npc_classify import NCDClassifier
from npc_classify.datasets import load_ag_news, sample_per_class
from npc_classify.evaluation import PAPER_TOP_K, evaluate_neighbors, few_shot

KS = [1, 2, 3, 5, 7, 11, 21]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", help="AG News's CSVs (default: the Hugging Face Hub)")
    parser.add_argument("--compressors", nargs="+", default=["gzip", "zstd"])
    parser.add_argument("--n-test", type=int)
    parser.add_argument("--n-train-per-class", type=int)
    parser.add_argument("--shots", type=int, nargs="+", default=[5, 10, 50, 100])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    args = parser.parse_args()
    pool, full_test = load_ag_news("train", args.data_dir), load_ag_news("test", args.data_dir)
    train, test = pool, full_test
    if args.n_test:
        test = full_test.sample(args.n_test, np.random.RandomState(0))
    if args.n_train_per_class:
        chosen = sample_per_class(pool.labels, args.n_train_per_class, np.random.RandomState(0))
        train = pool.subset(chosen)

    def classifier(name: str, k: int) -> NCDClassifier:
        return NCDClassifier(name, k=k, n_jobs=-1, random_state=0)

    full = {
        name: evaluate_neighbors(classifier(name, max(KS)), train, test, KS, paper_top_k=True)
        for name in args.compressors
    }
    few = {
        name: few_shot(
            classifier(name, 2), pool, full_test, args.shots, args.seeds, [2], paper_top_k=True
        )
        for name in args.compressors
    }

    first = next(iter(full.values()))
    print(f"\n### k sweep: {first['n_test']} test x {first['n_train']} training texts\n")
    header = "".join(f" {name} fair | {name} paper-top-k |" for name in full)
    print(f"| k |{header}")
    print("|---|" + "---|---|" * len(full))
    for index, k in enumerate(KS):
        entries = [run["results"][index] for run in full.values()]
        # For k=1 the paper's rule is the fair score (one neighbour never ties).
        cells = "".join(
            f" {entry['nearest']['accuracy']:.4f} |"
            f" {entry.get(PAPER_TOP_K, entry['nearest'])['accuracy']:.4f} |"
            for entry in entries
        )
        print(f"| {k} |{cells}")
    print("\n| compressor | pairs | wall time (s) | pairs/s |")
    print("|---|---|---|---|")
    for name, run in full.items():
        seconds, rate = run["wall_time_s"], run["pairs_per_second"]
        print(f"| {name} | {run['pairs']:,} | {seconds:.1f} | {rate:,.0f} |")

    print(f"\n### few-shot, k=2, {len(args.seeds)} seeds, mean [95% CI]\n")
    print("| shots per class |" + "".join(f" {n} fair | {n} paper-top-k |" for n in few))
    print("|---|" + "---|---|" * len(few))
    for index, shots in enumerate(args.shots):
        cells = ""
        for rows in few.values():
            for rule in ("nearest", PAPER_TOP_K):
                row = rows[index][rule]
                cells += f" {row['mean']:.3f} [{row['ci95'][0]:.3f}, {row['ci95'][1]:.3f}] |"
        print(f"| {shots} |{cells}")


if __name__ == "__main__":
    main()
