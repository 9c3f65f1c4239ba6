"""Loading labelled texts: AG News (Hugging Face or local CSVs) and user files.

Both AG News sources give the same thing: texts ``title + " " + description``
and integer labels 0-3 (World, Sports, Business, Sci/Tech), as the paper
and the Hugging Face dataset ``fancyzhx/ag_news`` define them.
"""

from __future__ import annotations

import contextlib
import csv
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

import numpy as np

__all__ = [
    "AG_NEWS_CLASSES",
    "LabeledTexts",
    "load_ag_news",
    "load_splits",
    "read_ag_news_csv",
    "read_labeled_file",
    "sample_per_class",
]

AG_NEWS_CLASSES: tuple[str, ...] = ("World", "Sports", "Business", "Sci/Tech")
AG_NEWS_HUB_NAME = "fancyzhx/ag_news"
_AG_NEWS_HEADER = ("label", "title", "description")


@dataclass
class LabeledTexts:
    """Texts with their labels, and the names of the classes if known.

    Attributes
    ----------
    texts : list of str
    labels : ndarray of shape (n_texts,)
    class_names : tuple of str
        Display name of each label value in sorted order; empty when the
        labels are their own names.
    """

    texts: list[str]
    labels: np.ndarray
    class_names: tuple[str, ...] = field(default=())

    def __len__(self) -> int:
        return len(self.texts)

    def subset(self, indices: np.ndarray) -> LabeledTexts:
        """The texts at ``indices``, in that order."""
        return LabeledTexts(
            [self.texts[i] for i in indices], self.labels[indices], self.class_names
        )

    def sample(self, n: int, random_state: np.random.RandomState) -> LabeledTexts:
        """``n`` texts drawn without replacement, kept in their order; all if ``n >= len``.

        Examples
        --------
        >>> import numpy as np
        >>> data = LabeledTexts(["a", "b", "c", "d"], np.array([0, 1, 0, 1]))
        >>> data.sample(2, np.random.RandomState(0)).texts
        ['c', 'd']
        >>> len(data.sample(10, np.random.RandomState(0)))
        4
        """
        if n >= len(self):
            return self
        return self.subset(np.sort(random_state.choice(len(self), n, replace=False)))


#: Largest field the CSV readers accept, in characters (csv's default is 128 KiB).
MAX_FIELD_CHARS = 1 << 30


@contextlib.contextmanager
def _csv_reader(
    path: str | os.PathLike[str], make_reader: Callable[[TextIO], Any]
) -> Iterator[Any]:
    """A strict csv reader over ``path`` as UTF-8, whose decoding and csv errors
    become ``ValueError`` messages that name the file and the line.

    Strict: an unterminated quote or a stray one is an error, not a field that
    silently swallows the rows after it.
    """
    previous_limit = csv.field_size_limit(MAX_FIELD_CHARS)
    reader = None
    try:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            reader = make_reader(handle)
            yield reader
    except UnicodeDecodeError as error:
        raw = Path(path).read_bytes()
        try:
            raw.decode("utf-8")
            line = "?"
        except UnicodeDecodeError as exact:
            line = str(raw.count(b"\n", 0, exact.start) + 1)
        raise ValueError(
            f"{path}, line {line}: the file is not valid UTF-8 ({error.reason}). "
            "Save it as UTF-8 text."
        ) from None
    except csv.Error as error:
        line = reader.line_num if reader is not None else "?"
        raise ValueError(f"{path}, line {line}: malformed CSV ({error}).") from None
    finally:
        csv.field_size_limit(previous_limit)


def read_ag_news_csv(path: str | os.PathLike[str]) -> LabeledTexts:
    """Read one canonical AG News CSV (``label,title,description``, label 1-4).

    A header row ``label,title,description`` is accepted but not required.
    Labels are shifted to 0-3 as in the Hugging Face dataset.

    Parameters
    ----------
    path : path-like
        A ``train.csv`` or ``test.csv`` of the ``ag_news_csv`` distribution.

    Returns
    -------
    data : LabeledTexts
    """
    texts, labels = [], []
    with _csv_reader(
        path, lambda handle: csv.reader(handle, skipinitialspace=True, strict=True)
    ) as reader:
        for row in reader:
            if reader.line_num == 1 and tuple(c.strip().lower() for c in row) == _AG_NEWS_HEADER:
                continue
            if len(row) != 3:
                raise ValueError(
                    f"{path}, line {reader.line_num}: expected 3 fields "
                    f"(label, title, description), got {len(row)}: {row!r:.80}"
                )
            label, title, description = row
            if label.strip() not in {"1", "2", "3", "4"}:
                raise ValueError(
                    f"{path}, line {reader.line_num}: expected a class index 1-4 in "
                    f"the first column, got {label!r}."
                )
            labels.append(int(label) - 1)
            texts.append(f"{title} {description}")
    return LabeledTexts(texts, np.asarray(labels, dtype=np.int64), AG_NEWS_CLASSES)


