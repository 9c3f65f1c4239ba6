"""Explanations of one prediction: plain arrays, and the query shaded by the bits it saved.

Both explanations measure, for each byte of the query's UTF-8 encoding, how
many bits it costs under one hypothesis against another: coded after its
nearest neighbour of the predicted class or alone (:class:`NeighborExplanation`),
under the predicted class or the runner-up (:class:`ClassCostExplanation`).
``to_html`` shows the query word by word, the words whose bytes saved the most
bits darkest; Jupyter shows it on its own through ``_repr_html_``.
"""

from __future__ import annotations

import html
import re
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any

import numpy as np

from ._text import encode_text
from .compressors import ArithmeticCodingCompressor, Compressor

#: How :func:`query_byte_savings` measured a saving: the model's own per-byte code lengths,
CODE_LENGTH = "code length"
#: or the growth of the compressed size as the query is extended one byte at a time.
MARGINAL_SIZE = "marginal size"
#: Shades of the highlighting: savings are rounded to this many levels.
SHADES = 10
#: A word and the (ASCII) whitespace after it, or whitespace at the start of a text.
_WORD = re.compile(r"[^ \t\n\r\f\v]+[ \t\n\r\f\v]*|[ \t\n\r\f\v]+")


def query_byte_savings(
    compressor: Compressor, context: bytes, data: bytes
) -> tuple[np.ndarray, str]:
    """Bits each byte of ``data`` saves when coded after ``context`` rather than alone.

    A model-based compressor (:class:`~npc_classify.compressors.ArithmeticCodingCompressor`)
    gives real per-byte code lengths: ``code_lengths(b"", data) -
    code_lengths(context, data)`` (:data:`CODE_LENGTH`). A stream compressor
    (gzip, zstd, bz2, lzma) has no code length per byte, so the saving of byte
    ``i`` is defined by prefix increments (:data:`MARGINAL_SIZE`):

        8 * ([C(data[:i+1]) - C(data[:i])] - [C(context + data[:i+1]) - C(context + data[:i])])

    with ``C`` from ``compressed_sizes_with_prefix``: the compressor's
    marginal cost of each byte, which is not a code length (it moves in whole
    bytes, and a byte can pay for the match that a later byte completes). The
    savings add up to ``8 * ([C(data) - C(b"")] - [C(context + data) - C(context)])``.
    It costs ``len(data) + 1`` compressions of each kind.

    Returns
    -------
    savings : ndarray of shape (len(data),)
        Bits; negative where the byte costs more after ``context``.
    method : str
        :data:`CODE_LENGTH` or :data:`MARGINAL_SIZE`.
    """
    if isinstance(compressor, ArithmeticCodingCompressor):
        alone = compressor.code_lengths(b"", data)
        return alone - compressor.code_lengths(context, data), CODE_LENGTH
    prefixes = [data[:stop] for stop in range(len(data) + 1)]
    alone = np.diff(compressor.compressed_sizes_with_prefix(b"", prefixes))
    after = np.diff(compressor.compressed_sizes_with_prefix(context, prefixes))
    return 8.0 * (alone - after), MARGINAL_SIZE


def words(text: str) -> list[tuple[str, int, int]]:
    """The words of ``text``, each with the whitespace after it, and their byte ranges.

    Whitespace is ASCII's (space, tab, newline, carriage return, form feed,
    vertical tab); whitespace at the start of the text is a unit of its own.

    Returns
    -------
    words : list of (str, int, int)
        Each unit's text and its ``[start, stop)`` range in ``encode_text(text)``.
    """
    units, position = [], 0
    for match in _WORD.finditer(text):
        size = len(encode_text(match.group()))
        units.append((match.group(), position, position + size))
        position += size
    return units


def word_savings(text: str, savings: np.ndarray) -> np.ndarray:
    """Bits saved by each unit of :func:`words`: the sum over its bytes."""
    starts = [start for _, start, _ in words(text)]
    return np.add.reduceat(savings, starts) if starts else np.zeros(0)


