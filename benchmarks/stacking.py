"""CM, PPM and PPM-NCD features on AG News, stacked under one logistic regression.

Usage::

    python benchmarks/stacking.py --data-dir ../shared/data/ag_news

The members are class-conditional CM (order 4, prior 0.5, 2 dictionaries per
class: the best of orders 4 and 6 with 1, 2 or 4 dictionaries at prior 0.5 by
training-split CV), class-conditional CM at
its defaults scored against complement texts of 8 times each class's length
(the ``complement`` ``complement.py`` chose by training-split CV),
class-conditional PPM of orders 2, 3 and 5, and a ridge on standardised PPM-3
NCD features to every training text (``NCDTransformer``). A logistic regression on their
standardised decision scores makes the prediction: scikit-learn's
``StackingClassifier(members, final_estimator, cv=folds,
stack_method="decision_function")``, computed here without recomputing the
NCD matrix per fold.

Only the training split is looked at to choose anything. The members' scores
of each training text come from 3-fold cross-validation (stratified, shuffled,
seed 0): each class-conditional member is fitted on two folds and scores the
third; the NCD of every ordered pair of training texts is computed once
(``NCDTransformer(...).fit(X).transform(X)``), and each fold's ridge reads the
rows of its training texts and the columns of its training texts from that
matrix, its held-out texts' rows with the same columns, which is what a
transformer fitted on the fold computes. The ridge's alpha is the one with the
best cross-validated accuracy; the logistic regression's C is chosen by a
second 3-fold cross-validation (seed 1) over those held-out scores. Then every
member is refitted on the whole training split, the logistic regression on all
the held-out scores, and the test split is scored once.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

import numpy as np
from sklearn.linear_model import LogisticRegression, RidgeClassifier
from sklearn.model_selection import StratifiedKFold, cross_val_score
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler

from npc_classify import CompressionClassifier, NCDTransformer
from npc_classify.compressors import get_compressor
from npc_classify.datasets import load_ag_news


def class_conditional(
    name: str, n_dictionaries: int = 1, complement: float | None = None, **setting: float
) -> Callable[[], CompressionClassifier]:
    """A builder of the unfitted ``CompressionClassifier`` of a registered compressor."""
    return lambda: CompressionClassifier(
        get_compressor(name, **setting), n_dictionaries=n_dictionaries, complement=complement
    )


#: The class-conditional members: name and a builder of the unfitted classifier.
MEMBERS = {
    "CM order 4, 2 dictionaries": class_conditional("cm", n_dictionaries=2, order=4, prior=0.5),
    "CM, complement 8": class_conditional("cm", complement=8.0),
    **{f"PPM order {o}": class_conditional("ppm", order=o) for o in (2, 3, 5)},
}
NCD_ORDER = 3
ALPHAS = (10.0, 100.0, 1000.0)
META_C = (0.01, 0.1, 1.0, 10.0)


def say(*parts: object) -> None:
    print(*parts, flush=True)


def ridge(alpha: float) -> Pipeline:
    return make_pipeline(StandardScaler(), RidgeClassifier(alpha=alpha))


def stacker(c: float) -> Pipeline:
    return make_pipeline(StandardScaler(), LogisticRegression(C=c, max_iter=3000))


def accuracy(scores: np.ndarray, labels: np.ndarray, classes: np.ndarray) -> float:
    return float(np.mean(classes[scores.argmax(axis=1)] == labels))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", help="AG News's CSVs (default: the Hugging Face Hub)")
    parser.add_argument("--n-jobs", type=int, default=-1)
    args = parser.parse_args()
    train, test = load_ag_news("train", args.data_dir), load_ag_news("test", args.data_dir)
    texts, labels = list(train.texts), np.asarray(train.labels)
    test_texts, test_labels = list(test.texts), np.asarray(test.labels)
    classes = np.unique(labels)
    folds = list(StratifiedKFold(3, shuffle=True, random_state=0).split(texts, labels))
    held_out: dict[str, np.ndarray] = {}
    test_scores: dict[str, np.ndarray] = {}
    rows = []

    for name, build in MEMBERS.items():
        start = time.perf_counter()
        scores = np.zeros((len(texts), len(classes)))
        for fit_rows, score_rows in folds:
            member = build().fit([texts[i] for i in fit_rows], labels[fit_rows])
            scores[score_rows] = member.decision_function([texts[i] for i in score_rows])
        cv_seconds = time.perf_counter() - start
        held_out[name] = scores
        member = build().fit(texts, labels)
        start = time.perf_counter()
        test_scores[name] = member.decision_function(test_texts)
        rows.append((name, "", cv_seconds, time.perf_counter() - start))
        say(f"{name}: CV {accuracy(scores, labels, classes):.4f}")

    name = f"PPM-{NCD_ORDER} NCD features + ridge"
    transformer = NCDTransformer(get_compressor("ppm", order=NCD_ORDER), n_jobs=args.n_jobs)
    start = time.perf_counter()
    features = transformer.fit(texts).transform(texts)
    feature_seconds = time.perf_counter() - start
    say(
        f"{name}: NCD of the {len(texts):,} x {len(texts):,} training pairs "
        f"in {feature_seconds:.0f} s"
    )
    by_alpha = {}
    for alpha in ALPHAS:
        scores = np.zeros((len(texts), len(classes)))
        for fit_rows, score_rows in folds:
            model = ridge(alpha).fit(features[np.ix_(fit_rows, fit_rows)], labels[fit_rows])
            scores[score_rows] = model.decision_function(features[np.ix_(score_rows, fit_rows)])
        by_alpha[alpha] = scores
        say(f"{name}, alpha {alpha:g}: CV {accuracy(scores, labels, classes):.4f}")
    alpha = max(ALPHAS, key=lambda a: accuracy(by_alpha[a], labels, classes))  # ties: first
    held_out[name] = by_alpha[alpha]
    model = ridge(alpha).fit(features, labels)
    start = time.perf_counter()
    test_scores[name] = model.decision_function(transformer.transform(test_texts))
    rows.append((name, f"alpha={alpha:g}", feature_seconds, time.perf_counter() - start))

    stacked = np.hstack(list(held_out.values()))
    meta_cv = StratifiedKFold(3, shuffle=True, random_state=1)
    meta_scores = {
        c: cross_val_score(stacker(c), stacked, labels, cv=meta_cv).mean() for c in META_C
    }
    meta_c = max(META_C, key=lambda c: meta_scores[c])  # ties: the first C
    meta = stacker(meta_c).fit(stacked, labels)
    predicted = meta.predict(np.hstack([test_scores[n] for n in held_out]))

    say(f"\n### Cross-validation on the {len(texts):,} training texts\n")
    say("| model | setting | CV accuracy |\n|---|---|---|")
    for name, setting, _, _ in rows:
        say(f"| {name} | {setting or '-'} | {accuracy(held_out[name], labels, classes):.4f} |")
    for c, score in meta_scores.items():
        say(f"| stack: logistic regression on the scores | C={c:g} | {score:.4f} |")

    say(
        f"\n### Test: fitted on the {len(texts):,} training texts, "
        f"scored once on {len(test_texts):,}\n"
    )
    say("| model | test accuracy | CV (s) | predict (ms per document) |\n|---|---|---|---|")
    for name, _, cv_seconds, predict_seconds in rows:
        test_accuracy = accuracy(test_scores[name], test_labels, classes)
        per_document = predict_seconds / len(test_texts) * 1e3
        say(f"| {name} | {test_accuracy:.4f} | {cv_seconds:.1f} | {per_document:.3f} |")
    total = sum(row[3] for row in rows) / len(test_texts) * 1e3
    stack_accuracy = np.mean(predicted == test_labels)
    say(f"| stack, C={meta_c:g} | **{stack_accuracy:.4f}** | | {total:.3f} |")


if __name__ == "__main__":
    main()
