"""NCD features with a ridge classifier on TREC's short questions, coarse and fine labels.

Usage::

    python benchmarks/ncd_features_trec.py --data-dir ../shared/data/trec

Each question becomes its gzip NCD to every training question
(``NCDTransformer``), standardised, and ``RidgeClassifier`` learns a weight
per reference. Its ``alpha`` is chosen by stratified 3-fold cross-validation
on the training split only: the NCD of every ordered pair of training
questions is computed once (``pairwise_ncd``) and each fold reads the rows of
its held-out questions and the columns of its training questions from that
matrix. The pipeline with the chosen ``alpha`` is then fitted on the whole
training split and the test split scored once.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
from _trec import load_trec
from sklearn.linear_model import RidgeClassifier
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from npc_classify import NCDTransformer, pairwise_ncd

ALPHAS = (1.0, 10.0, 100.0, 1000.0)


def cv_accuracy(distances: np.ndarray, labels: np.ndarray, alpha: float, folds: int) -> float:
    """Mean held-out accuracy of standardised NCD features + ridge, read from ``distances``."""
    scores = []
    cv = StratifiedKFold(folds, shuffle=True, random_state=0)
    for train, held_out in cv.split(distances, labels):
        model = make_pipeline(StandardScaler(), RidgeClassifier(alpha=alpha))
        model.fit(distances[np.ix_(train, train)], labels[train])
        predicted = model.predict(distances[np.ix_(held_out, train)])
        scores.append(np.mean(predicted == labels[held_out]))
    return float(np.mean(scores))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--folds", type=int, default=3)
    parser.add_argument("--n-jobs", type=int, default=-1)
    args = parser.parse_args()

    texts, _, _, _ = load_trec(args.data_dir, fine=False)
    start = time.perf_counter()
    distances = pairwise_ncd(texts, compressor="gzip", n_jobs=args.n_jobs)
    print(
        f"NCD of the {len(texts):,} x {len(texts):,} training pairs: "
        f"{time.perf_counter() - start:.1f} s\n"
    )
    print("| labels | alpha | CV accuracy |\n|---|---|---|")
    chosen = {}
    for fine in (False, True):
        _, labels, _, _ = load_trec(args.data_dir, fine=fine)
        scores = {a: cv_accuracy(distances, np.asarray(labels), a, args.folds) for a in ALPHAS}
        chosen[fine] = max(scores, key=lambda a: scores[a])  # ties: the first alpha
        name = "fine" if fine else "coarse"
        for alpha, score in scores.items():
            print(f"| {name} | {alpha:g} | {score:.4f} |")

    print("\n| labels | chosen alpha | test accuracy | fit (s) | predict (ms per question) |")
    print("|---|---|---|---|---|")
    for fine in (False, True):
        train_texts, labels, test_texts, test_labels = load_trec(args.data_dir, fine=fine)
        model = make_pipeline(
            NCDTransformer(n_jobs=args.n_jobs),
            StandardScaler(),
            RidgeClassifier(alpha=chosen[fine]),
        )
        start = time.perf_counter()
        model.fit(train_texts, labels)
        fitted = time.perf_counter() - start
        predicted = model.predict(test_texts)
        per_question = (time.perf_counter() - start - fitted) / len(test_texts) * 1e3
        accuracy = np.mean(predicted == np.asarray(test_labels))
        name = "fine" if fine else "coarse"
        print(
            f"| {name} | {chosen[fine]:g} | {accuracy:.4f} | {fitted:.1f} | {per_question:.1f} |"
        )


if __name__ == "__main__":
    main()
