"""Two-worker Dask and Ray clusters against joblib's local processes, same slice, one run.

Usage::

    python benchmarks/cluster_overhead.py --data-dir ../shared/data/ag_news

Each runs the exact gzip search with 2 workers on the first ``--n-test`` test
texts against the first ``--n-train`` training texts; the ratio is the
cluster run's time over the local one. The Dask cluster runs twice: with
Dask's default worker environment, whose ``MALLOC_TRIM_THRESHOLD_=65536``
makes glibc hand zlib's ~256 KiB working memory back to the system after
every compression, and with that threshold raised to 64 MiB. Ray runs a
local instance with 2 CPUs through its joblib backend (skipped if Ray is
not installed).
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import time

import joblib
import numpy as np
from distributed import Client, LocalCluster

from npc_classify import NCDClassifier
from npc_classify.datasets import load_ag_news


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", help="AG News's CSVs (default: the Hugging Face Hub)")
    parser.add_argument("--n-train", type=int, default=6000)
    parser.add_argument("--n-test", type=int, default=400)
    args = parser.parse_args()
    train, test = load_ag_news("train", args.data_dir), load_ag_news("test", args.data_dir)
    clf = NCDClassifier("gzip", k=5, n_jobs=2)
    clf.fit(train.texts[: args.n_train], train.labels[: args.n_train])
    queries = test.texts[: args.n_test]

    local_seconds, local = timed_search(clf, queries)
    n_train = clf.n_samples_fit_  # the texts there are
    pairs = len(queries) * n_train
    print(f"\n{len(queries)} x {n_train} AG News texts, gzip, 2 workers\n")
    print("| backend | seconds | pairs/s | time / local |")
    print("|---|---|---|---|")

    def report(label: str, seconds: float, result: tuple) -> None:
        assert np.array_equal(local[1], result[1]), f"{label} must find the same neighbours"
        print(
            f"| {label} | {seconds:.2f} | {pairs / seconds:,.0f} | {seconds / local_seconds:.2f} |"
        )

    report("joblib processes (loky)", local_seconds, local)
    for label, trim in [("default environment", None), ("MALLOC_TRIM_THRESHOLD_=64 MiB", 1 << 26)]:
        if trim is not None:
            # Dask's nanny gives an existing environment variable precedence over
            # its configuration (and has already exported its own default here).
            os.environ["MALLOC_TRIM_THRESHOLD_"] = str(trim)
        report(f"Dask LocalCluster, {label}", *dask_search(clf, queries))
    if importlib.util.find_spec("ray") is not None:
        report("Ray, local instance with 2 CPUs", *ray_search(clf, queries))


def timed_search(clf: NCDClassifier, queries: list[str]) -> tuple[float, tuple]:
    """Seconds and result of the neighbour search on the active joblib backend.

    A search of four queries first starts the workers outside the timing.
    """
    clf.kneighbors(queries[:4])
    start = time.perf_counter()
    result = clf.kneighbors(queries)
    return time.perf_counter() - start, result


def dask_search(clf: NCDClassifier, queries: list[str]) -> tuple[float, tuple]:
    """:func:`timed_search` on a fresh two-worker LocalCluster."""
    cluster = LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
        dashboard_address=None,
    )  # fmt: skip
    with Client(cluster), joblib.parallel_config(backend="dask"):
        outcome = timed_search(clf, queries)
    cluster.close()
    return outcome


def ray_search(clf: NCDClassifier, queries: list[str]) -> tuple[float, tuple]:
    """:func:`timed_search` through Ray's joblib backend on a local Ray instance."""
    import ray
    from ray.util.joblib import register_ray

    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    register_ray()
    with joblib.parallel_config(backend="ray"):
        outcome = timed_search(clf, queries)
    ray.shutdown()
    return outcome


if __name__ == "__main__":
    main()
