"""PPM's context order for class-conditional classification, chosen without the test split.

Usage::

    python benchmarks/ppm_order.py --data-dir ../shared/data/ag_news

Each order is scored by stratified 5-fold cross-validation on the local
training split only (the local data has no validation split); the order with
the best mean is then fitted on the whole training split and scored once on
the test split. Folds run in parallel on all cores; times are per document
and per core.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from joblib import Parallel, delayed
from sklearn.model_selection import StratifiedKFold

from npc_classify import CompressionClassifier, get_compressor
from npc_classify.datasets import load_ag_news


def fold_score(order: int, train_texts, train_labels, test_texts, test_labels):
    """Accuracy and seconds per predicted document of PPM of ``order`` on one split."""
    clf = CompressionClassifier(get_compressor("ppm", order=order))
    clf.fit(train_texts, train_labels)
    start = time.perf_counter()
    accuracy = clf.score(test_texts, test_labels)
    return accuracy, (time.perf_counter() - start) / len(test_texts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", help="AG News's CSVs (default: the Hugging Face Hub)")
    parser.add_argument("--orders", type=int, nargs="+", default=[1, 2, 3, 4, 5, 6])
    parser.add_argument("--folds", type=int, default=5)
    args = parser.parse_args()
    train, test = load_ag_news("train", args.data_dir), load_ag_news("test", args.data_dir)
    texts, labels = np.array(train.texts, dtype=object), np.asarray(train.labels)
    splits = list(StratifiedKFold(args.folds, shuffle=True, random_state=0).split(texts, labels))
    jobs = [
        delayed(fold_score)(order, texts[fit], labels[fit], texts[held], labels[held])
        for order in args.orders
        for fit, held in splits
    ]
    results = np.array(Parallel(n_jobs=-1)(jobs)).reshape(len(args.orders), args.folds, 2)
    print(f"{len(train)} training texts, {args.folds}-fold cross-validation\n")
    print("| order | CV accuracy (mean +- sd) | ms per document |")
    print("|---|---|---|")
    for order, folds in zip(args.orders, results, strict=True):
        accuracy, milliseconds = folds[:, 0], folds[:, 1] * 1e3
        spread = f"{accuracy.mean():.4f} +- {accuracy.std():.4f}"
        print(f"| {order} | {spread} | {milliseconds.mean():.2f} |")
    best = args.orders[int(results[:, :, 0].mean(axis=1).argmax())]
    accuracy, seconds = fold_score(best, train.texts, train.labels, test.texts, test.labels)
    print(
        f"\nbest order by cross-validation: {best}; on the {len(test)} test texts "
        f"(scored once): accuracy {accuracy:.4f}, {seconds * 1e3:.2f} ms per document"
    )


if __name__ == "__main__":
    main()
