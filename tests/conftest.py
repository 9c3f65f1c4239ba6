"""Shared fixtures: our tiny dataset and the local AG News folder."""

from __future__ import annotations

import csv
import os
from pathlib import Path

import pytest
from hypothesis import settings

# HYPOTHESIS_PROFILE=long: a longer fuzzing run for local use; CI uses the default.
settings.register_profile("long", max_examples=5000, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))

TESTS_DIR = Path(__file__).parent
TINY_NEWS = TESTS_DIR / "data" / "tiny_news.csv"


def write_csv(path: Path, header, rows, delimiter: str = ",", quote_all: bool = False) -> Path:
    """Write ``rows`` (with ``header`` unless None) as CSV; every field quoted if asked."""
    with open(path, "w", encoding="utf-8", newline="") as handle:
        quoting = csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL
        writer = csv.writer(handle, delimiter=delimiter, quoting=quoting, lineterminator="\n")
        if header:
            writer.writerow(header)
        writer.writerows(rows)
    return path


def ag_news_dir() -> Path:
    """The local AG News folder: $NPC_CLASSIFY_AG_NEWS_DIR or ../shared/data/ag_news."""
    default = TESTS_DIR.parent.parent / "shared" / "data" / "ag_news"
    return Path(os.environ.get("NPC_CLASSIFY_AG_NEWS_DIR", default))


@pytest.fixture(scope="session")
def ag_news_path() -> Path:
    """Path of the real AG News CSVs; skipped locally when absent, an error in CI."""
    path = ag_news_dir()
    if not (path / "train.csv").is_file():
        message = f"AG News CSVs not found in {path}; set NPC_CLASSIFY_AG_NEWS_DIR."
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return path


@pytest.fixture(scope="session")
def tiny_news() -> tuple[list[str], list[str]]:
    """24 short news sentences we wrote, 8 each of sport, business, science."""
    with open(TINY_NEWS, encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    return [row["text"] for row in rows], [row["label"] for row in rows]
