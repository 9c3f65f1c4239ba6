"""NCD features with a linear model against NCD-kNN and TF-IDF + LinearSVC, on AG News.

Usage::

    python benchmarks/ncd_features.py --data-dir ../shared/data/ag_news

Every choice is made by cross-validation on the training split only: NCD-kNN's
k, and for the NCD features (``NCDTransformer``, gzip) the number of
references per class and the linear model's C. Each method is then fitted
once on the whole training split and scored once on the test split.

The cross-validation runs on a stratified subset of the training split
(``--cv-per-class`` texts per class, ``--folds`` folds): the NCD of every
ordered pair of its texts is computed once (``pairwise_ncd``), and each fold
reads its distances from that matrix: the neighbours of the fold's held-out
texts among its training texts, voted by ``NCDClassifier.predict_from_neighbors``,
and the features of an ``NCDTransformer`` fitted on the fold's training texts,
whose ``references_`` select the columns. Both are checked against the
estimators' own ``kneighbors`` and ``transform`` on a few held-out texts.

LinearSVC takes the distances as they are; logistic regression takes them
standardised (``StandardScaler``), without which lbfgs converges slowly on
features that vary by a few hundredths. On the test split the two heads share
one feature matrix when they chose the same number of references: its time is
counted in both rows.
"""

from __future__ import annotations

import argparse
import time
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import LinearSVC

from npc_classify import NCDClassifier, NCDTransformer, pairwise_ncd
from npc_classify.datasets import load_ag_news, sample_per_class

HEADS: dict[str, Callable[[float], Any]] = {
    "LinearSVC": lambda c: LinearSVC(C=c),
    "StandardScaler + LogisticRegression": lambda c: make_pipeline(
        StandardScaler(), LogisticRegression(C=c, max_iter=1000)
    ),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", help="AG News's CSVs (default: the Hugging Face Hub)")
    parser.add_argument("--cv-per-class", type=int, default=750)
    parser.add_argument("--folds", type=int, default=3)
    parser.add_argument("--k", type=int, nargs="+", default=[1, 3, 5, 7, 11, 15, 21, 31])
    parser.add_argument("--per-class", type=int, nargs="+", default=[125, 250, 500])
    parser.add_argument("--svc-c", type=float, nargs="+", default=[1.0, 10.0, 100.0])
    parser.add_argument("--lr-c", type=float, nargs="+", default=[0.01, 0.1, 1.0])
    parser.add_argument("--n-jobs", type=int, default=-1)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    warnings.filterwarnings("ignore", category=ConvergenceWarning)
    grids = {"LinearSVC": args.svc_c, "StandardScaler + LogisticRegression": args.lr_c}
    train, test = load_ag_news("train", args.data_dir), load_ag_news("test", args.data_dir)
    labels = np.asarray(train.labels)

    # Cross-validation on a subset of the training split.
    rng = np.random.RandomState(args.seed)
    subset = sample_per_class(labels, args.cv_per_class, rng)
    texts, y = [train.texts[i] for i in subset], labels[subset]
    start = time.perf_counter()
    distances = pairwise_ncd(texts, n_jobs=args.n_jobs)
    matrix_seconds = time.perf_counter() - start
    folds = StratifiedKFold(args.folds, shuffle=True, random_state=args.seed).split(texts, y)
    knn_scores: dict[int, list[float]] = {k: [] for k in args.k}
    feature_scores: dict[tuple[str, int, float], list[float]] = {}
    for fit, held in folds:
        fit_texts, held_texts = [texts[i] for i in fit], [texts[i] for i in held]
        knn_fold(distances[np.ix_(held, fit)], fit_texts, y[fit], held_texts, y[held], knn_scores)
        for per_class in args.per_class:
            transformer = NCDTransformer(n_references=per_class, random_state=args.seed)
            transformer.fit(fit_texts, y[fit])
            columns = fit[transformer.references_]
            features = distances[:, columns]
            check = transformer.transform(held_texts[:3])
            np.testing.assert_array_equal(check, features[held[:3]])
            for head, grid in grids.items():
                for c in grid:
                    model = HEADS[head](c).fit(features[fit], y[fit])
                    score = float(model.score(features[held], y[held]))
                    feature_scores.setdefault((head, per_class, c), []).append(score)

    n_cv = len(texts)
    print(f"## Cross-validation: {args.folds} folds of {n_cv:,} training texts\n")
    print(f"NCD of the {n_cv:,} x {n_cv:,} pairs (gzip, query-first): {matrix_seconds:.0f} s\n")
    print("| method | setting | CV accuracy (mean +- sd) |")
    print("|---|---|---|")
    for k, scores in knn_scores.items():
        print(f"| NCD-kNN gzip | k={k} | {mean_sd(scores)} |")
    for (head, per_class, c), scores in feature_scores.items():
        setting = f"{per_class} references per class, C={c:g}"
        print(f"| NCD features + {head} | {setting} | {mean_sd(scores)} |")
    best_k = max(knn_scores, key=lambda k: (np.mean(knn_scores[k]), -k))
    best = {
        head: max(
            (key for key in feature_scores if key[0] == head),
            key=lambda key: (np.mean(feature_scores[key]), -key[1]),
        )[1:]
        for head in HEADS
    }
    chosen = ", ".join(f"{head}: {n} per class, C={c:g}" for head, (n, c) in best.items())
    print(f"\nChosen by CV: k={best_k}; {chosen}\n")

    # One fit on the training split, one score on the test split.
    rows = []
    knn = NCDClassifier("gzip", k=best_k, n_jobs=args.n_jobs)
    fit_seconds, predicted, predict_seconds = timed_fit_predict(knn, train, test.texts)
    rows.append(
        (
            f"NCD-kNN gzip, k={best_k}",
            f"{len(train):,} (all)",
            accuracy(predicted, test.labels),
            fit_seconds,
            predict_seconds,
        )
    )
    features = {}
    for head, (per_class, c) in best.items():
        if per_class not in features:
            features[per_class] = timed_features(per_class, train, test.texts, args)
        transformer, train_features, test_features, seconds = features[per_class]
        model = HEADS[head](c)
        start = time.perf_counter()
        model.fit(train_features, train.labels)
        head_fit = time.perf_counter() - start
        predicted = model.predict(test_features)
        head_predict = time.perf_counter() - start - head_fit
        rows.append(
            (
                f"NCD features gzip + {head}, C={c:g}",
                f"{transformer.n_features_out_:,} ({per_class} per class)",
                accuracy(predicted, test.labels),
                seconds[0] + head_fit,
                seconds[1] + head_predict,
            )
        )
    tfidf = make_pipeline(TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True), LinearSVC())
    fit_seconds, predicted, predict_seconds = timed_fit_predict(tfidf, train, test.texts)
    rows.append(
        (
            "TF-IDF word 1-2-grams + LinearSVC, C=1",
            "-",
            accuracy(predicted, test.labels),
            fit_seconds,
            predict_seconds,
        )
    )

    print(f"## Test: fitted on {len(train):,} training texts, scored once on {len(test):,}\n")
    print("| method | references | test accuracy | fit (s) | predict (s) |")
    print("|---|---|---|---|---|")
    for name, references, score, fit_s, predict_s in rows:
        print(f"| {name} | {references} | {score:.4f} | {fit_s:.1f} | {predict_s:.1f} |")
    knn_accuracy = rows[0][2]
    for name, _, score, _, _ in rows[1:3]:
        print(f"\n{name}: {100 * (score - knn_accuracy):+.2f} points against NCD-kNN (test)")


