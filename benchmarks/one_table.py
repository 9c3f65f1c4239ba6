r"""Accuracy and milliseconds per test document of every method on AG News and TREC, one run.

Usage::

    python benchmarks/one_table.py --ag-news ../shared/data/ag_news \
        --trec ../shared/data/trec

Three corpora: AG News (4 classes), TREC coarse (6 classes) and TREC fine (50
classes, the whole ``COARSE:fine`` label) of the same questions. The methods:
TF-IDF word 1-2-grams (``sublinear_tf``) + LinearSVC; NCD-kNN with gzip and
with zstd-prefix (its default level); class-conditional zstd-19 with
``n_dictionaries="auto"``; class-conditional PPM; and class-conditional ``cm``,
alone and against complement texts with class offsets, when that compressor is
registered (a note is printed when it is not). Adding a method is one entry of
``METHODS``.

Every setting is chosen by cross-validation on the training split only, and
the test split is scored once, by the model refitted on the whole training
split with the chosen setting. LinearSVC's C, PPM's order, and cm's order and
number of dictionaries per class (the grid ``CM_GRID``), and the complement
CM's prior (``CM_COMPLEMENT_GRID``) are chosen by
stratified 3-fold CV of the whole training split (``cross_val_score``).
NCD-kNN's k is chosen by stratified 3-fold CV of a stratified subsample of at most
``--cv-max-train`` training texts: each fold's neighbours are searched once, at
the largest k, and every k is scored from their first columns
(``NCDClassifier.predict_from_neighbors``). zstd-19 chooses its number of
dictionaries by its own 3-fold CV inside ``fit`` (``cv_accuracy_``), so its fit
time includes that CV. Ties go to the first setting of a grid. TREC fine has
classes with fewer training questions than folds: scikit-learn's warning about
them is silenced, those classes are simply missing from some folds.

The time per test document is the wall time of one ``predict`` of the whole
test split divided by its length (NCD-kNN runs on every core, ``n_jobs=-1``;
the other methods in one process). The fit time, given apart in seconds, is
that of ``fit`` on the whole training split and of a ``predict`` of 4 training
texts after it: the work done once per model (the workers started, PPM's
class texts counted, which it does lazily at its first predict). The machine
is noisy, so each time is also given as a ratio to one bare
``zlib.compress(q + b" " + t, 9)`` of AG News pairs, timed at the start of the
same run after ``--warm-up`` seconds of the same loop: compare ratios within a
run. ``--max-train`` and ``--max-test`` take seeded stratified subsamples, for
smoke runs; by default every text is used.
"""

from __future__ import annotations

import argparse
import os
import platform
import time
import warnings
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import sklearn
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.model_selection import ParameterGrid, StratifiedKFold, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.svm import LinearSVC

from npc_classify import CompressionClassifier, NCDClassifier
from npc_classify.compressors import available_compressors, get_compressor
from npc_classify.datasets import load_ag_news, load_splits

FOLDS = 3
N_JOBS = -1
#: The grid of the class-conditional ``cm`` compressor, used when "cm" is registered:
#: its order and prior (5 the default), and the
#: classifier's number of dictionaries (models) per class.
CM_GRID: dict[str, list[Any]] = {"order": [4, 6], "prior": [0.5, 5, 11], "n_dictionaries": [1, 2]}
#: CM against complement texts up to 8 times each class's length, less class offsets
#: fitted on held-out training texts (the most accurate CM in the docs' own CV): its prior.
CM_COMPLEMENT_GRID: dict[str, list[Any]] = {
    "prior": [5, 11],
    "complement": [8],
    "class_offsets": ["auto"],
}
#: The settings of a grid that are the classifier's; the others are the compressor's.
CLASSIFIER_SETTINGS = ("n_dictionaries", "complement", "class_offsets")


@dataclass(frozen=True)
class Method:
    """How one method is built and how its setting is chosen.

    ``search`` is ``"grid"`` (``cross_val_score`` of every setting of ``grid`` on
    the training split), ``"neighbours"`` (one neighbour search per fold of a
    subsample, every ``k`` of ``grid`` scored from it) or ``"inside"`` (the
    estimator cross-validates in ``fit``). ``build(**setting)`` returns an
    unfitted estimator. ``needs`` names a compressor that must be registered.
    """

    label: str
    search: str
    build: Callable[..., Any]
    grid: dict[str, list[Any]] = field(default_factory=dict)
    needs: str | None = None


