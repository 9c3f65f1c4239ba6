"""The atheris harness (fuzz/fuzz_inputs.py) runs clean for a bounded number of inputs."""

from __future__ import annotations

import resource
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("atheris")

HARNESS = Path(__file__).parent.parent / "fuzz" / "fuzz_inputs.py"


def memory_limit_mb() -> int:
    """libFuzzer's limit on its peak memory: 2 GB above the peak of this process.

    The peak a process reads of itself starts at that of the process that started it
    (Linux keeps ``ru_maxrss`` across fork and exec), so a fixed limit would fail the
    harness whenever the tests before it had used more.
    """
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return (peak >> 20 if sys.platform == "darwin" else peak >> 10) + 2048


def test_coverage_guided_fuzzing_finds_nothing(tmp_path):
    """5,000 inputs of up to 1 KiB across every decoder and reader; any finding fails."""
    run = subprocess.run(
        [
            sys.executable,
            str(HARNESS),
            "-runs=5000",
            "-max_len=1024",
            "-seed=1",
            "-timeout=20",
            f"-rss_limit_mb={memory_limit_mb()}",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stderr[-4000:]
    assert "Done 5000 runs" in run.stderr
