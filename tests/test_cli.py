"""Specification of the ``npc-classify`` command line (npc_classify.cli)."""

from __future__ import annotations

import csv
import gzip
import json
import os
import re
import shutil
import signal
import stat
import subprocess
import sys
import zlib
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from conftest import write_csv, write_trec_folder

from npc_classify import CompressionClassifier, NCDClassifier, datasets, evaluation, load_model
from npc_classify.cli import main
from npc_classify.compressors import (
    Compressor,
    GzipCompressor,
    ZstdCompressor,
    _registry,
    get_compressor,
)
from npc_classify.datasets import read_labeled_file, sample_per_class

TINY_NEWS = Path(__file__).parent / "data" / "tiny_news.csv"
FAST = ["--no-progress", "--n-jobs", "1"]

# Made-up news in the canonical AG News layout: (class index 1-4, title, description).
AG_TRAIN_ROWS = [
    ("1", "Ministers meet", "Foreign ministers gathered in the capital for border talks."),
    ("1", "Ceasefire holds", "The truce between the two armies held for a second week."),
    ("1", "Parliament votes", "Lawmakers approved the new constitution after a long debate."),
    ("1", "Envoy visits", "The envoy flew abroad to press leaders on the refugee crisis."),
    ("2", "United win derby", "A late goal gave United victory over their city rivals."),
    ("2", "Champion retains title", "The boxer kept his belt after twelve hard rounds."),
    ("2", "Coach sacked", "The club fired its coach after five straight league defeats."),
    ("2", "Record in the pool", "The swimmer broke the world record in the relay final."),
    ("3", "Profits tumble", "The retailer said quarterly profits fell as sales slowed."),
    ("3", "Rates on hold", "The central bank left interest rates unchanged this month."),
    ("3", "Merger agreed", "Two airlines agreed to merge in a deal worth billions."),
    ("3", "Oil climbs", "Crude prices rose as traders worried about supply cuts."),
    ("4", "Faster chips", "The company unveiled a processor that doubles battery life."),
    ("4", "Probe reaches Mars", "The space probe entered orbit and sent back its first images."),
    ("4", "Software update", "A new version of the browser fixes several security holes."),
    ("4", "Gene study", "Researchers mapped genes that help plants survive drought."),
]
AG_TEST_ROWS = [
    ("1", "Leaders sign pact", "Presidents of both nations signed a peace accord on Monday."),
    ("2", "Striker scores twice", "The striker scored two goals as the team won the cup."),
    ("3", "Shares slide", "Stock markets fell as investors fretted over bank profits."),
    ("4", "Telescope finds planet", "Astronomers found a planet orbiting a nearby star."),
    ("1", "Election result", "The opposition won the vote and will form a government."),
    ("2", "Tennis upset", "The top seed lost in straight sets at the open."),
    ("3", "Jobs cut", "The carmaker will cut jobs after sales fell for a year."),
    ("4", "Robot learns", "Engineers built a robot that learns to walk on its own."),
]


def tiny_news_rows() -> list[tuple[str, str]]:
    with open(TINY_NEWS, encoding="utf-8", newline="") as handle:
        return [(row["label"], row["text"]) for row in csv.DictReader(handle)]


@pytest.fixture
def ag_news_dir(tmp_path: Path) -> Path:
    """A tiny canonical AG News folder: no header, every field quoted, labels 1-4."""
    folder = tmp_path / "ag_news"
    folder.mkdir()
    write_csv(folder / "train.csv", None, AG_TRAIN_ROWS, quote_all=True)
    write_csv(folder / "test.csv", None, AG_TEST_ROWS, quote_all=True)
    return folder


@pytest.fixture
def split_news(tmp_path: Path) -> tuple[Path, Path]:
    """tiny_news.csv split in two disjoint halves: even rows train, odd rows test."""
    rows = tiny_news_rows()
    train = write_csv(tmp_path / "train.csv", ["label", "text"], rows[0::2])
    test = write_csv(tmp_path / "test.csv", ["label", "text"], rows[1::2])
    return train, test