def saving_spans(text: str, savings: np.ndarray, n_spans: int) -> tuple[np.ndarray, np.ndarray]:
    """The ``n_spans`` runs of saving words that saved the most bits, largest first.

    A run is a maximal sequence of consecutive words (:func:`words`) each of
    which saved bits in total; its saving is the sum over its bytes.

    Returns
    -------
    spans : ndarray of shape (n, 2)
        ``[start, stop)`` byte ranges, ``n <= n_spans``.
    span_savings : ndarray of shape (n,)
        Bits saved over each range.
    """
    units = words(text)
    edges = np.diff(np.concatenate([[0], (word_savings(text, savings) > 0).astype(np.int8), [0]]))
    first, last = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1) - 1
    bounds = np.array([(units[a][1], units[b][2]) for a, b in zip(first, last, strict=True)])
    bounds = bounds.reshape(-1, 2).astype(np.intp)
    totals = np.array([savings[start:stop].sum() for start, stop in bounds], dtype=np.float64)
    best = np.argsort(-totals, kind="stable")[:n_spans]
    return bounds[best], totals[best]


class _HTMLExplanation(ABC):
    """``_repr_html_`` for Jupyter, from the subclass's ``to_html``."""

    @abstractmethod
    def to_html(self) -> str:
        """A self-contained HTML snippet."""

    def _repr_html_(self) -> str:
        return self.to_html()


@dataclass(frozen=True, eq=False)
class NeighborExplanation(_HTMLExplanation):
    """Why :class:`~npc_classify.NCDClassifier` predicted a class for one text.

    Returned by :meth:`NCDClassifier.explain <npc_classify.NCDClassifier.explain>`.

    Attributes
    ----------
    text : str
        The query.
    predicted : object
        The predicted class, as ``predict`` gives it.
    neighbor_indices : ndarray of shape (k,)
        Positions of the ``k`` nearest training texts, nearest first
        (``kneighbors``).
    neighbor_distances : ndarray of shape (k,)
        Their NCD to the query.
    neighbor_labels : ndarray of shape (k,)
        Their classes.
    reference_index : int
        Position in the training set of the nearest neighbour of the
        predicted class, the one the savings are measured against.
    reference_text : str
        That training text.
    byte_savings : ndarray of shape (n_bytes,)
        For each byte of the query's UTF-8 encoding, the bits it saved coded
        after the reference text and the separator instead of alone (see
        ``method``); negative where it cost more.
    method : {"code length", "marginal size"}
        The model's per-byte code lengths (PPM, CM, byte LM), or the increments
        of the compressed size as the query grows one byte at a time (gzip,
        zstd, bz2, lzma), a marginal cost rather than a code length.
    spans : ndarray of shape (n_spans, 2)
        ``[start, stop)`` byte ranges of runs of consecutive words (each with
        the whitespace after it) whose bytes saved bits in total, those that
        saved the most first.
    span_savings : ndarray of shape (n_spans,)
        Bits saved over each span.
    """

    text: str
    predicted: Any
    neighbor_indices: np.ndarray
    neighbor_distances: np.ndarray
    neighbor_labels: np.ndarray
    reference_index: int
    reference_text: str
    byte_savings: np.ndarray
    method: str
    spans: np.ndarray
    span_savings: np.ndarray

    def to_html(self) -> str:
        """A self-contained HTML snippet: the query shaded by bits saved, and the neighbours.

        Returns
        -------
        html : str
        """
        rows = [
            (rank, index, label, f"{distance:.4f}")
            for rank, (index, label, distance) in enumerate(
                zip(
                    self.neighbor_indices.tolist(),
                    self.neighbor_labels.tolist(),
                    self.neighbor_distances.tolist(),
                    strict=True,
                ),
                start=1,
            )
        ]
        summary = (
            f"<b>Predicted:</b> {_escape(self.predicted)}. Shaded: the bits each word "
            f"saved coded after training text {self.reference_index} (the nearest of the "
            f"predicted class) instead of alone, by {_escape(self.method)}; darker saved more."
        )
        parts = [
            f"<p>{summary}</p>",
            _highlighted(self.text, self.byte_savings),
            _table(("rank", "training text", "class", "NCD"), rows),
            f"<p><b>Training text {self.reference_index}:</b> {_escape(self.reference_text)}</p>",
            _span_table(self.text, self.spans, self.span_savings),
        ]
        return _frame(parts)


