"""Loading labelled texts: AG News (Hugging Face or local CSVs), TREC and user files.

Both AG News sources give the same thing: texts ``title + " " + description``
and integer labels 0-3 (World, Sports, Business, Sci/Tech), as the paper
and the Hugging Face dataset ``fancyzhx/ag_news`` define them. TREC is read
from the authors' two ``.label`` files, with its 6 coarse or 50 fine classes.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import io
import os
import re
import sys
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from numbers import Integral
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np
from numpy.typing import ArrayLike

from ._text import shorten

__all__ = [
    "AG_NEWS_CLASSES",
    "DATASETS",
    "QUOTINGS",
    "TEXT_FORMATS",
    "TREC_FILES",
    "LabeledTexts",
    "check_per_class",
    "label_names",
    "load_ag_news",
    "load_split",
    "load_split_texts",
    "load_splits",
    "load_trec",
    "read_ag_news_csv",
    "read_labeled_file",
    "read_text_blocks",
    "read_texts",
    "read_trec_file",
    "sample_indices",
    "sample_per_class",
    "split_file",
]

AG_NEWS_CLASSES: tuple[str, ...] = ("World", "Sports", "Business", "Sci/Tech")
"""The names of AG News's four classes, by label: 0 is ``"World"``, 3 ``"Sci/Tech"``."""
AG_NEWS_HUB_NAME = "fancyzhx/ag_news"
_AG_NEWS_HEADER = ("label", "title", "description")
TREC_FILES = {"train": "train_5500.label", "test": "TREC_10.label"}
"""The files of the TREC question classification set (Li and Roth, 2002) as its authors
distribute them (https://cogcomp.seas.upenn.edu/Data/QA/QC/), by split."""
DATASETS = ("ag_news", "trec", "trec-fine", "csv", "tsv")
"""The datasets :func:`load_split` reads: built in (``"trec"`` has TREC's 6 coarse
classes, ``"trec-fine"`` its 50 fine ones), then your own files."""
#: Where each built-in dataset is read from, as error messages say it.
_TREC_SOURCE = "TREC is read from data_dir (--data-dir)"
_SOURCES = {
    "ag_news": "AG News is read from data_dir (--data-dir), or from the Hub",
    "trec": _TREC_SOURCE,
    "trec-fine": _TREC_SOURCE,
}


def label_names(labels: ArrayLike, class_names: Sequence[str] = ()) -> list[str]:
    """The display name of each label value: its entry in ``class_names``, or itself as a
    string when ``class_names`` is empty.

    Parameters
    ----------
    labels : array-like of labels
    class_names : sequence of str, default=()
        Display names of integer labels, indexed by the label.

    Examples
    --------
    >>> label_names([0, 2], ("World", "Sports", "Business"))
    ['World', 'Business']
    >>> label_names(["HUM", "LOC"])
    ['HUM', 'LOC']
    """
    values = np.asarray(labels).tolist()
    if not class_names:
        return [str(label) for label in values]
    unnamed = [label for label in values if not 0 <= int(label) < len(class_names)]
    if unnamed:
        raise ValueError(
            f"class_names names labels 0 to {len(class_names) - 1}; got {unnamed[:5]}, "
            "which it has no name for."
        )
    return [class_names[int(label)] for label in values]


