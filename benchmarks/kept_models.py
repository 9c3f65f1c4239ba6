"""How much a second ``predict`` saves by keeping the models of the class texts it read.

Usage::

    python benchmarks/kept_models.py --trec-dir ../shared/data/trec

Class-conditional CM against complement texts (``CMCompressor(prior=11)``,
``complement=8``: 2 models per class) on TREC's 50 fine classes: 100 models of
17 to 130 MB, 3.2 GB in all. For each budget of kept models per thread
(``--budgets``, GiB; 4 is the library's ``MAX_CONTEXT_STATE_BYTES``), a fresh
classifier is fitted on the 5,452 training questions and predicts the 500 test
questions ``--rounds`` times in one process: the first predict reads every
class text; a later one reads only those whose models were dropped. Reported
per round: ms per test question, as a multiple of one bare
``zlib.compress(q + b" " + t, 9)`` of TREC pairs timed in the same run after
``--warm-up`` seconds, and the process's peak resident memory so far. The
predictions of every round and budget are checked to be the same.
"""

from __future__ import annotations

import argparse
import resource
import time
from pathlib import Path

import numpy as np
from cm_settings import zlib_pair_seconds

from npc_classify import CompressionClassifier
from npc_classify.compressors import _arithmetic_coding, get_compressor
from npc_classify.datasets import load_splits


def peak_rss_gb() -> float:
    """Peak resident memory of this process so far (Linux reports kilobytes)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--trec-dir", type=Path, required=True, help="the TREC .label files")
    parser.add_argument("--budgets", type=float, nargs="+", default=[1.0, 4.0], metavar="GIB")
    parser.add_argument("--rounds", type=int, default=3, help="predicts of the test split")
    parser.add_argument("--warm-up", type=float, default=10.0, help="seconds of zlib first")
    args = parser.parse_args()

    train, test = load_splits("trec-fine", data_dir=args.trec_dir)
    zlib_pair = zlib_pair_seconds(test.texts + train.texts[:500], args.warm_up)
    print(f"one bare zlib pair of TREC questions: {zlib_pair * 1e6:.2f} us")
    print("| budget (GiB) | predict | ms per question | x zlib pair | peak memory (GB) |")
    print("|---|---|---|---|---|")
    expected = None
    for budget in args.budgets:
        _arithmetic_coding.MAX_CONTEXT_STATE_BYTES = int(budget * (1 << 30))
        clf = CompressionClassifier(get_compressor("cm", prior=11), complement=8)
        clf.fit(train.texts, train.labels)
        for round_ in range(1, args.rounds + 1):
            started = time.perf_counter()
            predicted = clf.predict(test.texts)
            seconds = (time.perf_counter() - started) / len(test.texts)
            if expected is None:
                expected = predicted
            assert np.array_equal(predicted, expected), "predictions changed"
            print(
                f"| {budget:g} | {round_} | {seconds * 1e3:.2f} | {seconds / zlib_pair:,.0f}x "
                f"| {peak_rss_gb():.2f} |",
                flush=True,
            )
        del clf


if __name__ == "__main__":
    main()
