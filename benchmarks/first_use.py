"""Seconds the first use of each compiled engine takes in a fresh install, and a later use.

Usage::

    python benchmarks/first_use.py

numba compiles the library's loops at their first use and keeps the result
on disk. For each engine (gzip NCD-kNN, whose DEFLATE sizer first checks
itself against zlib on both of its paths; class-conditional PPM;
class-conditional CM), a fresh Python process with an empty numba cache (a
temporary ``NUMBA_CACHE_DIR``) fits a classifier on 4 short texts and
predicts them: the first use, compilation included. A second fresh process
does the same with that cache filled: a later use. A process that only
imports ``npc_classify`` is the baseline of both. Each engine has a cache of
its own, so no engine's first use profits from another's. No data is read.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile

WORK = {
    "gzip NCD-kNN": 'NCDClassifier("gzip", k=1)',
    "class-conditional PPM": 'CompressionClassifier("ppm")',
    "class-conditional CM": 'CompressionClassifier("cm")',
}
PROGRAM = """
import time
start = time.perf_counter()
from npc_classify import CompressionClassifier, NCDClassifier
texts = ["alpha beta gamma delta " * 5, "one two three four " * 5,
         "alpha gamma beta " * 5, "two four one " * 5]
{work}
print(time.perf_counter() - start)
"""


def seconds(model: str | None, cache: str) -> float:
    """Wall time, import included, of fitting and predicting ``model`` (an expression) in a
    fresh process; of the import alone for None."""
    environment = {**os.environ, "NUMBA_CACHE_DIR": cache}
    work = "pass" if model is None else f"{model}.fit(texts, [0, 1, 0, 1]).predict(texts)"
    code = PROGRAM.format(work=work)
    run = subprocess.run([sys.executable, "-c", code], env=environment, capture_output=True)
    if run.returncode:
        raise RuntimeError(run.stderr.decode())
    return float(run.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=3, help="rounds; medians are shown")
    args = parser.parse_args()
    rows: dict[str, list[tuple[float, float]]] = {name: [] for name in WORK}
    imports = []
    for _ in range(args.repeats):
        with tempfile.TemporaryDirectory() as cache:
            imports.append(seconds(None, cache))
        for name, model in WORK.items():
            with tempfile.TemporaryDirectory() as cache:
                rows[name].append((seconds(model, cache), seconds(model, cache)))
    baseline = statistics.median(imports)
    print(f"\nimport npc_classify alone: {baseline:.2f} s (median of {args.repeats})\n")
    print("| engine | first use (s) | later use (s) | first use less the import (s) |")
    print("|---|---|---|---|")
    for name, times in rows.items():
        first = statistics.median(t for t, _ in times)
        later = statistics.median(t for _, t in times)
        print(f"| {name} | {first:.1f} | {later:.1f} | {first - baseline:.1f} |")


if __name__ == "__main__":
    main()
