"""Writing reports where the user points: files atomically, anything else through.

A report written to a regular file (or to a path with nothing there yet)
goes to a temporary file beside it that then replaces it, so a reader never
sees half a report and a failed run leaves the old one. A symbolic link to a
regular file stays a link, and its target is replaced the same way. Anything
else is written through, opened and written in place: a FIFO, a terminal or
another character device, a link to one (``/dev/stdout`` is one) or a link
to nothing yet.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import stat
from collections.abc import Iterable
from pathlib import Path
from typing import BinaryIO

#: The destination that means standard output.
STDOUT = "-"
#: The longest file name, in bytes, on the file systems in common use (ext4, APFS, NTFS).
NAME_MAX = 255


def is_regular_destination(path: str | os.PathLike[str]) -> bool:
    """Whether ``path`` names a regular file, through symbolic links, or nothing yet.

    False for :data:`STDOUT`, a FIFO, a device, a socket or a directory.

    Raises
    ------
    ValueError
        If no file can be at ``path``: a file stands where it has a folder, or
        its links loop.
    """
    if os.fspath(path) == STDOUT:
        return False
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        return True
    except OSError as error:  # NotADirectoryError, a loop of links
        raise ValueError(f"{path} cannot be written: {error.strerror}.") from None
    return stat.S_ISREG(mode)


def refuse_folder_name(path: str | os.PathLike[str]) -> None:
    """Refuse a path written as a folder's, ending in a slash, which ``Path`` would drop."""
    if isinstance(path, str) and path.endswith(("/", os.sep)):
        raise ValueError(
            f"{path} ends in a slash, which names a folder; expected the path of a file."
        )


def check_destination(path: str | os.PathLike[str]) -> None:
    """Refuse a destination that cannot take a report, before any work is done.

    Raises
    ------
    ValueError
        If ``path`` is a directory, or a file that :func:`check_writable` refuses.
    """
    if os.fspath(path) == STDOUT:
        return
    if Path(path).is_dir():
        raise ValueError(
            f"{path} is a directory; expected the path of a file to write "
            f"(or {STDOUT} for standard output)."
        )
    check_writable(path)


def check_writable(path: str | os.PathLike[str]) -> None:
    """Refuse, before any work is done, a file whose folder takes no new file.

    A regular file (or a new one) is written as a new file in its folder, the
    folder of a link's target for a link; for a new one in folders yet to be
    made, the nearest that exists. What is written through (a FIFO, a device)
    is not checked.

    Raises
    ------
    ValueError
        If that folder cannot be written (read-only, or not the user's), if
        ``path`` ends in a slash (a folder's name) or no file can be there, or
        if it is a link to a file in a folder that does not exist.
    """
    refuse_folder_name(path)
    if not is_regular_destination(path):
        return
    target = Path(path).resolve()
    if Path(path).is_symlink() and not target.parent.is_dir():
        raise ValueError(
            f"{path} is a link to {target}, in a folder that does not exist; make the "
            "folder, or name another file."
        )
    folder = target.parent
    while not folder.exists():
        folder = folder.parent
    if not os.access(folder, os.W_OK):
        raise ValueError(
            f"{path} cannot be written: cannot write {folder} (read-only, or not yours); "
            "name a file in a folder you can write."
        )


def default_checkpoint(output: str | os.PathLike[str] | None) -> Path | None:
    """The checkpoint kept beside a report, ``OUTPUT.partial.jsonl``.

    None when there is no output, or when it is not a regular file (standard
    output, a FIFO, a device), beside which no file belongs, or when the output's
    name fills the 255-byte limit with ``.partial.jsonl`` already.
    """
    if output is None or not is_regular_destination(output):
        return None
    path = Path(output)
    checkpoint = path.with_name(_within_name_limit("", path.name, ".partial.jsonl"))
    return None if checkpoint == path else checkpoint  # a name cut back to the output's own


def _within_name_limit(prefix: str, name: str, suffix: str) -> str:
    """``prefix + name + suffix``, ``name`` cut short where the whole would pass
    :data:`NAME_MAX` bytes: a file named to the limit still gets files beside it."""
    while name and len(os.fsencode(prefix + name + suffix)) > NAME_MAX:
        name = name[:-1]
    return prefix + name + suffix


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
    link to a regular file stays a link, and its target is replaced in the
    same way. A FIFO, a device or a link to one, or a link to nothing yet, is
    opened and written: the link's target receives the bytes. One chunk is
    held at a time. The temporary file has a random hidden name
    (``.NAME.RANDOM.tmp``) and is created only where no file is, so nothing
    beside ``path`` is replaced; it takes the permissions (and, where allowed,
    the owner) of the file it replaces before anything is written to it.

    Raises
    ------
    ValueError
        If ``path`` is a directory.
    OSError
        If the file cannot be written; it names ``path``, not the temporary file.
    """
    check_destination(path)
    path = Path(path)
    if path.is_symlink() and path.exists() and is_regular_destination(path):
        path = path.resolve()  # the link's target file is what is replaced
    if path.is_symlink() or not is_regular_destination(path):
        with open(path, "wb") as handle:
            for chunk in chunks:
                handle.write(chunk)
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = None
    try:
        output, temporary = _new_temporary_file(path)
        with output:
            if path.exists():
                _take_permissions(path, temporary)
            for chunk in chunks:
                output.write(chunk)
    except BaseException as error:
        if temporary is not None:
            temporary.unlink(missing_ok=True)
        if isinstance(error, OSError) and (
            temporary is None or error.filename in (None, os.fspath(temporary))
        ):  # an error of creating or writing the temporary file
            raise OSError(error.errno, error.strerror, os.fspath(path)) from error
        raise
    temporary.replace(path)


def _take_permissions(path: Path, temporary: Path) -> None:
    """Give ``temporary`` the permissions of ``path``, and its owner where that is allowed."""
    shutil.copymode(path, temporary)
    owner = path.stat()
    if hasattr(os, "chown") and (owner.st_uid, owner.st_gid) != (os.getuid(), os.getgid()):
        with contextlib.suppress(PermissionError):
            os.chown(temporary, owner.st_uid, owner.st_gid)


def _new_temporary_file(path: Path) -> tuple[BinaryIO, Path]:
    """A file created beside ``path`` under a name no file had: a random, hidden one.

    Created exclusively (``"xb"``), so that no file of the user's, nor a second
    run's temporary file, is ever written over. Its name holds as much of
    ``path``'s name as fits in :data:`NAME_MAX` bytes.
    """
    while True:
        temporary = path.with_name(
            _within_name_limit(".", path.name, f".{secrets.token_hex(8)}.tmp")
        )
        try:
            return open(temporary, "xb"), temporary
        except FileExistsError:
            continue
