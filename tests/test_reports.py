"""The text tables of the evaluation protocols: what the command line prints."""

from __future__ import annotations

import json

import numpy as np

from npc_classify import CompressionClassifier, NCDClassifier
from npc_classify.datasets import LabeledTexts
from npc_classify.evaluation import PAPER_TOP_K, evaluate_neighbors, score_report
from npc_classify.reports import (
    format_bits_per_byte,
    format_explanation,
    format_few_shot,
    format_neighbor_evaluation,
    format_score_report,
    prediction_lines,
)


def split(texts, labels):
    return LabeledTexts(list(texts), np.asarray(labels))


def test_the_neighbor_table_has_a_row_per_k_and_the_paper_rule_when_scored(tiny_news):
    texts, labels = tiny_news
    train, test = split(texts[::2], labels[::2]), split(texts[1::2], labels[1::2])
    outcome = evaluate_neighbors(NCDClassifier(k=3), train, test, [1, 3], paper_top_k=True)
    text = format_neighbor_evaluation(outcome, "nearest")
    assert text.splitlines()[0].startswith("12 test x 12 training texts: 144 pairs compressed")
    rows = [line.split() for line in text.splitlines()[2:4]]
    assert [row[0] for row in rows] == ["1", "3"]
    accuracy = outcome["results"][1]["nearest"]["accuracy"]
    assert float(rows[1][1]) == round(accuracy, 4)
    assert f"{PAPER_TOP_K} acc" in text.splitlines()[1]
    assert "k=1, nearest: per class" in text


def test_the_score_report_shows_the_confusion_matrix_rows_by_true_class():
    report = score_report(["a", "a", "b"], ["a", "b", "b"])
    lines = format_score_report("t", report).splitlines()
    assert lines[-2].split() == ["a", "1", "1"]
    assert lines[-1].split() == ["b", "0", "1"]


def test_few_shot_and_bits_per_byte_tables_have_one_row_per_entry():
    rows = [{"shots": 5, "k": 1, "nearest": {"mean": 0.5, "ci95": [0.4, 0.6]}}]
    assert format_few_shot(rows, ["nearest"]).splitlines()[1].split()[:3] == ["5", "1", "0.5000"]
    rows = [{"shots": 5, "class-conditional": {"mean": 0.75, "ci95": [0.7, 0.8]}}]
    header, row = format_few_shot(rows, ["class-conditional"]).splitlines()
    assert header.split()[:2] == ["shots", "class-conditional"]  # no k column
    assert row.split()[:2] == ["5", "0.7500"]
    rows = [{"shots": 5, "class-conditional": {"mean": 0.75, "ci95": None}}]
    assert format_few_shot(rows, ["class-conditional"]).splitlines()[1].split() == [
        "5", "0.7500", "(one", "seed)"
    ]  # fmt: skip
    table = format_bits_per_byte({"gzip": (3.25, 2.5)})
    assert table.splitlines()[1].split() == ["gzip", "3.250", "2.500"]


def test_predicted_lines_keep_a_label_with_a_tab_or_newline_on_one_field_of_one_line():
    classes = ["busi\nness", "sp\tort", "a\\b"]
    proba = np.array([[0.5, 0.25, 0.25]])
    header, row = prediction_lines(classes, None, proba, "proba")
    assert prediction_lines(classes, None, proba, "proba", header=False) == [row]
    assert row == "0.5\t0.25\t0.25"
    assert header.split("\t") == ["busi\\nness", "sp\\tort", "a\\\\b"]
    assert prediction_lines(classes, classes, None, "labels") == header.split("\t")
    (line,) = prediction_lines(classes, ["sp\tort"], proba, "jsonl")
    assert json.loads(line)["label"] == "sp\tort"  # JSON keeps the label as it is


