"""Doctest collection rules for this package (tests/conftest.py holds the test fixtures).

The language-model modules import PyTorch (and transformers), optional extras:
without them their doctests are not collected, as the tests that need them skip.
"""

from __future__ import annotations

import importlib.util

collect_ignore: list[str] = []
if importlib.util.find_spec("torch") is None:
    collect_ignore += ["coding/_torch.py", "coding/byte_lm.py", "coding/training.py"]
if importlib.util.find_spec("torch") is None or importlib.util.find_spec("transformers") is None:
    collect_ignore += ["coding/hf_lm.py"]
