"""Plain-text tables of the evaluation protocols' results, as ``npc-classify`` prints them.

Each function takes what a protocol of :mod:`npc_classify.evaluation`
returns and gives the text, so a notebook prints the same tables as the
command line; :func:`prediction_lines` gives what ``npc-classify predict``
prints.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from ._explanation import ClassCostExplanation, NeighborExplanation
from ._text import encode_text, one_line, shorten
from ._voting import PAPER_TOP_K

_PAPER_TOP_K_NOTE = (
    f"({PAPER_TOP_K}: a tie counts as correct when the true class is among the tied "
    "classes; an optimistic upper bound, not a classifier's accuracy. Shown for k >= 2 "
    "only: one neighbour never ties, so for k=1 it is the fair score.)"
)


def format_score_report(
    title: str, report: Mapping[str, Any], offsets: Mapping[str, float] | None = None
) -> str:
    """Per-class precision, recall, F1 and support, and the confusion matrix.

    Parameters
    ----------
    title : str
        The heading.
    report : dict
        As returned by :func:`~npc_classify.evaluation.score_report`.
    offsets : dict, default=None
        Each class's offset in bits by class name, shown as a last column.
    """
    shown = [one_line(name) for name in report["classes"]]
    column = max(14, *map(_display_width, shown))
    lines = [f"{title}: per class"]
    lines.append(
        f"{_right('class', column)} {'precision':>9} {'recall':>7} {'f1':>7} {'support':>7}"
        + ("" if offsets is None else f" {'offset (bits)':>13}")
    )
    for (name, cls), label in zip(report["per_class"].items(), shown, strict=True):
        offset = f" {offsets[name]:>+13.2f}" if offsets is not None and name in offsets else ""
        lines.append(
            f"{_right(label, column)} {cls['precision']:>9.4f} {cls['recall']:>7.4f} "
            f"{cls['f1']:>7.4f} {cls['support']:>7}{offset}"
        )
    lines.append("confusion matrix (rows: true, columns: assigned)")
    counts_width = max(len(str(c)) for row in report["confusion_matrix"] for c in row)
    width = max(*map(_display_width, shown), counts_width) + 1
    lines.append(" " * width + "".join(_right(label, width) for label in shown))
    for label, counts in zip(shown, report["confusion_matrix"], strict=True):
        lines.append(_right(label, width) + "".join(f"{c:>{width}}" for c in counts))
    return "\n".join(lines)


def _display_width(text: str) -> int:
    """Columns ``text`` takes on a terminal: two for a wide character (CJK, most emoji),
    none for a combining mark, one for any other."""
    return sum(
        0
        if unicodedata.combining(char)
        else 2
        if unicodedata.east_asian_width(char) in "WF"
        else 1
        for char in text
    )


def _right(text: str, width: int) -> str:
    """``text`` right-aligned in ``width`` terminal columns."""
    return " " * max(0, width - _display_width(text)) + text


def _interval(report: Mapping[str, Any]) -> str:
    """The accuracy's 95% interval as ``low-high``."""
    low, high = report["accuracy_ci95"]
    return f"{low:.4f}-{high:.4f}"


def format_neighbor_evaluation(outcome: Mapping[str, Any], tie: str) -> str:
    """The pairs and their speed, accuracy and macro-F1 per k, and the first k's report.

    The fair rule's accuracy comes with its 95% interval
    (:func:`~npc_classify.evaluation.score_report`'s ``accuracy_ci95``).

    Parameters
    ----------
    outcome : dict
        As returned by :func:`~npc_classify.evaluation.evaluate_neighbors`.
    tie : str
        The fair tie rule the scores were computed with. The paper's rule,
        where scored (k >= 2), gets its own columns, blank for k=1.
    """
    resumed = outcome["resumed_queries"]
    lines = [
        f"{outcome['n_test']} test x {outcome['n_train']} training texts"
        + (f" ({resumed} queries resumed from the checkpoint)" if resumed else "")
        + f": {outcome['pairs']:,} pairs compressed in {outcome['wall_time_s']:.1f} s "
        f"({outcome['pairs_per_second']:,.0f} pairs/s)"
    ]
    results = outcome["results"]
    rules = [rule for rule in (tie, PAPER_TOP_K) if any(rule in entry for entry in results)]
    lines.append(
        f"{'k':>4}  {tie + ' acc':>18}  {'95% interval':>13}  {'macro-F1':>8}"
        + "".join(f"  {rule + ' acc':>18}  {'macro-F1':>8}" for rule in rules[1:])
    )
    for entry in results:
        fair = entry[tie]
        cells = f"  {fair['accuracy']:>18.4f}  {_interval(fair):>13}  {fair['macro_f1']:>8.4f}"
        cells += "".join(
            f"  {entry[r]['accuracy']:>18.4f}  {entry[r]['macro_f1']:>8.4f}"
            if r in entry
            else f"  {'':>18}  {'':>8}"
            for r in rules[1:]
        )
        lines.append(f"{entry['k']:>4}{cells}".rstrip())
    if PAPER_TOP_K in rules:
        lines.append(_PAPER_TOP_K_NOTE)
    first = results[0]
    lines += [
        "\n" + format_score_report(f"k={first['k']}, {rule}", first[rule])
        for rule in rules
        if rule in first
    ]
    return "\n".join(lines)