def test_the_per_class_rows_show_precision_recall_f1_and_support_in_that_order():
    from npc_classify.reports import format_score_report

    lines = format_score_report("t", score_report([0, 0, 1, 2], [0, 1, 1, 2])).splitlines()
    assert lines[2].split() == ["0", "1.0000", "0.5000", "0.6667", "2"]


def test_confusion_counts_wider_than_the_class_names_stay_apart_and_aligned():
    """Digit labels are one character wide; counts of 10 and 1,000 must not run into them."""
    truth = ["1"] * 1_000 + ["2"] * 12 + ["3"]
    assigned = ["1"] * 1_000 + ["1"] * 10 + ["2"] * 2 + ["3"]
    lines = format_score_report("t", score_report(truth, assigned)).splitlines()
    matrix = lines[-4:]
    assert [line.split() for line in matrix[1:]] == [
        ["1", "1000", "0", "0"], ["2", "10", "2", "0"], ["3", "0", "0", "1"]
    ]  # fmt: skip
    assert len({len(line) for line in matrix}) == 1  # every column right-aligned


def test_few_shot_cells_end_under_their_headers_and_empty_rules_are_left_out():
    rows = [
        {"shots": 2, "k": 1, "nearest": {"mean": 0.3, "ci95": [0.1479, 0.4921]}},
        {"shots": 2, "k": 2, "nearest": {"mean": 0.3, "ci95": None},
         PAPER_TOP_K: {"mean": 0.5, "ci95": [0.25, 0.75]}},
    ]  # fmt: skip
    header, *lines = format_few_shot(rows, ["nearest", PAPER_TOP_K]).splitlines()
    ends = [header.index(" mean [95% CI]") + len(" mean [95% CI]")]
    ends.append(header.rindex(" mean [95% CI]") + len(" mean [95% CI]"))
    assert len(lines[0]) == ends[0]  # the paper's rule does not apply to k=1: blank
    assert lines[1].index("(one seed)") + len("(one seed)") == ends[0]
    assert len(lines[1]) == ends[1]
    only_k1 = format_few_shot(rows[:1], ["nearest", PAPER_TOP_K])
    assert PAPER_TOP_K not in only_k1  # no column nor note for a rule no row has


def test_the_score_tables_stay_aligned_for_wide_long_and_escaped_class_names():
    import unicodedata

    def columns(line: str) -> int:
        return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in line)

    names = ["世界ニュース", "Entertainment/Arts and Culture", "tab\there", "🚀 space"]
    truth = [names[i % 4] for i in range(12)]
    predicted = [names[(i + i // 4) % 4] for i in range(12)]
    text = format_score_report("test", score_report(truth, predicted))
    lines = text.splitlines()
    per_class = lines[1 : 1 + 1 + len(names)]
    matrix = lines[lines.index("confusion matrix (rows: true, columns: assigned)") + 1 :]
    assert len({columns(line) for line in per_class}) == 1
    assert len({columns(line) for line in matrix}) == 1
    assert len(matrix) == 1 + len(names)  # the tab is written \\t: no row is split
    assert "tab\\there" in text


def test_explanations_keep_each_label_and_the_reference_text_on_one_line():
    texts = ["the striker scored a late goal", "the keeper saved a penalty",
             "shares fell as\nprofits slumped", "the bank raised interest rates"]  # fmt: skip
    labels = ["sport", "sport", "busi\nness", "tab\there"]
    query = "profits fell"
    neighbors = format_explanation(NCDClassifier(k=2).fit(texts, labels).explain(query))
    assert neighbors.splitlines()[0] == "predicted: busi\\nness"
    assert neighbors.splitlines()[3].split() == ["1", "2", "0.4000", "busi\\nness"]
    assert "(shares fell as\\nprofits slumped)" in neighbors
    costs = format_explanation(CompressionClassifier("ppm").fit(texts, labels).explain(query))
    assert costs.splitlines()[0] == "predicted: busi\\nness (runner-up: sport)"
    assert "  tab\\there: " in costs
    assert "\t" not in neighbors + costs