@dataclass
class LabeledTexts:
    """Texts with their labels, and the names of the classes if known.

    Attributes
    ----------
    texts : list of str
        Built from any sequence of str (a pandas Series is read by position,
        not by its index).
    labels : ndarray of shape (n_texts,)
        Built from any sequence or array, one label per text.
    class_names : tuple of str
        Display name of each integer label, indexed by the label; empty when
        the labels are their own names.

    Raises
    ------
    TypeError
        If ``texts`` is one str or bytes.
    ValueError
        If the labels are not one-dimensional or not one per text.
    """

    texts: list[str]
    labels: np.ndarray
    class_names: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        if isinstance(self.texts, (str, bytes)):
            raise TypeError(f"texts must be a sequence of str, got {type(self.texts).__name__}.")
        self.texts = list(self.texts)
        self.labels = np.asarray(self.labels)
        if self.labels.ndim != 1:
            raise ValueError(f"labels must be one-dimensional, got shape {self.labels.shape}.")
        if len(self.labels) != len(self.texts):
            raise ValueError(
                f"{len(self.texts)} texts and {len(self.labels)} labels: give one label per text."
            )

    def __len__(self) -> int:
        return len(self.texts)

    def subset(self, indices: np.ndarray) -> LabeledTexts:
        """The texts at ``indices``, in that order.

        Parameters
        ----------
        indices : ndarray of int
        """
        return LabeledTexts(
            [self.texts[i] for i in indices], self.labels[indices], self.class_names
        )

    def sample(self, n: int, random_state: np.random.RandomState) -> LabeledTexts:
        """``n`` texts drawn without replacement, kept in their order; all if ``n >= len``.

        Parameters
        ----------
        n : int
        random_state : RandomState
            Draws the texts.

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
        return self.subset(sample_indices(len(self), n, random_state))


def sample_indices(n_texts: int, n: int, random_state: np.random.RandomState) -> np.ndarray:
    """The indices of ``n`` of ``n_texts`` texts drawn without replacement, in increasing
    order; all of them if ``n >= n_texts``.

    Parameters
    ----------
    n_texts : int
        How many texts there are.
    n : int
        How many to draw.
    random_state : RandomState
        Draws the indices, as :meth:`LabeledTexts.sample` draws its texts.

    Returns
    -------
    indices : ndarray of shape (min(n, n_texts),)

    Examples
    --------
    >>> import numpy as np
    >>> sample_indices(4, 2, np.random.RandomState(0))
    array([2, 3])
    """
    if n >= n_texts:
        return np.arange(n_texts)
    return np.sort(random_state.choice(n_texts, n, replace=False))


#: Largest field the CSV readers accept, in characters (csv's default is 128 KiB).
MAX_FIELD_CHARS = 1 << 28
QUOTINGS = ("csv", "none")
"""How the fields of a file are quoted: ``"csv"``, CSV's double quotes (a field may hold
delimiters, newlines and doubled quotes); ``"none"``, no quoting at all (plain TSV: a
field is everything between two delimiters, quotes included)."""
TEXT_FORMATS = ("lines", "csv", "tsv")
"""The layouts :func:`read_texts` reads."""
#: Longest value, in characters, that an error message quotes before cutting it short.
MESSAGE_WIDTH = 80
#: What ends a line in every file read here: ``"\\r\\n"``, ``"\\n"`` or a lone ``"\\r"``
#: (not the other separators ``str.splitlines`` knows, such as U+0085 or U+000C, which
#: stay inside a line as the csv module keeps them).
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
#: Bytes read from a stream at a time.
_LINES_READ = 1 << 16
#: A TREC line: ``COARSE:fine``, a space (or a tab) and the question.
_TREC_LINE = re.compile(r"[ \t]*([^\s:]+):(\S+)[ \t]+(.*\S.*)")


def _line_of(text: str, position: int) -> int:
    """The line, counted from 1, that ``text[position]`` is on."""
    return len(_LINE_BREAK.findall(text, 0, position)) + 1


class _NotText(ValueError):
    """Bytes that are not text; ``position``: the first bad byte's offset in them."""

    def __init__(self, message: str, position: int) -> None:
        super().__init__(message)
        self.position = position

    def __reduce__(self) -> tuple[type[_NotText], tuple[str, int]]:
        # Rebuilt from both arguments, so that a worker process can send it back.
        return type(self), (str(self), self.position)


def _decode(
    raw: bytes,
    name: str | os.PathLike[str],
    *,
    fallback: str | None = None,
    what: str = "the file",
    first_line: int = 1,
) -> str:
    """``raw`` as UTF-8 text, without a byte order mark at the start of the file.

    The first invalid UTF-8 byte (unless a ``fallback`` encoding reads it) or
    NUL byte is refused with the line it is on, ``what`` naming what is not
    UTF-8: a :class:`_NotText`, its ``position`` counted after the byte order
    mark. ``raw`` starts the file's line ``first_line``: a later piece of the
    file keeps a byte order mark it starts with.
    """
    if first_line == 1:
        raw = raw.removeprefix(codecs.BOM_UTF8)
    nul = raw.find(b"\0")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        if fallback is None and not 0 <= nul < error.start:
            line = first_line - 1 + _line_of(raw[: error.start].decode("latin-1"), error.start)
            raise _NotText(
                f"{name}, line {line}: {what} is not valid UTF-8 ({error.reason}). Save it "
                "as UTF-8 text.",
                error.start,
            ) from None
        text = "" if fallback is None else raw.decode(fallback)  # "": the NUL is refused
    if nul >= 0:  # lines are counted alike in any encoding that keeps ASCII: latin-1's
        line = first_line - 1 + _line_of(raw[:nul].decode("latin-1"), nul)
        raise _NotText(
            f"{name}, line {line}: the file holds a NUL byte: is it UTF-16 or binary? Save it "
            "as UTF-8 text.",
            nul,
        )
    return text


