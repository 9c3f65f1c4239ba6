"""The package's metadata: what an index page and a resolver read from pyproject.toml."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

tomllib = pytest.importorskip("tomllib")

import npc_classify  # noqa: E402

PROJECT = tomllib.loads((Path(__file__).parent.parent / "pyproject.toml").read_text())["project"]


def test_the_classifiers_say_what_the_package_is_for_and_runs_on():
    classifiers = PROJECT["classifiers"]
    assert any(c.startswith("Development Status :: ") for c in classifiers)
    for expected in (
        "Intended Audience :: Science/Research",
        "Topic :: Scientific/Engineering :: Artificial Intelligence",
        "Typing :: Typed",
    ):
        assert expected in classifiers
    versions = [c.rsplit(" :: ", 1)[1] for c in classifiers if re.search(r":: 3\.\d+$", c)]
    assert versions == ["3.11", "3.12", "3.13"]
    assert PROJECT["requires-python"] == f">={versions[0]}"


def test_the_license_is_an_spdx_expression_not_a_classifier():
    """PEP 639: setuptools refuses a license classifier beside ``license = "MIT"``."""
    assert PROJECT["license"] == "MIT"
    assert not [c for c in PROJECT["classifiers"] if c.startswith("License ::")]


def test_authors_keywords_and_urls_are_given():
    assert PROJECT["authors"] == [{"name": "npc_classify developers"}]
    assert {"text classification", "compression", "scikit-learn"} <= set(PROJECT["keywords"])
    urls = PROJECT["urls"]
    assert {"Homepage", "Documentation", "Repository", "Issues"} <= set(urls)
    assert all(
        url.startswith("https://github.com/npc-classify/npc-classify") for url in urls.values()
    )


def test_the_version_is_the_package_s():
    assert PROJECT["version"] == npc_classify.__version__
