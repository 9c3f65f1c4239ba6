"""Reports land where the user points: a file atomically, a FIFO or a link written through."""

from __future__ import annotations

import builtins
import errno
import os
import re
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from npc_classify._output import (
    check_destination,
    check_writable,
    default_checkpoint,
    is_regular_destination,
    write_chunks,
    write_text,
)

pytestmark = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs are POSIX")


def read_fifo(path: Path) -> subprocess.Popen:
    """A process that reads the FIFO at ``path`` to its end and prints what it got."""
    program = "import sys; sys.stdout.buffer.write(open(sys.argv[1], 'rb').read())"
    return subprocess.Popen([sys.executable, "-c", program, str(path)], stdout=subprocess.PIPE)


def test_a_new_file_is_written_with_its_folder(tmp_path):
    path = tmp_path / "new" / "report.json"
    write_text(path, "{}\n")
    assert path.read_text(encoding="utf-8") == "{}\n"


def test_an_existing_file_is_replaced_atomically_without_leftovers(tmp_path):
    path = tmp_path / "report.json"
    path.write_text("stale", encoding="utf-8")
    inode = path.stat().st_ino
    write_text(path, "fresh")
    assert path.read_text(encoding="utf-8") == "fresh"
    assert path.stat().st_ino != inode  # a new file renamed over the old one
    assert [p.name for p in tmp_path.iterdir()] == ["report.json"]


def test_files_beside_the_report_are_left_as_they_are(tmp_path):
    """Whatever names a temporary file might take, the user's files beside the report,
    and another run's temporary files, are not written over."""
    path = tmp_path / "report.json"
    beside = {name: f"the user's {name}" for name in ("report.json.tmp", ".report.json.tmp")}
    for name, text in beside.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    write_text(path, "fresh")
    assert path.read_text(encoding="utf-8") == "fresh"
    assert {p.name: p.read_text(encoding="utf-8") for p in tmp_path.iterdir()} == {
        **beside,
        "report.json": "fresh",
    }


def interrupted_after(chunk: bytes):
    """Chunks of a run interrupted after its first one."""
    yield chunk
    raise KeyboardInterrupt


def test_the_temporary_file_is_removed_when_writing_fails(tmp_path):
    path = tmp_path / "report.json"
    path.write_text("the old report", encoding="utf-8")
    with pytest.raises(KeyboardInterrupt):
        write_chunks(path, interrupted_after(b"half a report"))
    assert [p.name for p in tmp_path.iterdir()] == ["report.json"]
    assert path.read_text(encoding="utf-8") == "the old report"


def test_a_symlink_to_a_file_stays_a_link_and_its_target_is_replaced_atomically(tmp_path):
    target = tmp_path / "results" / "report.json"
    target.parent.mkdir()
    target.write_text("stale", encoding="utf-8")
    link = tmp_path / "latest.json"
    link.symlink_to(target)
    with pytest.raises(KeyboardInterrupt):
        write_chunks(link, interrupted_after(b"half a report"))
    assert target.read_text(encoding="utf-8") == "stale"
    inode = target.stat().st_ino
    write_text(link, "fresh")
    assert link.is_symlink()
    assert link.resolve() == target.resolve()
    assert target.read_text(encoding="utf-8") == "fresh"
    assert target.stat().st_ino != inode  # a new file renamed over the target
    assert sorted(p.name for p in tmp_path.iterdir()) == ["latest.json", "results"]
    assert [p.name for p in target.parent.iterdir()] == ["report.json"]


def test_a_dangling_symlink_creates_its_target(tmp_path):
    link = tmp_path / "latest.json"
    link.symlink_to(tmp_path / "report.json")
    write_text(link, "fresh")
    assert link.is_symlink()
    assert (tmp_path / "report.json").read_text(encoding="utf-8") == "fresh"


def test_a_fifo_is_written_through_and_stays_a_fifo(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    reader = read_fifo(fifo)
    write_text(fifo, "through the pipe\n")
    assert reader.communicate(timeout=30)[0] == b"through the pipe\n"
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)
    assert [p.name for p in tmp_path.iterdir()] == ["pipe"]