class _WideFields:
    """csv's field limit (one for the whole process) raised to :data:`MAX_FIELD_CHARS`
    while any thread reads, and given back as it was once the last reader is done."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._readers = 0
        self._before = 0

    def __enter__(self) -> None:
        with self._lock:
            if not self._readers:
                self._before = csv.field_size_limit(MAX_FIELD_CHARS)
            self._readers += 1

    def __exit__(self, *exc_info: object) -> None:
        with self._lock:
            self._readers -= 1
            if not self._readers:
                csv.field_size_limit(self._before)


_WIDE_FIELDS = _WideFields()


@contextlib.contextmanager
def _csv_rows(
    path: str | os.PathLike[str], **dialect: Any
) -> Iterator[Iterator[tuple[int, list[str]]]]:
    """The rows of ``path``, read strictly as UTF-8 CSV, each with the line it starts on.

    Strict: an unterminated quote or a stray one is an error, not a field that
    silently swallows the rows after it. Invalid UTF-8, NUL bytes and csv
    errors become ``ValueError`` messages that name the file and the line. The
    file is read once, whole, so a pipe is read as a file is.
    """
    text = _decode(Path(path).read_bytes(), path)
    line = 1  # where the row being read starts
    with _WIDE_FIELDS:
        try:
            reader = csv.reader(io.StringIO(text, newline=""), strict=True, **dialect)

            def numbered() -> Iterator[tuple[int, list[str]]]:
                nonlocal line
                for row in reader:
                    yield line, row
                    line = reader.line_num + 1

            yield numbered()
        except csv.Error as error:
            raise ValueError(f"{path}, line {line}: malformed CSV ({error}).") from None


def read_ag_news_csv(path: str | os.PathLike[str]) -> LabeledTexts:
    """Read one canonical AG News CSV (``label,title,description``, label 1-4).

    A header row ``label,title,description`` is accepted but not required;
    blank lines are skipped. Labels are shifted to 0-3 as in the Hugging Face
    dataset.

    Parameters
    ----------
    path : path-like
        A ``train.csv`` or ``test.csv`` of the ``ag_news_csv`` distribution.

    Returns
    -------
    data : LabeledTexts
    """
    texts, labels = [], []
    with _csv_rows(path, skipinitialspace=True) as rows:
        for line, row in rows:
            if not row or (line == 1 and tuple(c.strip().lower() for c in row) == _AG_NEWS_HEADER):
                continue
            if len(row) != 3:
                raise ValueError(
                    f"{path}, line {line}: expected 3 fields (label, title, description), "
                    f"got {len(row)}: {shorten(repr(row), MESSAGE_WIDTH)}"
                )
            label, title, description = row
            if label.strip() not in {"1", "2", "3", "4"}:
                raise ValueError(
                    f"{path}, line {line}: expected a class index 1-4 in the first column, "
                    f"got {shorten(repr(label), MESSAGE_WIDTH)}."
                )
            labels.append(int(label) - 1)
            texts.append(f"{title} {description}")
    _refuse_no_texts(path, texts)
    return LabeledTexts(texts, np.asarray(labels, dtype=np.int64), AG_NEWS_CLASSES)


def _refuse_no_texts(
    path: str | os.PathLike[str], texts: list[str], why: str = "", what: str = "labelled texts"
) -> None:
    """Refuse a file that gave no text, rather than fit on, score or measure nothing."""
    if not texts:
        raise ValueError(f"{path} holds no {what}{why}.")


def _broken_datasets(error: Exception) -> ImportError:
    """The error of a ``datasets`` package that is installed but fails to import."""
    return ImportError(
        f"The `datasets` package is installed but cannot be imported "
        f"({type(error).__name__}: {error}); repair it, or pass a folder of CSVs "
        "(data_dir / --data-dir)."
    )


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

    Raises
    ------
    FileNotFoundError
        If ``data_dir`` lacks the split's file.
    ImportError
        If the Hub is to be read and ``datasets`` is missing or cannot be
        imported.
    OSError
        If the Hub cannot be read (offline, unreachable); the message names
        ``data_dir`` as the way round it.
    """
    path = split_file("ag_news", split, data_dir=data_dir)
    if path is not None:
        if not path.is_file():
            raise FileNotFoundError(
                f"Expected the AG News {split} split at {path}: a folder with the "
                "canonical train.csv and test.csv (label 1-4, title, description)."
            )
        return read_ag_news_csv(path)
    try:
        import datasets
    except ModuleNotFoundError as error:
        if error.name != "datasets":
            raise _broken_datasets(error) from error
        raise ImportError(
            "Loading AG News from the Hugging Face Hub needs the `datasets` package: "
            'pip install "npc-classify[hub]". Or pass a folder of CSVs (data_dir / '
            "--data-dir)."
        ) from None
    except Exception as error:  # a clash of its own dependencies (pyarrow's attributes...)
        raise _broken_datasets(error) from error
    if not hasattr(datasets, "load_dataset"):
        raise ImportError(
            f"The module `datasets` found at {getattr(datasets, '__file__', '?')} is not "
            "Hugging Face's (a file of that name in the working folder?); rename it, or "
            "pass a folder of CSVs (data_dir / --data-dir)."
        )
    try:
        hub = datasets.load_dataset(AG_NEWS_HUB_NAME, split=split)
    except Exception as error:  # the Hub unreachable, offline mode, a damaged cache...
        raise OSError(
            f"Could not load {AG_NEWS_HUB_NAME} from the Hugging Face Hub "
            f"({type(error).__name__}: {error}); pass a folder of the canonical train.csv "
            "and test.csv instead (data_dir / --data-dir)."
        ) from error
    return LabeledTexts(
        list(hub["text"]), np.asarray(hub["label"], dtype=np.int64), AG_NEWS_CLASSES
    )


def read_trec_file(path: str | os.PathLike[str], *, fine: bool = False) -> LabeledTexts:
    """Read one TREC ``.label`` file: a question a line, ``COARSE:fine question``.

    A file that is valid UTF-8 is read as UTF-8 (a byte order mark dropped),
    any other as latin-1, as the authors' training file is (it holds one
    byte, 0xF0, that is not valid UTF-8). A tab after the label counts as the
    space; blank lines are skipped.

    Parameters
    ----------
    path : path-like
        ``train_5500.label`` or ``TREC_10.label``, or a file in their format.
    fine : bool, default=False
        Label each question with its whole ``COARSE:fine`` class (50 in all)
        instead of its coarse class (6: ABBR, DESC, ENTY, HUM, LOC, NUM).

    Returns
    -------
    data : LabeledTexts
        The questions as written (tokenised), labels as strings.

    Raises
    ------
    ValueError
        A line that is not a ``COARSE:fine`` label, a space and a question, a
        NUL byte (a UTF-16 or binary file), or no question at all; the
        message names the file (and the line).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "questions.label"
    >>> _ = path.write_bytes(b"LOC:city What is the capital of Peru ?\\n")
    >>> read_trec_file(path).labels.tolist(), read_trec_file(path, fine=True).labels.tolist()
    (['LOC'], ['LOC:city'])
    """
    texts, labels = [], []
    lines = _LINE_BREAK.split(_decode(Path(path).read_bytes(), path, fallback="latin-1"))
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        match = _TREC_LINE.fullmatch(line)
        if match is None:
            raise ValueError(
                f"{path}, line {number}: expected a COARSE:fine label, a space and a "
                f"question, got {shorten(repr(line), MESSAGE_WIDTH)}."
            )
        coarse, subclass, question = match.groups()
        labels.append(f"{coarse}:{subclass}" if fine else coarse)
        texts.append(question)
    _refuse_no_texts(path, texts)
    return LabeledTexts(texts, np.asarray(labels, dtype=object))