def run_cli(capsys, *argv) -> tuple[int, str, str]:
    code = main([str(arg) for arg in argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def evaluate_json(capsys, tmp_path: Path, *argv, name: str = "out.json") -> dict:
    output = tmp_path / name
    code, _, err = run_cli(capsys, "evaluate", *argv, *FAST, "--output", output)
    assert code == 0, err
    return json.loads(output.read_text(encoding="utf-8"), parse_constant=not_json)


def not_json(constant: str):
    """What Python's json module reads beyond the standard: NaN, Infinity, -Infinity."""
    raise AssertionError(f"{constant} is not JSON: strict readers refuse the file")


def tiny_news_evaluation(capsys, tmp_path: Path, *argv) -> tuple[int, str, dict]:
    output = tmp_path / "out.json"
    code, out, err = run_cli(
        capsys,
        "evaluate",
        "--dataset",
        "csv",
        "--train",
        TINY_NEWS,
        "--test",
        TINY_NEWS,
        *argv,
        *FAST,
        "--output",
        output,
    )
    assert code == 0, err
    return code, out, json.loads(output.read_text(encoding="utf-8"))


def independent_accuracy(train: Path, test: Path, k: int) -> float:
    """Accuracy of a separately fitted NCDClassifier(k) with the default tie rule."""
    with open(train, encoding="utf-8", newline="") as handle:
        train_rows = list(csv.DictReader(handle))
    with open(test, encoding="utf-8", newline="") as handle:
        test_rows = list(csv.DictReader(handle))
    clf = NCDClassifier(k=k, n_jobs=1).fit(
        [r["text"] for r in train_rows], [r["label"] for r in train_rows]
    )
    predicted = clf.predict([r["text"] for r in test_rows])
    return float(np.mean(predicted == np.array([r["label"] for r in test_rows], dtype=object)))


# --- evaluate on your own CSV -----------------------------------------------------


def test_evaluate_csv_exits_zero_and_prints_a_full_report(capsys, tmp_path):
    code, out, _ = tiny_news_evaluation(capsys, tmp_path, "--k", "1")
    assert code == 0
    assert "24 test x 24 training texts: 576 pairs compressed" in out
    assert "pairs/s" in out
    assert "nearest acc" in out
    assert "macro-F1" in out
    assert "per class" in out
    assert "confusion matrix" in out
    for name in ("business", "science", "sport"):
        assert re.search(rf"^\s*{name}\s+1\.0000\s+1\.0000\s+1\.0000\s+8$", out, re.M)


def test_evaluate_k1_on_its_own_training_data_is_perfect(capsys, tmp_path):
    """Every text is its own nearest neighbour in tiny_news (checked: NCD(x, x) is
    smallest for all 24), so k=1 recovers every label."""
    _, _, report = tiny_news_evaluation(capsys, tmp_path, "--k", "1")
    assert independent_accuracy(TINY_NEWS, TINY_NEWS, 1) == 1.0
    nearest = report["results"][0]["nearest"]
    assert nearest["accuracy"] == 1.0
    assert nearest["macro_f1"] == 1.0
    assert nearest["classes"] == ["business", "science", "sport"]
    assert nearest["confusion_matrix"] == [[8, 0, 0], [0, 8, 0], [0, 0, 8]]
    assert {cls["support"] for cls in nearest["per_class"].values()} == {8}


def test_evaluate_json_holds_the_printed_numbers(capsys, tmp_path):
    _, out, report = tiny_news_evaluation(capsys, tmp_path, "--k", "1", "3")
    assert report["command"] == "evaluate"
    assert report["n_train"] == report["n_test"] == 24
    assert report["pairs"] == 576
    assert report["pairs_per_second"] > 0
    assert f"({report['pairs_per_second']:,.0f} pairs/s)" in out
    for entry in report["results"]:
        nearest = entry["nearest"]
        low, high = nearest["accuracy_ci95"]
        row = (
            f"{entry['k']:>4}  {nearest['accuracy']:>18.4f}  {f'{low:.4f}-{high:.4f}':>13}"
            f"  {nearest['macro_f1']:>8.4f}"
        )
        assert row in out.splitlines()
    first = report["results"][0]["nearest"]
    for name, cls in first["per_class"].items():
        line = (
            f"{name:>14} {cls['precision']:>9.4f} {cls['recall']:>7.4f} "
            f"{cls['f1']:>7.4f} {cls['support']:>7}"
        )
        assert line in out.splitlines()


def test_evaluate_json_records_the_configuration(capsys, tmp_path):
    _, _, report = tiny_news_evaluation(capsys, tmp_path, "--k", "1")
    config = report["config"]
    assert config["dataset"] == "csv"
    assert config["train"] == str(TINY_NEWS)
    assert config["k"] == [1]
    assert config["tie"] == "nearest"
    assert config["compressor"] == "GzipCompressor()"


def test_evaluate_scores_every_k_from_one_run(capsys, tmp_path, split_news):
    train, test = split_news
    report = evaluate_json(
        capsys, tmp_path, "--dataset", "csv", "--train", train, "--test", test, "--k", 1, 3, 5
    )
    assert [entry["k"] for entry in report["results"]] == [1, 3, 5]
    for entry in report["results"]:
        assert entry["nearest"]["accuracy"] == independent_accuracy(train, test, entry["k"])


def test_paper_top_k_is_reported_beside_the_fair_score_and_never_below_it(
    capsys, tmp_path, split_news
):
    train, test = split_news
    argv = ["--dataset", "csv", "--train", train, "--test", test, "--k", 1, 2, 3, 4]
    report = evaluate_json(capsys, tmp_path, *argv, "--tie", "paper-top-k")
    # One neighbour never ties, so for k=1 the paper's rule is the fair score: not repeated.
    k1, *others = report["results"]
    assert set(k1) == {"k", "nearest"}
    for entry in others:
        assert set(entry) == {"k", "nearest", "paper-top-k"}
        assert entry["paper-top-k"]["accuracy"] >= entry["nearest"]["accuracy"]
    for entry in report["results"]:
        assert entry["nearest"]["accuracy"] == independent_accuracy(train, test, entry["k"])


def test_paper_top_k_is_printed_with_its_caveat(capsys, split_news):
    train, test = split_news
    code, out, _ = run_cli(
        capsys, "evaluate", "--dataset", "csv", "--train", train, "--test", test,
        "--k", 2, "--tie", "paper-top-k", *FAST,
    )  # fmt: skip
    assert code == 0
    assert "paper-top-k acc" in out
    assert "optimistic upper bound" in out
    assert "k=2, paper-top-k: per class" in out


def test_fair_tie_rule_alone_has_no_paper_top_k_entry(capsys, tmp_path, split_news):
    train, test = split_news
    report = evaluate_json(
        capsys, tmp_path, "--dataset", "csv", "--train", train, "--test", test, "--k", 2
    )
    assert set(report["results"][0]) == {"k", "nearest"}


def test_random_tie_break_is_reproducible_with_a_seed(capsys, tmp_path, split_news):
    train, test = split_news
    argv = ["--dataset", "csv", "--train", train, "--test", test, "--k", 2, 4]
    argv += ["--tie", "random", "--seed", 3]
    first = evaluate_json(capsys, tmp_path, *argv, name="first.json")
    second = evaluate_json(capsys, tmp_path, *argv, name="second.json")
    assert first["results"] == second["results"]
    assert set(first["results"][0]) == {"k", "random"}


# --- evaluate on AG News from a folder --------------------------------------------


def test_evaluate_ag_news_from_a_folder(capsys, tmp_path, ag_news_dir):
    report = evaluate_json(capsys, tmp_path, "--data-dir", ag_news_dir, "--k", 1)
    assert report["config"]["dataset"] == "ag_news"
    assert report["n_train"] == 16
    assert report["n_test"] == 8
    nearest = report["results"][0]["nearest"]
    assert nearest["classes"] == ["World", "Sports", "Business", "Sci/Tech"]
    assert sum(map(sum, nearest["confusion_matrix"])) == 8


def test_evaluate_ag_news_sampling_sizes_are_reflected_in_the_json(capsys, tmp_path, ag_news_dir):
    report = evaluate_json(
        capsys, tmp_path, "--dataset", "ag_news", "--data-dir", ag_news_dir,
        "--n-train-per-class", 2, "--n-test", 5, "--k", 1, 3,
    )  # fmt: skip
    assert report["n_train"] == 8
    assert report["n_test"] == 5
    assert report["pairs"] == 40
    support = [cls["support"] for cls in report["results"][0]["nearest"]["per_class"].values()]
    assert sum(support) == 5


def test_evaluate_n_test_larger_than_the_test_split_keeps_it_whole(capsys, tmp_path, ag_news_dir):
    report = evaluate_json(capsys, tmp_path, "--data-dir", ag_news_dir, "--n-test", 100)
    assert report["n_test"] == 8


def test_evaluate_tsv_folder_finds_train_and_test_tsv(capsys, tmp_path):
    rows = tiny_news_rows()
    folder = tmp_path / "tsv"
    folder.mkdir()
    write_csv(folder / "train.tsv", ["text", "label"], [(t, lab) for lab, t in rows[:18]], "\t")
    write_csv(folder / "test.tsv", ["text", "label"], [(t, lab) for lab, t in rows[18:]], "\t")
    report = evaluate_json(capsys, tmp_path, "--dataset", "tsv", "--data-dir", folder, "--k", 1)
    assert report["n_train"] == 18
    assert report["n_test"] == 6


@pytest.mark.parametrize(
    "dataset, classes",
    [("trec", ["HUM", "LOC", "NUM"]), ("trec-fine", ["HUM:ind", "LOC:city", "NUM:count"])],
)
def test_evaluate_trec_from_the_authors_files(capsys, tmp_path, dataset, classes):
    folder = write_trec_folder(tmp_path / "trec")
    report = evaluate_json(capsys, tmp_path, "--dataset", dataset, "--data-dir", folder, "--k", 1)
    assert (report["n_train"], report["n_test"]) == (10, 3)
    assert report["results"][0]["nearest"]["classes"] == classes


def test_trec_without_a_folder_exits_2_saying_where_the_files_come_from(capsys):
    code, _, err = run_cli(capsys, "evaluate", "--dataset", "trec", *FAST)
    assert code == 2
    assert "TREC is read from a folder holding the authors' train_5500.label" in err


def test_fit_on_trec_fine_classes_saves_a_model_that_predicts_them(capsys, tmp_path):
    folder, model = write_trec_folder(tmp_path / "trec"), tmp_path / "trec.skops"
    argv = ["fit", "--dataset", "trec-fine", "--data-dir", folder, "--k", 1, "--out", model]
    assert run_cli(capsys, *argv)[0] == 0
    question = tmp_path / "question.txt"
    question.write_text("What city is the capital of Chile ?\n", encoding="utf-8")
    code, out, err = run_cli(capsys, "predict", model, question, "--no-progress")
    assert code == 0, err
    assert out == "LOC:city\n"


def test_fit_on_ag_news_saves_a_model_that_predicts_and_explains_by_class_name(
    capsys, tmp_path, ag_news_dir
):
    model = tmp_path / "ag.skops"
    argv = ["fit", "--data-dir", ag_news_dir, "--method", "class-conditional",
            "--compressor", "ppm", "--out", model]  # fmt: skip
    code, _, err = run_cli(capsys, *argv)
    assert code == 0, err
    question = tmp_path / "news.txt"
    question.write_text("The striker scored twice in the final.\n", encoding="utf-8")
    code, out, err = run_cli(capsys, "predict", model, question, "--proba", "--no-progress")
    assert code == 0, err
    assert out.splitlines()[0].split("\t") == ["Business", "Sci/Tech", "Sports", "World"]
    code, out, err = run_cli(capsys, "explain", model, "Lawmakers approved the budget.")
    assert code == 0, err
    assert any(name in out for name in ["World", "Sports", "Business", "Sci/Tech"])


def test_evaluate_joins_several_text_columns(capsys, tmp_path):
    rows = [(lab, *text.split(" ", 1)) for lab, text in tiny_news_rows()]
    path = write_csv(tmp_path / "split.csv", ["topic", "head", "rest"], rows)
    report = evaluate_json(
        capsys, tmp_path, "--dataset", "csv", "--train", path, "--test", path,
        "--text-column", "head", "--text-column", "rest", "--label-column", "topic", "--k", 1,
    )  # fmt: skip
    assert report["results"][0]["nearest"]["accuracy"] == 1.0


# --- few-shot ---------------------------------------------------------------------


def test_few_shot_reports_mean_and_interval_per_shot(capsys, tmp_path, ag_news_dir):
    output = tmp_path / "few.json"
    code, out, err = run_cli(
        capsys, "few-shot", "--data-dir", ag_news_dir, "--shots", 2, 3, "--seeds", 0, 1,
        "--k", 1, *FAST, "--output", output,
    )  # fmt: skip
    assert code == 0, err
    assert "few-shot on 8 test texts, seeds [0, 1]" in out
    report = json.loads(output.read_text(encoding="utf-8"))
    assert report["command"] == "few-shot"
    assert report["n_test"] == 8
    assert [(row["shots"], row["k"]) for row in report["rows"]] == [(2, 1), (3, 1)]
    for row in report["rows"]:
        nearest = row["nearest"]
        assert len(nearest["accuracies"]) == 2
        assert all(0.0 <= acc <= 1.0 for acc in nearest["accuracies"])
        assert nearest["mean"] == pytest.approx(np.mean(nearest["accuracies"]))
        low, high = nearest["ci95"]
        assert low <= nearest["mean"] <= high


def test_few_shot_paper_top_k_rows_carry_both_rules_from_k2(capsys, tmp_path, ag_news_dir):
    output = tmp_path / "few.json"
    code, _, err = run_cli(
        capsys, "few-shot", "--data-dir", ag_news_dir, "--shots", 2, "--seeds", 0, 1, 2,
        "--k", 1, 2, "--tie", "paper-top-k", *FAST, "--output", output,
    )  # fmt: skip
    assert code == 0, err
    k1, k2 = json.loads(output.read_text(encoding="utf-8"))["rows"]
    assert (k1["k"], k2["k"]) == (1, 2)
    assert "paper-top-k" not in k1  # one neighbour never ties
    fair, optimistic = k2["nearest"], k2["paper-top-k"]
    assert len(fair["accuracies"]) == len(optimistic["accuracies"]) == 3
    assert all(o >= f for o, f in zip(optimistic["accuracies"], fair["accuracies"], strict=True))


def test_few_shot_scores_class_conditional_compression_per_shot(capsys, tmp_path, ag_news_dir):
    output = tmp_path / "few.json"
    code, out, err = run_cli(
        capsys, "few-shot", "--data-dir", ag_news_dir, "--method", "class-conditional",
        "--compressor", "ppm", "--shots", 1, 2, "--seeds", 0, 1, *FAST, "--output", output,
    )  # fmt: skip
    assert code == 0, err
    assert "few-shot on 8 test texts, seeds [0, 1], class-conditional, PPMCompressor()" in out
    report = json.loads(output.read_text(encoding="utf-8"))
    assert report["config"]["method"] == "class-conditional"
    assert [row["shots"] for row in report["rows"]] == [1, 2]
    for row in report["rows"]:
        assert set(row) == {"shots", "class-conditional"}
        assert len(row["class-conditional"]["accuracies"]) == 2


@pytest.mark.parametrize("command", ["evaluate", "few-shot"])
@pytest.mark.parametrize(
    "option",
    [
        ["--tie", "paper-top-k"],
        ["--tie", "random"],
        ["--k", "3"],
        ["--candidates", "10"],
        ["--weights", "distance"],
        ["--order", "symmetric"],
    ],
)
def test_neighbour_options_are_refused_for_class_conditional_compression(
    capsys, ag_news_dir, command, option
):
    code, _, err = run_cli(
        capsys, command, "--data-dir", ag_news_dir, "--method", "class-conditional", *option, *FAST
    )
    assert code == 2
    assert f"{option[0]} is for NCD neighbours, not --method class-conditional." in err


def test_a_class_conditional_evaluation_resumes_from_its_checkpoint(capsys, tmp_path, ag_news_dir):
    checkpoint = tmp_path / "run.jsonl"
    argv = ["--data-dir", ag_news_dir, "--method", "class-conditional", "--complement", "2"]
    argv += [*FAST, "--checkpoint", checkpoint]
    reports, printed = [], []
    for name in ("first.json", "second.json"):
        code, out, err = run_cli(capsys, "evaluate", *argv, "--output", tmp_path / name)
        assert code == 0, err
        reports.append(json.loads((tmp_path / name).read_text(encoding="utf-8")))
        printed.append(out)
    assert "resumed 8 of 8 class texts" in err  # 4 classes, 4 complement texts
    assert "read back" not in printed[0]
    assert (
        "ms per document (this run's, 8 class texts read back from the checkpoint)" in (printed[1])
    )
    assert (reports[0]["resumed_class_texts"], reports[1]["resumed_class_texts"]) == (0, 8)
    assert reports[1]["report"] == reports[0]["report"]
    assert checkpoint.is_file()  # named by the user: kept


def test_a_class_conditional_evaluation_removes_its_default_checkpoint(
    capsys, tmp_path, ag_news_dir
):
    output = tmp_path / "out" / "result.json"
    argv = ["--data-dir", ag_news_dir, "--method", "class-conditional", *FAST]
    code, _, err = run_cli(capsys, "evaluate", *argv, "--output", output)
    assert code == 0, err
    assert "checkpoint: " in err
    assert sorted(p.name for p in output.parent.iterdir()) == ["result.json"]


@pytest.mark.parametrize("command", ["evaluate", "few-shot", "fit"])
def test_dictionaries_are_refused_for_neighbours(capsys, tmp_path, ag_news_dir, command):
    out = ["--out", tmp_path / "model.skops"] if command == "fit" else FAST
    code, _, err = run_cli(
        capsys, command, "--data-dir", ag_news_dir, "--n-dictionaries", "2", *out
    )
    assert code == 2
    assert "--n-dictionaries is for --method class-conditional, not NCD neighbours." in err
    assert not (tmp_path / "model.skops").exists()


def test_options_not_given_take_their_defaults_in_the_report(capsys, tmp_path, ag_news_dir):
    reports = {}
    for method in ("knn", "class-conditional"):
        output = tmp_path / f"{method}.json"
        argv = ["--data-dir", ag_news_dir, "--method", method, *FAST, "--output", output]
        assert run_cli(capsys, "evaluate", *argv)[0] == 0
        reports[method] = json.loads(output.read_text(encoding="utf-8"))["config"]
    neighbours, conditional = reports["knn"], reports["class-conditional"]
    assert (neighbours["k"], neighbours["tie"], neighbours["weights"]) == (
        [5],
        "nearest",
        "uniform",
    )
    assert neighbours["n_dictionaries"] is None
    assert conditional["n_dictionaries"] == 1
    assert (conditional["k"], conditional["tie"], conditional["order"]) == (None, None, None)


def test_few_shot_with_more_shots_than_a_class_holds_fails_cleanly(capsys, ag_news_dir):
    code, _, err = run_cli(capsys, "few-shot", "--data-dir", ag_news_dir, "--shots", 5, *FAST)
    assert code == 2
    assert err.startswith("npc-classify: error: ")
    assert "fewer than the 5 per class" in err


def test_a_sample_larger_than_a_class_names_the_class_and_what_every_class_has(
    capsys, ag_news_dir
):
    argv = ["evaluate", "--data-dir", ag_news_dir, "--n-train-per-class", 5, *FAST]
    code, _, err = run_cli(capsys, *argv)
    assert code == 2
    assert err == (
        "npc-classify: error: Class 'World' has 4 examples, fewer than the 5 per class "
        "asked for: every class has at least 4.\n"
    )


# --- compressor settings: --param NAME=VALUE and --model ----------------------------


def compress_with(tmp_path: Path, *options) -> bytes:
    """What ``npc-classify compress`` writes for tiny_news.csv with ``options``."""
    packed = tmp_path / "packed"
    assert main(["compress", str(TINY_NEWS), "-o", str(packed), *map(str, options)]) == 0
    return packed.read_bytes()


def test_param_sets_an_integer_setting_of_the_compressor(tmp_path):
    data = TINY_NEWS.read_bytes()
    packed = compress_with(tmp_path, "--compressor", "zstd", "--param", "level=19")
    assert packed == ZstdCompressor(level=19).compress(data)
    assert packed != ZstdCompressor().compress(data)


@pytest.mark.parametrize(
    ("text", "value"),
    [("false", False), ("0", False), ("False", False), ("true", True), ("1", True)],
)
def test_param_reads_a_boolean_setting_as_true_false_1_or_0(tmp_path, text, value):
    packed = compress_with(tmp_path, "--param", f"header={text}")
    assert packed == GzipCompressor(header=value).compress(TINY_NEWS.read_bytes())


def test_param_is_repeatable_and_recorded_in_the_json(capsys, tmp_path):
    _, _, report = tiny_news_evaluation(
        capsys, tmp_path, "--k", "1", "--param", "level=1", "--param", "header=0"
    )
    assert report["config"]["compressor"] == "GzipCompressor(header=False, level=1)"
    assert report["config"]["params"] == ["level=1", "header=0"]


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (
            ["--compressor", "ppm", "--param", "level=9"],
            "level is not a setting of the ppm compressor; its settings are order.",
        ),
        (
            ["--param", "order=2"],
            "order is not a setting of the gzip compressor; its settings are engine, header, "
            "level.",
        ),
        (
            ["--compressor", "lm", "--model", "m.pt", "--param", "model_path=m.pt"],
            "model_path is not a setting of the lm compressor; its settings are batch_size, "
            "cache_escape, cache_order, device, fine_tune_steps (and the model gives its "
            "model_path).",
        ),
    ],
    ids=["ppm-has-no-level", "gzip-has-no-order", "the-model-is-given-with---model"],
)
def test_param_refuses_a_name_the_compressor_lacks_and_lists_its_settings(
    capsys, tmp_path, options, message
):
    code, _, err = run_cli(capsys, "compress", TINY_NEWS, "-o", tmp_path / "out", *options)
    assert code == 2
    assert err == f"npc-classify: error: {message}\n"
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--param", "level=high"], "level expects an integer, got 'high'."),
        (["--param", "level=9.5"], "level expects an integer, got '9.5'."),
        (["--param", "header=maybe"], "header expects true, false, 1 or 0, got 'maybe'."),
        (
            ["--compressor", "lm", "--model", "m.pt", "--param", "cache_escape=big"],
            "cache_escape expects a number, got 'big'.",
        ),
        (["--param", "level"], "A setting is NAME=VALUE, got 'level'."),
        (
            ["--param", "level=99"],
            "The 'level' parameter of GzipCompressor must be an int in the range [0, 9]. "
            "Got 99 instead.",
        ),
    ],
    ids=[
        "not-an-int",
        "a-float-for-an-int",
        "not-a-bool",
        "not-a-float",
        "no-value",
        "out-of-range",
    ],
)
def test_param_refuses_a_bad_value_naming_the_setting_and_what_it_expects(
    capsys, tmp_path, options, message
):
    code, _, err = run_cli(capsys, "compress", TINY_NEWS, "-o", tmp_path / "out", *options)
    assert code == 2
    assert err == f"npc-classify: error: {message}\n"


