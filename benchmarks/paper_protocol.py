"""The paper's protocol on AG News, as Markdown tables for the README.

Runs ``npc-classify evaluate`` (every k from one neighbour search, fair and
paper-top-k scores side by side) for each compressor, then ``npc-classify
few-shot``, and prints the tables. Usage::

    python benchmarks/paper_protocol.py --data-dir ../shared/data/ag_news

With no ``--data-dir`` the Hugging Face dataset is used. ``--n-test`` and
``--n-train-per-class`` shrink the run for a quick look.
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

from npc_classify.cli import main as cli
from npc_classify.evaluation import PAPER_TOP_K

KS = ["1", "2", "3", "5", "7", "11", "21"]


def run(command: list[str], output: Path) -> dict:
    status = cli([*command, "--output", str(output), "--no-progress"])
    if status != 0:
        raise SystemExit(f"npc-classify {' '.join(command)} failed with status {status}")
    return json.loads(output.read_text())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir")
    parser.add_argument("--compressors", nargs="+", default=["gzip", "zstd"])
    parser.add_argument("--n-test")
    parser.add_argument("--n-train-per-class")
    parser.add_argument("--shots", nargs="+", default=["5", "10", "50", "100"])
    parser.add_argument("--seeds", nargs="+", default=["0", "1", "2", "3", "4"])
    args = parser.parse_args()
    data = ["--data-dir", args.data_dir] if args.data_dir else []
    sample = (["--n-test", args.n_test] if args.n_test else []) + (
        ["--n-train-per-class", args.n_train_per_class] if args.n_train_per_class else []
    )
    with tempfile.TemporaryDirectory() as scratch:
        full = {
            name: run(
                [
                    "evaluate",
                    *data,
                    *sample,
                    "--compressor",
                    name,
                    "--k",
                    *KS,
                    "--tie",
                    PAPER_TOP_K,
                ],
                Path(scratch) / f"{name}.json",
            )
            for name in args.compressors
        }
        few = {
            name: run(
                [
                    "few-shot",
                    *data,
                    "--compressor",
                    name,
                    "--shots",
                    *args.shots,
                    "--seeds",
                    *args.seeds,
                    "--k",
                    "2",
                    "--tie",
                    PAPER_TOP_K,
                ],
                Path(scratch) / f"{name}-few.json",
            )
            for name in args.compressors
        }

    first = next(iter(full.values()))
    print(f"\n### k sweep: {first['n_test']} test x {first['n_train']} training texts\n")
    header = "".join(f" {name} fair | {name} paper-top-k |" for name in full)
    print(f"| k |{header}")
    print("|---|" + "---|---|" * len(full))
    for index, k in enumerate(KS):
        cells = "".join(
            f" {run_['results'][index]['nearest']['accuracy']:.4f} |"
            f" {run_['results'][index][PAPER_TOP_K]['accuracy']:.4f} |"
            for run_ in full.values()
        )
        print(f"| {k} |{cells}")
    print("\n| compressor | pairs | wall time (s) | pairs/s |")
    print("|---|---|---|---|")
    for name, run_ in full.items():
        seconds, rate = run_["wall_time_s"], run_["pairs_per_second"]
        print(f"| {name} | {run_['pairs']:,} | {seconds:.1f} | {rate:,.0f} |")

    print(f"\n### few-shot, k=2, {len(args.seeds)} seeds, mean [95% CI]\n")
    print("| shots per class |" + "".join(f" {n} fair | {n} paper-top-k |" for n in few))
    print("|---|" + "---|---|" * len(few))
    for index, shots in enumerate(args.shots):
        cells = ""
        for run_ in few.values():
            for rule in ("nearest", PAPER_TOP_K):
                row = run_["rows"][index][rule]
                cells += f" {row['mean']:.3f} [{row['ci95'][0]:.3f}, {row['ci95'][1]:.3f}] |"
        print(f"| {shots} |{cells}")


if __name__ == "__main__":
    main()