def load_trec(
    split: str, data_dir: str | os.PathLike[str] | None = None, *, fine: bool = False
) -> LabeledTexts:
    """TREC question classification ``split`` ("train", 5,452 questions, or "test", 500).

    Parameters
    ----------
    split : {"train", "test"}
    data_dir : path-like, default=None
        A folder holding the authors' files, :data:`TREC_FILES` (required:
        None is refused with where to get them). There is no
        Hub source: the Hub's copy (``CogComp/trec``) is a loading script,
        which ``datasets`` 4 and later no longer run.
    fine : bool, default=False
        The 50 fine classes instead of the 6 coarse ones, as in
        :func:`read_trec_file`.

    Returns
    -------
    data : LabeledTexts
    """
    path = split_file("trec", split, data_dir=data_dir)
    files = " and ".join(TREC_FILES.values())
    if path is None:
        raise ValueError(
            f"TREC is read from a folder holding the authors' {files} "
            "(https://cogcomp.seas.upenn.edu/Data/QA/QC/): pass it as data_dir "
            "(--data-dir); got data_dir=None."
        )
    if not path.is_file():
        raise FileNotFoundError(
            f"Expected the TREC {split} split at {path}: a folder with the authors' {files}."
        )
    return read_trec_file(path, fine=fine)


def _column_indices(
    path: str | os.PathLike[str],
    columns: Sequence[str | int],
    first: list[str],
    header: bool,
    options: str,
) -> list[int]:
    """Where ``columns`` are in each row: by name in the header row ``first``, or by number;
    a message on missing columns names the reader's ``options``."""
    if header:
        names = [str(column) for column in columns]
        missing = [shorten(name, MESSAGE_WIDTH) for name in names if name not in first]
        if missing:
            shown = [shorten(name, MESSAGE_WIDTH) for name in first]
            raise ValueError(
                f"{path}: missing column(s) {missing}; the header has {shown}. Name the "
                f"columns with {options}, or, for a file without a header row, give their "
                "numbers with --no-header (header=False)."
            )
        repeated = [name for name in dict.fromkeys(names) if first.count(name) > 1]
        if repeated:
            fields = [i + 1 for i, name in enumerate(first) if name == repeated[0]]
            shown_name = shorten(repeated[0], MESSAGE_WIDTH)
            raise ValueError(
                f"{path}: the header names {shown_name!r} more than once (fields "
                f"{', '.join(map(str, fields))}), so which one to read is unclear. Rename "
                "one, or give the columns' numbers with --no-header (header=False)."
            )
        return [first.index(name) for name in names]
    indices = []
    for column in columns:
        if not str(column).isdecimal() or int(column) < 1:
            raise ValueError(
                "Without a header row (--no-header), columns are numbers, 1 for the first "
                f"field; got {shorten(repr(column), MESSAGE_WIDTH)}."
            )
        if int(column) > len(first):
            raise ValueError(
                f"{path}: column {column} is past the {len(first)} fields of the first row."
            )
        indices.append(int(column) - 1)
    return indices


def _read_columns(
    path: str | os.PathLike[str],
    columns: Sequence[str | int],
    *,
    delimiter: str,
    header: bool,
    quoting: str | None,
    options: str = "--text-column / --label-column",
) -> tuple[list[tuple[int, list[str]]], bool]:
    """The values of ``columns`` in every row, each with the line the row starts on, and
    whether the file had any row (a header counts); ``options`` name the columns.

    Every row must have as many fields as the header row (or, without one, the
    first row); blank lines are skipped.
    """
    if quoting is None:
        quoting = "none" if delimiter == "\t" else "csv"
    if quoting not in QUOTINGS:
        raise ValueError(f"quoting must be one of {QUOTINGS}, got {quoting!r}.")
    style = csv.QUOTE_NONE if quoting == "none" else csv.QUOTE_MINIMAL
    selected: list[tuple[int, list[str]]] = []
    indices: list[int] | None = None
    width = 0
    with _csv_rows(path, delimiter=delimiter, quoting=style) as rows:
        for line, row in rows:
            if not row:
                continue
            if indices is None:
                indices = _column_indices(path, columns, row, header, options)
                width = len(row)
                if header:
                    continue
            if len(row) != width:
                raise ValueError(
                    f"{path}, line {line}: expected {width} fields as in "
                    f"{'the header' if header else 'the first row'}, got {len(row)}."
                )
            selected.append((line, [row[index] for index in indices]))
    return selected, indices is not None