def test_model_is_refused_for_a_compressor_built_without_one(capsys, tmp_path):
    code, _, err = run_cli(
        capsys, "compress", TINY_NEWS, "-o", tmp_path / "out", "--compressor", "gzip",
        "--model", "m.pt",
    )  # fmt: skip
    assert code == 2
    assert "A model is for the compressors built from one (hf, lm), not gzip." in err


@pytest.mark.parametrize(
    ("compressor", "expected"),
    [
        ("lm", "LMCompressor needs model_path: a model written by npc-classify train-lm"),
        ("hf", "HuggingFaceCompressor needs model: a Hub name such as 'gpt2' or a folder"),
    ],
)
def test_a_compressor_built_from_a_model_needs_model_and_says_what_it_is(
    capsys, tmp_path, compressor, expected
):
    code, _, err = run_cli(
        capsys, "compress", TINY_NEWS, "-o", tmp_path / "out", "--compressor", compressor
    )
    assert code == 2
    assert err.startswith(
        f"npc-classify: error: The {compressor} compressor needs a model. {expected}"
    )


class RepeatingCompressor(Compressor):
    """A user's compressor: zlib of the data repeated ``times`` times."""

    name = "repeating-zlib-test"

    def __init__(self, times: int = 1, window: tuple[int, int] = (0, 0)) -> None:
        self.times = times
        self.window = window

    def compress(self, data: bytes) -> bytes:
        return zlib.compress(data * self.times)


@pytest.fixture
def registered_user_compressor(monkeypatch):
    """RepeatingCompressor in the registry for this test only."""
    monkeypatch.setitem(_registry._REGISTRY, RepeatingCompressor.name, RepeatingCompressor)
    return RepeatingCompressor.name


def test_param_reaches_the_settings_of_a_registered_user_compressor(
    tmp_path, registered_user_compressor
):
    packed = compress_with(
        tmp_path, "--compressor", registered_user_compressor, "--param", "times=3"
    )
    assert packed == zlib.compress(TINY_NEWS.read_bytes() * 3)


def test_param_refuses_a_setting_whose_default_has_no_command_line_type(
    capsys, tmp_path, registered_user_compressor
):
    options = ["--compressor", registered_user_compressor, "--param", "window=1,2"]
    code, _, err = run_cli(capsys, "compress", TINY_NEWS, "-o", tmp_path / "out", *options)
    assert code == 2
    assert err == (
        "npc-classify: error: window cannot be set from text: its "
        "default (0, 0) is a tuple, not a bool, int, float or str.\n"
    )


# --- errors -----------------------------------------------------------------------


def test_missing_file_exits_2_with_its_path(capsys, tmp_path):
    missing = tmp_path / "nowhere.csv"
    code, out, err = run_cli(
        capsys, "evaluate", "--dataset", "csv", "--train", missing, "--test", TINY_NEWS, *FAST
    )
    assert code == 2
    assert out == ""
    assert err.startswith("npc-classify: error: ")
    assert str(missing) in err


def test_missing_ag_news_folder_file_exits_2(capsys, tmp_path):
    code, _, err = run_cli(capsys, "evaluate", "--data-dir", tmp_path, *FAST)
    assert code == 2
    assert str(tmp_path / "train.csv") in err


def test_missing_column_exits_2_and_names_it(capsys):
    code, _, err = run_cli(
        capsys, "evaluate", "--dataset", "csv", "--train", TINY_NEWS, "--test", TINY_NEWS,
        "--text-column", "body", *FAST,
    )  # fmt: skip
    assert code == 2
    assert err.startswith("npc-classify: error: ")
    assert "missing column(s) ['body']" in err
    assert "['label', 'text']" in err


