"""Changes around class-conditional CM's model, in cross-validation of a training split.

Usage::

    python benchmarks/cm_variants.py --data-dir ../shared/data/ag_news

Stratified 3-fold cross-validation of AG News's training split (shuffled,
seed 0); the test split is not read. Each change is scored beside the
unchanged model on the same folds:

- ``text``: the texts prepared before they are coded: AG News's HTML
  entities (``#39;``, ``quot;``, ``&lt;`` ...) decoded and its tags dropped
  (``clean``), lowercased (``lower``), or both; for CM at its defaults and
  for CM with prior 11 against complement texts (``complement=8``);
- ``orders``: the mean bits of CM fitted on the training texts in 1 to 4
  orders (the unchanged order, then seeded shuffles), since an adaptive model
  leans towards the texts it read last;
- ``background``: each class's context tables (and, in a second variant, its
  mixer and maps too) started from a CM that read all of the fold's training
  texts, instead of from 1/2: smoothing towards a shared model;
- self-training: each fold's held-out texts cut into two pools, each pool
  labelled by CM fitted on the fold's training texts, and each quarter of a
  pool scored by CM fitted on the training texts plus the pool's other three
  quarters under their predicted labels (all of them, or the more confident
  half), so that no text is scored by a model that read it.
"""

from __future__ import annotations

import argparse
import html
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from joblib import Parallel, delayed
from sklearn.model_selection import KFold, StratifiedKFold

from npc_classify import CompressionClassifier
from npc_classify.coding.cm import ContextMixer
from npc_classify.compressors import CMCompressor
from npc_classify.datasets import load_ag_news


def clean(text: str) -> str:
    """AG News's escaped characters decoded (``#39;`` -> ``'``, ``quot;`` -> ``"``, ``\\$``
    -> ``$``), HTML tags dropped, runs of white space made one space."""
    text = text.replace("\\$", "$").replace("\\", " ")
    text = re.sub(r"(?<!&)#(\d+);", r"&#\1;", text)
    text = re.sub(r"(?<![&\w])(quot|amp|lt|gt);", r"&\1;", text)
    text = re.sub(r"<[^>]*>", " ", html.unescape(text))
    return re.sub(r"\s+", " ", text).strip()


PREPARATIONS: dict[str, Callable[[str], str]] = {
    "as read": lambda text: text,
    "clean": clean,
    "lower": str.lower,
    "clean + lower": lambda text: clean(text).lower(),
}
MODELS: dict[str, Callable[[], CompressionClassifier]] = {
    "CM": lambda: CompressionClassifier("cm"),
    "CM prior 11, complement 8": lambda: CompressionClassifier(
        CMCompressor(prior=11), complement=8
    ),
}
BACKGROUNDS = ("none", "tables", "tables, mixer and maps")
PSEUDO_LABELLED = {"none": 0.0, "all": 1.0, "the more confident half": 0.5}


def accuracy(bits: np.ndarray, classes: np.ndarray, truth: np.ndarray) -> float:
    return float(np.mean(classes[bits.argmin(axis=1)] == truth))


def prepared_text(
    model: str, preparation: str, texts: np.ndarray, labels: np.ndarray, fold: Any
) -> float:
    """Held-out accuracy of ``model`` on the fold's texts after ``preparation``."""
    train, held_out = fold
    prepared = np.asarray([PREPARATIONS[preparation](t) for t in texts], dtype=object)
    fitted = MODELS[model]().fit(list(prepared[train]), labels[train])
    return float(np.mean(fitted.predict(list(prepared[held_out])) == labels[held_out]))


def ordered_bits(texts: np.ndarray, labels: np.ndarray, fold: Any, seed: int) -> np.ndarray:
    """CM's class bits of the held-out texts, fitted on the training texts in the order of
    ``seed`` (0: as they are)."""
    train, held_out = fold
    order = train if seed == 0 else np.random.default_rng(seed).permutation(train)
    fitted = CompressionClassifier("cm").fit(list(texts[order]), labels[order])
    return fitted.class_bits(list(texts[held_out]))


def background_accuracy(texts: np.ndarray, labels: np.ndarray, fold: Any) -> list[float]:
    """Held-out accuracy of CM at its defaults with each of :data:`BACKGROUNDS`."""
    train, held_out = fold
    settings = CMCompressor()._settings()
    encoded = [t.encode() for t in texts]
    everything = b"".join(encoded[i] + b"\n" for i in train)
    size = len(everything)  # every model's tables sized alike, so that slots match
    shared = ContextMixer(*settings, size)
    shared.code(everything)
    classes = np.unique(labels[train])
    queries = [encoded[i] for i in held_out]
    columns: dict[str, list[np.ndarray]] = {b: [] for b in BACKGROUNDS}
    for label in classes:
        class_text = b"".join(encoded[i] + b"\n" for i in train if labels[i] == label)
        for background in BACKGROUNDS:
            model = ContextMixer(*settings, size)
            if background != "none":
                model.probs[:] = shared.probs
            if background == "tables, mixer and maps":
                model.weights[:], model.maps[:] = shared.weights, shared.maps
            model.code(class_text)
            columns[background].append(model.code_suffixes(queries))
    return [accuracy(np.column_stack(columns[b]), classes, labels[held_out]) for b in BACKGROUNDS]