def read_labeled_file(
    path: str | os.PathLike[str],
    *,
    delimiter: str = ",",
    text_columns: Sequence[str | int] | None = None,
    label_column: str | int | None = None,
    header: bool = True,
    quoting: str | None = None,
) -> LabeledTexts:
    """Read a CSV or TSV file into texts and labels.

    Parameters
    ----------
    path : path-like
    delimiter : str, default=","
        ``","`` for CSV, ``"\\t"`` for TSV.
    text_columns : sequence of str or int, default=None
        Columns joined by a space to make each text: names in the header row,
        or with ``header=False`` numbers, 1 for the first field. None: the
        column ``"text"``, or without a header the second field.
    label_column : str or int, default=None
        The column holding the class, named or numbered as ``text_columns``.
        None: the column ``"label"``, or without a header the first field.
        Labels are kept as strings, without the white space (and byte order
        marks) around them.
    header : bool, default=True
        Whether the first row names the columns. Without a header, every row
        must have as many fields as the first. Blank lines are skipped.
    quoting : {"csv", "none"}, default=None
        ``"csv"``: fields may be double-quoted, CSV style, to hold delimiters,
        newlines and quotes. ``"none"``: no quoting, a field is everything
        between two delimiters (plain TSV). None: ``"none"`` for a tab
        delimiter, ``"csv"`` otherwise.

    Returns
    -------
    data : LabeledTexts

    Raises
    ------
    ValueError
        No rows, a missing column, a row with another number of fields than
        the header (or first row), an empty (or blank) label, a text column
        that is the label column, malformed quoting, invalid UTF-8 or a NUL
        byte (a UTF-16 or binary file); the message names the file and the
        line.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "news.tsv"
    >>> _ = path.write_text('sport\\t"Late goal" wins the cup\\n', encoding="utf-8")
    >>> read_labeled_file(path, delimiter="\\t", header=False).texts
    ['"Late goal" wins the cup']
    """
    if label_column is None:
        label_column = "label" if header else 1
    if text_columns is None:
        text_columns = _default_text_columns(header)
    if any(
        _column_key(column, header) == _column_key(label_column, header) for column in text_columns
    ):
        raise ValueError(
            f"{path}: the text column {label_column!r} is the label column as well; a class "
            "read into its own texts gives them away. Name other text columns "
            "(--text-column / text_columns)."
        )
    rows, any_row = _read_columns(
        path, (label_column, *text_columns), delimiter=delimiter, header=header, quoting=quoting
    )
    texts, labels = [], []
    for line, (label, *parts) in rows:
        stripped = label.strip().strip("\ufeff").strip()
        if not stripped:
            what = "empty" if label == "" else "blank (white space only)"
            raise ValueError(f"{path}, line {line}: the label is {what}.")
        labels.append(stripped)
        texts.append(" ".join(parts))
    _refuse_no_texts(path, texts, f": {_no_rows(any_row, header)}")
    return LabeledTexts(texts, np.asarray(labels, dtype=object))


def _column_key(column: str | int, header: bool) -> str | int:
    """What names a column: its name, or without a header its number (``"02"`` is 2)."""
    return int(column) if not header and str(column).isdecimal() else str(column)


def read_texts(
    source: str | os.PathLike[str] | BinaryIO,
    *,
    format: str = "lines",
    text_columns: Sequence[str | int] | None = None,
    header: bool = True,
    quoting: str | None = None,
) -> list[str]:
    """Texts to classify: one per line, or the text columns of a CSV or TSV file.

    Parameters
    ----------
    source : path-like or binary file
        The file; for ``format="lines"`` also an open binary stream, such as
        ``sys.stdin.buffer``.
    format : {"lines", "csv", "tsv"}, default="lines"
        ``"lines"``: every line is a text (its ``"\\n"``, ``"\\r\\n"`` or lone
        ``"\\r"`` is not part of it; a blank line is an empty text, so the texts
        stay aligned with the lines). ``"csv"``, ``"tsv"``: the ``text_columns``
        of every row (a row, not a line: blank lines are no rows), read as
        :func:`read_labeled_file` reads them.
    text_columns, header, quoting
        For csv and tsv, as in :func:`read_labeled_file`; refused for lines.

    Returns
    -------
    texts : list of str

    Raises
    ------
    ValueError
        Invalid UTF-8 or a NUL byte (a UTF-16 or binary file; the message
        names the first line that holds either), or a malformed CSV or TSV
        file.

    Examples
    --------
    >>> import io
    >>> read_texts(io.BytesIO(b"first text\\r\\n\\nthird text\\n"))
    ['first text', '', 'third text']
    """
    blocks = read_text_blocks(
        source, sys.maxsize, format=format, text_columns=text_columns, header=header,
        quoting=quoting,
    )  # fmt: skip
    return [text for block in blocks for text in block]  # one block, or none


def _table_texts(
    path: str | os.PathLike[str],
    format: str,
    text_columns: Sequence[str | int] | None,
    header: bool,
    quoting: str | None,
) -> tuple[list[str], str]:
    """The texts of a csv or tsv file, and what to say of the file if there are none."""
    if text_columns is None:
        text_columns = _default_text_columns(header)
    delimiter = "\t" if format == "tsv" else ","
    rows, any_row = _read_columns(
        path, text_columns, delimiter=delimiter, header=header, quoting=quoting,
        options="--text-column",
    )  # fmt: skip
    return [" ".join(parts) for _, parts in rows], _no_rows(any_row, header)