def test_csv_dataset_without_files_exits_2(capsys):
    code, _, err = run_cli(capsys, "evaluate", "--dataset", "csv", *FAST)
    assert code == 2
    assert err.startswith(
        "npc-classify: error: dataset csv needs train and test files (--train, --test), or "
        "data_dir (--data-dir); got train=None, test=None."
    )


def test_csv_dataset_with_only_a_training_file_exits_2(capsys):
    code, _, err = run_cli(capsys, "evaluate", "--dataset", "csv", "--train", TINY_NEWS, *FAST)
    assert code == 2
    assert "needs train and test files (--train, --test), or data_dir (--data-dir)" in err
    assert f"got train={TINY_NEWS}, test=None." in err


def test_train_and_test_files_are_refused_for_ag_news(capsys):
    code, _, err = run_cli(capsys, "evaluate", "--train", TINY_NEWS, "--test", TINY_NEWS, *FAST)
    assert code == 2
    assert "(--train, --test) are for csv/tsv; AG News is read from data_dir (--data-dir)" in err


def test_k_larger_than_the_training_set_exits_2(capsys):
    code, _, err = run_cli(
        capsys, "evaluate", "--dataset", "csv", "--train", TINY_NEWS, "--test", TINY_NEWS,
        "--k", 1, 25, *FAST,
    )  # fmt: skip
    assert code == 2
    assert err.startswith("npc-classify: error: ")
    assert "25 is larger than the training set (24 texts)" in err


@pytest.mark.parametrize(
    ("content", "why"),
    [("label,text\n", "no rows below its header"), ("", "the file is empty")],
    ids=["header-only", "empty"],
)
def test_a_test_file_without_rows_is_refused_naming_it(capsys, tmp_path, split_news, content, why):
    empty = tmp_path / "empty.csv"
    empty.write_text(content, encoding="utf-8")
    argv = ["--dataset", "csv", "--train", split_news[0], "--test", empty, "--k", 1, *FAST]
    code, out, err = run_cli(capsys, "evaluate", *argv)
    assert (code, out) == (2, "")
    assert err == f"npc-classify: error: {empty} holds no labelled texts: {why}.\n"


def test_test_labels_no_training_text_has_are_named_in_a_warning(capsys, tmp_path):
    train = write_csv(
        tmp_path / "train.csv",
        ["label", "text"],
        [("Sport", "A late goal won it"), ("business", "Shares fell")],
    )
    test = write_csv(tmp_path / "test.csv", ["label", "text"],
                     [("sport", "The keeper saved"), ("business", "Profits rose")])  # fmt: skip
    argv = ["--dataset", "csv", "--train", train, "--test", test, "--k", 1, *FAST]
    code, _, err = run_cli(capsys, "evaluate", *argv)
    assert code == 0
    assert err.startswith(
        "warning: 1 of 2 test texts have a label no training text has, which no classifier "
        "fitted on them predicts: ['sport'] (training labels: ['Sport', 'business'])\n"
    )


def test_an_option_a_command_lacks_is_refused_with_that_command_s_usage(capsys):
    with pytest.raises(SystemExit) as exited:
        main(["few-shot", "--checkpoint", "run.jsonl"])
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("usage: npc-classify few-shot ")
    expected = "npc-classify few-shot: error: unrecognized arguments: --checkpoint run.jsonl\n"
    assert err.endswith(expected)


def test_non_positive_k_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["evaluate", "--dataset", "csv", "--k", "0"])
    assert exit_info.value.code == 2
    assert "expected a positive integer" in capsys.readouterr().err


def test_failed_run_writes_no_output(capsys, tmp_path):
    output = tmp_path / "out.json"
    code, _, _ = run_cli(capsys, "evaluate", "--dataset", "csv", *FAST, "--output", output)
    assert code == 2
    assert list(tmp_path.iterdir()) == []


# --- output -----------------------------------------------------------------------


def test_output_json_is_written_atomically_without_leftovers(capsys, tmp_path):
    folder = tmp_path / "results" / "nested"
    output = folder / "out.json"
    output.parent.mkdir(parents=True)
    output.write_text("stale", encoding="utf-8")
    code, out, _ = run_cli(
        capsys, "evaluate", "--dataset", "csv", "--train", TINY_NEWS, "--test", TINY_NEWS,
        "--k", 1, *FAST, "--output", output,
    )  # fmt: skip
    assert code == 0
    assert f"results written to {output}" in out
    assert [p.name for p in folder.iterdir()] == ["out.json"]
    assert json.loads(output.read_text(encoding="utf-8"))["n_test"] == 24


def test_output_folder_is_created(capsys, tmp_path):
    output = tmp_path / "new" / "dir" / "out.json"
    code, _, _ = run_cli(
        capsys, "evaluate", "--dataset", "csv", "--train", TINY_NEWS, "--test", TINY_NEWS,
        "--k", 1, *FAST, "--output", output,
    )  # fmt: skip
    assert code == 0
    assert output.is_file()


# --- console script ---------------------------------------------------------------


def test_console_script_help_lists_the_commands():
    bin_dir = str(Path(sys.executable).parent)
    script = shutil.which("npc-classify", path=bin_dir + os.pathsep + os.environ.get("PATH", ""))
    assert script is not None, "the npc-classify console script is not installed"
    completed = subprocess.run(
        [script, "--help"], capture_output=True, text=True, timeout=60, check=False
    )
    assert completed.returncode == 0, completed.stderr
    assert "usage: npc-classify" in completed.stdout
    assert "evaluate" in completed.stdout
    assert "few-shot" in completed.stdout


def test_candidates_option_runs_the_approximate_search(capsys, tmp_path, split_news):
    train, test = split_news
    argv = ["--dataset", "csv", "--train", train, "--test", test, "--k", 1, "--candidates", 3]
    report = evaluate_json(capsys, tmp_path, *argv)
    rows = tiny_news_rows()
    train_labels, train_texts = zip(*rows[0::2], strict=True)
    test_labels, test_texts = zip(*rows[1::2], strict=True)
    clf = NCDClassifier(k=1, candidates=3).fit(list(train_texts), list(train_labels))
    expected = clf.score(list(test_texts), list(test_labels))
    assert report["config"]["candidates"] == 3
    assert report["results"][0]["nearest"]["accuracy"] == pytest.approx(expected)
    assert report["pairs"] == 3 * len(test_texts)  # only the candidates were compressed


def test_an_explicit_checkpoint_is_kept_and_reused(capsys, tmp_path, split_news):
    train, test = split_news
    checkpoint = tmp_path / "search.jsonl"
    argv = ["--dataset", "csv", "--train", train, "--test", test, "--checkpoint", checkpoint]
    first = evaluate_json(capsys, tmp_path, *argv, name="first.json")
    assert checkpoint.is_file()
    second = evaluate_json(capsys, tmp_path, *argv, name="second.json")
    assert second["resumed_queries"] == second["n_test"] > 0
    assert second["results"] == first["results"]


def test_the_default_checkpoint_beside_the_output_is_removed_when_done(capsys, tmp_path):
    tiny_news_evaluation(capsys, tmp_path, "--k", "1")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.json"]


def test_class_conditional_method_reports_accuracy_and_time(capsys, tmp_path, split_news):
    train, test = split_news
    argv = ["--dataset", "csv", "--train", train, "--test", test, "--method", "class-conditional"]
    report = evaluate_json(capsys, tmp_path, *argv)
    rows = tiny_news_rows()
    train_labels, train_texts = zip(*rows[0::2], strict=True)
    test_labels, test_texts = zip(*rows[1::2], strict=True)
    clf = CompressionClassifier("gzip").fit(list(train_texts), list(train_labels))
    assert report["method"] == "class-conditional"
    assert report["report"]["accuracy"] == pytest.approx(
        clf.score(list(test_texts), list(test_labels))
    )
    assert report["ms_per_document"] > 0


def test_the_class_conditional_report_prints_the_accuracy_with_its_interval(capsys, split_news):
    train, test = split_news
    argv = ["--dataset", "csv", "--train", train, "--test", test, "--method", "class-conditional"]
    code, out, err = run_cli(capsys, "evaluate", *argv, *FAST, "--output", "-")
    assert code == 0, err
    scores = json.loads(out)["report"]
    low, high = scores["accuracy_ci95"]
    assert low < scores["accuracy"] < high
    assert f"accuracy {scores['accuracy']:.4f} (95% interval {low:.4f}-{high:.4f})" in err
    assert "1 dictionary per class" in err


def test_auto_dictionaries_are_chosen_in_fit_and_reported(capsys, tmp_path, split_news):
    train, test = split_news
    argv = ["--dataset", "csv", "--train", train, "--test", test, "--method", "class-conditional"]
    report = evaluate_json(capsys, tmp_path, *argv, "--n-dictionaries", "auto")
    rows = tiny_news_rows()
    train_labels, train_texts = zip(*rows[0::2], strict=True)
    clf = CompressionClassifier("gzip", n_dictionaries="auto")
    clf.fit(list(train_texts), list(train_labels))
    assert report["n_dictionaries"] == clf.n_dictionaries_
    assert report["cv_accuracy"] == {str(n): a for n, a in clf.cv_accuracy_.items()}


@pytest.mark.parametrize(("value", "ratio"), [("4", 4.0), ("0.5", 0.5), ("all", float("inf"))])
def test_complement_texts_are_scored_and_reported(capsys, tmp_path, split_news, value, ratio):
    train, test = split_news
    argv = ["--dataset", "csv", "--train", train, "--test", test, "--method", "class-conditional"]
    report = evaluate_json(capsys, tmp_path, *argv, "--complement", value)
    rows = tiny_news_rows()
    train_labels, train_texts = zip(*rows[0::2], strict=True)
    test_labels, test_texts = zip(*rows[1::2], strict=True)
    clf = CompressionClassifier("gzip", complement=ratio)
    clf.fit(list(train_texts), list(train_labels))
    assert (
        report["complement"]
        == report["config"]["complement"]
        == (value if value == "all" else ratio)
    )
    assert report["report"]["accuracy"] == pytest.approx(
        clf.score(list(test_texts), list(test_labels))
    )