def _resumed(outcome: Mapping[str, Any]) -> str:
    """That a class-conditional run's time is for the class texts it did not read back."""
    resumed = outcome.get("resumed_class_texts", 0)
    if not resumed:
        return ""
    return f" (this run's, {resumed} class texts read back from the checkpoint)"


def format_class_conditional(outcome: Mapping[str, Any], description: str) -> str:
    """Speed, accuracy and its 95% interval, macro-F1 and the report of a class-conditional
    evaluation.

    Parameters
    ----------
    outcome : dict
        As returned by :func:`~npc_classify.evaluation.evaluate_class_conditional`.
    description : str
        What was evaluated, e.g. the compressor and the number of classes.
    """
    report = outcome["report"]
    return "\n".join(
        [
            f"class-conditional {description}: {outcome['n_test']} test texts "
            f"({outcome['n_train']} training texts), "
            f"{outcome['ms_per_document']:.3f} ms per document{_resumed(outcome)}, "
            f"{_dictionaries(outcome['n_dictionaries'])} per class{_chosen(outcome)}"
            f"{_complement(outcome)}{_offsets(outcome)}",
            f"accuracy {report['accuracy']:.4f} (95% interval {_interval(report)})  "
            f"macro-F1 {report['macro_f1']:.4f}",
            "",
            format_score_report("class-conditional", report, outcome.get("class_offsets")),
        ]
    )


def _dictionaries(n: int) -> str:
    return "1 dictionary" if n == 1 else f"{n} dictionaries"


def _seeds_cell(score: Mapping[str, Any]) -> str:
    """The mean and ``[low, high]``, or why there is no interval: one seed."""
    interval = score["ci95"]
    shown = "(one seed)" if interval is None else f"[{interval[0]:.4f}, {interval[1]:.4f}]"
    return f"{score['mean']:.4f} {shown:>16}"


#: The widest cell of a few-shot table: a mean and its interval.
_SEEDS_CELL_EXAMPLE = _seeds_cell({"mean": 1.0, "ci95": [1.0, 1.0]})


def format_few_shot(rows: Sequence[Mapping[str, Any]], rules: Sequence[str]) -> str:
    """Mean accuracy and its 95% interval per number of shots (and k), for each rule.

    Parameters
    ----------
    rows : list of dict
        As returned by :func:`~npc_classify.evaluation.few_shot`; a k column
        when they have a k (NCD neighbours).
    rules : list of str
        The keys of the scores in the rows (tie rules, or
        :data:`~npc_classify.evaluation.CLASS_CONDITIONAL`), in the order to
        show them; a row without one (the paper's rule for k=1) leaves its
        cells blank.
    """
    rules = [rule for rule in rules if any(rule in row for row in rows)]
    titles = [f"{rule} mean [95% CI]" for rule in rules]
    widths = [max(len(title), len(_SEEDS_CELL_EXAMPLE)) for title in titles]
    with_k = all("k" in row for row in rows)
    header = f"{'shots':>6}" + f" {'k':>3}" * with_k
    header += "".join(f"  {title:>{w}}" for title, w in zip(titles, widths, strict=True))
    lines = [header]
    for row in rows:
        cells = "".join(
            f"  {_seeds_cell(row[r]) if r in row else '':>{w}}"
            for r, w in zip(rules, widths, strict=True)
        )
        k = f" {row['k']:>3}" if with_k else ""
        lines.append(f"{row['shots']:>6}{k}{cells}".rstrip())
    if PAPER_TOP_K in rules:
        lines.append(_PAPER_TOP_K_NOTE)
    return "\n".join(lines)


def format_bits_per_byte(table: Mapping[str, tuple[float, float]]) -> str:
    """Bits per byte of each compressor, per document and as one file.

    Parameters
    ----------
    table : dict
        Compressor name -> :func:`~npc_classify.evaluation.bits_per_byte`'s pair.
    """
    lines = [f"{'compressor':<11} {'per document':>12} {'whole file':>10}  (bits per byte)"]
    for name, (per_document, whole_file) in table.items():
        lines.append(f"{name:<11} {per_document:>12.3f} {whole_file:>10.3f}")
    return "\n".join(lines)


PREDICTION_STYLES = ("labels", "proba", "jsonl")
"""The output styles of :func:`prediction_lines`."""