def _no_rows(any_row: bool, header: bool) -> str:
    """Why a table without texts has none: no rows (below its header), or no lines at all."""
    if not any_row:
        return "the file is empty"
    return "no rows below its header" if header else "no rows"


def _default_text_columns(header: bool) -> tuple[str | int, ...]:
    """Where a table's text is when no column is named: the column "text", or the second."""
    return ("text",) if header else (2,)


def read_text_blocks(
    source: str | os.PathLike[str] | BinaryIO,
    size: int,
    *,
    format: str = "lines",
    text_columns: Sequence[str | int] | None = None,
    header: bool = True,
    quoting: str | None = None,
) -> Iterator[list[str]]:
    """The texts :func:`read_texts` reads, in lists of ``size`` (the last one shorter),
    lines each given as soon as they have arrived.

    Lines from a pipe or standard input are read as they are written, so the
    first texts can be classified before the input ends, and the texts held
    at once are those of a block. A csv or tsv file is read whole first.

    Parameters
    ----------
    source : path-like or binary file
        The file; for ``format="lines"`` also an open binary stream, such as
        ``sys.stdin.buffer``.
    size : int
        Texts in a block.
    format, text_columns, header, quoting
        As in :func:`read_texts`.

    Yields
    ------
    texts : list of str

    Raises
    ------
    ValueError
        Invalid UTF-8 or a NUL byte, naming the first line of the input that
        holds either, once the lines before it are given (the last of their
        blocks shorter than ``size`` if need be).

    Examples
    --------
    >>> import io
    >>> list(read_text_blocks(io.BytesIO(b"one\\ntwo\\r\\nthree"), 2))
    [['one', 'two'], ['three']]
    """
    if size < 1:
        raise ValueError(f"size must be a positive number of texts, got {size}.")
    if format not in TEXT_FORMATS:
        raise ValueError(f"format must be one of {TEXT_FORMATS}, got {format!r}.")
    if format == "lines":
        _refuse_table_options("format='lines'", text_columns, header, quoting)
        if isinstance(source, (str, os.PathLike)):
            with open(source, "rb") as handle:
                yield from _line_blocks(handle, str(source), size)
        else:
            yield from _line_blocks(source, getattr(source, "name", "<stream>"), size)
        return
    if not isinstance(source, (str, os.PathLike)):
        raise ValueError(
            f"{format} texts are read from a file path, got a stream; a stream is read one "
            'text per line (format="lines").'
        )
    texts = _table_texts(source, format, text_columns, header, quoting)[0]
    for start in range(0, len(texts), size):
        yield texts[start : start + size]


def _line_blocks(stream: BinaryIO, name: str, size: int) -> Iterator[list[str]]:
    """:func:`read_text_blocks` of an open stream."""
    read = getattr(stream, "read1", stream.read)  # read1: what has arrived, without waiting
    waiting: list[bytes] = []  # bytes read after the last complete line
    pending: list[str] = []
    line = 1  # the line that the waiting bytes start
    while True:
        piece = read(_LINES_READ)
        if piece:
            # Lines end at the last line break, but for a "\r" that ends the piece: the
            # next may start with "\n". Neither byte is ever part of a UTF-8 character.
            end = len(piece) - piece.endswith(b"\r")
            cut = max(piece.rfind(b"\n", 0, end), piece.rfind(b"\r", 0, end)) + 1
            if cut:
                complete = b"".join([*waiting, piece[:cut]])
                waiting = [piece[cut:]] if cut < len(piece) else []
            elif waiting and waiting[-1].endswith(b"\r") and not piece.startswith(b"\n"):
                complete, waiting = b"".join(waiting), [piece]  # that "\r" ended a line
            else:
                waiting.append(piece)
                continue
        else:
            complete, waiting = b"".join(waiting), []
        fault = None
        try:
            text = _decode(complete, name, what="the text", first_line=line)
        except _NotText as error:
            # The lines before the one that is not text are texts: they come first.
            fault, bom = error, line == 1 and complete.startswith(codecs.BOM_UTF8)
            bad = error.position + len(codecs.BOM_UTF8) * bom
            before = max(complete.rfind(b"\n", 0, bad), complete.rfind(b"\r", 0, bad)) + 1
            text = _decode(complete[:before], name, first_line=line)
        lines = _LINE_BREAK.split(text)
        if lines[-1] == "":  # what follows the last line ending: nothing yet, or at the end
            lines.pop()
        line += len(lines)
        pending += lines
        while len(pending) >= size:
            yield pending[:size]
            del pending[:size]
        if pending and (fault is not None or not piece):  # the texts before the end
            yield pending
        if fault is not None:
            raise fault
        if not piece:
            return


def _refuse_table_options(
    reading: str,
    text_columns: Sequence[str | int] | None,
    header: bool,
    quoting: str | None,
    *,
    label_column: str | int | None = None,
) -> None:
    """Refuse the options of csv and tsv files when ``reading`` reads none, rather than
    ignore them."""
    given = {
        "text_columns (--text-column)": text_columns is not None,
        "label_column (--label-column)": label_column is not None,
        "header=False (--no-header)": not header,
        "quoting (--quoting)": quoting is not None,
    }
    for option, is_given in given.items():
        if is_given:
            raise ValueError(f"{option} is for csv and tsv files; {reading} reads none.")


