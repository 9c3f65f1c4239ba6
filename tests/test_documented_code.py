"""Every Python example on the documentation's pages runs as the page shows it.

A page's code blocks run in order in one namespace, as a reader pastes them
into one session. Pages whose examples stand alone read the local AG News
split where the README's example does; the others use names their text
introduces (``train``, ``train_texts``, ``query`` ...), given here on small
slices of AG News and TREC so that each page runs in seconds.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from npc_classify.datasets import load_ag_news, load_trec

ROOT = Path(__file__).parent.parent
PAGES = {
    page.relative_to(ROOT).as_posix(): page
    for page in sorted((ROOT / "docs").rglob("*.md"))
    if "```python" in page.read_text(encoding="utf-8")
}
#: Pages whose examples load their own data.
STANDING_ALONE = {"docs/index.md", "docs/guide/estimators.md"}


def python_blocks(page: Path) -> list[str]:
    return re.findall(r"```python\n(.*?)```", page.read_text(encoding="utf-8"), flags=re.S)


@pytest.fixture(scope="module")
def given_names(ag_news_path) -> dict[str, object]:
    """What the pages' text says their examples start from, on slices of AG News."""
    rng = np.random.default_rng(0)
    whole_train = load_ag_news("train", ag_news_path)
    train = whole_train.subset(rng.permutation(len(whole_train.texts))[:600])
    test = load_ag_news("test", ag_news_path).subset(np.arange(100))
    return {
        "train": train,
        "test": test,
        "train_texts": list(train.texts),
        "train_labels": list(train.labels),
        "test_texts": list(test.texts),
        "texts": list(test.texts),
        "query": test.texts[0],
        "train_targets": [float(len(text)) for text in train.texts],
        "test_targets": [float(len(text)) for text in test.texts],
    }


@pytest.fixture(scope="module")
def given_questions(trec_path) -> dict[str, object]:
    """The TREC ``questions`` and ``labels`` a page's text names, 400 of them."""
    questions = load_trec("train", trec_path).subset(np.arange(400))
    return {"questions": list(questions.texts), "labels": list(questions.labels)}


def test_every_page_with_examples_is_run():
    assert STANDING_ALONE <= set(PAGES)
    assert {"docs/guide/class-conditional.md", "docs/guide/toolbox.md"} <= set(PAGES)


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(PAGES))
def test_a_pages_examples_run(name, ag_news_path, request, monkeypatch):
    monkeypatch.chdir(ROOT)  # the paths of the local data, as the README gives them
    namespace: dict[str, object] = {}
    blocks = python_blocks(PAGES[name])
    if name not in STANDING_ALONE:
        namespace.update(request.getfixturevalue("given_names"))
    if any("questions" in block for block in blocks):  # TREC, skipped without its files
        namespace.update(request.getfixturevalue("given_questions"))
    assert blocks
    for n, block in enumerate(blocks):
        exec(compile(block, f"{name}, example {n + 1}", "exec"), namespace)
