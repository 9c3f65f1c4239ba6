r"""``n_dictionaries="auto"``: what training-split cross-validation picks, and its test score.

Usage::

    python benchmarks/dictionaries_auto.py --ag-news ../shared/data/ag_news \
        --trec ../shared/data/trec

For AG News (4 classes) and TREC (6 coarse and 50 fine classes, short
questions), ``CompressionClassifier(zstd level 19, n_dictionaries="auto")`` is
fitted on the training split: its ``cv_accuracy_`` (3 folds of the training
split only) and its choice are printed with the fit time, then the test split
is scored once. The fixed settings 1 and 8 are scored on test beside it, for
reference only: they choose nothing.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from npc_classify import CompressionClassifier
from npc_classify.compressors import get_compressor
from npc_classify.datasets import load_splits


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ag-news", type=Path, required=True, help="the local AG News CSVs")
    parser.add_argument("--trec", type=Path, required=True, help="the TREC .label files")
    args = parser.parse_args()

    corpora = {}
    for name, dataset, folder in (
        ("AG News", "ag_news", args.ag_news),
        ("TREC coarse", "trec", args.trec),
        ("TREC fine", "trec-fine", args.trec),
    ):
        train, test = load_splits(dataset, data_dir=folder)
        corpora[name] = (train.texts, train.labels, test.texts, test.labels)
    print(
        "| corpus | CV accuracy of 1 / 2 / 4 / 8 / 16 (training split) | chosen | fit (s) "
        "| test: auto | test: 1 | test: 8 |"
    )
    print("|---|---|---|---|---|---|---|")
    for name, (x_train, y_train, x_test, y_test) in corpora.items():
        started = time.perf_counter()
        auto = CompressionClassifier(get_compressor("zstd", level=19), n_dictionaries="auto")
        auto.fit(x_train, y_train)
        fit_seconds = time.perf_counter() - started
        scores: dict[str | int, float] = {"auto": auto.score(x_test, y_test)}
        for n in (1, 8):
            fixed = CompressionClassifier(get_compressor("zstd", level=19), n_dictionaries=n)
            scores[n] = fixed.fit(x_train, y_train).score(x_test, y_test)
        cv = " / ".join(f"{a:.3f}" for a in auto.cv_accuracy_.values())
        print(
            f"| {name} | {cv} | {auto.n_dictionaries_} | {fit_seconds:.1f} "
            f"| {scores['auto']:.3f} | {scores[1]:.3f} | {scores[8]:.3f} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
