"""The TREC question classification set, as the benchmarks read it."""

from __future__ import annotations

from pathlib import Path

#: The training and test files of the set, in its directory.
TRAIN, TEST = "train_5500.label", "TREC_10.label"


def read_trec(path: Path, fine: bool) -> tuple[list[str], list[str]]:
    """Questions and labels of a TREC ``.label`` file (latin-1, ``COARSE:fine text``): the
    whole ``COARSE:fine`` label when ``fine``, else its coarse part."""
    texts, labels = [], []
    for line in path.read_text(encoding="latin-1").splitlines():
        label, text = line.split(" ", 1)
        texts.append(text)
        labels.append(label if fine else label.split(":")[0])
    return texts, labels


def load_trec(directory: Path, fine: bool) -> tuple[list[str], list[str], list[str], list[str]]:
    """Training questions and labels, then test questions and labels."""
    return (*read_trec(directory / TRAIN, fine), *read_trec(directory / TEST, fine))
