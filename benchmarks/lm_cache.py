"""The LM cache's order and escape for few-shot NCD, chosen without the test split.

Usage::

    python benchmarks/lm_cache.py --data-dir ../shared/data/ag_news --lm data/lm.pt

Validation episodes come from the local training split only: for each shot
count and seed, ``shots`` texts per class are drawn as the training set and
``--n-queries`` other training texts are the queries (the few-shot protocol
of ``npc-classify few-shot`` with training-split queries in place of test
texts). Every setting of the cache is scored by the library's own
``NCDClassifier`` (k=2, nearest-first tie-break: the few-shot protocol),
beside gzip, PPM and the network alone. The network's per-byte probabilities
are the same for every cache setting, so they are computed once per episode
and memoised; the cache itself, the NCD and the vote are recomputed for each
setting. Episodes run in parallel on all cores.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
from collections.abc import Iterator

import numpy as np
from joblib import Parallel, delayed

from npc_classify import NCDClassifier, get_compressor
from npc_classify.datasets import load_ag_news, sample_per_class


@contextlib.contextmanager
def network_memoised(module) -> Iterator[None]:
    """Within the block, ``module.prefix_and_suffix_probabilities`` remembers its results."""
    compute = module.prefix_and_suffix_probabilities
    memo: dict = {}

    @functools.wraps(compute)
    def remembered(model, prefix, suffixes, device, batch_size):
        key = (prefix, tuple(suffixes))
        if key not in memo:
            memo[key] = compute(model, prefix, suffixes, device, batch_size)
        return memo[key]

    module.prefix_and_suffix_probabilities = remembered
    try:
        yield
    finally:
        module.prefix_and_suffix_probabilities = compute


def episode(data_dir, lm: str, shots: int, seed: int, n_queries: int, settings) -> list[float]:
    """Accuracy of each setting on one validation episode drawn with ``seed``."""
    from npc_classify.coding import byte_lm

    pool = load_ag_news("train", data_dir)
    rng = np.random.RandomState(seed)
    chosen = sample_per_class(pool.labels, shots, rng)
    queries = rng.choice(np.setdiff1d(np.arange(len(pool)), chosen), n_queries, replace=False)
    train, held = pool.subset(chosen), pool.subset(queries)
    scores = []
    with network_memoised(byte_lm):
        for name, params in settings:
            clf = NCDClassifier(get_compressor(name, **params), k=2, n_jobs=1)
            scores.append(clf.fit(train.texts, train.labels).score(held.texts, held.labels))
    return scores


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", help="AG News's CSVs (default: the Hugging Face Hub)")
    parser.add_argument("--lm", required=True, help="a model file from npc-classify train-lm")
    parser.add_argument("--shots", type=int, nargs="+", default=[5, 10, 50])
    parser.add_argument("--seeds", type=int, nargs="+", default=[100, 101, 102, 103, 104])
    parser.add_argument("--n-queries", type=int, default=100)
    parser.add_argument("--orders", type=int, nargs="+", default=[2, 3, 4])
    parser.add_argument("--escapes", type=float, nargs="+", default=[0.25, 0.5, 1.0])
    args = parser.parse_args()
    lm = {"model_path": args.lm}
    settings = [("gzip", {}), ("ppm", {}), ("lm", lm)]
    labels = ["gzip", "PPM (order 3)", "LM alone"]
    for order in args.orders:
        for escape in args.escapes:
            settings.append(("lm", {**lm, "cache_order": order, "cache_escape": escape}))
            labels.append(f"LM + cache, order {order}, escape {escape}")
    episodes = [(shots, seed) for shots in args.shots for seed in args.seeds]
    results = Parallel(n_jobs=-1)(
        delayed(episode)(args.data_dir, args.lm, shots, seed, args.n_queries, settings)
        for shots, seed in episodes
    )
    by_shots = {
        shots: np.array([r for (s, _), r in zip(episodes, results, strict=True) if s == shots])
        for shots in args.shots
    }
    print(f"validation: training-split queries, {args.n_queries} per episode, seeds {args.seeds}")
    print("mean accuracy over the seeds (k=2, nearest-first ties)\n")
    print("| setting | " + " | ".join(f"{shots} shots" for shots in args.shots) + " | mean |")
    print("|---|" + "---|" * (len(args.shots) + 1))
    for index, label in enumerate(labels):
        means = [by_shots[shots][:, index].mean() for shots in args.shots]
        cells = " | ".join(f"{m:.3f}" for m in means)
        print(f"| {label} | {cells} | {np.mean(means):.3f} |")


if __name__ == "__main__":
    main()
