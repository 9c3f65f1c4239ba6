"""Evaluations that survive being killed: results appended to a file as they come.

Neighbour searches save each chunk of queries; class-conditional compression
saves the bits of every query under each class text (and complement text).
"""

from __future__ import annotations

import contextlib
import json
import math
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import numpy as np

from ._compression_classifier import CLASS, COMPLEMENT, CompressionClassifier, SavedColumns
from ._ncd_classifier import NCDClassifier
from ._output import is_regular_destination, refuse_folder_name
from ._typing import Texts
from ._validation import check_texts

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no advisory locks
    fcntl = None  # type: ignore[assignment]

CHECKPOINT_FORMAT = 1


def resumable_kneighbors(
    clf: NCDClassifier,
    X: Texts,
    n_neighbors: int,
    path: str | os.PathLike[str],
) -> tuple[np.ndarray, np.ndarray, int]:
    """``clf.kneighbors(X, n_neighbors)``, saved chunk by chunk to ``path``.

    Each chunk of queries is appended to ``path`` (JSON lines, flushed and
    synced) as soon as it is done. If ``path`` already holds results of the
    same search (same fitted model, queries and ``n_neighbors``), those
    queries are not searched again; a half-written last line, left by a
    killed run, is discarded. Floats are stored in their shortest exact
    representation, so a resumed search returns the identical result.

    Every record read back is checked as strictly as ``fit`` checks its input
    (row widths, neighbour indices inside the training set, finite
    distances, queries in order), and the file is locked while the search
    writes to it (on POSIX systems), so a second process on the same file is
    refused instead of interleaving its lines.

    Parameters
    ----------
    clf : NCDClassifier
        A fitted classifier.
    X : sequence of str
        Query texts.
    n_neighbors : int
    path : path-like
        The checkpoint file; created if missing. A symbolic link is followed
        (its target holds the checkpoint).

    Returns
    -------
    neigh_dist, neigh_ind : ndarray of shape (len(X), n_neighbors)
    n_resumed : int
        How many queries were read back from the checkpoint.

    Raises
    ------
    ValueError
        If ``path`` is not a regular file (a FIFO, a device, a directory), if
        the file holds another search, is damaged or was edited, or another
        process is writing to it; the message names the file, the line and
        what is wrong.
    """
    texts = check_texts(X, name="X")
    refuse_folder_name(path)
    path = Path(path)
    expected = _Expected(
        clf.search_fingerprint(texts, n_neighbors), len(texts), n_neighbors, clf.n_samples_fit_
    )
    with _opened(path, expected.fingerprint, len(texts), _SEARCH) as (handle, records):
        dist_rows: list[Any] = []
        ind_rows: list[Any] = []
        for number, entry in records:
            dist, ind = _check_record(entry, path, number, len(ind_rows), expected)
            dist_rows.extend(dist)
            ind_rows.extend(ind)
        n_resumed = len(ind_rows)
        remaining = texts[n_resumed:]
        for start, neigh_dist, neigh_ind in clf.kneighbors_chunks(remaining, n_neighbors):
            record = {
                "start": n_resumed + start,
                "dist": neigh_dist.tolist(),
                "ind": neigh_ind.tolist(),
            }
            _append(handle, record)
            dist_rows.extend(record["dist"])
            ind_rows.extend(record["ind"])
    neigh_dist = np.array(dist_rows, dtype=np.float64).reshape(len(texts), n_neighbors)
    neigh_ind = np.array(ind_rows, dtype=np.intp).reshape(len(texts), n_neighbors)
    return neigh_dist, neigh_ind, n_resumed