def class_conditional(label: str, name: str, grid: dict[str, list[Any]]) -> Method:
    """``CompressionClassifier(get_compressor(name, **setting))``, the setting chosen by CV
    (those of ``CLASSIFIER_SETTINGS`` that the grid has are the classifier's)."""

    def build(**setting: Any) -> CompressionClassifier:
        own = {key: setting.pop(key) for key in CLASSIFIER_SETTINGS if key in setting}
        return CompressionClassifier(get_compressor(name, **setting), **own)

    return Method(label, "grid", build, grid, needs=name)


METHODS: dict[str, Method] = {
    "tfidf-svc": Method(
        "TF-IDF + LinearSVC",
        "grid",
        lambda C: make_pipeline(
            TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True), LinearSVC(C=C)
        ),
        {"C": [0.1, 0.3, 1, 3]},
    ),
    "ncd-gzip": Method(
        "NCD-kNN gzip",
        "neighbours",
        lambda k: NCDClassifier("gzip", k=k, n_jobs=N_JOBS),
        {"k": [1, 3, 5, 7, 11]},
    ),
    "ncd-zstd-prefix": Method(
        "NCD-kNN zstd-prefix",
        "neighbours",
        lambda k: NCDClassifier("zstd-prefix", k=k, n_jobs=N_JOBS),
        {"k": [1, 3, 5, 7, 11]},
    ),
    "zstd-19-auto": Method(
        "zstd-19, auto dictionaries",
        "inside",
        lambda: CompressionClassifier(get_compressor("zstd", level=19), n_dictionaries="auto"),
    ),
    "ppm": class_conditional("PPM", "ppm", {"order": [2, 3, 4, 5]}),
    "cm": class_conditional("CM", "cm", CM_GRID),
    "cm-complement": class_conditional(
        "CM, complement 8, class offsets", "cm", CM_COMPLEMENT_GRID
    ),
}


class Corpus(NamedTuple):
    x_train: list[str]
    y_train: np.ndarray
    x_test: list[str]
    y_test: np.ndarray


class Cell(NamedTuple):
    setting: str
    cv_accuracy: float
    cv_seconds: float
    accuracy: float
    fit_seconds: float
    predict_seconds: float  # per test document


CORPORA = {"ag-news": "AG News", "trec-coarse": "TREC coarse", "trec-fine": "TREC fine"}


def say(*parts: Any) -> None:
    print(*parts, flush=True)


def stratified_subset(labels: np.ndarray, n: int | None, seed: int) -> np.ndarray:
    """Sorted indices of ``n`` items in about the classes' proportions (all if ``n`` is None).

    The members of each class are shuffled and the i-th of m gets the key
    ``(i + 0.5) / m``; the ``n`` smallest keys are taken (ties in random order).
    """
    if n is None or n >= len(labels):
        return np.arange(len(labels))
    rng = np.random.RandomState(seed)
    key = np.empty(len(labels))
    for label in np.unique(labels):
        members = rng.permutation(np.flatnonzero(labels == label))
        key[members] = (np.arange(len(members)) + 0.5) / len(members)
    return np.sort(np.lexsort((rng.random_sample(len(labels)), key))[:n])


def subset(
    texts: list[str], labels: np.ndarray, n: int | None, seed: int
) -> tuple[list[str], np.ndarray]:
    """The texts and labels of :func:`stratified_subset`."""
    chosen = stratified_subset(labels, n, seed)
    return [texts[i] for i in chosen], labels[chosen]


def load_corpora(args: argparse.Namespace) -> dict[str, Corpus]:
    corpora = {}
    for key in args.corpora:
        if key == "ag-news":
            train, test = load_ag_news("train", args.ag_news), load_ag_news("test", args.ag_news)
            full = (train.texts, np.asarray(train.labels), test.texts, np.asarray(test.labels))
        else:
            train, test = load_splits("trec" if key == "trec-coarse" else key, data_dir=args.trec)
            full = (train.texts, train.labels, test.texts, test.labels)
        x_train, y_train = subset(full[0], full[1], args.max_train, args.seed)
        x_test, y_test = subset(full[2], full[3], args.max_test, args.seed)
        corpora[key] = Corpus(x_train, y_train, x_test, y_test)
    return corpora


def zlib_pair_seconds(queries: list[str], texts: list[str], warm_up: float) -> float:
    """Seconds per bare ``zlib.compress(q + b" " + t, 9)``: ``warm_up`` s, then ~2 s timed."""
    pairs = [(q.encode(), t.encode()) for q in queries for t in texts]

    def loop(seconds: float) -> float:
        done, start = 0, time.perf_counter()
        while True:
            for q, t in pairs:
                zlib.compress(q + b" " + t, 9)
            done += len(pairs)
            elapsed = time.perf_counter() - start
            if elapsed >= seconds:
                return elapsed / done

    loop(warm_up)
    return loop(2.0)