def load_ag_news(split: str, data_dir: str | os.PathLike[str] | None = None) -> LabeledTexts:
    """AG News ``split`` ("train" or "test"), from a folder or from the Hub.

    Parameters
    ----------
    split : {"train", "test"}
    data_dir : path-like, default=None
        A folder holding the canonical ``train.csv`` and ``test.csv``. When
        None, the dataset ``fancyzhx/ag_news`` is loaded with Hugging Face
        ``datasets`` (``pip install "npc-classify[hub]"``).

    Returns
    -------
    data : LabeledTexts
        Texts ``title + " " + description``, labels 0-3.
    """
    if split not in ("train", "test"):
        raise ValueError(f'split must be "train" or "test", got {split!r}.')
    if data_dir is not None:
        path = Path(data_dir) / f"{split}.csv"
        if not path.is_file():
            raise FileNotFoundError(
                f"Expected the AG News {split} split at {path}: a folder with the "
                "canonical train.csv and test.csv (label 1-4, title, description)."
            )
        return read_ag_news_csv(path)
    try:
        import datasets
    except ImportError:
        raise ImportError(
            "Loading AG News from the Hugging Face Hub needs the `datasets` package: "
            'pip install "npc-classify[hub]". Or pass a folder of CSVs (data_dir / '
            "--data-dir)."
        ) from None
    hub = datasets.load_dataset(AG_NEWS_HUB_NAME, split=split)
    return LabeledTexts(
        list(hub["text"]), np.asarray(hub["label"], dtype=np.int64), AG_NEWS_CLASSES
    )


def read_labeled_file(
    path: str | os.PathLike[str],
    *,
    delimiter: str = ",",
    text_columns: tuple[str, ...] = ("text",),
    label_column: str = "label",
) -> LabeledTexts:
    """Read a CSV or TSV file with a header row into texts and labels.

    Parameters
    ----------
    path : path-like
    delimiter : str, default=","
        ``","`` for CSV, ``"\\t"`` for TSV.
    text_columns : tuple of str, default=("text",)
        Columns joined by a space to make each text.
    label_column : str, default="label"
        The column holding the class. Labels are kept as strings.

    Returns
    -------
    data : LabeledTexts
    """
    with _csv_reader(
        path, lambda handle: csv.DictReader(handle, delimiter=delimiter, strict=True)
    ) as reader:
        header = reader.fieldnames or []
        missing = [c for c in (label_column, *text_columns) if c not in header]
        if missing:
            raise ValueError(
                f"{path}: missing column(s) {missing}; the header has {header}. "
                "Name the columns with --text-column / --label-column."
            )
        texts, labels = [], []
        for row in reader:
            too_many = row.pop(None, None) is not None
            if too_many or None in row.values():
                raise ValueError(
                    f"{path}, line {reader.line_num}: expected {len(header)} fields "
                    f"as in the header, got {'more' if too_many else 'fewer'}."
                )
            fields = [row[c] for c in (label_column, *text_columns)]
            if fields[0] == "":
                raise ValueError(f"{path}, line {reader.line_num}: the label is empty.")
            labels.append(fields[0])
            texts.append(" ".join(fields[1:]))
    return LabeledTexts(texts, np.asarray(labels, dtype=object))


def load_splits(
    dataset: str = "ag_news",
    *,
    data_dir: str | os.PathLike[str] | None = None,
    train: str | os.PathLike[str] | None = None,
    test: str | os.PathLike[str] | None = None,
    text_columns: tuple[str, ...] = ("text",),
    label_column: str = "label",
) -> tuple[LabeledTexts, LabeledTexts]:
    """The training and test splits of AG News, or of your own CSV or TSV files.

    Parameters
    ----------
    dataset : {"ag_news", "csv", "tsv"}, default="ag_news"
        ``"ag_news"``: :func:`load_ag_news` from ``data_dir``, or from the Hub
        without it. ``"csv"``, ``"tsv"``: :func:`read_labeled_file` of
        ``train`` and ``test``.
    data_dir : path-like, default=None
        For csv and tsv, the folder where ``train`` and ``test`` default to
        ``train.csv`` and ``test.csv`` (``.tsv``).
    train, test : path-like, default=None
        The csv or tsv files; not for AG News.
    text_columns : tuple of str, default=("text",)
        For csv and tsv, the columns joined into each text.
    label_column : str, default="label"
        For csv and tsv, the column holding the class.

    Returns
    -------
    train, test : LabeledTexts
    """
    if dataset == "ag_news":
        if train is not None or test is not None:
            raise ValueError(
                "train and test files (--train, --test) are for csv/tsv; AG News is read "
                f"from data_dir (--data-dir), or from the Hub. Got train={train}, test={test}."
            )
        return load_ag_news("train", data_dir), load_ag_news("test", data_dir)
    if dataset not in ("csv", "tsv"):
        raise ValueError(f'dataset must be "ag_news", "csv" or "tsv", got {dataset!r}.')
    if data_dir is not None:
        train = train if train is not None else Path(data_dir) / f"train.{dataset}"
        test = test if test is not None else Path(data_dir) / f"test.{dataset}"
    elif train is None or test is None:
        raise ValueError(
            f"dataset {dataset} needs train and test files (--train, --test), or data_dir "
            f"(--data-dir); got train={train}, test={test}."
        )
    for path in (train, test):
        if not Path(path).is_file():
            raise FileNotFoundError(f"No such {dataset} file: {path}")
    delimiter = "\t" if dataset == "tsv" else ","
    train_data, test_data = (
        read_labeled_file(
            path, delimiter=delimiter, text_columns=text_columns, label_column=label_column
        )
        for path in (train, test)
    )
    return train_data, test_data


def sample_per_class(
    labels: np.ndarray, n_per_class: int, random_state: np.random.RandomState
) -> np.ndarray:
    """Indices of ``n_per_class`` items of every class, drawn without replacement.

    Raises ``ValueError`` when a class has fewer than ``n_per_class`` items.
    Indices are returned sorted so the data keep their original order.
    """
    chosen = []
    for label in np.unique(labels):
        members = np.flatnonzero(labels == label)
        if len(members) < n_per_class:
            shown = label.item() if isinstance(label, np.generic) else label
            raise ValueError(
                f"Class {shown!r} has {len(members)} examples, fewer than the "
                f"{n_per_class} per class asked for."
            )
        chosen.append(random_state.choice(members, n_per_class, replace=False))
    return np.sort(np.concatenate(chosen))