def split_file(
    dataset: str,
    split: str,
    *,
    data_dir: str | os.PathLike[str] | None = None,
    path: str | os.PathLike[str] | None = None,
) -> Path | None:
    """The file :func:`load_split` reads a split from, whether or not it exists.

    Parameters
    ----------
    dataset : {"ag_news", "trec", "trec-fine", "csv", "tsv"}
    split : {"train", "test"}
    data_dir, path : path-like, default=None
        As in :func:`load_split`: ``path`` only for csv and tsv.

    Returns
    -------
    file : Path or None
        AG News: ``data_dir/{split}.csv``; TREC: ``data_dir`` joined with the
        split's :data:`TREC_FILES` name; csv and tsv: ``path``, or
        ``data_dir/{split}.csv`` (``.tsv``). None where no file is named:
        without ``data_dir`` (AG News then comes from the Hub) and ``path``.

    Examples
    --------
    >>> split_file("trec", "test", data_dir="data/trec").as_posix()
    'data/trec/TREC_10.label'
    >>> split_file("tsv", "train", data_dir="mine").as_posix()
    'mine/train.tsv'
    >>> split_file("ag_news", "train") is None
    True
    """
    if dataset not in DATASETS:
        raise ValueError(f"dataset must be one of {DATASETS}, got {dataset!r}.")
    if split not in ("train", "test"):
        raise ValueError(f'split must be "train" or "test", got {split!r}.')
    if dataset in _SOURCES and path is not None:
        raise ValueError(
            f"A {split} file (--{split}) is for csv/tsv; {_SOURCES[dataset]}. Got {split}={path}."
        )
    if path is not None:
        return Path(path)
    if data_dir is None:
        return None
    if dataset == "ag_news":
        return Path(data_dir) / f"{split}.csv"
    if dataset in _SOURCES:
        return Path(data_dir) / TREC_FILES[split]
    return Path(data_dir) / f"{split}.{dataset}"


def load_split(
    dataset: str,
    split: str,
    *,
    data_dir: str | os.PathLike[str] | None = None,
    path: str | os.PathLike[str] | None = None,
    text_columns: Sequence[str | int] | None = None,
    label_column: str | int | None = None,
    header: bool = True,
    quoting: str | None = None,
) -> LabeledTexts:
    """One split of AG News, of TREC, or one of your own CSV or TSV files.

    Parameters
    ----------
    dataset : {"ag_news", "trec", "trec-fine", "csv", "tsv"}
        ``"ag_news"``: :func:`load_ag_news` from ``data_dir``, or from the Hub
        without it. ``"trec"``, ``"trec-fine"``: :func:`load_trec` from
        ``data_dir``, with its 6 coarse or 50 fine classes. ``"csv"``,
        ``"tsv"``: :func:`read_labeled_file` of ``path``.
    split : {"train", "test"}
        Which split; for csv and tsv, names the file in ``data_dir``.
    data_dir : path-like, default=None
        The built-in dataset's folder (AG News: None reads the Hub); for csv
        and tsv, the folder where ``path`` defaults to ``{split}.csv``
        (``.tsv``).
    path : path-like, default=None
        The csv or tsv file; not for the built-in datasets.
    text_columns, label_column, header, quoting
        For csv and tsv, as in :func:`read_labeled_file`; refused for the
        built-in datasets.

    Returns
    -------
    data : LabeledTexts
    """
    if dataset in _SOURCES:
        split_file(dataset, split, data_dir=data_dir, path=path)  # refuses a path
        _refuse_table_options(
            f"dataset={dataset!r}", text_columns, header, quoting, label_column=label_column
        )
        if dataset == "ag_news":
            return load_ag_news(split, data_dir)
        return load_trec(split, data_dir, fine=dataset == "trec-fine")
    return read_labeled_file(
        _table_file(dataset, split, data_dir, path),
        delimiter="\t" if dataset == "tsv" else ",",
        text_columns=text_columns,
        label_column=label_column,
        header=header,
        quoting=quoting,
    )


def load_split_texts(
    dataset: str,
    split: str,
    *,
    data_dir: str | os.PathLike[str] | None = None,
    path: str | os.PathLike[str] | None = None,
    text_columns: Sequence[str | int] | None = None,
    header: bool = True,
    quoting: str | None = None,
) -> list[str]:
    """The texts of one split, as :func:`load_split` reads them, without their labels.

    A csv or tsv file is read by :func:`read_texts`: it needs no label
    column, and a label column it has is not read.

    Parameters
    ----------
    dataset, split, data_dir, path, text_columns, header, quoting
        As in :func:`load_split`.

    Returns
    -------
    texts : list of str

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "test.csv").write_text("text\\nno label here\\n", encoding="utf-8")
    >>> load_split_texts("csv", "test", data_dir=folder)
    ['no label here']
    """
    if dataset in _SOURCES:
        return load_split(
            dataset, split, data_dir=data_dir, path=path, text_columns=text_columns,
            header=header, quoting=quoting,
        ).texts  # fmt: skip
    file = _table_file(dataset, split, data_dir, path)
    texts, why = _table_texts(file, dataset, text_columns, header, quoting)
    _refuse_no_texts(file, texts, f": {why}", what="texts")
    return texts