@pytest.mark.parametrize(
    "argv",
    [
        ["evaluate", "--seed", "-1"],
        ["few-shot", "--seeds", "0", "x"],
        ["fit", "--seed", "2**32"],
        ["train-lm", "--corpus", "unused.txt", "--seed", "99999999999999999999"],
    ],
    ids=["negative", "not-a-number", "too-large", "train-lm"],
)
def test_a_seed_numpy_cannot_take_is_refused_before_any_work(capsys, argv):
    with pytest.raises(SystemExit) as exited:
        main([*argv, "--out", "unused.skops"] if argv[0] in ("fit", "train-lm") else argv)
    assert exited.value.code == 2
    assert f"expected a whole number from 0 to 2**32 - 1, got {argv[-1]!r}" in (
        capsys.readouterr().err
    )


@pytest.mark.parametrize("name", ["-", "folder"])
def test_a_checkpoint_that_is_standard_output_or_a_folder_is_refused_at_once(
    capsys, tmp_path, monkeypatch, name
):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "folder").mkdir()
    with pytest.raises(SystemExit) as exited:
        main(["evaluate", "--checkpoint", name])
    assert exited.value.code == 2
    assert "a checkpoint is read back and appended to, so name a file" in capsys.readouterr().err


@pytest.mark.parametrize("value", ["0", "-2", "nan", "most"])
def test_a_complement_other_than_a_positive_number_or_all_is_refused(capsys, value):
    with pytest.raises(SystemExit) as exited:
        main(["evaluate", "--method", "class-conditional", "--complement", value])
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert "--complement" in err
    assert f"expected a positive number or all, got {value!r}" in err


def test_complement_with_neighbours_is_refused(capsys, tmp_path, split_news):
    train, test = split_news
    argv = ["--dataset", "csv", "--train", train, "--test", test, "--complement", "4"]
    code, _, err = run_cli(capsys, "evaluate", *argv, *FAST)
    assert code != 0
    assert "--complement is for --method class-conditional, not NCD neighbours." in err


def test_class_offsets_are_fitted_applied_and_reported(capsys, tmp_path, split_news):
    train, test = split_news
    argv = ["--dataset", "csv", "--train", train, "--test", test, "--method", "class-conditional"]
    report = evaluate_json(capsys, tmp_path, *argv, "--class-offsets")
    rows = tiny_news_rows()
    train_labels, train_texts = zip(*rows[0::2], strict=True)
    test_labels, test_texts = zip(*rows[1::2], strict=True)
    clf = CompressionClassifier("gzip", class_offsets="auto")
    clf.fit(list(train_texts), list(train_labels))
    expected = dict(zip(clf.classes_.tolist(), clf.class_offsets_.tolist(), strict=True))
    assert report["class_offsets"] == pytest.approx(expected)
    assert report["report"]["accuracy"] == pytest.approx(
        clf.score(list(test_texts), list(test_labels))
    )
    code, out, err = run_cli(capsys, "evaluate", *argv, "--class-offsets", *FAST)
    assert code == 0, err
    assert "less class offsets fitted on held-out training texts (per class below)" in out
    assert "offset (bits)" in out
    for name, offset in expected.items():
        row = next(line.split() for line in out.splitlines() if line.split()[:1] == [name])
        assert row[-1] == f"{offset:+.2f}"  # the per-class table's last column


def test_class_offsets_with_neighbours_are_refused(capsys, tmp_path, split_news):
    train, test = split_news
    argv = ["--dataset", "csv", "--train", train, "--test", test, "--class-offsets"]
    code, _, err = run_cli(capsys, "evaluate", *argv, *FAST)
    assert code != 0
    assert "--class-offsets is for --method class-conditional, not NCD neighbours." in err


@pytest.mark.parametrize("value", ["0", "many"])
def test_a_number_of_dictionaries_other_than_a_positive_int_or_auto_is_refused(capsys, value):
    with pytest.raises(SystemExit) as exited:
        main(["evaluate", "--method", "class-conditional", "--n-dictionaries", value])
    assert exited.value.code == 2
    expected = f"argument --n-dictionaries: expected a positive integer or auto, got {value!r}"
    assert expected in capsys.readouterr().err


@pytest.mark.parametrize("value", ["-3", "abc", "2.5"])
def test_a_count_that_is_not_a_positive_integer_is_refused_saying_so(capsys, value):
    with pytest.raises(SystemExit) as exited:
        main(["evaluate", "--n-test", value])
    assert exited.value.code == 2
    expected = f"argument --n-test: expected a positive integer, got {value!r}\n"
    assert capsys.readouterr().err.endswith(expected)


@pytest.mark.parametrize("compressor", ["zstd", "ppm"])
def test_compress_and_decompress_read_standard_input_and_write_standard_output(
    tmp_path, compressor
):
    def command(direction: str, data: bytes) -> bytes:
        argv = [direction, "-", "-o", "-", "--compressor", compressor]
        return subprocess.run(
            [sys.executable, "-m", "npc_classify", *argv],
            input=data, capture_output=True, cwd=tmp_path, timeout=120, check=True,
        ).stdout  # fmt: skip

    original = TINY_NEWS.read_bytes()
    packed = command("compress", original)
    assert len(packed) < len(original)
    assert command("decompress", packed) == original
    assert list(tmp_path.iterdir()) == []  # no file named -


@pytest.mark.parametrize("compressor", ["gzip", "zstd", "bz2", "lzma"])
def test_compress_then_decompress_restores_the_file(tmp_path, compressor):
    packed, unpacked = tmp_path / "news.packed", tmp_path / "news.csv"
    assert main(["compress", str(TINY_NEWS), "-o", str(packed), "--compressor", compressor]) == 0
    assert packed.stat().st_size < TINY_NEWS.stat().st_size
    assert main(["decompress", str(packed), "-o", str(unpacked), "--compressor", compressor]) == 0
    assert unpacked.read_bytes() == TINY_NEWS.read_bytes()


@pytest.mark.parametrize("direction", ["compress", "decompress"])
def test_an_output_written_as_a_folder_is_refused_and_the_file_of_that_name_kept(
    tmp_path, capsys, direction
):
    kept = tmp_path / "kept.csv"
    kept.write_bytes(b"label,text\n")
    with pytest.raises(SystemExit) as exited:
        main([direction, str(TINY_NEWS), "-o", f"{kept}/"])
    assert exited.value.code == 2
    assert f"{kept}/ ends in a slash, which names a folder" in capsys.readouterr().err
    assert kept.read_bytes() == b"label,text\n"


@pytest.mark.parametrize("command", ["compress", "bpb"])
def test_an_output_inside_a_model_folder_is_refused_and_the_model_kept(tmp_path, capsys, command):
    """A Hugging Face model is a folder: no output replaces one of its files."""
    model = tmp_path / "model"
    model.mkdir()
    config = model / "config.json"
    config.write_text("{}")
    if command == "compress":
        argv = ["compress", TINY_NEWS, "-o", config, "--compressor", "hf", "--model", model]
    else:
        argv = ["bpb", "--dataset", "csv", "--test", TINY_NEWS, "--hf-model", model]
        argv += ["--output", config]
    assert main([str(arg) for arg in argv]) == 2
    assert f"--output {config} is in the language model {model}, which it would change" in (
        capsys.readouterr().err
    )
    assert config.read_text() == "{}"


@pytest.mark.parametrize("written", ["snapshot", "blob"])
def test_no_output_replaces_a_model_file_a_cache_s_snapshot_links_to(tmp_path, capsys, written):
    """The Hugging Face cache's layout: a snapshot folder of links to files kept beside it."""
    blobs, snapshot = tmp_path / "blobs", tmp_path / "snapshots" / "rev"
    blobs.mkdir()
    snapshot.mkdir(parents=True)
    (blobs / "abc123").write_text("{}")
    (snapshot / "config.json").symlink_to(blobs / "abc123")
    output = snapshot / "config.json" if written == "snapshot" else blobs / "abc123"
    argv = ["compress", TINY_NEWS, "-o", output, "--compressor", "hf", "--model", snapshot]
    assert main([str(arg) for arg in argv]) == 2
    assert "which it would change; name a file outside it" in capsys.readouterr().err
    assert (blobs / "abc123").read_text() == "{}"


@pytest.mark.parametrize(
    ("argv", "option"),
    [
        (
            ["compress", str(TINY_NEWS), "-o", "out", "--compressor", "lm", "--model", ""],
            "--model",
        ),
        (["bpb", "--dataset", "csv", "--test", str(TINY_NEWS), "--model", ""], "--model"),
        (["train-lm", "--out", "m.pt", "--corpus", ""], "--corpus"),
    ],
    ids=["compress", "bpb", "train-lm"],
)
def test_an_empty_file_name_is_refused_not_read_as_the_working_folder(
    tmp_path, capsys, monkeypatch, argv, option
):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as exited:
        main(argv)
    assert exited.value.code == 2
    assert f"{option}: expected a file or name, got ''" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_compress_refuses_an_output_that_is_its_input(tmp_path, capsys):
    notes = tmp_path / "notes.txt"
    notes.write_bytes(b"a late goal\n")
    assert main(["compress", str(notes), "-o", str(notes)]) == 2
    assert f"--output {notes} is the input file {notes}, which it would replace" in (
        capsys.readouterr().err
    )
    assert notes.read_bytes() == b"a late goal\n"


def test_a_setting_given_twice_is_refused(tmp_path, capsys):
    argv = ["compress", str(TINY_NEWS), "-o", str(tmp_path / "out")]
    assert main([*argv, "--param", "level=1", "--param", "level=9"]) == 2
    assert "level is given twice (level=1, level=9); give each setting once" in (
        capsys.readouterr().err
    )
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("argv", "closed", "stream"),
    [
        (["compress", str(TINY_NEWS), "-o", "-"], ">&-", "output"),
        (["compress", "-", "-o", "out.gz"], "<&-", "input"),
    ],
    ids=["stdout", "stdin"],
)
def test_a_closed_standard_stream_is_a_one_line_error(tmp_path, argv, closed, stream):
    command = " ".join([sys.executable, "-m", "npc_classify", *argv, closed])
    result = subprocess.run(
        ["sh", "-c", command], capture_output=True, cwd=tmp_path, timeout=120, text=True
    )
    assert result.returncode == 2
    assert result.stderr.startswith(f"npc-classify: error: standard {stream} is closed")
    assert len(result.stderr.splitlines()) == 1
    assert list(tmp_path.iterdir()) == []


