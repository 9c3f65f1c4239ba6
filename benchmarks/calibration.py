"""How well class-conditional compression's probabilities are calibrated, and what
``temperature="auto"`` and scikit-learn's ``CalibratedClassifierCV`` make of them.

Usage::

    python benchmarks/calibration.py --data-dir ../shared/data/ag_news \\
        --trec-dir ../shared/data/trec

For each task (AG News, and with ``--trec-dir`` TREC's coarse and fine
classes) and each compressor (``--compressors``, CM and PPM-3 unless told),
four ways of getting probabilities are fitted on the whole training split and
scored once on the test split:

- ``temperature=1`` (the default): a softmax of ``-class_bits``;
- ``temperature="auto"``: the temperature of least log loss on the held-out
  bits of a 3-fold cross-validation of the training split, inside ``fit``;
- ``CalibratedClassifierCV(..., method="sigmoid" / "isotonic", cv=3,
  ensemble=False)``: scikit-learn's calibrators on the classifier's
  ``decision_function``, fitted on its held-out scores of all the training
  texts.

Each row gives the test split's log loss (nats), Brier score (the mean over
texts of the squared distance between the probabilities and the one-hot
truth, summed over classes), expected calibration error (top-label, 15 equal
bins), accuracy, and the seconds of ``fit`` and of ``predict_proba``. Nothing
is chosen from these numbers: every procedure uses the training split only.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any

import numpy as np
from cm_settings import load_tasks
from sklearn.calibration import CalibratedClassifierCV
from sklearn.metrics import log_loss

from npc_classify import CompressionClassifier
from npc_classify.compressors import compressor_from_settings

#: The compressors compared unless ``--compressors`` says otherwise: name and settings.
COMPRESSORS = {"CM": ("cm", []), "PPM order 3": ("ppm", ["order=3"])}


def expected_calibration_error(proba: np.ndarray, correct: np.ndarray, n_bins: int = 15) -> float:
    """Top-label ECE: over equal-width bins of the top probability, the mean gap between
    confidence and accuracy, each bin weighted by its share of the texts."""
    confidence = proba.max(axis=1)
    bins = np.minimum((confidence * n_bins).astype(int), n_bins - 1)
    error = 0.0
    for b in np.unique(bins):
        inside = bins == b
        error += inside.mean() * abs(confidence[inside].mean() - correct[inside].mean())
    return float(error)


def scores(model: Any, X: list[str], y: list[Any], X_test: list[str], y_test: list[Any]) -> str:
    """A table row's cells: the test split's metrics and the seconds of fit and predict_proba."""
    started = time.perf_counter()
    model.fit(X, y)
    fitted = time.perf_counter()
    proba = model.predict_proba(X_test)
    predicted = time.perf_counter()
    classes = model.classes_
    truth = np.asarray(y_test)
    one_hot = (truth[:, None] == classes[None, :]).astype(float)
    correct = classes[proba.argmax(axis=1)] == truth
    metrics = [
        log_loss(truth, proba, labels=classes),
        float(np.mean(np.sum((proba - one_hot) ** 2, axis=1))),
        expected_calibration_error(proba, correct),
        float(correct.mean()),
    ]
    times = [fitted - started, predicted - fitted]
    return " | ".join([*(f"{m:.4f}" for m in metrics), *(f"{t:.1f}" for t in times)])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", type=Path, help="the local AG News CSVs")
    parser.add_argument("--trec-dir", type=Path, help="the TREC .label files (optional)")
    parser.add_argument("--compressors", nargs="+", choices=COMPRESSORS, default=list(COMPRESSORS))
    args = parser.parse_args()

    tasks = load_tasks(args.data_dir, args.trec_dir)
    print(
        "| task | compressor | probabilities | temperature (bits) | log loss | Brier | ECE "
        "| accuracy | fit (s) | predict_proba (s) |"
    )
    print("|---" * 10 + "|")
    for task, (X, y, X_test, y_test) in tasks.items():
        unseen = set(y_test) - set(y)
        kept = [i for i, label in enumerate(y_test) if label not in unseen]
        X_test, y_test = [X_test[i] for i in kept], [y_test[i] for i in kept]
        for name in args.compressors:
            compressor = compressor_from_settings(*COMPRESSORS[name])
            for temperature in (1.0, "auto"):
                clf = CompressionClassifier(compressor, temperature=temperature)
                cells = scores(clf, X, y, X_test, y_test)
                chosen = f"{clf.temperature_:.2f}"
                print(f"| {task} | {name} | temperature={temperature!r} | {chosen} | {cells} |")
            for method in ("sigmoid", "isotonic"):
                calibrated = CalibratedClassifierCV(
                    CompressionClassifier(compressor), method=method, cv=3, ensemble=False
                )
                cells = scores(calibrated, X, y, X_test, y_test)
                print(f"| {task} | {name} | CalibratedClassifierCV {method} | | {cells} |")
        print(f"({task}: {len(X_test)} test texts scored", end="")
        print(f", {len(unseen)} test-only classes left out)" if unseen else ")", flush=True)


if __name__ == "__main__":
    main()