def prediction_lines(
    classes: Sequence[Any] | np.ndarray,
    labels: Sequence[Any] | np.ndarray | None,
    proba: np.ndarray | None,
    style: str,
    *,
    header: bool = True,
) -> list[str]:
    """The lines ``npc-classify predict`` prints, one per text (after a header for proba).

    Parameters
    ----------
    classes : sequence
        The model's ``classes_``, the columns of ``proba``.
    labels : sequence or None
        The predicted label of each text; needed by ``"labels"`` and ``"jsonl"``.
    proba : ndarray of shape (n_texts, n_classes) or None
        The class probabilities; needed by ``"proba"`` and ``"jsonl"``.
    style : {"labels", "proba", "jsonl"}
        ``"labels"``: one label per line. ``"proba"``: a header line of the
        class names, then each text's probabilities, tab-separated. In both,
        a backslash, tab, newline or carriage return of a label is written
        ``\\\\``, ``\\t``, ``\\n``, ``\\r``, so that a label stays one field of
        one line. ``"jsonl"``: one JSON object ``{"label": ..., "proba":
        {class: p}}`` per text, the labels as they are.
    header : bool, default=True
        Begin ``"proba"`` with the header line (False: for texts after the first
        block of a run).

    Examples
    --------
    >>> import numpy as np
    >>> proba = np.array([[0.75, 0.25]])
    >>> prediction_lines(["sport", "world"], None, proba, "proba")
    ['sport\\tworld', '0.75\\t0.25']
    >>> prediction_lines(["sport", "world"], ["sport"], proba, "jsonl")
    ['{"label": "sport", "proba": {"sport": 0.75, "world": 0.25}}']
    """
    if style == "labels" and labels is not None:
        return [one_line(label) for label in labels]
    if style == "proba" and proba is not None:
        rows = ["\t".join(str(float(p)) for p in row) for row in proba]
        return ["\t".join(map(one_line, classes)), *rows] if header else rows
    if style == "jsonl" and labels is not None and proba is not None:
        names = [str(name) for name in classes]
        return [
            json.dumps(
                {"label": _plain(label), "proba": dict(zip(names, map(float, row), strict=True))}
            )
            for label, row in zip(labels, proba, strict=True)
        ]
    if style not in PREDICTION_STYLES:
        raise ValueError(f"style must be one of {PREDICTION_STYLES}, got {style!r}.")
    needs = "proba" if style == "proba" else "labels and proba" if style == "jsonl" else "labels"
    raise ValueError(f'style "{style}" needs {needs}; got None.')


def _plain(value: Any) -> Any:
    """A numpy scalar as the Python value JSON can hold; anything else unchanged."""
    return value.item() if isinstance(value, np.generic) else value


def format_explanation(explanation: NeighborExplanation | ClassCostExplanation) -> str:
    """An explanation of one prediction as text: the top spans, and the neighbours or classes.

    Parameters
    ----------
    explanation : NeighborExplanation or ClassCostExplanation
        As returned by ``NCDClassifier.explain`` or ``CompressionClassifier.explain``.
    """
    data = encode_text(explanation.text)
    if isinstance(explanation, NeighborExplanation):
        lines = [f"predicted: {one_line(explanation.predicted)}", "neighbours (nearest first):"]
        lines.append(f"{'rank':>4} {'index':>7} {'NCD':>7}  label")
        for rank, (index, distance, label) in enumerate(
            zip(
                explanation.neighbor_indices,
                explanation.neighbor_distances,
                explanation.neighbor_labels,
                strict=True,
            ),
            start=1,
        ):
            lines.append(f"{rank:>4} {index:>7} {distance:>7.4f}  {one_line(label)}")
        reference = one_line(shorten(explanation.reference_text, 60))
        lines.append(
            f"saved against training text {explanation.reference_index} ({reference}), "
            f"by {explanation.method}:"
        )
    else:
        predicted, runner_up = one_line(explanation.predicted), one_line(explanation.runner_up)
        lines = [f"predicted: {predicted} (runner-up: {runner_up})"]
        lines.append("bits of the text under each class:")
        lines += [
            f"  {one_line(label)}: {bits:.1f}"
            for label, bits in zip(explanation.classes, explanation.class_bits, strict=True)
        ]
        lines.append(f"saved under {predicted} against {runner_up}:")
    for (start, stop), saved in zip(explanation.spans, explanation.span_savings, strict=True):
        span = data[start:stop].decode("utf-8", "replace").strip()
        lines.append(f"  {saved:>7.1f} bits  {shorten(span, 60)!r}")
    if not len(explanation.spans):
        lines.append("  (no word saved bits)")
    return "\n".join(lines)


def _complement(outcome: Mapping[str, Any]) -> str:
    """The complement texts each class was scored against, if any."""
    ratio = outcome.get("complement")
    if ratio is None:
        return ""
    if ratio == "all":
        return ", each against the other classes' texts"
    return f", each against the other classes' texts up to {ratio:g}x its length"


def _offsets(outcome: Mapping[str, Any]) -> str:
    """The class offsets fitted on held-out training texts, if any."""
    if outcome.get("class_offsets") is None:
        return ""
    return ", less class offsets fitted on held-out training texts (per class below)"


def _chosen(outcome: Mapping[str, Any]) -> str:
    """How ``n_dictionaries="auto"`` chose, if it did."""
    if outcome.get("cv_accuracy") is None:
        return ""
    scores = ", ".join(f"{n}: {a:.4f}" for n, a in outcome["cv_accuracy"].items())
    return f" (chosen by cross-validation on the training texts; accuracy {scores})"
