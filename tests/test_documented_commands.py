"""Every command the documentation shows is one its program accepts.

The commands are read from the README, the benchmarks' README and every page
under ``docs/``: the lines of shell code blocks (``\\`` continuations joined)
and inline code (which may run over lines) that start with ``npc-classify`` or
``python benchmarks/...``. Each is parsed by its program's own argument parser, and
nothing is run: an option renamed, removed or given another type in the code
fails here until the pages say the same.
"""

from __future__ import annotations

import argparse
import re
import runpy
import shlex
from pathlib import Path

import pytest

from npc_classify.cli import parse_arguments

ROOT = Path(__file__).parent.parent
PAGES = [
    ROOT / "README.md",
    ROOT / "benchmarks" / "README.md",
    *sorted((ROOT / "docs").rglob("*.md")),
]
CLI, BENCHMARK = "npc-classify", re.compile(r"python3? (benchmarks/\w+\.py)")
#: The languages of shell code blocks.
SHELL = {"", "bash", "console", "sh", "shell", "text"}
PLACEHOLDER = re.compile(r"[A-Z][A-Z_]*$")
#: Tokens that end the command itself: a pipe, a redirection, a comment.
ENDS = {"|", "<", ">", ">>", "2>", "&&", "#"}


def shown_commands(page: str) -> list[str]:
    """The commands of the page's shell code blocks (a line each) and of its inline code
    spans, wherever in a pipeline they stand, that run ``npc-classify`` or ``python
    benchmarks/``."""
    lines: list[str] = []
    prose: list[str] = []
    block: list[str] = []
    language = None  # the open block's, or None outside blocks
    for line in page.splitlines():
        if line.strip().startswith("```"):
            if language is None:
                language, block = line.strip()[3:].strip(), []
                continue
            if language in SHELL:
                lines += re.sub(r"\\\n\s*", " ", "\n".join(block)).splitlines()
            language = None
            continue
        (prose if language is None else block).append(line)
    lines += re.findall(r"`([^`]+)`", "\n".join(prose))
    lines = [" ".join(line.split()).removeprefix("$ ") for line in lines]
    commands = []
    for line in lines:
        for part in re.split(r"\s\|\s", line):  # each program of a pipeline
            if part.strip().startswith(CLI + " ") or BENCHMARK.match(part.strip()):
                commands.append(part.strip())
    return commands


def invocation(command: str) -> list[str] | None:
    """The program's arguments, or None for a template: a synopsis (``[--k K]...``,
    ``...``), a placeholder in capitals (``--n-test Q``, ``MODEL``), or a command named
    without arguments."""
    tokens = shlex.split(command)
    for n, token in enumerate(tokens):
        if token in ENDS:
            tokens = tokens[:n]
            break
    arguments = tokens[2:] if BENCHMARK.match(command) else tokens[1:]
    if any(t.startswith(("[", "(")) or "..." in t or PLACEHOLDER.match(t) for t in arguments):
        return None
    if not BENCHMARK.match(command) and len(arguments) < 2 and arguments != ["--version"]:
        return None
    return arguments


DOCUMENTED = sorted(
    {
        (page.relative_to(ROOT).as_posix(), command)
        for page in PAGES
        for command in shown_commands(page.read_text(encoding="utf-8"))
        if invocation(command) is not None
    }
)


def test_commands_are_found_in_shell_blocks_pipelines_and_inline_code():
    page = (
        "```python\nx = 1\n```\n\nProse with `npc-classify evaluate --k 3 --n-test 5`.\n\n"
        "```text\nnpc-classify evaluate --no-such-option 1 \\\n    --data-dir d\n```\n"
        "```bash\ncut -f 2 t.tsv | npc-classify predict m.skops --format jsonl | jq .label\n```\n"
        "```python\nprint('npc-classify evaluate --k 1')\n```\n"
    )
    assert shown_commands(page) == [
        "npc-classify evaluate --no-such-option 1 --data-dir d",
        "npc-classify predict m.skops --format jsonl",
        "npc-classify evaluate --k 3 --n-test 5",
    ]


def test_the_pages_show_commands_of_both_programs():
    programs = {command.split()[0] for _, command in DOCUMENTED}
    assert programs >= {"npc-classify", "python"}
    assert len(DOCUMENTED) > 50


@pytest.mark.parametrize(
    ("page", "command"),
    [pytest.param(*d, id=d[1]) for d in DOCUMENTED if d[1].startswith(CLI)],
)
def test_a_documented_cli_command_parses(page, command, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)  # files to write are checked where nothing else lives
    arguments = invocation(command)
    try:
        parse_arguments(arguments)
    except SystemExit as stop:
        assert stop.code == 0, f"{page} shows `{command}`, which npc-classify refuses"


class _Parsed(Exception):
    """Raised in place of running a benchmark, once its arguments are read."""


@pytest.mark.parametrize(
    ("page", "command"),
    [pytest.param(*d, id=d[1]) for d in DOCUMENTED if not d[1].startswith(CLI)],
)
def test_a_documented_benchmark_command_parses(page, command, monkeypatch):
    script = BENCHMARK.match(command)
    assert script is not None
    reading = argparse.ArgumentParser.parse_args

    def parse_then_stop(parser, args=None, namespace=None):
        raise _Parsed(reading(parser, args, namespace))

    monkeypatch.setattr(argparse.ArgumentParser, "parse_args", parse_then_stop)
    monkeypatch.setattr("sys.argv", [script.group(1), *invocation(command)])
    monkeypatch.syspath_prepend(str(ROOT / "benchmarks"))  # as python puts a script's folder
    with pytest.raises(_Parsed):
        try:
            runpy.run_path(str(ROOT / script.group(1)), run_name="__main__")
        except SystemExit:
            pytest.fail(f"{page} shows `{command}`, which {script.group(1)} refuses")
