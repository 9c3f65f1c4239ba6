"""Coverage-guided fuzzing (atheris, libFuzzer) of every decoder and both file readers.

Each input picks a target and feeds it the rest of the bytes: a compressor's
``decompress`` must return bytes or raise ``CorruptStreamError``; the
arithmetic decoder returns symbols or raises ``ValueError``; the CSV/TSV and
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

import atheris
import numpy as np

with atheris.instrument_imports(include=["npc_classify"]):
    from npc_classify import _arithmetic
    from npc_classify.compressors import (
        Bz2Compressor,
        CorruptStreamError,
        GzipCompressor,
        LzmaCompressor,
        ZstdCompressor,
        ZstdPrefixCompressor,
    )
    from npc_classify.datasets import read_ag_news_csv, read_labeled_file

DECODERS = [
    GzipCompressor(),
    GzipCompressor(header=False),
    ZstdCompressor(),
    ZstdPrefixCompressor(),
    Bz2Compressor(),
    LzmaCompressor(),
]
READERS = [
    lambda path: read_labeled_file(path),
    lambda path: read_labeled_file(path, delimiter="\t"),
    read_ag_news_csv,
]
SCRATCH = os.path.join(tempfile.mkdtemp(prefix="npc_fuzz_"), "input.csv")


class AdaptiveOrder0:
    """A next-byte model that learns byte counts as it goes, as an LM would adapt."""

    def reset(self) -> np.ndarray:
        self.counts = np.ones(256)
        return self.counts / self.counts.sum()

    def update(self, symbol: int) -> np.ndarray:
        self.counts[symbol] += 16
        return self.counts / self.counts.sum()


def test_one_input(data: bytes) -> None:
    provider = atheris.FuzzedDataProvider(data)
    target = provider.ConsumeIntInRange(0, len(DECODERS) + len(READERS))
    payload = provider.ConsumeBytes(provider.remaining_bytes())
    if target < len(DECODERS):
        try:
            assert isinstance(DECODERS[target].decompress(payload), bytes)
        except CorruptStreamError:
            pass
    elif target == len(DECODERS):
        try:
            _arithmetic.decode(payload, AdaptiveOrder0())
        except ValueError:
            pass
    else:
        with open(SCRATCH, "wb") as handle:
            handle.write(payload)
        try:
            READERS[target - len(DECODERS) - 1](SCRATCH)
        except ValueError:
            pass


if __name__ == "__main__":
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()