def describe(setting: dict[str, Any]) -> str:
    shown = (f"{v:g}" if isinstance(v, float) else str(v) for v in setting.values())
    return ", ".join(f"{name}={v}" for name, v in zip(setting, shown, strict=True)) or "-"


def accuracy(predicted: Any, expected: np.ndarray) -> float:
    return float(np.mean(np.asarray(predicted) == expected))


def choose(settings: list[dict[str, Any]], means: list[float]) -> int:
    """The best mean CV accuracy; ties go to the first setting."""
    return max(range(len(settings)), key=lambda i: (means[i], -i))


def grid_cv(method: Method, corpus: Corpus, seed: int) -> tuple[dict[str, Any], float, str]:
    """``cross_val_score`` of every setting on the whole training split."""
    folds = StratifiedKFold(FOLDS, shuffle=True, random_state=seed)
    settings = list(ParameterGrid(method.grid))
    means = [
        float(
            np.mean(
                cross_val_score(
                    method.build(**setting),
                    corpus.x_train,
                    corpus.y_train,
                    cv=folds,
                    n_jobs=N_JOBS,
                )
            )
        )
        for setting in settings
    ]
    best = choose(settings, means)
    scores = "; ".join(f"{describe(s)} {m:.4f}" for s, m in zip(settings, means, strict=True))
    detail = f"{FOLDS} folds of {len(corpus.x_train):,}: {scores}"
    return settings[best], means[best], detail


def neighbour_cv(
    method: Method, corpus: Corpus, cv_max_train: int, seed: int
) -> tuple[dict[str, Any], float, str]:
    """Every k from one neighbour search per fold, on a subsample of the training split."""
    texts, labels = subset(corpus.x_train, corpus.y_train, cv_max_train, seed)
    ks = sorted(method.grid["k"])
    scores: dict[int, list[float]] = {k: [] for k in ks}
    folds = StratifiedKFold(FOLDS, shuffle=True, random_state=seed)
    for fit, held in folds.split(texts, labels):
        deepest = min(ks[-1], len(fit))
        clf = method.build(k=deepest).fit([texts[i] for i in fit], labels[fit])
        dist, ind = clf.kneighbors([texts[i] for i in held], n_neighbors=deepest)
        for k in ks:
            if k <= deepest:
                predicted = clf.predict_from_neighbors(dist[:, :k], ind[:, :k])
                scores[k].append(accuracy(predicted, labels[held]))
    settings = [{"k": k} for k in ks if len(scores[k]) == FOLDS]
    means = [float(np.mean(scores[s["k"]])) for s in settings]
    best = choose(settings, means)
    listed = "; ".join(f"k={s['k']} {m:.4f}" for s, m in zip(settings, means, strict=True))
    detail = f"{FOLDS} folds of {len(texts):,}: {listed}"
    return settings[best], means[best], detail


