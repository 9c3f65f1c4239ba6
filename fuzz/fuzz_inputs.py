"""Coverage-guided fuzzing (atheris, libFuzzer) of every decoder and both file readers.

Each input picks a target and feeds it the rest of the bytes: a compressor's
``decompress`` (PPM's and CM's through the arithmetic decoder) must return bytes or
raise ``CorruptStreamError``, or ``OutputLimitError`` for a stream that
announces or inflates past ``max_size``; the CSV/TSV and
AG News readers return rows or raise ``ValueError``. Anything else (another
exception, a hang, a crash) is a finding, and libFuzzer saves the input.

    pip install atheris
    python fuzz/fuzz_inputs.py -max_total_time=600      # a longer local run
    python fuzz/fuzz_inputs.py -runs=5000               # what tests/test_fuzz.py runs in CI
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import atheris

# The compiled loops (every ``*_kernels`` module) are numba's to compile: instrumented
# bytecode would not be.
CODING = Path(__file__).resolve().parent.parent / "npc_classify" / "coding"
KERNELS = [f"npc_classify.coding.{path.stem}" for path in CODING.glob("*_kernels.py")]
with atheris.instrument_imports(include=["npc_classify"], exclude=KERNELS):
    from npc_classify.compressors import (
        CorruptStreamError,
        GzipCompressor,
        OutputLimitError,
        available_compressors,
        get_compressor,
    )
    from npc_classify.datasets import read_ag_news_csv, read_labeled_file

#: Every registered compressor that needs no model file, and raw DEFLATE.
DECODERS = [
    compressor
    for compressor in map(get_compressor, available_compressors())
    if compressor.model_parameter is None
] + [GzipCompressor(header=False)]
READERS = [
    lambda path: read_labeled_file(path),
    lambda path: read_labeled_file(path, delimiter="\t"),
    read_ag_news_csv,
]
SCRATCH = os.path.join(tempfile.mkdtemp(prefix="npc_fuzz_"), "input.csv")


def test_one_input(data: bytes) -> None:
    provider = atheris.FuzzedDataProvider(data)
    target = provider.ConsumeIntInRange(0, len(DECODERS) + len(READERS) - 1)
    payload = provider.ConsumeBytes(provider.remaining_bytes())
    if target < len(DECODERS):
        try:
            assert isinstance(DECODERS[target].decompress(payload), bytes)
        except (CorruptStreamError, OutputLimitError):
            pass
    else:
        with open(SCRATCH, "wb") as handle:
            handle.write(payload)
        try:
            READERS[target - len(DECODERS)](SCRATCH)
        except ValueError:
            pass


if __name__ == "__main__":
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()