@dataclass(frozen=True, eq=False)
class ClassCostExplanation(_HTMLExplanation):
    """Why :class:`~npc_classify.CompressionClassifier` predicted a class for one text.

    Returned by
    :meth:`CompressionClassifier.explain <npc_classify.CompressionClassifier.explain>`.

    Attributes
    ----------
    text : str
        The query.
    classes : ndarray of shape (n_classes,)
        The classifier's ``classes_``.
    predicted : object
        The class under which the query costs the fewest bits.
    runner_up : object
        The class under which it costs the next fewest.
    class_bits : ndarray of shape (n_classes,)
        The query's cost under each class, ``class_bits([text])[0]``: its
        bits after the class text, less its bits after the class's complement
        text when the classifier has ``complement``, less the class's offset
        (``class_offsets_``).
    byte_bits : ndarray of shape (n_classes, n_bytes)
        The code length of each byte of the query's UTF-8 encoding under
        each class (with ``complement``, less its code length under the
        complement text); ``byte_bits.sum(axis=1)`` equals ``class_bits`` plus
        the classifier's ``class_offsets_``, up to rounding.
    spans : ndarray of shape (n_spans, 2)
        ``[start, stop)`` byte ranges of runs of consecutive words (each with
        the whitespace after it) that the predicted class coded in fewer bits
        than the runner-up, those that saved the most first.
    span_savings : ndarray of shape (n_spans,)
        Bits the predicted class saved over each span.
    """

    text: str
    classes: np.ndarray
    predicted: Any
    runner_up: Any
    class_bits: np.ndarray
    byte_bits: np.ndarray
    spans: np.ndarray
    span_savings: np.ndarray

    @property
    def byte_savings(self) -> np.ndarray:
        """Bits each byte saved under the predicted class against the runner-up."""
        index = self.classes.tolist().index
        return self.byte_bits[index(self.runner_up)] - self.byte_bits[index(self.predicted)]

    def to_html(self) -> str:
        """A self-contained HTML snippet: the query shaded by bits saved, and each class's cost.

        Returns
        -------
        html : str
        """
        rows = [
            (label, f"{bits:.1f}")
            for label, bits in zip(self.classes.tolist(), self.class_bits.tolist(), strict=True)
        ]
        summary = (
            f"<b>Predicted:</b> {_escape(self.predicted)}, <b>runner-up:</b> "
            f"{_escape(self.runner_up)}. Shaded: the bits each word saved under the "
            "predicted class against the runner-up; darker saved more."
        )
        parts = [
            f"<p>{summary}</p>",
            _highlighted(self.text, self.byte_savings),
            _table(("class", "bits"), rows),
            _span_table(self.text, self.spans, self.span_savings),
        ]
        return _frame(parts)


def _escape(value: Any) -> str:
    return html.escape(str(value), quote=True)


def _frame(parts: list[str]) -> str:
    return '<div style="font-family: sans-serif; line-height: 1.5">' + "".join(parts) + "</div>"


def _table(header: tuple[str, ...], rows: list[tuple[Any, ...]]) -> str:
    head = "".join(f"<th>{_escape(cell)}</th>" for cell in header)
    body = "".join(
        "<tr>" + "".join(f"<td>{_escape(cell)}</td>" for cell in row) + "</tr>" for row in rows
    )
    return f'<table style="border-collapse: collapse"><tr>{head}</tr>{body}</table>'


def _span_table(text: str, spans: np.ndarray, span_savings: np.ndarray) -> str:
    data = encode_text(text)
    rows = [
        (f"{start}-{stop}", data[start:stop].decode("utf-8", "replace"), f"{bits:.1f}")
        for (start, stop), bits in zip(spans.tolist(), span_savings.tolist(), strict=True)
    ]
    return _table(("bytes", "text", "bits saved"), rows)


def _highlighted(text: str, savings: np.ndarray) -> str:
    """``text`` word by word, each shaded by the bits its bytes saved in total."""
    units = words(text)
    totals = word_savings(text, savings)
    top = max(float(totals.max(initial=0.0)), 1e-12)
    runs = []
    for (unit, _, _), bits in zip(units, totals.tolist(), strict=True):
        level = round(SHADES * max(bits, 0.0) / top)
        style = (
            f' style="background-color: rgba(44, 160, 44, {level / SHADES:.1f})"' if level else ""
        )
        runs.append(f'<span{style} title="{bits:.1f} bits saved">{_escape(unit)}</span>')
    style = (
        "font-family: monospace; white-space: pre-wrap; border: 1px solid #ccc; "
        "padding: 0.4em; margin: 0.4em 0"
    )
    return f'<div style="{style}">' + "".join(runs) + "</div>"