def test_a_symlink_to_a_fifo_is_written_through(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    link = tmp_path / "link"
    link.symlink_to(fifo)
    reader = read_fifo(link)
    write_text(link, "via the link\n")
    assert reader.communicate(timeout=30)[0] == b"via the link\n"
    assert link.is_symlink() and stat.S_ISFIFO(os.stat(fifo).st_mode)


def test_a_directory_is_refused_with_what_was_expected(tmp_path):
    with pytest.raises(ValueError, match=r"is a directory; expected the path of a file"):
        check_destination(tmp_path)
    with pytest.raises(ValueError, match=r"is a directory"):
        write_text(tmp_path, "x")
    check_destination("-")
    check_destination(tmp_path / "report.json")


def test_only_a_regular_file_or_a_new_path_is_regular(tmp_path):
    fifo, file, link = tmp_path / "pipe", tmp_path / "file", tmp_path / "link"
    os.mkfifo(fifo)
    file.write_text("x")
    link.symlink_to(file)
    assert [is_regular_destination(p) for p in (file, link, tmp_path / "new")] == [True] * 3
    assert [is_regular_destination(p) for p in (fifo, tmp_path, "-")] == [False] * 3


def test_the_default_checkpoint_is_derived_only_beside_a_regular_file(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    assert default_checkpoint(tmp_path / "out.json") == tmp_path / "out.json.partial.jsonl"
    assert [default_checkpoint(p) for p in (None, "-", fifo, tmp_path)] == [None] * 4


def test_a_replaced_file_keeps_its_permissions(tmp_path):
    """A private report stays private when a later run rewrites it."""
    path = tmp_path / "private.json"
    path.write_text("old")
    path.chmod(0o600)
    write_text(path, "new")
    assert path.read_text() == "new"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_a_private_file_is_private_while_it_is_replaced(tmp_path):
    path = tmp_path / "private.json"
    path.write_text("old")
    path.chmod(0o600)
    seen = []

    def chunks():
        yield b"new"  # by now the temporary file holds what the user keeps private
        seen.extend(stat.S_IMODE(p.stat().st_mode) for p in tmp_path.glob(".private.json.*"))

    write_chunks(path, chunks())
    assert seen == [0o600]
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_a_write_that_fails_names_the_users_file_not_the_temporary_one(tmp_path, monkeypatch):
    path = tmp_path / "report.json"

    def read_only(*args, **kwargs):
        raise OSError(errno.EROFS, "Read-only file system", str(tmp_path / ".report.json.1.tmp"))

    monkeypatch.setattr(builtins, "open", read_only)
    with pytest.raises(OSError, match=r"Read-only file system: '.*/report\.json'$"):
        write_text(path, "{}")


def test_a_folder_that_takes_no_new_file_is_refused_before_any_work(tmp_path, monkeypatch):
    real_access = os.access
    locked = tmp_path / "locked"
    locked.mkdir()
    monkeypatch.setattr(os, "access", lambda p, mode: Path(p) != locked and real_access(p, mode))
    for path in (locked / "report.json", locked / "new" / "folder" / "report.json"):
        with pytest.raises(ValueError, match=rf"cannot write {re.escape(str(locked))}"):
            check_destination(path)
    check_destination(tmp_path / "report.json")


@pytest.mark.skipif(getattr(os, "getuid", lambda: -1)() != 0, reason="only root gives files away")
def test_a_file_written_for_another_user_stays_theirs(tmp_path):
    path = tmp_path / "theirs.json"
    path.write_text("old")
    os.chown(path, 1234, 1234)
    write_text(path, "new")
    assert (path.stat().st_uid, path.stat().st_gid) == (1234, 1234)


@pytest.mark.parametrize("check", [check_destination, check_writable])
def test_a_path_ending_in_a_slash_names_a_folder_and_is_refused(tmp_path, check):
    with pytest.raises(ValueError, match="ends in a slash, which names a folder"):
        check(f"{tmp_path}/reports/")
    assert not (tmp_path / "reports").exists()


@pytest.mark.parametrize("case", ["under a file", "a loop of links"])
def test_a_path_no_file_can_take_is_refused_with_why(tmp_path, case):
    if case == "under a file":
        (tmp_path / "plain").write_text("a file, not a folder")
        path = tmp_path / "plain" / "report.json"
    else:
        path = tmp_path / "loop"
        path.symlink_to(path)
    with pytest.raises(ValueError, match=re.escape(f"{path} cannot be written: ")):
        check_destination(path)


def test_a_link_into_a_missing_folder_is_refused_before_any_work(tmp_path):
    link = tmp_path / "report.json"
    link.symlink_to(tmp_path / "nowhere" / "target.json")
    expected = f"{link} is a link to {tmp_path / 'nowhere' / 'target.json'}, in a folder"
    with pytest.raises(ValueError, match=re.escape(expected)):
        check_destination(link)


def test_the_default_checkpoint_of_a_name_that_fills_the_name_limit_fits_it(tmp_path):
    checkpoint = default_checkpoint(tmp_path / ("r" * 250 + ".json"))
    assert checkpoint is not None and checkpoint.parent == tmp_path
    assert len(os.fsencode(checkpoint.name)) <= 255
    assert checkpoint.name.endswith(".partial.jsonl") and checkpoint.name.startswith("rrr")


def test_an_output_whose_name_fills_the_limit_with_the_suffix_gets_no_default_checkpoint(tmp_path):
    """Cut back to fit, its checkpoint's name would be the output's own."""
    assert default_checkpoint(tmp_path / ("a" * 241 + ".partial.jsonl")) is None