def resumable_class_bits(
    clf: CompressionClassifier, X: Texts, path: str | os.PathLike[str]
) -> tuple[np.ndarray, int]:
    """``clf.class_bits(X)``, saved class text by class text to ``path``.

    The bits of every query after each class text (and, with ``complement``,
    after each complement text) are appended to ``path`` (JSON lines, flushed
    and synced) as soon as they are done. If ``path`` already holds columns
    of the same run (same fitted classifier and queries:
    :meth:`~npc_classify.CompressionClassifier.bits_fingerprint`), those are
    not coded again; a half-written last line, left by a killed run, is
    discarded. Floats are stored in their shortest exact representation, so a
    resumed run returns the identical bits. Records read back are checked
    (kind, column, one finite number per query, no column twice), and the
    file is locked while the run writes to it (on POSIX systems).

    Parameters
    ----------
    clf : CompressionClassifier
        A fitted classifier.
    X : sequence of str
        Query texts.
    path : path-like
        The checkpoint file; created if missing. A symbolic link is followed.

    Returns
    -------
    bits : ndarray of shape (len(X), n_classes)
        ``clf.class_bits(X)``.
    n_resumed : int
        How many columns (class and complement texts) were read back.

    Raises
    ------
    ValueError
        If ``path`` is not a regular file, holds another run, is damaged or was
        edited, or another process is writing to it; the message names the
        file, the line and what is wrong.
    """
    texts = check_texts(X, name="X")
    refuse_folder_name(path)
    path = Path(path)
    kinds = (CLASS,) if clf.complement_ is None else (CLASS, COMPLEMENT)
    with _opened(path, clf.bits_fingerprint(texts), len(texts), _BITS) as (handle, records):
        known: dict[tuple[str, int], np.ndarray] = {}
        for number, entry in records:
            key, bits = _check_column(entry, path, number, kinds, len(clf.classes_), len(texts))
            if key in known:
                raise _damaged(path, number, f"holds the {key[0]} column {key[1]} again")
            known[key] = bits

        def save(kind: str, column: int, bits: np.ndarray) -> None:
            _append(handle, {"kind": kind, "column": column, "bits": bits.tolist()})

        return clf.class_bits(texts, saved=SavedColumns(known, save)), len(known)


def _check_column(
    entry: Any, path: Path, number: int, kinds: tuple[str, ...], n_classes: int, n_queries: int
) -> tuple[tuple[str, int], np.ndarray]:
    """The key and bits of one saved column, or the reason it cannot be trusted."""
    if not isinstance(entry, dict) or set(entry) != {"kind", "column", "bits"}:
        raise _damaged(path, number, "is not a record with the fields kind, column and bits")
    kind, column, bits = entry["kind"], entry["column"], entry["bits"]
    if kind not in kinds:
        raise _damaged(path, number, f"holds bits of kind {kind!r}, not one of {list(kinds)}")
    if not _is_index(column, n_classes):
        raise _damaged(path, number, f"has a column outside [0, {n_classes})")
    if not isinstance(bits, list) or len(bits) != n_queries:
        raise _damaged(path, number, f"has other than {n_queries} bits, one per query")
    if not all(_is_finite_number(b) for b in bits):
        raise _damaged(path, number, "has bits that are not a finite number")
    return (kind, column), np.array(bits, dtype=np.float64)


@dataclass(frozen=True)
class _Expected:
    """What the records of one search must be."""

    fingerprint: str
    n_queries: int
    n_neighbors: int
    n_train: int


#: What a checkpoint whose fingerprint differs was written by, for each kind of run.
_SEARCH = "a different search (other data, model settings or k)"
_BITS = "a different run (other data or model settings)"


