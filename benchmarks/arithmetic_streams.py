"""Real arithmetic-coded PPM streams: compiled loop, coder stepped from Python, zlib; one run.

Usage::

    python benchmarks/arithmetic_streams.py --data-dir ../shared/data/ag_news

``PPMCompressor.compress`` and ``decompress`` code a whole stream in one
compiled loop (model, quantisation and coder together). The same coder can
also be stepped from Python through any ``SymbolModel``, as the language
models do; stepping it through ``PPMModel`` gives the identical stream and
shows what the single loop saves. The plain Python coder of
``tests/arithmetic_reference.py`` (numpy quantisation, a list of bits) through
the same model is the third row of PPM. ``zlib.compress(data, 9)`` and
``zlib.decompress`` of the same bytes, timed in the same run after a warm-up,
are the baselines. Everything runs on one core.
"""

from __future__ import annotations

import argparse
import sys
import time
import zlib
from pathlib import Path

from npc_classify.coding import arithmetic, ppm
from npc_classify.datasets import load_ag_news

sys.path.insert(0, str(Path(__file__).parent.parent / "tests"))
import arithmetic_reference


def best_of(repeats: int, run) -> float:
    """The fastest of ``repeats`` timings of ``run()``, in seconds."""
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", type=Path, help="the local AG News CSVs")
    parser.add_argument("--n-texts", type=int, default=1000, help="texts in the stream")
    parser.add_argument("--order", type=int, default=3, help="the PPM order (default: 3)")
    parser.add_argument("--warm-up", type=float, default=10.0, help="seconds of zlib first")
    args = parser.parse_args()

    texts = load_ag_news("train", args.data_dir).texts[: args.n_texts]
    data = "\n".join(texts).encode()
    sample = data[:20_000]
    print(f"{len(texts)} AG News training texts, {len(data):,} bytes; PPM order {args.order}")

    ppm.decode(ppm.encode(sample, args.order), args.order)  # compile before timing
    started = time.perf_counter()
    while time.perf_counter() - started < args.warm_up:
        zlib.compress(data, 9)

    deflated = zlib.compress(data, 9)
    code = ppm.encode(data, args.order)
    assert ppm.decode(code, args.order) == data
    stepped = arithmetic.encode(sample, ppm.PPMModel(args.order))
    assert stepped == ppm.encode(sample, args.order)

    per_byte = {
        "zlib.compress(data, 9)": best_of(5, lambda: zlib.compress(data, 9)) / len(data),
        "zlib.decompress": best_of(5, lambda: zlib.decompress(deflated)) / len(data),
        "PPM compress (one compiled loop)": best_of(3, lambda: ppm.encode(data, args.order))
        / len(data),
        "PPM decompress (one compiled loop)": best_of(3, lambda: ppm.decode(code, args.order))
        / len(data),
        "PPM compress, coder stepped from Python": best_of(
            1, lambda: arithmetic.encode(sample, ppm.PPMModel(args.order))
        )
        / len(sample),
        "PPM decompress, coder stepped from Python": best_of(
            1, lambda: arithmetic.decode(stepped, ppm.PPMModel(args.order))
        )
        / len(sample),
        "PPM compress, plain Python coder (the tests' oracle)": best_of(
            1,
            lambda: arithmetic_reference.encode(sample, ppm.PPMModel(args.order), 256, 16),
        )
        / len(sample),
    }
    baseline = per_byte["zlib.compress(data, 9)"]
    print(f"sizes: zlib-9 {len(deflated):,} bytes, PPM-{args.order} {len(code):,} bytes")
    print()
    print("| | us/byte | x `zlib.compress(data, 9)` |")
    print("|---|---|---|")
    for name, seconds in per_byte.items():
        print(f"| {name} | {seconds * 1e6:.3f} | {seconds / baseline:.1f} |")


if __name__ == "__main__":
    main()
