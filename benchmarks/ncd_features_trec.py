"""NCD features with a ridge classifier on TREC's short questions, coarse and fine labels.

Usage::

    python benchmarks/ncd_features_trec.py --data-dir ../shared/data/trec

Each question becomes its NCD to every training question (``NCDTransformer``),
standardised, and ``RidgeClassifier`` learns a weight per reference. The
compressor behind the NCD (gzip, or PPM of each ``--ppm-orders`` order) and
the ridge's ``alpha`` are chosen by stratified 3-fold cross-validation on the
training split only, separately for the coarse and the fine labels.

For each compressor the transformer is fitted on the training split once and
its features of the training questions computed once (``fit`` then
``transform``: the 5,452 x 5,452 NCD matrix); each fold reads the rows of its
held-out questions and the columns of its training questions from that
matrix, which is what a transformer fitted on the fold's training questions
would compute. The chosen ridge is then fitted on the chosen compressor's
features of the whole training split, and the test questions, transformed by
the same fitted transformer, are scored once.
"""

from __future__ import annotations

import argparse
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sklearn.linear_model import RidgeClassifier
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from npc_classify import NCDTransformer
from npc_classify.compressors import Compressor, PPMCompressor
from npc_classify.datasets import load_splits

ALPHAS = (0.3, 1.0, 3.0, 10.0, 30.0, 100.0, 300.0, 1000.0)


@dataclass
class Candidate:
    """One compressor's fitted transformer and its features of the training questions."""

    name: str
    transformer: NCDTransformer
    features: np.ndarray
    seconds: float


def cv_accuracy(features: np.ndarray, labels: np.ndarray, alpha: float, folds: int) -> float:
    """Mean held-out accuracy of standardised NCD features + ridge, read from ``features``."""
    scores = []
    cv = StratifiedKFold(folds, shuffle=True, random_state=0)
    for train, held_out in cv.split(features, labels):
        model = make_pipeline(StandardScaler(), RidgeClassifier(alpha=alpha))
        model.fit(features[np.ix_(train, train)], labels[train])
        predicted = model.predict(features[np.ix_(held_out, train)])
        scores.append(np.mean(predicted == labels[held_out]))
    return float(np.mean(scores))


def print_cv_table(
    rows: list[tuple[str, str, float, float]],
    alphas: list[float],
    chosen: dict[str, tuple[str, float]],
) -> None:
    """CV accuracy of every (labels, compressor) row and alpha column, the chosen in bold."""
    print("| labels | compressor | " + " | ".join(f"alpha {a:g}" for a in alphas) + " |")
    print("|---|---|" + "---|" * len(alphas))
    scores = {(task, name, alpha): score for task, name, alpha, score in rows}
    pairs = dict.fromkeys((task, name) for task, name, _, _ in rows)
    for task, name in sorted(pairs, key=lambda pair: list(chosen).index(pair[0])):
        cells = [
            f"**{scores[task, name, a]:.4f}**"
            if chosen[task] == (name, a)
            else f"{scores[task, name, a]:.4f}"
            for a in alphas
        ]
        print(f"| {task} | {name} | " + " | ".join(cells) + " |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", type=Path, required=True, help="the TREC folder")
    parser.add_argument("--ppm-orders", type=int, nargs="*", default=[2, 3, 4, 5, 6])
    parser.add_argument("--alphas", type=float, nargs="+", default=list(ALPHAS))
    parser.add_argument("--folds", type=int, default=3)
    parser.add_argument("--n-jobs", type=int, default=-1)
    args = parser.parse_args()

    splits = {"coarse": load_splits("trec", data_dir=args.data_dir)}
    splits["fine"] = load_splits("trec-fine", data_dir=args.data_dir)
    train_texts, test_texts = splits["coarse"][0].texts, splits["coarse"][1].texts
    labels = {name: train.labels for name, (train, _) in splits.items()}
    test_labels = {name: test.labels for name, (_, test) in splits.items()}
    compressors: dict[str, str | Compressor] = {"gzip": "gzip"}
    compressors.update({f"PPM order {o}": PPMCompressor(order=o) for o in args.ppm_orders})

    rows = []
    best: dict[str, tuple[float, Candidate, float]] = {}
    for name, compressor in compressors.items():
        transformer = NCDTransformer(compressor, n_jobs=args.n_jobs)
        start = time.perf_counter()
        features = transformer.fit(train_texts).transform(train_texts)
        candidate = Candidate(name, transformer, features, time.perf_counter() - start)
        print(
            f"{name}: features of the {len(train_texts):,} training questions "
            f"in {candidate.seconds:.1f} s",
            flush=True,
        )
        for task, y in labels.items():
            for alpha in args.alphas:
                score = cv_accuracy(features, y, alpha, args.folds)
                rows.append((task, name, alpha, score))
                if task not in best or score > best[task][0]:  # ties: the first candidate
                    best[task] = (score, candidate, alpha)
        # Keep the features of the chosen candidates only.
        del features, candidate

    print("\n### Cross-validation on the training split\n")
    print_cv_table(rows, args.alphas, {task: (c.name, a) for task, (_, c, a) in best.items()})

    print(
        f"\n### Test: fitted on the {len(train_texts):,} training questions, "
        f"scored once on {len(test_texts):,}\n"
    )
    print(
        "| labels | compressor | alpha | CV accuracy | test accuracy "
        "| training features (s) | predict (ms per question) |"
    )
    print("|---|---|---|---|---|---|---|")
    for task, (score, candidate, alpha) in best.items():
        model = make_pipeline(StandardScaler(), RidgeClassifier(alpha=alpha))
        model.fit(candidate.features, labels[task])
        start = time.perf_counter()
        predicted = model.predict(candidate.transformer.transform(test_texts))
        per_question = (time.perf_counter() - start) / len(test_texts) * 1e3
        accuracy = np.mean(predicted == test_labels[task])
        print(
            f"| {task} | {candidate.name} | {alpha:g} | {score:.4f} | {accuracy:.4f} "
            f"| {candidate.seconds:.1f} | {per_question:.1f} |"
        )


if __name__ == "__main__":
    main()
