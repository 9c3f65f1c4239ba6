"""Progress bars that follow tqdm's conventions."""

from __future__ import annotations

from typing import Any

from tqdm import tqdm


def progress_bar(progress: bool, **options: Any) -> tqdm:
    """A tqdm bar with ``options``, or a disabled one when ``progress`` is False.

    When a bar is asked for, ``disable`` is not passed, so tqdm's environment
    settings apply: ``TQDM_DISABLE=1`` hides every bar, ``TQDM_MININTERVAL``
    and the other ``TQDM_*`` variables change its defaults.
    """
    if not progress:
        options["disable"] = True
    return tqdm(**options)
