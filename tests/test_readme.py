"""The README's commands and example are true: CI runs them."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from npc_classify.cli import main

ROOT = Path(__file__).parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def code_blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", README, flags=re.DOTALL)


def test_setup_is_two_commands_that_ci_runs():
    install, test, _ = code_blocks("bash")[0].strip().splitlines()
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert install == 'pip install -e ".[test]"'
    assert test == "pytest"
    # CI installs the dev extra, a superset of the README's light test extra.
    assert 'python3 -m pip install -e ".[dev]"' in ci
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert re.search(r'dev = \[\n\s+"npc-classify\[test,', pyproject)
    assert "python3 -m pytest" in ci


def test_the_ag_news_command_runs(ag_news_path, monkeypatch, tmp_path, capsys):
    command = code_blocks("bash")[0].strip().splitlines()[2]
    argv = shlex.split(command)
    assert argv[:2] == ["npc-classify", "evaluate"]
    monkeypatch.chdir(ROOT)
    # Same command on a slice: later options override the README's defaults.
    slice_ = ["--n-train-per-class", "25", "--n-test", "40", "--no-progress", "--n-jobs", "1"]
    assert main([*argv[1:], *slice_, "--output", str(tmp_path / "r.json")]) == 0
    out = capsys.readouterr().out
    assert "paper-top-k acc" in out
    assert re.search(r"^\s+21\s+0\.\d{4}", out, flags=re.MULTILINE)


@pytest.mark.slow
def test_the_python_example_runs(ag_news_path, monkeypatch, capsys):
    monkeypatch.chdir(ROOT)
    namespace: dict = {}
    for block in code_blocks("python"):
        exec(compile(block, "README.md", "exec"), namespace)
    assert re.search(r"accuracy 0\.\d+", capsys.readouterr().out)