def run_cell(method: Method, corpus: Corpus, args: argparse.Namespace, where: str) -> Cell:
    """Choose the setting on the training split, refit on all of it, score the test split."""
    started = time.perf_counter()
    if method.search == "grid":
        setting, cv_accuracy, detail = grid_cv(method, corpus, args.seed)
    elif method.search == "neighbours":
        setting, cv_accuracy, detail = neighbour_cv(method, corpus, args.cv_max_train, args.seed)
    else:
        setting, cv_accuracy, detail = {}, float("nan"), ""
    cv_seconds = time.perf_counter() - started if method.search != "inside" else float("nan")
    if method.search != "inside":
        say(f"  {where}: CV {detail}; chosen {describe(setting)} ({cv_seconds:.1f} s)")

    model = method.build(**setting)
    started = time.perf_counter()
    model.fit(corpus.x_train, corpus.y_train)
    # Work done once per fitted model, counted in the fit: the workers started (NCD-kNN), the
    # class texts counted (PPM counts them lazily, at its first predict), compiled code loaded.
    model.predict(corpus.x_train[:4])
    fit_seconds = time.perf_counter() - started
    if method.search == "inside":
        setting = {"n_dictionaries": model.n_dictionaries_}
        cv_accuracy = model.cv_accuracy_[model.n_dictionaries_]
        scores = "; ".join(f"{n} {a:.4f}" for n, a in model.cv_accuracy_.items())
        say(f"  {where}: CV in fit, n_dictionaries {scores}; chosen {describe(setting)}")
    started = time.perf_counter()
    predicted = model.predict(corpus.x_test)
    predict_seconds = (time.perf_counter() - started) / len(corpus.x_test)
    cell = Cell(
        describe(setting),
        cv_accuracy,
        cv_seconds,
        accuracy(predicted, corpus.y_test),
        fit_seconds,
        predict_seconds,
    )
    say(
        f"  {where}: test accuracy {cell.accuracy:.4f}, fit {fit_seconds:.1f} s, "
        f"{predict_seconds * 1e3:.3f} ms per test document"
    )
    return cell


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ag-news", type=Path, required=True, help="the local AG News CSVs")
    text = "the TREC .label files (needed for the TREC corpora, in --corpora by default)"
    parser.add_argument("--trec", type=Path, help=text)
    parser.add_argument("--max-train", type=int, help="training texts per corpus (default: all)")
    parser.add_argument("--max-test", type=int, help="test texts per corpus (default: all)")
    parser.add_argument("--cv-max-train", type=int, default=3000, help="NCD-kNN's CV subsample")
    parser.add_argument("--methods", nargs="+", choices=list(METHODS), default=list(METHODS))
    parser.add_argument("--corpora", nargs="+", choices=list(CORPORA), default=list(CORPORA))
    parser.add_argument("--warm-up", type=float, default=10.0, help="seconds of zlib first")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    needing_trec = [CORPORA[key] for key in args.corpora if key != "ag-news"]
    if needing_trec and args.trec is None:
        parser.error(f"--trec is needed for {' and '.join(needing_trec)}")
    warnings.filterwarnings("ignore", message="The least populated class in y")
    run_started = time.perf_counter()

    say(
        f"machine: {os.cpu_count()} cores ({platform.machine()}), Python "
        f"{platform.python_version()}, numpy {np.__version__}, scikit-learn {sklearn.__version__}"
    )
    ag_train, ag_test = load_ag_news("train", args.ag_news), load_ag_news("test", args.ag_news)
    zlib_pair = zlib_pair_seconds(ag_test.texts[:20], ag_train.texts[:50], args.warm_up)
    say(
        f'one bare zlib.compress(q + b" " + t, 9) of an AG News pair: {zlib_pair * 1e6:.2f} us '
        f"(after {args.warm_up:g} s of warm-up)"
    )

    methods = {}
    for key in args.methods:
        method = METHODS[key]
        if method.needs is not None and method.needs not in available_compressors():
            say(f"note: {method.label} skipped: no compressor {method.needs!r} is registered")
            continue
        methods[key] = method
    corpora = load_corpora(args)
    cells: dict[tuple[str, str], Cell] = {}
    for corpus_key, corpus in corpora.items():
        say(
            f"{CORPORA[corpus_key]}: {len(corpus.x_train):,} training, "
            f"{len(corpus.x_test):,} test texts, {len(np.unique(corpus.y_train))} classes"
        )
        for key, method in methods.items():
            where = f"{CORPORA[corpus_key]} | {method.label}"
            cells[corpus_key, key] = run_cell(method, corpus, args, where)

    def ratio(cell: Cell) -> str:
        times = cell.predict_seconds / zlib_pair
        return f"{times:.2f}x" if times < 10 else f"{times:,.0f}x"

    say(
        f"\n## Test accuracy / ms per test document (x one zlib pair), "
        f"zlib pair {zlib_pair * 1e6:.2f} us\n"
    )
    say("| corpus | " + " | ".join(m.label for m in methods.values()) + " |")
    say("|---|" + "---|" * len(methods))
    for corpus_key in corpora:
        row = []
        for key in methods:
            cell = cells[corpus_key, key]
            row.append(f"{cell.accuracy:.4f} / {cell.predict_seconds * 1e3:.3f} ({ratio(cell)})")
        say(f"| {CORPORA[corpus_key]} | " + " | ".join(row) + " |")

    say("\n## Settings chosen by training-split CV, and their cost\n")
    say(
        "| corpus | method | chosen | CV accuracy | CV (s) | fit (s) | test accuracy "
        "| ms per doc | x zlib pair |"
    )
    say("|---|---|---|---|---|---|---|---|---|")
    for (corpus_key, key), cell in cells.items():
        cv_seconds = "in fit" if np.isnan(cell.cv_seconds) else f"{cell.cv_seconds:.1f}"
        say(
            f"| {CORPORA[corpus_key]} | {methods[key].label} | {cell.setting} "
            f"| {cell.cv_accuracy:.4f} | {cv_seconds} | {cell.fit_seconds:.1f} "
            f"| {cell.accuracy:.4f} | {cell.predict_seconds * 1e3:.3f} | {ratio(cell)} |"
        )
    say(f"\ntotal: {time.perf_counter() - run_started:.0f} s")


if __name__ == "__main__":
    main()
