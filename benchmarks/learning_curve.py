"""How accuracy grows with the number of training texts, on a training split only.

Usage::

    python benchmarks/learning_curve.py --data-dir ../shared/data/ag_news
    python benchmarks/learning_curve.py --trec-dir ../shared/data/trec --per-class 5 10 25 50

Stratified 3-fold cross-validation of the training split of AG News, or with
``--trec-dir`` of TREC's coarse classes (shuffled, seed 0): each fold's
held-out texts are scored by every method fitted on ``--per-class`` texts of
each class drawn from the fold's other texts (``sample_per_class`` with
``RandomState(fold)``, so the samples of one fold are nested: each size keeps
the texts of the smaller ones). The test split is not read. Every method runs
at one fixed setting on both corpora, chosen by training-split
cross-validation elsewhere (docs: benchmarks, one-table.md and
class-conditional.md: TF-IDF's C and PPM's order on AG News, CM's settings by
the mean over AG News and TREC; NCD-kNN at k=5 where CV chose 7); nothing is
chosen here, and TREC's own choices (one-table.md) differ.

Last, for each method, the points gained by the last doubling of the training
texts, and the training texts per class at which it would reach ``--target``
if every further doubling gained as much: an extrapolation of the curve, not
a measurement.
"""

from __future__ import annotations

import argparse
import math
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from joblib import Parallel, delayed
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.svm import LinearSVC

from npc_classify import CompressionClassifier, NCDClassifier
from npc_classify.compressors import CMCompressor
from npc_classify.datasets import load_ag_news, load_trec, sample_per_class

#: Each method's name and a builder of the unfitted estimator.
METHODS: dict[str, Callable[[], Any]] = {
    "TF-IDF + LinearSVC": lambda: make_pipeline(
        TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True), LinearSVC(C=1.0)
    ),
    "NCD-kNN gzip, k=5": lambda: NCDClassifier("gzip", k=5),
    "PPM order 3": lambda: CompressionClassifier("ppm"),
    "CM": lambda: CompressionClassifier("cm"),
    "CM prior 11, complement 8": lambda: CompressionClassifier(
        CMCompressor(prior=11), complement=8
    ),
}


def score_cell(
    method: str, texts: np.ndarray, labels: np.ndarray, train: np.ndarray, held_out: np.ndarray
) -> tuple[float, float]:
    """Held-out accuracy of ``method`` fitted on ``train``, and the seconds it took."""
    started = time.perf_counter()
    model = METHODS[method]().fit(list(texts[train]), labels[train])
    accuracy = float(np.mean(model.predict(list(texts[held_out])) == labels[held_out]))
    return accuracy, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", type=Path, help="the local AG News CSVs")
    parser.add_argument("--trec-dir", type=Path, help="TREC's .label files: its coarse classes")
    parser.add_argument("--per-class", type=int, nargs="+", default=[25, 50, 100, 250, 500, 1000])
    parser.add_argument("--methods", nargs="+", choices=list(METHODS), default=list(METHODS))
    parser.add_argument("--target", type=float, default=0.90)
    parser.add_argument("--n-jobs", type=int, default=2, help="cells scored at once")
    args = parser.parse_args()

    if args.trec_dir is None:
        train = load_ag_news("train", args.data_dir)
    else:
        train = load_trec("train", args.trec_dir)
    texts, labels = np.asarray(train.texts, dtype=object), np.asarray(train.labels)
    folds = list(StratifiedKFold(3, shuffle=True, random_state=0).split(texts, labels))
    smallest_class = min(np.unique(labels[f], return_counts=True)[1].min() for f, _ in folds)
    if max(args.per_class) > smallest_class:
        parser.error(f"--per-class at most {smallest_class} (a fold's smallest class)")
    cells = [
        (method, per_class, fold)
        for per_class in sorted(args.per_class)
        for method in args.methods
        for fold in range(len(folds))
    ]

    def task(method: str, per_class: int, fold: int) -> Any:
        fold_train, held_out = folds[fold]
        rng = np.random.RandomState(fold)
        chosen = fold_train[sample_per_class(labels[fold_train], per_class, rng)]
        return delayed(score_cell)(method, texts, labels, chosen, held_out)

    accuracy: dict[tuple[str, int], list[float]] = {}
    seconds: dict[tuple[str, int], float] = {}
    results = Parallel(n_jobs=args.n_jobs, return_as="generator")(task(*c) for c in cells)
    for (method, per_class, fold), (score, spent) in zip(cells, results, strict=True):
        accuracy.setdefault((method, per_class), []).append(score)
        seconds[method, per_class] = seconds.get((method, per_class), 0.0) + spent
        print(
            f"{method}, {per_class} per class, fold {fold}: {score:.4f} ({spent:.0f} s)",
            flush=True,
        )

    sizes = sorted(args.per_class)
    print(f"\n### Mean held-out accuracy of 3 folds ({len(folds[0][1]):,} texts each)\n")
    print("| training texts per class | " + " | ".join(args.methods) + " |")
    print("|---" * (len(args.methods) + 1) + "|")
    for per_class in sizes:
        row = [f"{np.mean(accuracy[m, per_class]):.4f}" for m in args.methods]
        print(f"| {per_class:,} | " + " | ".join(row) + " |")
    seconds_row = [f"{sum(seconds[m, n] for n in sizes):.0f}" for m in args.methods]
    print("| seconds, all sizes and folds | " + " | ".join(seconds_row) + " |")

    if len(sizes) < 2:
        return
    last, before = sizes[-1], sizes[-2]
    print(f"\n### From {before:,} to {last:,} texts per class, and on to {args.target}\n")
    print("| method | points per doubling | texts per class at the target (extrapolated) |")
    print("|---|---|---|")
    for method in args.methods:
        top, below = np.mean(accuracy[method, last]), np.mean(accuracy[method, before])
        per_doubling = (top - below) / math.log2(last / before)
        if top >= args.target:
            reached = f"reached at {last:,}"
        elif per_doubling <= 0:
            reached = "never, at this rate"
        else:
            reached = f"{last * 2 ** ((args.target - top) / per_doubling):,.0f}"
        print(f"| {method} | {100 * per_doubling:+.2f} | {reached} |")


if __name__ == "__main__":
    main()