@contextlib.contextmanager
def _opened(
    path: Path, fingerprint: str, n_queries: int, other: str
) -> Iterator[tuple[IO[bytes], list[tuple[int, Any]]]]:
    """The checkpoint at ``path``, locked, with its records (line number, entry).

    A missing or empty file gets a header for ``fingerprint``; a header of
    another fingerprint (``other`` says whose) is refused. A last line cut
    short by a kill is dropped."""
    if not is_regular_destination(path):
        raise ValueError(
            f"Checkpoint {path} is not a regular file (it is a directory, a FIFO or a device); "
            "a checkpoint is read back and appended to, so name a file."
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    header = {"format": CHECKPOINT_FORMAT, "fingerprint": fingerprint, "n_queries": n_queries}
    with _locked(path) as handle:
        _refuse_another_file(handle, path, header)
        entries = _saved_entries(handle, path)
        if entries:
            _check_header(entries[0], path, fingerprint, other)
        else:
            _append(handle, header)
        yield handle, list(enumerate(entries[1:], start=2))


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[IO[bytes]]:
    """``path`` opened for reading and appending, locked against a second writer."""
    with open(path, "a+b") as handle:
        if fcntl is not None:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise ValueError(
                    f"Checkpoint {path} is being written by another process (it holds the "
                    "file's lock). Wait for it to finish, or name another checkpoint file."
                ) from None
        handle.seek(0)
        yield handle


def _refuse_another_file(handle: IO[bytes], path: Path, header: dict[str, Any]) -> None:
    """Refuse, and leave as it is, a file whose first line is no checkpoint's header.

    A torn first line is taken for this run's header cut short by a kill only
    when it begins that header; anything else (a data file, a report, notes)
    is no checkpoint, and reading it as one would trim its last line.
    """
    first = handle.readline()
    handle.seek(0)
    if not first:
        return
    if first.endswith(b"\n"):
        try:
            entry = json.loads(first)
        except ValueError:
            entry = None
        if isinstance(entry, dict) and {"format", "fingerprint"} <= set(entry):
            return
    elif json.dumps(header).encode("utf-8").startswith(first):
        return
    raise ValueError(
        f"{path} is not a checkpoint: its first line is not a checkpoint's header. It was "
        "left as it is; name a new file, or the one an earlier run of the same search wrote."
    )


def _append(handle: IO[bytes], entry: dict[str, Any]) -> None:
    """Write one JSON line and make sure it is on disk before going on."""
    handle.write(json.dumps(entry).encode("utf-8") + b"\n")
    handle.flush()
    os.fsync(handle.fileno())


def _saved_entries(handle: IO[bytes], path: Path) -> list[Any]:
    """The entries of the file's lines; a last line cut short by a kill (one without its
    newline, even if the rest is whole) is dropped, and the file trimmed to the lines read."""
    entries = []
    good_bytes = 0
    for number, line in enumerate(handle, start=1):
        if not line.endswith(b"\n"):
            break  # a last line cut short by a kill
        try:
            entry = json.loads(line)
        except ValueError:
            raise _damaged(path, number, "is not valid JSON") from None
        entries.append(entry)
        good_bytes += len(line)
    handle.seek(good_bytes)
    handle.truncate()
    return entries


def _check_header(entry: Any, path: Path, fingerprint: str, other: str) -> None:
    if not isinstance(entry, dict) or entry.get("format") != CHECKPOINT_FORMAT:
        raise _damaged(path, 1, f"is not a checkpoint header of format {CHECKPOINT_FORMAT}")
    if entry.get("fingerprint") != fingerprint:
        raise ValueError(
            f"Checkpoint {path} was written by {other}. "
            "Delete it, or give another path (--checkpoint)."
        )


def _check_record(
    entry: Any, path: Path, number: int, n_done: int, expected: _Expected
) -> tuple[list[list[float]], list[list[int]]]:
    """The distance and index rows of one record, or the reason it cannot be trusted."""
    if not isinstance(entry, dict) or set(entry) != {"start", "dist", "ind"}:
        raise _damaged(path, number, "is not a record with the fields start, dist and ind")
    start, dist, ind = entry["start"], entry["dist"], entry["ind"]
    if start != n_done or isinstance(start, bool):
        raise _damaged(path, number, f"holds results from query {start!r}, not {n_done}")
    if not (isinstance(dist, list) and isinstance(ind, list) and len(dist) == len(ind)):
        raise _damaged(path, number, "has distance and index lists of different lengths")
    if n_done + len(ind) > expected.n_queries:
        raise _damaged(path, number, f"goes past the {expected.n_queries} queries")
    width = expected.n_neighbors
    for row_dist, row_ind in zip(dist, ind, strict=True):
        if not (isinstance(row_dist, list) and isinstance(row_ind, list)):
            raise _damaged(path, number, "has a row that is not a list")
        if len(row_dist) != width or len(row_ind) != width:
            raise _damaged(path, number, f"has a row of other than {width} neighbours")
        if not all(_is_finite_number(d) for d in row_dist):
            raise _damaged(path, number, "has a distance that is not a finite number")
        if not all(_is_index(i, expected.n_train) for i in row_ind):
            raise _damaged(path, number, f"has a neighbour index outside [0, {expected.n_train})")
    return dist, ind


def _is_finite_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _is_index(value: Any, n_train: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value < n_train


def _damaged(path: Path, number: int, problem: str) -> ValueError:
    return ValueError(
        f"Checkpoint {path}, line {number}, {problem}: the file is damaged or was edited. "
        "Delete it to start the search again."
    )
