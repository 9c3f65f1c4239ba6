"""Class offsets fitted on held-out training texts (``class_offsets="auto"``), in
cross-validation of the training splits, then scored once on each test split.

Usage::

    python benchmarks/class_offsets.py --data-dir ../shared/data/ag_news \\
        --trec-dir ../shared/data/trec

Class-conditional CM at its defaults, and CM with prior 11 against complement
texts (``complement=8``, the setting training-split CV chose for TREC), each
with ``class_offsets=None`` and ``"auto"``, on AG News and, with
``--trec-dir``, TREC's coarse (6) and fine (50) classes. Each classifier is
scored by stratified 3-fold cross-validation of each training split (shuffled,
seed 0, one fold per worker; with ``"auto"`` every fold's fit cross-validates
its offsets on its own training texts), then fitted on the whole training
split and scored once on the test split. The CV table is what a choice between
the two would read; the test table is reported beside it, and nothing is
chosen from it.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
from cm_settings import load_tasks, task_cv_scores

from npc_classify import CompressionClassifier
from npc_classify.compressors import CMCompressor

#: The classifiers compared, each built with a value of ``class_offsets``.
MODELS: dict[str, Callable[[str | None], CompressionClassifier]] = {
    "CM": lambda offsets: CompressionClassifier("cm", class_offsets=offsets),
    "CM prior 11, complement 8": lambda offsets: CompressionClassifier(
        CMCompressor(prior=11), complement=8, class_offsets=offsets
    ),
}
OFFSETS = (None, "auto")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", type=Path, help="the local AG News CSVs")
    parser.add_argument("--trec-dir", type=Path, help="the TREC .label files (optional)")
    parser.add_argument("--n-jobs", type=int, default=2, help="folds scored at once")
    args = parser.parse_args()

    tasks = load_tasks(args.data_dir, args.trec_dir)
    names = " | ".join(f"{name} CV" for name in tasks)
    print(f"| model | class_offsets | {names} | mean | CV time (s) |")
    print("|---" * (len(tasks) + 4) + "|")
    for model, build in MODELS.items():
        for offsets in OFFSETS:
            started = time.perf_counter()
            scores = task_cv_scores(build(offsets), tasks, args.n_jobs)
            cells = " | ".join(f"{score:.4f}" for score in scores)
            seconds = time.perf_counter() - started
            mean = float(np.mean(scores))
            print(f"| {model} | {offsets} | {cells} | {mean:.4f} | {seconds:.0f} |", flush=True)

    print("\n| task | model | class_offsets | test accuracy | fit (s) | predict (s) |")
    print("|---|---|---|---|---|---|")
    for name, (X, y, X_test, y_test) in tasks.items():
        for model, build in MODELS.items():
            for offsets in OFFSETS:
                started = time.perf_counter()
                clf = build(offsets).fit(X, y)
                fitted = time.perf_counter()
                accuracy = float(np.mean(clf.predict(X_test) == np.asarray(y_test)))
                predicted = time.perf_counter()
                times = f"{fitted - started:.1f} | {predicted - fitted:.1f}"
                print(f"| {name} | {model} | {offsets} | {accuracy:.4f} | {times} |", flush=True)


if __name__ == "__main__":
    main()
