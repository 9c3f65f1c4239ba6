"""Writing reports where the user points: files atomically, anything else through.

A report written to a regular file (or to a path with nothing there yet)
goes to a temporary file beside it that then replaces it, so a reader never
sees half a report and a failed run leaves the old one. Anything else is
written through, opened and written in place: a FIFO, a terminal or another
character device, and a symbolic link, whose target receives the report
while the link stays a link (``/dev/stdout`` is one).
"""

from __future__ import annotations

import os
import secrets
import shutil
import stat
from collections.abc import Iterable
from pathlib import Path
from typing import BinaryIO

#: The destination that means standard output.
STDOUT = "-"


def is_regular_destination(path: str | os.PathLike[str]) -> bool:
    """Whether ``path`` names a regular file, through symbolic links, or nothing yet.

    False for :data:`STDOUT`, a FIFO, a device, a socket or a directory.
    """
    if os.fspath(path) == STDOUT:
        return False
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        return True
    return stat.S_ISREG(mode)


def check_destination(path: str | os.PathLike[str]) -> None:
    """Refuse a destination that cannot take a report, before any work is done.

    Raises
    ------
    ValueError
        If ``path`` is a directory.
    """
    if os.fspath(path) != STDOUT and Path(path).is_dir():
        raise ValueError(
            f"{path} is a directory; expected the path of a file to write the report to "
            f"(or {STDOUT} for standard output)."
        )


def default_checkpoint(output: str | os.PathLike[str] | None) -> Path | None:
    """The checkpoint kept beside a report, ``OUTPUT.partial.jsonl``.

    None when there is no output, or when it is not a regular file (standard
    output, a FIFO, a device), beside which no file belongs.
    """
    if output is None or not is_regular_destination(output):
        return None
    path = Path(output)
    return path.with_name(path.name + ".partial.jsonl")


def write_text(path: str | os.PathLike[str], text: str) -> None:
    """Write ``text`` as UTF-8 to ``path``: atomically to a file, through anything else.

    As :func:`write_chunks`.
    """
    write_chunks(path, [text.encode("utf-8")])


def write_chunks(path: str | os.PathLike[str], chunks: Iterable[bytes]) -> None:
    """Write the bytes ``chunks`` gives, one after another, to ``path``.

    A regular file, or a path with nothing there yet, is replaced atomically
    (its folder created if missing): the chunks go to a temporary file beside
    it, which replaces it only once every chunk is written, so an error while
    they are produced leaves the old file and no temporary one. A symbolic
    link, a FIFO or a device is opened and written: the link's target
    receives the bytes, the link stays. One chunk is held at a time. The
    temporary file has a random hidden name (``.NAME.RANDOM.tmp``) and is
    created only where no file is, so nothing beside ``path`` is replaced;
    it takes the permissions of the file it replaces.

    Raises
    ------
    ValueError
        If ``path`` is a directory.
    """
    check_destination(path)
    path = Path(path)
    if path.is_symlink() or not is_regular_destination(path):
        with open(path, "wb") as handle:
            for chunk in chunks:
                handle.write(chunk)
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    output, temporary = _new_temporary_file(path)
    try:
        with output:
            for chunk in chunks:
                output.write(chunk)
        if path.exists():  # the file it replaces keeps its permissions
            shutil.copymode(path, temporary)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    temporary.replace(path)


def _new_temporary_file(path: Path) -> tuple[BinaryIO, Path]:
    """A file created beside ``path`` under a name no file had: a random, hidden one.

    Created exclusively (``"xb"``), so that no file of the user's, nor a second
    run's temporary file, is ever written over.
    """
    while True:
        temporary = path.with_name(f".{path.name}.{secrets.token_hex(8)}.tmp")
        try:
            return open(temporary, "xb"), temporary
        except FileExistsError:
            continue
