"""AG News at full scale: 7,600 queries x 120,000 training texts, k = 1..10 from one pass.

Usage::

    python benchmarks/full_scale.py --data-dir ../shared/data/ag_news --compressor zstd-prefix \\
        --param level=2 --checkpoint data/full_scale_zstd-prefix.jsonl

The official 120,000-row training split is not available offline, so the texts
are drawn with replacement (seeded) from the local pool: 120,000 training texts
from its 6,000 and 7,600 queries from its 1,600. Each text is its real length
and content, so the cost per pair is the real one; the accuracy of such a
resampled set means little and is not the point. The search is checkpointed:
run the same command again after an interruption and it resumes. Peak memory
is the largest resident size of this process and its worker processes
together, sampled every second. ``--candidates M`` runs the approximate search
instead (the 4-gram first stage, then exact NCD with M training texts per
query); its agreement with the exact search is measured by
``benchmarks/candidates.py`` at 1,600 x 6,000, and at this scale with
``--agreement-with``, which names the checkpoint of the exact run (same data
and seed): its results are read back, the fingerprint proving they come from
the same search, and the share of queries both predict alike is printed for
each k.
"""

from __future__ import annotations

import argparse
import os
import threading
import time
from pathlib import Path

import numpy as np
from sklearn.base import clone

from npc_classify import NCDClassifier
from npc_classify.compressors import compressor_from_settings
from npc_classify.datasets import load_ag_news
from npc_classify.evaluation import neighbor_predictions, resumable_kneighbors


def tree_rss_bytes(root: int) -> int:
    """Resident memory of ``root`` and all its descendants, from /proc."""
    parents: dict[int, int] = {}
    rss: dict[int, int] = {}
    page = os.sysconf("SC_PAGE_SIZE")
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
            statm = Path(f"/proc/{entry}/statm").read_text().split()
        except OSError:
            continue
        parents[int(entry)] = int(stat[1])
        rss[int(entry)] = int(statm[1]) * page
    total, frontier = 0, [root]
    while frontier:
        pid = frontier.pop()
        total += rss.get(pid, 0)
        frontier.extend(child for child, parent in parents.items() if parent == pid)
    return total


class PeakMemory(threading.Thread):
    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.peak = 0
        self.running = True

    def run(self) -> None:
        while self.running:
            self.peak = max(self.peak, tree_rss_bytes(os.getpid()))
            time.sleep(1.0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", help="AG News's CSVs (default: the Hugging Face Hub)")
    parser.add_argument("--compressor", default="zstd-prefix")
    parser.add_argument(
        "--param",
        dest="params",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a setting of the compressor, repeatable: level=2, engine=zlib (default: none)",
    )
    parser.add_argument("--n-train", type=int, default=120_000)
    parser.add_argument("--n-test", type=int, default=7_600)
    parser.add_argument("--k-max", type=int, default=10)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--checkpoint", type=Path, required=True)
    parser.add_argument("--candidates", type=int, metavar="M", help="approximate search")
    parser.add_argument(
        "--agreement-with",
        type=Path,
        metavar="CHECKPOINT",
        help="the exact run's checkpoint, to compare predictions with (with --candidates); "
        "a partial one is completed first",
    )
    args = parser.parse_args()
    if args.agreement_with and not args.candidates:
        parser.error("--agreement-with compares a --candidates run with the exact one")
    if args.agreement_with and not args.agreement_with.exists():
        # A missing file would start the whole exact search here, unasked.
        parser.error(f"--agreement-with {args.agreement_with}: no such checkpoint")

    pool_train, pool_test = (
        load_ag_news("train", args.data_dir),
        load_ag_news("test", args.data_dir),
    )
    rng = np.random.RandomState(args.seed)
    train = pool_train.subset(rng.choice(len(pool_train), args.n_train, replace=True))
    test = pool_test.subset(rng.choice(len(pool_test), args.n_test, replace=True))

    memory = PeakMemory()
    memory.start()
    start = time.perf_counter()
    compressor = compressor_from_settings(args.compressor, args.params)
    clf = NCDClassifier(
        compressor, k=args.k_max, n_jobs=-1, progress=True, candidates=args.candidates
    )
    clf.fit(train.texts, train.labels)
    neigh_dist, neigh_ind, resumed = resumable_kneighbors(
        clf, test.texts, args.k_max, args.checkpoint
    )
    seconds = time.perf_counter() - start
    memory.running = False
    memory.join()
    ks = range(1, args.k_max + 1)
    predictions = [neighbor_predictions(clf, neigh_dist, neigh_ind, k) for k in ks]
    accuracies = [np.mean(predicted == test.labels) for predicted in predictions]
    pairs = (args.n_test - resumed) * min(args.candidates or args.n_train, args.n_train)
    search = f", exact on {args.candidates:,} candidates per query" if args.candidates else ""
    print(
        f"{compressor!r}: {args.n_test:,} x {args.n_train:,} texts{search}, "
        f"{resumed} queries resumed"
    )
    print(
        f"wall time {seconds:,.0f} s ({seconds / 60:.1f} min), {pairs:,} pairs compressed, "
        f"{pairs / seconds:,.0f} pairs/s"
    )
    print(f"peak memory (process tree) {memory.peak / 2**30:.2f} GiB")
    print(
        f"accuracy k=1..{args.k_max} on the resampled set:",
        " ".join(f"{a:.3f}" for a in accuracies),
    )
    if args.agreement_with:
        exact = clone(clf).set_params(candidates=None).fit(train.texts, train.labels)
        exact_dist, exact_ind, _ = resumable_kneighbors(
            exact, test.texts, args.k_max, args.agreement_with
        )
        agreement = [
            np.mean(predicted == neighbor_predictions(exact, exact_dist, exact_ind, k))
            for k, predicted in zip(ks, predictions, strict=True)
        ]
        print(
            f"agreement with the exact search ({args.agreement_with}), k=1..{args.k_max}:",
            " ".join(f"{a:.4f}" for a in agreement),
        )


if __name__ == "__main__":
    main()