def knn_fold(
    distances: np.ndarray,
    fit_texts: list[str],
    fit_labels: np.ndarray,
    held_texts: list[str],
    held_labels: np.ndarray,
    scores: dict[int, list[float]],
) -> None:
    """Score every k of ``scores`` on one fold from its held-out x training distances."""
    deepest = max(scores)
    clf = NCDClassifier("gzip", k=deepest).fit(fit_texts, fit_labels)
    neigh_ind = np.argsort(distances, axis=1, kind="stable")[:, :deepest]
    neigh_dist = np.take_along_axis(distances, neigh_ind, axis=1)
    check_dist, check_ind = clf.kneighbors(held_texts[:3])
    np.testing.assert_array_equal(check_ind, neigh_ind[:3])
    np.testing.assert_array_equal(check_dist, neigh_dist[:3])
    for k, fold_scores in scores.items():
        predicted = clf.predict_from_neighbors(neigh_dist[:, :k], neigh_ind[:, :k])
        fold_scores.append(accuracy(predicted, held_labels))


def timed_fit_predict(model: Any, train: Any, queries: list[str]) -> tuple[float, Any, float]:
    start = time.perf_counter()
    model.fit(train.texts, train.labels)
    fitted = time.perf_counter()
    predicted = model.predict(queries)
    return fitted - start, predicted, time.perf_counter() - fitted


def timed_features(
    per_class: int, train: Any, queries: list[str], args: argparse.Namespace
) -> tuple[NCDTransformer, np.ndarray, np.ndarray, tuple[float, float]]:
    """The transformer fitted on the training split, both feature matrices and their times."""
    transformer = NCDTransformer(
        n_references=per_class, random_state=args.seed, n_jobs=args.n_jobs
    )
    start = time.perf_counter()
    train_features = transformer.fit_transform(train.texts, train.labels)
    fitted = time.perf_counter()
    test_features = transformer.transform(queries)
    seconds = (fitted - start, time.perf_counter() - fitted)
    return transformer, train_features, test_features, seconds


def accuracy(predicted: Any, expected: Any) -> float:
    return float(np.mean(np.asarray(predicted) == np.asarray(expected)))


def mean_sd(scores: list[float]) -> str:
    return f"{np.mean(scores):.4f} +- {np.std(scores):.4f}"


if __name__ == "__main__":
    main()
