"""Neighbour searches that survive being killed: results appended to a file as they come."""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ._ncd_classifier import NCDClassifier
from ._validation import check_texts

CHECKPOINT_FORMAT = 1


def resumable_kneighbors(
    clf: NCDClassifier,
    X: Sequence[str],
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

    Parameters
    ----------
    clf : NCDClassifier
        A fitted classifier.
    X : sequence of str
        Query texts.
    n_neighbors : int
    path : path-like
        The checkpoint file; created if missing.

    Returns
    -------
    neigh_dist, neigh_ind : ndarray of shape (len(X), n_neighbors)
    n_resumed : int
        How many queries were read back from the checkpoint.
    """
    texts = check_texts(X, name="X")
    fingerprint = clf.search_fingerprint(texts, n_neighbors)
    path = Path(path)
    dist_rows, ind_rows = _read_checkpoint(path, fingerprint)
    n_resumed = len(ind_rows)
    if not path.exists() or n_resumed == 0:
        header = {"format": CHECKPOINT_FORMAT, "fingerprint": fingerprint, "n_queries": len(texts)}
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(header) + "\n", encoding="utf-8")
    with open(path, "a", encoding="utf-8") as handle:
        remaining = texts[n_resumed:]
        for start, neigh_dist, neigh_ind in clf.kneighbors_chunks(remaining, n_neighbors):
            record = {
                "start": n_resumed + start,
                "dist": neigh_dist.tolist(),
                "ind": neigh_ind.tolist(),
            }
            handle.write(json.dumps(record) + "\n")
            handle.flush()
            os.fsync(handle.fileno())
            dist_rows.extend(record["dist"])
            ind_rows.extend(record["ind"])
    neigh_dist = np.array(dist_rows, dtype=np.float64).reshape(len(texts), n_neighbors)
    neigh_ind = np.array(ind_rows, dtype=np.intp).reshape(len(texts), n_neighbors)
    return neigh_dist, neigh_ind, n_resumed


def _read_checkpoint(path: Path, fingerprint: str) -> tuple[list[Any], list[Any]]:
    """Rows saved by an earlier run of the same search; the file is trimmed to them."""
    if not path.exists():
        return [], []
    dist_rows: list[Any] = []
    ind_rows: list[Any] = []
    good_bytes = 0
    with open(path, "rb") as handle:
        for number, line in enumerate(handle, start=1):
            try:
                entry = json.loads(line)
            except ValueError:
                if line.endswith(b"\n"):
                    raise ValueError(
                        f"Checkpoint {path}, line {number}, is not valid JSON: the file is "
                        "damaged. Delete it to start the search again."
                    ) from None
                break  # a last line cut short by a kill
            if number == 1:
                if entry.get("fingerprint") != fingerprint:
                    raise ValueError(
                        f"Checkpoint {path} was written by a different search (other data, "
                        "model settings or k). Delete it, or name another --checkpoint file."
                    )
            elif entry["start"] != len(ind_rows):
                raise ValueError(
                    f"Checkpoint {path}, line {number}: expected results from query "
                    f"{len(ind_rows)}, found {entry['start']}. Delete the file to start again."
                )
            else:
                dist_rows.extend(entry["dist"])
                ind_rows.extend(entry["ind"])
            good_bytes += len(line)
    if good_bytes < path.stat().st_size:
        with open(path, "r+b") as handle:
            handle.truncate(good_bytes)
    return dist_rows, ind_rows
