"""The compiled loops of the model-based coders are compiled once, whatever uses them.

numba compiles a loop once for each set of argument types it is called with (a
read-only array is a type of its own, and so is each integer width), and a
first use pays for each compilation. The uses run in a fresh process with an
empty numba cache, so that every loop is compiled there rather than loaded.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

USES = """
import json
from numba.core.registry import CPUDispatcher
from npc_classify import CompressionClassifier, NCDClassifier
from npc_classify.coding import _cm_kernels, _coder_kernels, _ppm_kernels, arithmetic
from npc_classify.coding.ppm import PPMModel
from npc_classify.compressors import get_compressor

texts = ["the cup final " * 4, "shares fell " * 4, "a late goal " * 4, "the bank " * 4]
labels, text = [0, 1, 0, 1], " ".join(texts).encode()
for name in ("ppm", "cm"):
    CompressionClassifier(name).fit(texts, labels).predict(texts)
    NCDClassifier(name, k=1).fit(texts, labels).predict(texts[:1])
    compressor = get_compressor(name)
    assert compressor.decompress(compressor.compress(text)) == text
    compressor.conditional_sizes(text, [text, b""])
    compressor.compressed_sizes_with_prefix(text, [text, b""])
    compressor.code_lengths(text, text)
assert bytes(arithmetic.decode(arithmetic.encode(text, PPMModel(2)), PPMModel(2))) == text
compiled = {
    f"{module.__name__}.{name}": len(loop.signatures)
    for module in (_cm_kernels, _coder_kernels, _ppm_kernels)
    for name, loop in vars(module).items()
    if isinstance(loop, CPUDispatcher) and loop.signatures
}
print(json.dumps(compiled))
"""


def test_every_use_of_ppm_and_cm_runs_one_compilation_of_each_loop(tmp_path):
    environment = {**os.environ, "NUMBA_CACHE_DIR": str(tmp_path)}
    run = subprocess.run(
        [sys.executable, "-c", USES], env=environment, capture_output=True, text=True
    )
    assert run.returncode == 0, run.stderr
    compiled = json.loads(run.stdout.splitlines()[-1])
    assert "npc_classify.coding._ppm_kernels.code" in compiled  # the uses reached the loops
    assert "npc_classify.coding._cm_kernels.code" in compiled
    assert {name: n for name, n in compiled.items() if n != 1} == {}