def self_trained_accuracy(
    texts: np.ndarray, labels: np.ndarray, fold: Any, pool_seed: int, half: int
) -> list[float]:
    """Accuracy on one pool of the fold's held-out texts with each of :data:`PSEUDO_LABELLED`."""
    train, held_out = fold
    pool = np.array_split(np.random.default_rng(pool_seed).permutation(held_out), 2)[half]
    fitted = CompressionClassifier("cm").fit(list(texts[train]), labels[train])
    bits = fitted.class_bits(list(texts[pool]))
    predicted = fitted.classes_[bits.argmin(axis=1)]
    cheapest = np.sort(bits, axis=1)
    margin = cheapest[:, 1] - cheapest[:, 0]
    scores = []
    for share in PSEUDO_LABELLED.values():
        if share == 0:
            scores.append(float(np.mean(predicted == labels[pool])))
            continue
        self_trained = np.empty_like(predicted)
        for scored, others in KFold(4, shuffle=True, random_state=0).split(pool):
            added = others[margin[others] >= np.quantile(margin[others], 1 - share)]
            model = CompressionClassifier("cm").fit(
                list(texts[train]) + list(texts[pool[added]]),
                np.concatenate([labels[train], predicted[added]]),
            )
            self_trained[scored] = model.predict(list(texts[pool[scored]]))
        scores.append(float(np.mean(self_trained == labels[pool])))
    return scores


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", type=Path, required=True, help="the local AG News CSVs")
    parser.add_argument("--n-jobs", type=int, default=2, help="cells scored at once")
    parser.add_argument("--orders", type=int, default=4, help="the most orders averaged")
    args = parser.parse_args()

    train = load_ag_news("train", args.data_dir)
    texts, labels = np.asarray(train.texts, dtype=object), np.asarray(train.labels)
    folds = list(StratifiedKFold(3, shuffle=True, random_state=0).split(texts, labels))
    parallel = Parallel(n_jobs=args.n_jobs)

    def mean(scores: list[float]) -> str:
        return f"{np.mean(scores):.4f} ({', '.join(f'{s:.4f}' for s in scores)})"

    started = time.perf_counter()
    print("### Text preparation: mean accuracy of 3 folds (each fold)\n")
    print("| model | " + " | ".join(PREPARATIONS) + " |")
    print("|---" * (len(PREPARATIONS) + 1) + "|")
    for model in MODELS:
        cells = [(p, f) for p in PREPARATIONS for f in folds]
        scores = parallel(delayed(prepared_text)(model, p, texts, labels, f) for p, f in cells)
        by = [scores[i : i + len(folds)] for i in range(0, len(scores), len(folds))]
        print(f"| {model} | " + " | ".join(mean(s) for s in by) + " |", flush=True)

    print("\n### Mean bits of CM fitted on the training texts in several orders\n")
    print("| orders | accuracy |\n|---|---|")
    cells_o = [(f, seed) for f in range(len(folds)) for seed in range(args.orders)]
    bits = parallel(delayed(ordered_bits)(texts, labels, folds[f], s) for f, s in cells_o)
    classes = np.unique(labels)
    for n in range(1, args.orders + 1):
        scores = [
            accuracy(
                sum(b for (f, s), b in zip(cells_o, bits, strict=True) if f == fold and s < n),
                classes,
                labels[folds[fold][1]],
            )
            for fold in range(len(folds))
        ]
        print(f"| {n} | {mean(scores)} |", flush=True)

    print("\n### CM's class models started from a model of all training texts\n")
    print("| started from | accuracy |\n|---|---|")
    per_fold = parallel(delayed(background_accuracy)(texts, labels, f) for f in folds)
    for b, background in enumerate(BACKGROUNDS):
        print(f"| {background} | {mean([scores[b] for scores in per_fold])} |")

    print("\n### CM trained on the held-out texts it labelled (2 pools per fold)\n")
    print("| pseudo-labelled texts added | accuracy (each pool) |\n|---|---|")
    cells_p = [(f, half) for f in range(len(folds)) for half in range(2)]
    per_pool = parallel(
        delayed(self_trained_accuracy)(texts, labels, folds[f], f, half) for f, half in cells_p
    )
    for p, added in enumerate(PSEUDO_LABELLED):
        print(f"| {added} | {mean([scores[p] for scores in per_pool])} |")
    print(f"\n{time.perf_counter() - started:.0f} s in all")


if __name__ == "__main__":
    main()