def test_a_host_without_standard_error_gets_it_back_as_it_was(tmp_path, monkeypatch, capsys):
    """main() called from Python where sys.stderr is None (pythonw) drops its messages
    while it runs, then leaves the host's sys.stderr as it found it."""
    monkeypatch.setattr(sys, "stderr", None)
    assert main(["compress", str(TINY_NEWS), "-o", str(tmp_path / "out.gz")]) == 0
    assert sys.stderr is None
    assert capsys.readouterr().out == ""


def test_options_before_the_command_are_refused(capsys):
    with pytest.raises(SystemExit) as exited:
        main(["--proba", "evaluate", "--k", "1"])
    assert exited.value.code == 2
    assert "unrecognized arguments: --proba (a command's options follow its name)" in (
        capsys.readouterr().err
    )


def evaluate_in_a_process(tmp_path: Path, output: str, **streams) -> subprocess.CompletedProcess:
    """``npc-classify evaluate`` of tiny_news.csv with ``--output output``, run as a process
    whose standard output and error are the real files or pipes ``streams`` names."""
    argv = [str(arg) for arg in tiny_news_argv("--output", output)]
    return subprocess.run(
        [sys.executable, "-m", "npc_classify", *argv], cwd=tmp_path, timeout=120, text=True,
        **streams,
    )  # fmt: skip


@pytest.mark.skipif(not os.path.exists("/dev/stdout"), reason="no /dev/stdout")
def test_output_to_standard_output_by_its_file_name_sends_the_report_to_stderr(tmp_path):
    result = evaluate_in_a_process(tmp_path, "/dev/stdout", capture_output=True)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["command"] == "evaluate"
    assert "confusion matrix" in result.stderr
    assert "results written to /dev/stdout" in result.stderr


def test_output_to_dev_null_with_standard_output_there_too_prints_no_report(tmp_path):
    """Both are the same device, but no JSON goes to standard output: the report stays."""
    with open(os.devnull, "wb") as null:
        result = evaluate_in_a_process(tmp_path, os.devnull, stdout=null, stderr=subprocess.PIPE)
    assert result.returncode == 0 and result.stderr == ""


@pytest.mark.skipif(not hasattr(os, "openpty"), reason="no pseudo-terminals")
def test_output_to_standard_output_on_a_terminal_sends_the_report_to_stderr(tmp_path):
    leader, follower = os.openpty()
    try:
        result = evaluate_in_a_process(
            tmp_path, "/dev/stdout", stdout=follower, stderr=subprocess.PIPE
        )
    finally:
        os.close(follower)
        os.close(leader)
    assert result.returncode == 0
    assert "confusion matrix" in result.stderr


def test_output_to_standard_error_by_name_keeps_no_checkpoint_beside_it(tmp_path):
    with open(tmp_path / "err.txt", "wb") as err:
        result = evaluate_in_a_process(
            tmp_path, "/proc/self/fd/2", stdout=subprocess.PIPE, stderr=err
        )
    assert result.returncode == 0
    assert "partial.jsonl" not in (tmp_path / "err.txt").read_text()
    assert list(tmp_path.iterdir()) == [tmp_path / "err.txt"]


def test_output_to_standard_output_by_name_keeps_no_checkpoint_beside_it(tmp_path):
    """/dev/stdout into a file is a regular file, but no checkpoint belongs in /dev."""
    with open(tmp_path / "out.json", "wb") as out:
        result = evaluate_in_a_process(
            tmp_path, "/proc/self/fd/1", stdout=out, stderr=subprocess.PIPE
        )
    assert result.returncode == 0, result.stderr
    assert "checkpoint" not in result.stderr
    assert json.loads((tmp_path / "out.json").read_text())["command"] == "evaluate"


def test_decompressing_a_damaged_file_exits_2(tmp_path, capsys):
    damaged = tmp_path / "damaged.gz"
    damaged.write_bytes(b"\x1f\x8b not really gzip")
    assert main(["decompress", str(damaged), "-o", str(tmp_path / "out")]) == 2
    assert "cannot decompress" in capsys.readouterr().err


def test_bpb_reports_every_compressor(capsys, tmp_path, ag_news_dir):
    output = tmp_path / "bpb.json"
    assert main(["bpb", "--data-dir", str(ag_news_dir), "--output", str(output)]) == 0
    table = json.loads(output.read_text())["bits_per_byte"]
    assert sorted(table) == ["bz2", "cm", "gzip", "lzma", "ppm", "zstd"]
    assert all(0 < row["per_document"] and 0 < row["whole_file"] for row in table.values())


def test_bpb_records_the_arguments_that_chose_its_texts(capsys, tmp_path, split_news):
    _, test = split_news
    output = tmp_path / "bpb.json"
    argv = ["bpb", "--dataset", "csv", "--test", test, "--n-test", 4, "--seed", 3]
    code, _, err = run_cli(capsys, *argv, "--n-docs", 2, "--output", output)
    assert code == 0, err
    config = json.loads(output.read_text())["config"]
    assert (config["dataset"], config["test"]) == ("csv", str(test))
    assert (config["n_test"], config["seed"], config["n_docs"]) == (4, 3, 2)


def test_bpb_reads_the_test_file_alone(capsys, split_news):
    _, test = split_news
    code, out, err = run_cli(capsys, "bpb", "--dataset", "csv", "--test", test, "--n-docs", 3)
    assert code == 0, err
    assert out.startswith("3 texts, ")
    with pytest.raises(SystemExit):
        main(["bpb", "--dataset", "csv", "--test", str(test), "--train", str(test)])


def test_bpb_measures_a_file_without_labels(capsys, tmp_path):
    with_header = tmp_path / "notes.csv"
    with_header.write_text(
        'text\n"first note, with a comma"\n"second ""note"""\n', encoding="utf-8"
    )
    code, out, err = run_cli(capsys, "bpb", "--dataset", "csv", "--test", with_header)
    assert code == 0, err
    assert out.startswith("2 texts, 37 bytes")
    bare = tmp_path / "notes.tsv"
    bare.write_text("first note\nsecond note\nthird\n", encoding="utf-8")
    argv = ["bpb", "--dataset", "tsv", "--test", bare, "--no-header", "--text-column", 1]
    code, out, err = run_cli(capsys, *argv)
    assert code == 0, err
    assert out.startswith("3 texts, 26 bytes")


def test_bpb_takes_no_label_column(capsys, split_news):
    _, test = split_news
    with pytest.raises(SystemExit):
        main(["bpb", "--dataset", "csv", "--test", str(test), "--label-column", "label"])
    assert "unrecognized arguments: --label-column" in capsys.readouterr().err


def test_bpb_samples_a_file_as_the_labelled_split_is_sampled(capsys, tmp_path, split_news):
    _, test = split_news
    argv = ["bpb", "--dataset", "csv", "--test", test, "--n-test", 5, "--seed", 2]
    code, _, err = run_cli(capsys, *argv, "--output", tmp_path / "bpb.json")
    assert code == 0, err
    measured = json.loads((tmp_path / "bpb.json").read_text())["bits_per_byte"]
    sampled = datasets.load_split("csv", "test", path=test).sample(5, np.random.RandomState(2))
    documents = [text.encode() for text in sampled.texts]
    expected = evaluation.bits_per_byte(get_compressor("gzip"), documents)
    assert measured["gzip"]["per_document"] == pytest.approx(expected[0])


def test_each_k_is_scored_once_in_increasing_order(capsys, tmp_path):
    report = evaluate_json(capsys, tmp_path, *tiny_news_argv("--k", 3, 3, 1)[1:])
    assert [row["k"] for row in report["results"]] == [1, 3]


@pytest.mark.parametrize("command", ["evaluate", "predict"])
def test_zero_workers_are_refused_saying_what_n_jobs_takes(capsys, command):
    with pytest.raises(SystemExit) as exited:
        main([command, *(["model.skops"] if command == "predict" else []), "--n-jobs", "0"])
    assert exited.value.code == 2
    assert "argument --n-jobs: expected a number of workers, or a negative number counted " in (
        capsys.readouterr().err
    )


# --- version, python -m, help -------------------------------------------------------


def test_version_prints_the_package_version(capsys):
    import npc_classify

    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0
    assert capsys.readouterr().out == f"npc-classify {npc_classify.__version__}\n"