def _table_file(
    dataset: str,
    split: str,
    data_dir: str | os.PathLike[str] | None,
    path: str | os.PathLike[str] | None,
) -> Path:
    """The csv or tsv file of ``split``, refused unless it names an existing file."""
    file = split_file(dataset, split, data_dir=data_dir, path=path)
    if file is None:
        raise ValueError(
            f"dataset {dataset} needs a {split} file (--{split}), or data_dir "
            f"(--data-dir); got {split}=None."
        )
    if file.is_dir():
        raise ValueError(f"{file} is a folder, not a {dataset} file.")
    if not file.exists():
        raise FileNotFoundError(f"No such {dataset} file: {file}")
    return file


def load_splits(
    dataset: str = "ag_news",
    *,
    data_dir: str | os.PathLike[str] | None = None,
    train: str | os.PathLike[str] | None = None,
    test: str | os.PathLike[str] | None = None,
    text_columns: Sequence[str | int] | None = None,
    label_column: str | int | None = None,
    header: bool = True,
    quoting: str | None = None,
) -> tuple[LabeledTexts, LabeledTexts]:
    """The training and test splits of AG News, of TREC, or of your own CSV or TSV files.

    Parameters
    ----------
    dataset : {"ag_news", "trec", "trec-fine", "csv", "tsv"}, default="ag_news"
        As in :func:`load_split`.
    data_dir : path-like, default=None
        The built-in dataset's folder (AG News: None reads the Hub); for csv
        and tsv, the folder where ``train`` and ``test`` default to
        ``train.csv`` and ``test.csv`` (``.tsv``).
    train, test : path-like, default=None
        The csv or tsv files; not for the built-in datasets.
    text_columns, label_column, header, quoting
        For csv and tsv, as in :func:`read_labeled_file`.

    Returns
    -------
    train, test : LabeledTexts
    """
    if dataset in _SOURCES and (train is not None or test is not None):
        raise ValueError(
            f"train and test files (--train, --test) are for csv/tsv; {_SOURCES[dataset]}. "
            f"Got train={train}, test={test}."
        )
    if dataset in ("csv", "tsv") and data_dir is None and (train is None or test is None):
        raise ValueError(
            f"dataset {dataset} needs train and test files (--train, --test), or data_dir "
            f"(--data-dir); got train={train}, test={test}."
        )
    train_data, test_data = (
        load_split(
            dataset,
            split,
            data_dir=data_dir,
            path=path,
            text_columns=text_columns,
            label_column=label_column,
            header=header,
            quoting=quoting,
        )
        for split, path in (("train", train), ("test", test))
    )
    return train_data, test_data


def sample_per_class(
    labels: ArrayLike,
    n_per_class: int,
    random_state: np.random.RandomState,
    *,
    class_names: Sequence[str] = (),
) -> np.ndarray:
    """Indices of ``n_per_class`` items of every class, drawn without replacement.

    Raises ``ValueError`` when a class has fewer than ``n_per_class`` items
    (:func:`check_per_class`).

    Parameters
    ----------
    labels : array-like of shape (n_items,)
        The label of each item.
    n_per_class : int
        Items to draw from each class, at least 1.
    random_state : RandomState
        Draws the items.
    class_names : sequence of str, default=()
        As in :func:`check_per_class`.

    Returns
    -------
    indices : ndarray of shape (n_classes * n_per_class,)
        Sorted, so the data keep their original order.
    """
    if isinstance(n_per_class, bool) or not isinstance(n_per_class, Integral) or n_per_class < 1:
        raise ValueError(f"n_per_class must be an int of at least 1, got {n_per_class!r}.")
    labels = np.asarray(labels)
    check_per_class(labels, n_per_class, class_names=class_names)
    chosen = [
        random_state.choice(np.flatnonzero(labels == label), n_per_class, replace=False)
        for label in np.unique(labels)
    ]
    return np.sort(np.concatenate(chosen))


def check_per_class(
    labels: ArrayLike, n_per_class: int, *, class_names: Sequence[str] = ()
) -> None:
    """Refuse ``n_per_class`` when a class of ``labels`` has fewer items.

    The error names the smallest class (by its entry in ``class_names``, if
    given) and the most items that every class has.

    Parameters
    ----------
    labels : array-like of shape (n_items,)
        The label of each item; refused when empty.
    n_per_class : int
        Items asked for from every class.
    class_names : sequence of str, default=()
        Display names of integer labels, indexed by the label.

    Examples
    --------
    >>> check_per_class(np.array(["HUM", "HUM", "LOC"]), 2)
    Traceback (most recent call last):
    ...
    ValueError: Class 'LOC' has 1 examples, fewer than the 2 per class asked for: ...
    """
    classes, counts = np.unique(np.asarray(labels), return_counts=True)
    if not len(classes):
        raise ValueError("labels is empty: there is no class to sample from.")
    if n_per_class > counts.min():
        smallest = classes[counts.argmin()]
        if class_names:
            shown = label_names([smallest], class_names)[0]
        else:
            shown = smallest.item() if isinstance(smallest, np.generic) else smallest
        raise ValueError(
            f"Class {shown!r} has {counts.min()} examples, fewer than the {n_per_class} "
            f"per class asked for: every class has at least {counts.min()}."
        )
