"""Collection rules for the whole repository (tests/conftest.py holds the fixtures).

The language-model modules import PyTorch (and transformers), optional extras:
without them their doctests are not collected, as the tests that need them skip.
"""

from __future__ import annotations

import importlib.util

collect_ignore: list[str] = []
if importlib.util.find_spec("torch") is None:
    collect_ignore += ["npc_classify/_byte_lm.py", "npc_classify/_train_lm.py"]
if importlib.util.find_spec("torch") is None or importlib.util.find_spec("transformers") is None:
    collect_ignore += ["npc_classify/_hf_lm.py"]