def test_python_dash_m_runs_the_same_command_as_the_console_script(tmp_path):
    packed = tmp_path / "packed"
    version = subprocess.run(
        [sys.executable, "-m", "npc_classify", "--version"],
        capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    assert version.stdout.startswith("npc-classify ")
    completed = subprocess.run(
        [sys.executable, "-m", "npc_classify", "compress", str(TINY_NEWS), "-o", str(packed)],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert completed.returncode == 0, completed.stderr
    assert packed.read_bytes() == GzipCompressor().compress(TINY_NEWS.read_bytes())
    failed = subprocess.run(
        [sys.executable, "-m", "npc_classify", "evaluate", "--dataset", "csv"],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert failed.returncode == 2
    assert failed.stderr.startswith("npc-classify: error: dataset csv needs train and test")


# --- start-up -------------------------------------------------------------------

#: On ``PYTHONPATH`` as ``sitecustomize``: holds the command's first import of NumPy, the first
#: of its second or more of imports, until the test has signalled. The wait runs in code compiled
#: from a string, as dataclasses and namedtuple compile their methods during imports: CPython
#: takes an interrupt raised in such code for an uncaught one. With ``DISGUISED = True`` the
#: import fails as a pybind11 extension module's does when a signal stops its initialisation.
#: The wait is many short sleeps, not one: a signal that lands after the line is printed but
#: before a sleep begins is only acted on between sleeps (one 60 s sleep made the test wait
#: out its timeout whenever the signal came in that gap).
HOLD_NUMPY = """
import sys, time

DISGUISED = {disguised}

class HoldNumpy:
    def find_spec(self, name, path=None, target=None):
        if name == "numpy":
            sys.meta_path.remove(self)
            print("importing numpy", flush=True)
            try:
                exec("for _ in range(600): time.sleep(0.1)")
            except BaseException as error:
                if DISGUISED:
                    raise ImportError("initialization failed") from error
                raise
        return None

sys.meta_path.insert(0, HoldNumpy())
"""


def console_script(*args: str) -> list[str]:
    """What the installed ``npc-classify ARGS`` runs, from the entry point in pyproject.toml."""
    tomllib = pytest.importorskip("tomllib")
    pyproject = tomllib.loads((Path(__file__).parent.parent / "pyproject.toml").read_text())
    module, function = pyproject["project"]["scripts"]["npc-classify"].split(":")
    program = f"import sys; from {module} import {function}; sys.exit({function}())"
    return [sys.executable, "-c", program, *args]


@pytest.mark.skipif(os.name != "posix", reason="SIGINT and SIGTERM sent to a process (POSIX)")
@pytest.mark.parametrize("how", ["python -m npc_classify", "console script"])
@pytest.mark.parametrize(
    ("sent", "status", "word"), [("SIGINT", 130, "interrupted"), ("SIGTERM", 143, "terminated")]
)
@pytest.mark.parametrize("disguised", [False, True], ids=["raised", "as-an-import-error"])
def test_a_signal_during_start_up_ends_the_command_with_its_one_line(
    tmp_path, how, sent, status, word, disguised
):
    (tmp_path / "sitecustomize.py").write_text(HOLD_NUMPY.format(disguised=disguised))
    path = os.pathsep.join(filter(None, [str(tmp_path), os.environ.get("PYTHONPATH")]))
    args = ["evaluate", "--data-dir", str(tmp_path)]
    if how == "console script":
        command = console_script(*args)
    else:
        command = [sys.executable, "-m", "npc_classify", *args]
    run = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONPATH": path},
    )  # fmt: skip
    try:
        assert run.stdout.readline() == "importing numpy\n", run.communicate()[1]
        run.send_signal(getattr(signal, sent))
        _, err = run.communicate(timeout=60)
    finally:
        run.kill()
    assert (run.returncode, err) == (status, f"npc-classify: {word}\n")


def test_an_error_raised_by_an_interrupt_during_the_run_is_the_interrupt(
    capsys, monkeypatch, tmp_path
):
    from npc_classify import _subcommands

    def interrupted(args):
        try:
            raise KeyboardInterrupt
        except KeyboardInterrupt as interrupt:  # what a pybind11 module's import does
            raise ImportError("initialization failed") from interrupt

    monkeypatch.setitem(_subcommands.HANDLERS, "evaluate", interrupted)
    assert main(["evaluate", "--data-dir", str(tmp_path)]) == 130
    assert capsys.readouterr().err == "npc-classify: interrupted\n"


@pytest.mark.parametrize("ending", ["returns", "is interrupted"])
def test_a_command_run_in_process_gives_back_the_callers_sigterm_handler(
    capsys, monkeypatch, tmp_path, ending
):
    from npc_classify import _subcommands

    def handler(signum, frame):
        """The caller's own handler."""

    def command(args):
        if ending == "is interrupted":
            raise KeyboardInterrupt
        return 0

    monkeypatch.setitem(_subcommands.HANDLERS, "evaluate", command)
    previous = signal.signal(signal.SIGTERM, handler)
    try:
        main(["evaluate", "--data-dir", str(tmp_path)])
        assert signal.getsignal(signal.SIGTERM) is handler
    finally:
        signal.signal(signal.SIGTERM, previous)


def test_the_command_s_entry_point_imports_nothing_heavy():
    """What runs before the signals are handled: the package and its entry module."""
    program = (
        "import sys, npc_classify._command\n"
        "heavy = {m.partition('.')[0] for m in sys.modules} & {'numpy', 'sklearn', 'joblib'}\n"
        "print(sorted(heavy))"
    )
    completed = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, timeout=60, check=True
    )
    assert completed.stdout == "[]\n"


@pytest.mark.parametrize("argv", [["--help"], ["evaluate", "--help"], ["fit", "--k", "0"]])
def test_help_and_argument_errors_do_not_wait_for_the_estimators_imports(argv):
    """scikit-learn, SciPy and joblib take over a second to import; parsing needs none."""
    program = (
        "import sys\n"
        "from npc_classify._command import main\n"
        "try:\n"
        f"    main({argv!r})\n"
        "except SystemExit:\n"
        "    pass\n"
        "heavy = {'sklearn', 'scipy', 'joblib', 'pandas', 'numba', 'torch'}\n"
        "print(sorted({m.partition('.')[0] for m in sys.modules} & heavy), file=sys.stderr)"
    )
    completed = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, timeout=60, check=True
    )
    assert completed.stderr.splitlines()[-1] == "[]"
    assert "usage: npc-classify" in completed.stdout + completed.stderr


SUBCOMMANDS = [
    "evaluate",
    "few-shot",
    "fit",
    "predict",
    "explain",
    "train-lm",
    "compress",
    "decompress",
    "bpb",
]


def help_entries(capsys, *command) -> list[tuple[str, str, str]]:
    """(section, invocation, description) of every argument in ``command --help``."""
    with pytest.raises(SystemExit):
        main([*command, "--help"])
    entries: list[list[str]] = []
    section = ""
    for line in capsys.readouterr().out.splitlines():
        if line and not line.startswith(" "):
            section = line
        elif re.match(r"^  \S", line):
            invocation, _, description = line.strip().partition("  ")
            entries.append([section, invocation, description.strip()])
        elif line.startswith("   ") and entries:
            entries[-1][2] = (entries[-1][2] + " " + line.strip()).strip()
    return [(s, i, d) for s, i, d in entries]


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        (
            "evaluate",
            "seed of random ties and of the texts --n-test and --n-train-per-class sample",
        ),
        ("few-shot", "seed of random ties and of the texts --n-test samples"),
        ("fit", "seed of random ties and of the texts --n-train-per-class samples"),
        ("bpb", "seed of the texts --n-test samples"),
    ],
)
def test_the_seed_s_help_names_only_what_the_command_draws(capsys, monkeypatch, command, expected):
    monkeypatch.setenv("COLUMNS", "200")
    entries = {invocation: text for _, invocation, text in help_entries(capsys, command)}
    assert entries["--seed S"].startswith(expected + " (default: 0)")


def test_the_help_lists_every_subcommand_with_a_summary(capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "100")
    with pytest.raises(SystemExit):
        main(["--help"])
    listed = re.findall(r"^    (\S+)\s+\S", capsys.readouterr().out, flags=re.MULTILINE)
    assert listed == SUBCOMMANDS


@pytest.mark.parametrize("command", SUBCOMMANDS)
def test_every_option_of_every_subcommand_says_what_it_is_and_its_default(
    capsys, monkeypatch, command
):
    monkeypatch.setenv("COLUMNS", "100")
    entries = help_entries(capsys, command)
    assert len(entries) > 2
    for section, invocation, description in entries:
        assert description, f"{command} {invocation} has no description"
        if section == "positional arguments:" or invocation in ("-h, --help",):
            continue
        assert "default" in description or "(required)" in description, (
            f"{command} {invocation}: the help does not show the default: {description!r}"
        )


def test_train_lm_options_show_their_defaults(capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "100")
    described = {i.split()[0]: d for _, i, d in help_entries(capsys, "train-lm")}
    assert described["--steps"] == "optimiser steps (default: 2000)"
    assert described["--seq-len"] == "bytes in each training window (default: 256)"
    assert described["--batch-size"] == "windows in each step (default: 32)"
    described = {i.split()[0]: d for _, i, d in help_entries(capsys, "bpb")}
    assert described["--n-docs"] == "the first N test texts (default: 200)"


# --- JSON to standard output, FIFOs, links, folders ---------------------------------


def tiny_news_argv(*argv) -> list:
    return ["evaluate", "--dataset", "csv", "--train", TINY_NEWS, "--test", TINY_NEWS, "--k", 1,
            *argv, *FAST]  # fmt: skip


def test_output_dash_writes_only_the_json_to_stdout_and_the_report_to_stderr(
    capsys, tmp_path, monkeypatch
):
    monkeypatch.chdir(tmp_path)
    code, out, err = run_cli(capsys, *tiny_news_argv("--output", "-"))
    assert code == 0, err
    report = json.loads(out)
    assert report["command"] == "evaluate" and report["n_test"] == 24
    assert "576 pairs compressed" in err and "confusion matrix" in err
    assert "checkpoint" not in err
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("command", ["few-shot", "bpb"])
def test_output_dash_works_for_every_command_with_a_json_report(capsys, ag_news_dir, command):
    options = ["--shots", 2, "--seeds", 0, "--k", 1, *FAST] if command == "few-shot" else []
    code, out, err = run_cli(capsys, command, "--data-dir", ag_news_dir, *options, "--output", "-")
    assert code == 0, err
    assert json.loads(out)["command"] == command
    assert err


def test_a_reader_that_closes_the_pipe_early_cuts_the_report_short_not_the_results(tmp_path):
    """``evaluate ... --output out.json | head -1``: the JSON is written before the report."""
    argv = [str(arg) for arg in tiny_news_argv("--output", "out.json")]
    command = [sys.executable, "-m", "npc_classify", *argv]
    run = subprocess.Popen(command, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert run.stdout is not None and run.stderr is not None
    run.stdout.close()  # the reader is gone before the report is printed
    err = run.stderr.read().decode()
    assert run.wait(timeout=120) == 141, err
    assert "error" not in err and "Traceback" not in err
    assert json.loads((tmp_path / "out.json").read_text())["n_test"] == 24
    assert sorted(path.name for path in tmp_path.iterdir()) == ["out.json"]


@pytest.mark.parametrize(
    ("command", "option", "named"),
    [
        ("evaluate", "--output", "train"),
        ("evaluate", "--checkpoint", "train"),
        ("few-shot", "--output", "train"),
        ("bpb", "--output", "test"),
    ],
)
def test_a_report_or_checkpoint_naming_a_data_file_is_refused_and_the_file_kept(
    capsys, split_news, command, option, named
):
    train, test = split_news
    data = train if named == "train" else test
    before = data.read_bytes()
    argv = ["--dataset", "csv", "--test", test, option, data]
    if command != "bpb":
        argv += ["--train", train, "--k", 1, *FAST]
    if command == "few-shot":
        argv += ["--shots", 2, "--seeds", 0]
    code, _, err = run_cli(capsys, command, *argv)
    assert code == 2
    assert f"{option} {data} is the data file {data}, which it would replace" in err
    assert data.read_bytes() == before


def test_a_report_naming_a_file_the_data_folder_gives_is_refused(capsys, split_news):
    _, test = split_news
    before = test.read_bytes()
    argv = ["--dataset", "csv", "--data-dir", test.parent, "--output", test]
    code, _, err = run_cli(capsys, "evaluate", *argv, *FAST)
    assert code == 2
    assert f"--output {test} is the data file {test}, which it would replace" in err
    assert test.read_bytes() == before


def test_a_file_beside_the_data_that_the_run_does_not_read_may_be_the_report(capsys, split_news):
    train, _ = split_news
    unread = train.with_suffix(".tsv")  # --dataset csv reads train.csv and test.csv alone
    unread.write_text("an old report\n")
    argv = ["--dataset", "csv", "--data-dir", train.parent, "--k", 1, "--output", unread]
    code, _, err = run_cli(capsys, "evaluate", *argv, *FAST)
    assert code == 0, err
    assert json.loads(unread.read_text())["n_test"] == len(tiny_news_rows()[1::2])


def test_output_and_checkpoint_naming_one_file_are_refused(capsys, tmp_path):
    same = tmp_path / "run.json"
    code, _, err = run_cli(capsys, *tiny_news_argv("--output", same, "--checkpoint", same))
    assert code == 2
    assert "--output and --checkpoint name the same file" in err
    assert not same.exists()


fifo_only = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs are POSIX")


@fifo_only
def test_output_to_a_fifo_is_written_through_it_with_no_checkpoint_beside_it(capsys, tmp_path):
    fifo = tmp_path / "results.pipe"
    os.mkfifo(fifo)
    program = "import sys; sys.stdout.buffer.write(open(sys.argv[1], 'rb').read())"
    reader = subprocess.Popen([sys.executable, "-c", program, fifo], stdout=subprocess.PIPE)
    code, _, err = run_cli(capsys, *tiny_news_argv("--output", fifo))
    assert code == 0, err
    assert json.loads(reader.communicate(timeout=60)[0])["n_test"] == 24
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)
    assert "checkpoint" not in err
    assert [p.name for p in tmp_path.iterdir()] == ["results.pipe"]


