"""Seconds the first use of each compiled engine takes in a fresh install, and a later use.

Usage::

    python benchmarks/first_use.py

numba compiles the library's loops at their first use and keeps the result
on disk. For each use (gzip NCD-kNN, whose DEFLATE sizer first checks
itself against zlib on both of its paths; class-conditional PPM and CM,
fitted on 4 short texts and predicting them; PPM and CM compressing a text
and decompressing it, as ``npc-classify compress`` and ``decompress`` do), a
fresh Python process with an empty numba cache (a temporary
``NUMBA_CACHE_DIR``) does the work once: the first use, compilation
included. A second fresh process does the same with that cache filled: a
later use. A process that only imports ``npc_classify`` is the baseline of
both. Each use has a cache of its own, so none profits from another's. No
data is read.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile

WORK = {
    "gzip NCD-kNN": 'NCDClassifier("gzip", k=1).fit(texts, labels).predict(texts)',
    "class-conditional PPM": 'CompressionClassifier("ppm").fit(texts, labels).predict(texts)',
    "class-conditional CM": 'CompressionClassifier("cm").fit(texts, labels).predict(texts)',
    "PPM compress, decompress": 'ppm = get_compressor("ppm"); ppm.decompress(ppm.compress(text))',
    "CM compress, decompress": 'cm = get_compressor("cm"); cm.decompress(cm.compress(text))',
}
PROGRAM = """
import time
start = time.perf_counter()
from npc_classify import CompressionClassifier, NCDClassifier
from npc_classify.compressors import get_compressor
texts = ["alpha beta gamma delta " * 5, "one two three four " * 5,
         "alpha gamma beta " * 5, "two four one " * 5]
labels, text = [0, 1, 0, 1], " ".join(texts).encode()
{work}
print(time.perf_counter() - start)
"""


def seconds(work: str, cache: str) -> float:
    """Wall time, import included, of the statement ``work`` in a fresh process."""
    environment = {**os.environ, "NUMBA_CACHE_DIR": cache}
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
            imports.append(seconds("pass", cache))
        for name, work in WORK.items():
            with tempfile.TemporaryDirectory() as cache:
                rows[name].append((seconds(work, cache), seconds(work, cache)))
    baseline = statistics.median(imports)
    print(f"\nimport npc_classify alone: {baseline:.2f} s (median of {args.repeats})\n")
    print("| use | first use (s) | later use (s) | first use less the import (s) |")
    print("|---|---|---|---|")
    for name, times in rows.items():
        first = statistics.median(t for t, _ in times)
        later = statistics.median(t for _, t in times)
        print(f"| {name} | {first:.1f} | {later:.1f} | {first - baseline:.1f} |")


if __name__ == "__main__":
    main()
