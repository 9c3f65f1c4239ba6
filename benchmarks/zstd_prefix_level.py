"""The level of ``zstd-prefix``, chosen by cross-validation on the AG News training split.

Usage::

    python benchmarks/zstd_prefix_level.py --data-dir ../shared/data/ag_news

NCD-kNN (``NCDClassifier``, its default k=5 and fair tie-breaking) with
``ZstdPrefixCompressor(level=L)`` for each level, and exact gzip beside it,
scored by stratified 3-fold cross-validation on ``--n-train`` texts drawn
(seed 0) from the training split only. The test split is not read. The
accuracy at k=1 is reported too, from the same neighbour searches.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
from sklearn.model_selection import StratifiedKFold

from npc_classify import NCDClassifier
from npc_classify.compressors import get_compressor
from npc_classify.datasets import load_ag_news


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", type=Path, help="the local AG News CSVs")
    parser.add_argument("--n-train", type=int, default=3000, help="training texts (default: 3000)")
    parser.add_argument("--levels", type=int, nargs="+", default=[1, 2, 3, 4, 6, 9])
    parser.add_argument("--n-jobs", type=int, default=-1, help="joblib workers (default: all)")
    args = parser.parse_args()

    train = load_ag_news("train", args.data_dir)
    pick = np.random.default_rng(0).permutation(len(train.texts))[: args.n_train]
    texts = np.array(train.texts, dtype=object)[pick]
    labels = np.array(train.labels)[pick]
    folds = list(StratifiedKFold(3, shuffle=True, random_state=0).split(texts, labels))
    settings = [("zstd-prefix", {"level": level}) for level in args.levels] + [("gzip", {})]
    print(f"{args.n_train} AG News training texts, stratified 3-fold CV, NCD-kNN")
    print("| compressor | CV accuracy k=5 | CV accuracy k=1 | search (s) |")
    print("|---|---|---|---|")
    for name, params in settings:
        right_5 = right_1 = 0
        started = time.perf_counter()
        for fit_rows, score_rows in folds:
            clf = NCDClassifier(get_compressor(name, **params), n_jobs=args.n_jobs)
            clf.fit(list(texts[fit_rows]), labels[fit_rows])
            distances, indices = clf.kneighbors(list(texts[score_rows]))
            right_5 += int(
                np.sum(clf.predict_from_neighbors(distances, indices) == labels[score_rows])
            )
            nearest = clf.predict_from_neighbors(distances[:, :1], indices[:, :1])
            right_1 += int(np.sum(nearest == labels[score_rows]))
        seconds = time.perf_counter() - started
        label = f"{name} level {params['level']}" if params else name
        accuracy_5, accuracy_1 = right_5 / len(texts), right_1 / len(texts)
        print(f"| {label} | {accuracy_5:.4f} | {accuracy_1:.4f} | {seconds:.0f} |", flush=True)


if __name__ == "__main__":
    main()