def test_output_to_a_symlink_writes_its_target_and_keeps_the_link(capsys, tmp_path):
    target = tmp_path / "runs" / "out.json"
    target.parent.mkdir()
    target.write_text("stale", encoding="utf-8")
    link = tmp_path / "latest.json"
    link.symlink_to(target)
    code, _, err = run_cli(capsys, *tiny_news_argv("--output", link))
    assert code == 0, err
    assert link.is_symlink()
    assert json.loads(target.read_text(encoding="utf-8"))["n_test"] == 24
    assert [p.name for p in target.parent.iterdir()] == ["out.json"]


def test_output_naming_a_folder_fails_before_the_run(capsys, tmp_path):
    with pytest.raises(SystemExit) as exit_info:
        main([str(arg) for arg in tiny_news_argv("--output", tmp_path)])
    assert exit_info.value.code == 2
    captured = capsys.readouterr()
    assert f"argument --output: {tmp_path} is a directory; expected the path of a file" in (
        captured.err
    )
    assert "pairs compressed" not in captured.out
    assert list(tmp_path.iterdir()) == []


# --- files without a header, TSV quoting ----------------------------------------------


def test_tsv_without_a_header_is_read_by_column_numbers(capsys, tmp_path, split_news):
    train, test = split_news
    expected = evaluate_json(capsys, tmp_path, "--dataset", "csv", "--train", train,
                             "--test", test, "--k", 1, name="expected.json")  # fmt: skip
    headerless = {}
    for name, path in (("train", train), ("test", test)):
        rows = [(text, label) for label, text in csv.reader(open(path, encoding="utf-8"))][1:]
        headerless[name] = write_csv(tmp_path / f"{name}.tsv", None, rows, delimiter="\t")
    report = evaluate_json(
        capsys, tmp_path, "--dataset", "tsv", "--train", headerless["train"],
        "--test", headerless["test"], "--no-header", "--text-column", 1, "--label-column", 2,
        "--k", 1, name="headerless.json",
    )  # fmt: skip
    assert report["results"] == expected["results"]


def test_tsv_texts_that_start_with_a_quote_are_read_verbatim(capsys, tmp_path):
    rows = "".join(f'{label}\t"{label}" said the {label} story {i}\n' for i in range(3)
                   for label in ("C01", "C06"))  # fmt: skip
    path = tmp_path / "data.tsv"
    path.write_text("label\ttext\n" + rows, encoding="utf-8")
    report = evaluate_json(capsys, tmp_path, "--dataset", "tsv", "--train", path,
                           "--test", path, "--k", 1)  # fmt: skip
    assert report["n_test"] == 6
    code, _, err = run_cli(capsys, "evaluate", "--dataset", "tsv", "--train", path,
                           "--test", path, "--quoting", "csv", *FAST)  # fmt: skip
    assert code == 2
    assert f"{path}, line 2: malformed CSV" in err


# --- progress bars ------------------------------------------------------------------------


def test_progress_bars_are_off_when_stderr_is_not_a_terminal(capsys):
    code, _, err = run_cli(capsys, *tiny_news_argv()[:-3], "--n-jobs", 1)
    assert code == 0
    assert "pair/s" not in err


def test_progress_bars_follow_the_terminal_or_the_progress_options(capsys, monkeypatch):
    argv = [*tiny_news_argv()[:-3], "--n-jobs", 1]
    code, _, err = run_cli(capsys, *argv, "--progress")
    assert code == 0 and "pair/s" in err
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    assert "pair/s" in run_cli(capsys, *argv)[2]
    assert "pair/s" not in run_cli(capsys, *argv, "--no-progress")[2]


def test_class_conditional_progress_bars_follow_the_progress_options(capsys, ag_news_dir):
    argv = ["evaluate", "--data-dir", ag_news_dir, "--method", "class-conditional"]
    code, _, err = run_cli(capsys, *argv, "--complement", "all", "--progress")
    assert code == 0
    assert "class texts: 100%" in err and "complement texts: 100%" in err
    assert "class texts" not in run_cli(capsys, *argv, "--no-progress")[2]


def test_class_conditional_codes_on_the_workers_asked_for(
    capsys, tmp_path, ag_news_dir, worker_requests
):
    argv = ["evaluate", "--data-dir", ag_news_dir, "--method", "class-conditional"]
    reports = []
    for workers in (["--n-jobs", "2"], []):
        output = tmp_path / f"out{len(workers)}.json"
        code, _, err = run_cli(capsys, *argv, *workers, "--no-progress", "--output", output)
        assert code == 0, err
        reports.append(json.loads(output.read_text(encoding="utf-8"))["report"])
    assert worker_requests == [2, None]  # one call of the class texts each; by default one worker
    assert reports[0] == reports[1]


@pytest.mark.parametrize(("environment", "shown"), [({}, True), ({"TQDM_DISABLE": "1"}, False)])
def test_progress_bars_follow_tqdm_s_environment(tmp_path, environment, shown):
    argv = [str(arg) for arg in tiny_news_argv()[:-3]]
    completed = subprocess.run(
        [sys.executable, "-m", "npc_classify", *argv, "--n-jobs", "1", "--progress"],
        capture_output=True, text=True, timeout=120, check=True,
        env={**os.environ, **environment},
    )  # fmt: skip
    assert ("pair/s" in completed.stderr) == shown


# --- workers ------------------------------------------------------------------------------


def test_without_n_jobs_the_workers_are_chosen_from_the_amount_of_work(capsys, tmp_path):
    output = tmp_path / "out.json"
    argv = [*tiny_news_argv()[:-3], "--no-progress", "--output", output]
    code, out, err = run_cli(capsys, *argv)
    assert code == 0, err
    assert out.startswith("1 worker: 576 pairs\n")
    config = json.loads(output.read_text(encoding="utf-8"))["config"]
    assert (config["n_jobs"], config["n_jobs_chosen_for_pairs"]) == (1, 576)


def test_an_explicit_n_jobs_is_kept_and_not_announced(capsys, tmp_path):
    _, out, report = tiny_news_evaluation(capsys, tmp_path, "--k", "1")
    assert "worker" not in out
    assert (report["config"]["n_jobs"], report["config"]["n_jobs_chosen_for_pairs"]) == (1, None)


# --- the paper's rule where it differs from the fair one ----------------------------------


def test_the_paper_rule_is_printed_only_for_k_of_2_and_more(capsys, split_news):
    train, test = split_news
    code, out, _ = run_cli(
        capsys, "evaluate", "--dataset", "csv", "--train", train, "--test", test,
        "--k", 1, 2, "--tie", "paper-top-k", *FAST,
    )  # fmt: skip
    assert code == 0
    assert "k=1, nearest: per class" in out
    assert "k=1, paper-top-k" not in out
    assert out.count("Shown for k >= 2 only") == 1
    rows = {
        line.split()[0]: line.split() for line in out.splitlines() if re.match(r"^ +[12] ", line)
    }
    assert len(rows["1"]) == 4  # k, the fair accuracy, its interval and macro-F1
    assert len(rows["2"]) == 6  # and the paper's accuracy and macro-F1


def test_n_test_draws_the_test_texts_with_the_seed(tmp_path):
    test = read_labeled_file(TINY_NEWS)
    for seed in (1, 2, 3, 4, 5):
        out = tmp_path / f"seed{seed}.json"
        argv = ["evaluate", "--dataset", "csv", "--train", TINY_NEWS, "--test", TINY_NEWS]
        argv += ["--k", 1, "--n-test", 3, "--seed", seed, *FAST, "--output", out]
        assert main([str(arg) for arg in argv]) == 0
        per_class = json.loads(out.read_text())["results"][0]["nearest"]["per_class"]
        support = {label: row["support"] for label, row in per_class.items() if row["support"]}
        assert support == dict(Counter(test.sample(3, np.random.RandomState(seed)).labels))


def test_n_train_per_class_draws_the_training_texts_with_the_seed(tmp_path):
    train = read_labeled_file(TINY_NEWS)
    for seed in (1, 2, 3):
        model = tmp_path / f"seed{seed}.skops"
        argv = ["fit", "--dataset", "csv", "--train", TINY_NEWS, "--n-train-per-class", 2]
        argv += ["--seed", seed, "--out", model]
        assert main([str(arg) for arg in argv]) == 0
        chosen = sample_per_class(train.labels, 2, np.random.RandomState(seed))
        expected = [len(gzip.compress(train.texts[i].encode(), mtime=0)) for i in chosen]
        assert load_model(model).train_sizes_.tolist() == expected
