"""Specification of ``npc-classify fit`` and ``predict``: train once, classify later."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from conftest import TINY_NEWS, Arriving, write_csv
from sklearn.linear_model import LogisticRegression
from sklearn.multiclass import OneVsRestClassifier
from sklearn.pipeline import Pipeline, make_pipeline

from npc_classify import (
    CompressionClassifier,
    NCDClassifier,
    NCDTransformer,
    _subcommands,
    evaluation,
    load_model,
    save_model,
)
from npc_classify.cli import main

QUIET = ["--no-progress", "--n-jobs", "1"]


def tiny_news_rows() -> list[tuple[str, str]]:
    with open(TINY_NEWS, encoding="utf-8", newline="") as handle:
        return [(row["label"], row["text"]) for row in csv.DictReader(handle)]


@pytest.fixture
def halves(tmp_path: Path) -> tuple[Path, list[str], list[str]]:
    """tiny_news.csv's even rows as a training file; the odd rows' texts and labels."""
    rows = tiny_news_rows()
    train = write_csv(tmp_path / "train.csv", ["label", "text"], rows[0::2])
    labels, texts = (list(column) for column in zip(*rows[1::2], strict=True))
    return train, texts, labels


@pytest.fixture
def texts_file(tmp_path: Path, halves) -> Path:
    """The test texts, one per line."""
    path = tmp_path / "texts.txt"
    path.write_text("".join(f"{text}\n" for text in halves[1]), encoding="utf-8")
    return path


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main([str(arg) for arg in argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def fitted_model(capsys, tmp_path: Path, train: Path, *options) -> Path:
    model = tmp_path / "model.skops"
    code, out, err = run(capsys, "fit", "--dataset", "csv", "--train", train, *options,
                         "--out", model)  # fmt: skip
    assert code == 0, err
    assert f"model written to {model}" in out
    return model


def reference(halves, **params) -> NCDClassifier:
    train, _, _ = halves
    rows = [(row["label"], row["text"]) for row in csv.DictReader(open(train, encoding="utf-8"))]
    labels, texts = zip(*rows, strict=True)
    return NCDClassifier(n_jobs=1, **params).fit(list(texts), list(labels))


def test_fit_saves_a_model_that_predict_applies_to_a_file_of_texts(
    capsys, tmp_path, halves, texts_file
):
    model = fitted_model(capsys, tmp_path, halves[0], "--k", 3)
    assert isinstance(load_model(model), NCDClassifier)
    code, out, err = run(capsys, "predict", model, texts_file, "--no-progress")
    assert code == 0, err
    expected = reference(halves, k=3).predict(halves[1])
    assert out.splitlines() == expected.tolist()
    assert err == f"1 worker: {12 * 12:,} pairs\n"


def test_predict_chooses_the_workers_once_for_the_pairs_of_its_first_block(
    capsys, tmp_path, halves, texts_file, monkeypatch
):
    model = fitted_model(capsys, tmp_path, halves[0])
    monkeypatch.setattr(_subcommands, "PREDICT_BLOCK", 5)
    code, _, err = run(capsys, "predict", model, texts_file, "--no-progress")
    assert code == 0, err
    assert err == f"1 worker: {5 * 12:,} pairs\n"


def test_fit_cross_validates_auto_settings_on_the_workers_it_is_given(capsys, tmp_path, halves):
    """--n-jobs reaches the classifier that fit saves; --progress shows its bars."""
    options = ["--method", "class-conditional", "--n-dictionaries", "auto", "--n-jobs", "2"]
    code, _, err = run(capsys, "fit", "--dataset", "csv", "--train", halves[0], *options,
                         "--progress", "--out", tmp_path / "m.skops")  # fmt: skip
    assert code == 0, err
    assert load_model(tmp_path / "m.skops").n_jobs == 2
    assert "%|" in err  # a progress bar, though standard error is no terminal


def test_a_model_saved_from_python_predicts_the_same_way(capsys, tmp_path, halves, texts_file):
    clf = reference(halves, k=3)
    model = tmp_path / "python.skops"
    save_model(clf, model)
    from_cli = fitted_model(capsys, tmp_path, halves[0], "--k", 3)
    outputs = [run(capsys, "predict", path, texts_file, *QUIET)[1] for path in (model, from_cli)]
    assert outputs[0] == outputs[1] == "".join(f"{label}\n" for label in clf.predict(halves[1]))


@pytest.mark.parametrize("explicit", [True, False], ids=["dash", "no-input"])
def test_predict_reads_standard_input_one_text_per_line(
    capsys, tmp_path, halves, monkeypatch, explicit
):
    model = fitted_model(capsys, tmp_path, halves[0])
    lines = "".join(f"{text}\r\n" for text in halves[1][:3]).encode()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(lines)))
    code, out, err = run(capsys, "predict", model, *(["-"] if explicit else []), *QUIET)
    assert code == 0, err
    assert out.splitlines() == reference(halves).predict(halves[1][:3]).tolist()


def test_predict_classifies_standard_input_as_it_arrives(capsys, tmp_path, halves, monkeypatch):
    model = fitted_model(capsys, tmp_path, halves[0])
    lines = [f"{text}\n".encode() for text in halves[1][:6]]
    arriving = Arriving(lines)  # a pipe written one line at a time
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BufferedReader(arriving)))
    monkeypatch.setattr(_subcommands, "PREDICT_BLOCK", 2)
    classified = evaluation.predictions
    read_by_then = []

    def noting_what_was_read(model, texts, **kwargs):
        read_by_then.append(len(lines) - len(arriving.pieces))
        return classified(model, texts, **kwargs)

    monkeypatch.setattr(evaluation, "predictions", noting_what_was_read)
    code, out, err = run(capsys, "predict", model, "-", *QUIET)
    assert code == 0, err
    assert read_by_then == [2, 4, 6]  # each block classified before the next line is read
    assert out.splitlines() == reference(halves).predict(halves[1][:6]).tolist()


def test_predict_reads_its_input_after_its_options_too(capsys, tmp_path, halves, texts_file):
    model = fitted_model(capsys, tmp_path, halves[0])
    outputs = [
        run(capsys, "predict", model, texts_file, *QUIET),
        run(capsys, "predict", model, *QUIET, texts_file),
        run(capsys, "predict", *QUIET, model, texts_file),
    ]
    assert outputs[0][1] == outputs[1][1] == outputs[2][1] != ""
    assert [code for code, _, _ in outputs] == [0, 0, 0]


def test_predict_reads_a_csv_column(capsys, tmp_path, halves):
    model = fitted_model(capsys, tmp_path, halves[0])
    table = write_csv(tmp_path / "q.csv", ["id", "body"], list(enumerate(halves[1])))
    code, out, _ = run(capsys, "predict", model, table, "--input-format", "csv",
                       "--text-column", "body", *QUIET)  # fmt: skip
    assert code == 0
    assert out.splitlines() == reference(halves).predict(halves[1]).tolist()


def test_predict_proba_prints_a_header_of_classes_then_the_probabilities(
    capsys, tmp_path, halves, texts_file
):
    model = fitted_model(capsys, tmp_path, halves[0])
    code, out, _ = run(capsys, "predict", model, texts_file, "--proba", *QUIET)
    assert code == 0
    header, *rows = out.splitlines()
    clf = reference(halves)
    assert header.split("\t") == clf.classes_.tolist() == ["business", "science", "sport"]
    printed = np.array([[float(p) for p in row.split("\t")] for row in rows])
    np.testing.assert_array_equal(printed, clf.predict_proba(halves[1]))


def test_predict_jsonl_gives_each_text_its_label_and_probabilities(
    capsys, tmp_path, halves, texts_file
):
    model = fitted_model(capsys, tmp_path, halves[0], "--k", 4)
    code, out, _ = run(capsys, "predict", model, texts_file, "--format", "jsonl", *QUIET)
    assert code == 0
    records = [json.loads(line) for line in out.splitlines()]
    clf = reference(halves, k=4)
    assert [r["label"] for r in records] == clf.predict(halves[1]).tolist()
    for record, proba in zip(records, clf.predict_proba(halves[1]), strict=True):
        assert record["proba"] == dict(zip(clf.classes_.tolist(), proba.tolist(), strict=True))


@pytest.mark.parametrize(("options", "complement"), [((), None), (("--complement", "2"), 2.0)])
def test_fit_class_conditional_and_predict(
    capsys, tmp_path, halves, texts_file, options, complement
):
    model = fitted_model(capsys, tmp_path, halves[0], "--method", "class-conditional", *options)
    loaded = load_model(model)
    assert isinstance(loaded, CompressionClassifier)
    assert loaded.complement == complement
    code, out, err = run(capsys, "predict", model, texts_file, "--format", "jsonl")
    assert code == 0, err
    assert err == ""  # one compression per class: no workers to choose
    train, texts, _ = halves
    rows = [(row["label"], row["text"]) for row in csv.DictReader(open(train, encoding="utf-8"))]
    labels, train_texts = zip(*rows, strict=True)
    clf = CompressionClassifier("gzip", complement=complement)
    expected = clf.fit(list(train_texts), list(labels)).predict(texts)
    assert [json.loads(line)["label"] for line in out.splitlines()] == expected.tolist()


def test_fit_with_an_auto_temperature_saves_the_one_chosen_for_predict_proba(
    capsys, tmp_path, halves, texts_file
):
    argv = ["--method", "class-conditional", "--compressor", "zstd", "--temperature", "auto"]
    model = fitted_model(capsys, tmp_path, halves[0], *argv)
    loaded = load_model(model)
    train, texts, _ = halves
    rows = [(row["label"], row["text"]) for row in csv.DictReader(open(train, encoding="utf-8"))]
    labels, train_texts = zip(*rows, strict=True)
    clf = CompressionClassifier("zstd", temperature="auto").fit(list(train_texts), list(labels))
    assert loaded.temperature_ == clf.temperature_ != 1.0
    code, out, err = run(capsys, "predict", model, texts_file, "--format", "jsonl")
    assert code == 0, err
    expected = clf.predict_proba(texts)
    got = [[json.loads(line)["proba"][c] for c in clf.classes_] for line in out.splitlines()]
    np.testing.assert_allclose(got, expected)


def test_fit_with_class_offsets_prints_each_class_offset(capsys, tmp_path, halves):
    train, _, _ = halves
    code, out, err = run(capsys, "fit", "--dataset", "csv", "--train", train,
                         "--method", "class-conditional", "--class-offsets",
                         "--out", tmp_path / "m.skops")  # fmt: skip
    assert code == 0, err
    loaded = load_model(tmp_path / "m.skops")
    offsets = zip(loaded.classes_, loaded.class_offsets_, strict=True)
    shown = ", ".join(f"{name} {bits:+.2f}" for name, bits in offsets)
    assert f"class offsets, bits (fitted on held-out training texts): {shown}\n" in out
    assert "temperature:" not in out


def test_fit_prints_a_class_offset_of_a_label_with_a_newline_on_one_line(capsys, tmp_path):
    rows = [
        ("busi\nness" if label == "business" else label, text) for label, text in tiny_news_rows()
    ]
    train = write_csv(tmp_path / "train.csv", ["label", "text"], rows)
    code, out, err = run(capsys, "fit", "--dataset", "csv", "--train", train,
                         "--method", "class-conditional", "--class-offsets",
                         "--out", tmp_path / "m.skops")  # fmt: skip
    assert code == 0, err
    (line,) = [line for line in out.splitlines() if line.startswith("class offsets")]
    assert "busi\\nness +" in line or "busi\\nness -" in line


@pytest.mark.parametrize("value", ["0", "-1", "inf", "nan", "warm"])
def test_a_temperature_other_than_a_positive_number_or_auto_is_refused(capsys, value):
    with pytest.raises(SystemExit) as exit_info:
        main(["fit", "--method", "class-conditional", "--temperature", value, "--out", "m"])
    assert exit_info.value.code == 2
    assert "--temperature: expected a positive number or auto" in capsys.readouterr().err


def test_a_temperature_with_neighbours_is_refused(capsys, tmp_path, halves):
    code, _, err = run(capsys, "fit", "--dataset", "csv", "--train", halves[0],
                       "--temperature", "2", "--out", tmp_path / "m.skops")  # fmt: skip
    assert code == 2
    assert "--temperature is for --method class-conditional, not NCD neighbours." in err
    assert not (tmp_path / "m.skops").exists()


def test_predict_gives_a_class_conditional_model_the_workers_asked_for(
    capsys, tmp_path, halves, texts_file, worker_requests
):
    model = fitted_model(capsys, tmp_path, halves[0], "--method", "class-conditional")
    outputs = [
        run(capsys, "predict", model, texts_file, *workers)[1]
        for workers in (["--n-jobs", "2"], [])
    ]
    assert worker_requests == [2, None]  # the saved model's n_jobs when none is asked for
    assert outputs[0] == outputs[1]


def test_fit_reads_a_headerless_tsv_and_samples_per_class(capsys, tmp_path, halves):
    rows = [(text, label) for label, text in tiny_news_rows()]
    train = write_csv(tmp_path / "train.tsv", None, rows, delimiter="\t")
    model = tmp_path / "model.skops"
    code, out, err = run(capsys, "fit", "--dataset", "tsv", "--train", train, "--no-header",
                         "--text-column", 1, "--label-column", 2, "--n-train-per-class", 2,
                         "--out", model)  # fmt: skip
    assert code == 0, err
    assert "fitted on 6 texts of 3 classes" in out
    assert load_model(model).n_samples_fit_ == 6


def test_fit_takes_one_k_and_no_paper_rule(capsys, tmp_path, halves):
    for options in (["--k", "1", "3"], ["--tie", "paper-top-k"]):
        with pytest.raises(SystemExit) as exit_info:
            main(["fit", "--dataset", "csv", "--train", str(halves[0]), "--out", "m", *options])
        assert exit_info.value.code == 2
    capsys.readouterr()


def test_predict_with_a_missing_model_or_input_fails_cleanly(capsys, tmp_path, halves):
    code, _, err = run(capsys, "predict", tmp_path / "none.skops", *QUIET)
    assert code == 2 and err.startswith("npc-classify: error: ")
    model = fitted_model(capsys, tmp_path, halves[0])
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"fine\n\xff\n")
    code, _, err = run(capsys, "predict", model, bad, *QUIET)
    assert code == 2
    assert f"{bad}, line 2: the text is not valid UTF-8" in err


def test_predict_prints_the_lines_before_one_that_is_not_utf8_then_stops(
    capsys, tmp_path, halves, monkeypatch
):
    model = fitted_model(capsys, tmp_path, halves[0])
    bad = tmp_path / "bad.txt"
    bad.write_bytes("".join(f"{text}\n" for text in halves[1][:3]).encode() + b"\xff\nmore\n")
    monkeypatch.setattr(_subcommands, "PREDICT_BLOCK", 2)
    code, out, err = run(capsys, "predict", model, bad, *QUIET)
    assert code == 2
    assert f"{bad}, line 4: the text is not valid UTF-8" in err
    assert out.splitlines() == reference(halves).predict(halves[1][:3]).tolist()


def test_fit_refuses_to_write_the_model_over_its_training_file(capsys, tmp_path, halves):
    train = halves[0]
    before = train.read_bytes()
    code, _, err = run(capsys, "fit", "--dataset", "csv", "--train", train, "--out", train)
    assert code == 2
    assert f"--out {train} is the data file {train}, which it would replace" in err
    assert train.read_bytes() == before


# --- explain -------------------------------------------------------------------------


@pytest.mark.parametrize("estimator", ["knn", "ppm"])
def test_explain_prints_the_prediction_its_evidence_and_the_top_spans(
    tiny_news, tmp_path, capsys, estimator
):
    from npc_classify import CompressionClassifier, NCDClassifier, save_model
    from npc_classify.cli import main

    model = NCDClassifier(k=3) if estimator == "knn" else CompressionClassifier("ppm")
    save_model(model.fit(*tiny_news), tmp_path / "model.skops")
    text = "The goalkeeper saved a penalty in the final."
    html = tmp_path / "why.html"
    argv = ["explain", str(tmp_path / "model.skops"), text, "--spans", "2", "--html", str(html)]
    assert main(argv) == 0
    out = capsys.readouterr().out
    explanation = model.explain(text, n_spans=2)
    assert out.startswith(f"predicted: {explanation.predicted}")
    assert len([line for line in out.splitlines() if " bits  '" in line]) == len(explanation.spans)
    if estimator == "knn":
        assert f"{explanation.neighbor_indices[0]:>7}" in out
    else:
        assert "bits of the text under each class:" in out
    assert html.read_text(encoding="utf-8") == explanation.to_html()


def test_explain_refuses_a_model_that_cannot_explain(tiny_news, tmp_path, capsys):
    from npc_classify import NCDTransformer, save_model
    from npc_classify.cli import main

    save_model(NCDTransformer().fit(tiny_news[0]), tmp_path / "features.skops")
    assert main(["explain", str(tmp_path / "features.skops"), "a text"]) == 2
    assert "holds a NCDTransformer, which cannot explain a prediction" in capsys.readouterr().err


def refused_at_parse(argv: list[str], capsys) -> str:
    """The standard error of ``argv``, refused when its arguments are parsed: exit 2 and
    nothing on standard output."""
    with pytest.raises(SystemExit) as exited:
        main(argv)
    assert exited.value.code == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    return captured.err


@pytest.mark.parametrize("command", ["fit", "explain"])
def test_a_folder_given_for_the_model_or_the_html_is_refused_before_any_work(
    tmp_path, capsys, halves, command
):
    folder = tmp_path / "reports"
    folder.mkdir()
    if command == "fit":
        argv = ["fit", "--dataset", "csv", "--train", str(halves[0]), "--out", str(folder)]
    else:
        argv = ["explain", str(tmp_path / "missing.skops"), "a text", "--html", str(folder)]
    assert f"{folder} is a directory; expected the path of a file" in refused_at_parse(
        argv, capsys
    )


@pytest.mark.parametrize("command", ["fit", "explain", "bpb"])
def test_a_file_in_a_folder_that_takes_no_new_file_is_refused_before_any_work(
    tmp_path, capsys, halves, monkeypatch, command
):
    locked = tmp_path / "locked"
    locked.mkdir()
    real_access = os.access
    monkeypatch.setattr(os, "access", lambda p, mode: Path(p) != locked and real_access(p, mode))
    out = str(locked / "out")
    argv = {
        "fit": ["fit", "--dataset", "csv", "--train", str(halves[0]), "--out", out],
        "explain": ["explain", str(tmp_path / "missing.skops"), "a text", "--html", out],
        "bpb": ["bpb", "--dataset", "csv", "--test", str(halves[0]), "--output", out],
    }[command]
    assert f"{out} cannot be written: cannot write {locked}" in refused_at_parse(argv, capsys)


@pytest.mark.parametrize("command", ["explain", "train-lm", "fit-lm", "bpb-lm"])
def test_an_output_naming_a_file_the_command_reads_is_refused_and_the_file_kept(
    tmp_path, capsys, halves, request, command
):
    train = str(halves[0])
    if command == "explain":
        read = tmp_path / "model.skops"
        save_model(CompressionClassifier("ppm").fit(*request.getfixturevalue("tiny_news")), read)
        argv = ["explain", str(read), "a late goal", "--html", str(read)]
    elif command == "train-lm":
        read = tmp_path / "corpus.txt"
        read.write_text("a late goal in the cup final\n" * 20, encoding="utf-8")
        argv = ["train-lm", "--corpus", str(read), "--out", str(read), "--steps", "1"]
    else:
        read = tmp_path / "lm.pt"
        read.write_bytes(Path(request.getfixturevalue("tiny_byte_lm")).read_bytes())
        if command == "fit-lm":
            model = ["--compressor", "lm", "--model", str(read)]
            argv = ["fit", "--dataset", "csv", "--train", train, *model, "--out", str(read)]
        else:
            data = ["--dataset", "csv", "--test", train, "--n-docs", "2"]
            argv = ["bpb", *data, "--model", str(read), "--output", str(read)]
    before = read.read_bytes()
    assert main(argv) == 2
    assert "which it would replace; name another file" in capsys.readouterr().err
    assert read.read_bytes() == before


def test_predict_refuses_a_file_that_holds_no_model_naming_what_it_holds(tmp_path, capsys):
    import skops.io

    path = tmp_path / "settings.skops"
    skops.io.dump({"k": 1}, path)
    texts = tmp_path / "texts.txt"
    texts.write_text("a late goal\n", encoding="utf-8")
    assert main(["predict", str(path), str(texts)]) == 2
    assert f"{path} holds a dict, which cannot predict" in capsys.readouterr().err


def test_predict_refuses_a_model_that_does_not_take_texts(tmp_path, capsys):
    path = tmp_path / "numbers.skops"
    save_model(LogisticRegression().fit([[0.0], [1.0], [2.0], [3.0]], [0, 1, 0, 1]), path)
    texts = tmp_path / "texts.txt"
    texts.write_text("a late goal\n", encoding="utf-8")
    assert main(["predict", str(path), str(texts)]) == 2
    err = capsys.readouterr().err
    assert f"{path} holds a LogisticRegression, which does not classify texts" in err
    assert len(err.splitlines()) == 1 and "a late goal" not in err


def test_predict_refuses_a_pipeline_that_reads_a_table(tmp_path, capsys):
    from sklearn.compose import ColumnTransformer

    columns = ColumnTransformer([("text", NCDTransformer(n_references=2), "text")])
    path = tmp_path / "table.skops"
    save_model(make_pipeline(columns, LogisticRegression()), path)
    texts = tmp_path / "texts.txt"
    texts.write_text("a late goal\n", encoding="utf-8")
    assert main(["predict", str(path), str(texts)]) == 2
    assert f"{path} holds a Pipeline, which does not classify texts" in capsys.readouterr().err


@pytest.mark.parametrize(
    "build",
    [
        lambda: make_pipeline(NCDTransformer(n_references=2), LogisticRegression()),
        lambda: Pipeline([("skip", "passthrough"), ("ncd", NCDClassifier(k=1))]),
        lambda: OneVsRestClassifier(NCDClassifier(k=1)),
    ],
    ids=["first-step", "after-passthrough", "one-vs-rest"],
)
def test_predict_takes_a_scikit_learn_model_whose_parts_read_texts(
    tmp_path, capsys, halves, texts_file, build
):
    labels, train_texts = zip(*tiny_news_rows()[0::2], strict=True)  # halves' training file
    model = build().fit(list(train_texts), list(labels))
    save_model(model, tmp_path / "model.skops")
    code, out, err = run(capsys, "predict", tmp_path / "model.skops", texts_file)
    assert code == 0, err
    assert out.splitlines() == model.predict(halves[1]).tolist()


def test_explain_with_a_compressor_that_cannot_share_out_its_bits_is_a_one_line_error(
    tmp_path, capsys, tiny_news, tiny_causal_lm
):
    from npc_classify.compressors import HuggingFaceCompressor

    path = tmp_path / "model.skops"
    save_model(NCDClassifier(HuggingFaceCompressor(tiny_causal_lm), k=1).fit(*tiny_news), path)
    assert main(["explain", str(path), "a late goal"]) == 2
    err = capsys.readouterr().err
    assert "npc-classify: error: HuggingFaceCompressor gives no code length per byte" in err
    assert "Traceback" not in err


def test_explain_refuses_a_text_argument_that_is_not_utf8(tmp_path, capsys, tiny_news):
    path = tmp_path / "model.skops"
    save_model(CompressionClassifier("ppm").fit(*tiny_news), path)
    html = tmp_path / "page.html"
    # How Python hands over the argument bytes b"caf\xe9": the byte as a lone surrogate.
    assert main(["explain", str(path), "caf\udce9", "--html", str(html)]) == 2
    captured = capsys.readouterr()
    assert "TEXT is not valid UTF-8 (unexpected end of data)" in captured.err
    assert captured.out == "" and not html.exists()


def test_predict_refuses_a_text_column_for_input_read_as_lines(tmp_path, capsys, halves):
    model = fitted_model(capsys, tmp_path, halves[0], "--k", "1")
    table = write_csv(tmp_path / "new.csv", ["text"], [[text] for text in halves[1]])
    code, out, err = run(capsys, "predict", model, table, "--text-column", "text", *QUIET)
    assert (code, out) == (2, "")
    assert err == (
        "npc-classify: error: text_columns (--text-column) is for csv and tsv files; "
        "format='lines' reads none.\n"
    )


def test_a_model_file_named_relative_to_the_folder_of_fit_is_found_from_any_folder(
    tmp_path, capsys, halves, texts_file, tiny_byte_lm, monkeypatch
):
    (tmp_path / "fit_here").mkdir()
    (tmp_path / "fit_here" / "lm.pt").write_bytes(Path(tiny_byte_lm).read_bytes())
    monkeypatch.chdir(tmp_path / "fit_here")
    argv = ["--compressor", "lm", "--model", "lm.pt", "--method", "class-conditional"]
    model = fitted_model(capsys, tmp_path, halves[0], *argv)
    monkeypatch.chdir(tmp_path)
    code, out, err = run(capsys, "predict", model, texts_file, *QUIET)
    assert code == 0, err
    assert len(out.splitlines()) == len(halves[1])
    assert load_model(model).compressor.model_path == str(tmp_path / "fit_here" / "lm.pt")


def test_explain_writes_the_html_to_standard_output_for_a_dash(
    tiny_news, tmp_path, capsys, monkeypatch
):
    """As everywhere else, ``-`` is standard output: the HTML goes there, the text report
    to standard error, and no file named ``-`` is made."""
    from npc_classify import save_model

    model = NCDClassifier(k=3).fit(*tiny_news)
    save_model(model, tmp_path / "model.skops")
    monkeypatch.chdir(tmp_path)
    text = "The goalkeeper saved a penalty in the final."
    code, out, err = run(capsys, "explain", tmp_path / "model.skops", text, "--html", "-")
    assert code == 0
    assert out == model.explain(text).to_html() + "\n"
    assert err.startswith("predicted: ")
    assert not (tmp_path / "-").exists()


def test_explain_says_so_when_no_word_saved_bits(tiny_news, tmp_path, capsys):
    from npc_classify import NCDClassifier, save_model
    from npc_classify.cli import main

    model = NCDClassifier("ppm", k=1).fit(*tiny_news)
    save_model(model, tmp_path / "model.skops")
    assert len(model.explain("").spans) == 0
    assert main(["explain", str(tmp_path / "model.skops"), ""]) == 0
    last = capsys.readouterr().out.splitlines()[-1]
    assert last == "  (no word saved bits)"


def test_fit_without_skops_is_refused_before_anything_is_fitted(
    capsys, tmp_path, halves, monkeypatch
):
    monkeypatch.setitem(sys.modules, "skops", None)  # skops not installed
    fitted = []
    monkeypatch.setattr(NCDClassifier, "fit", lambda self, *args: fitted.append(self))
    code, _, err = run(capsys, "fit", "--dataset", "csv", "--train", halves[0],
                       "--out", tmp_path / "m.skops")  # fmt: skip
    assert code == 2
    assert 'needs skops: pip install "npc-classify[persist]"' in err
    assert fitted == []
    assert not (tmp_path / "m.skops").exists()


@pytest.mark.parametrize("options", [[], ["--proba"]])
def test_predict_prints_each_block_as_it_is_classified_so_an_interrupt_keeps_them(
    capsys, tmp_path, halves, texts_file, monkeypatch, options
):
    model = fitted_model(capsys, tmp_path, halves[0])
    whole = run(capsys, "predict", model, texts_file, *options, *QUIET)[1].splitlines()
    monkeypatch.setattr(_subcommands, "PREDICT_BLOCK", 2)
    blocks = run(capsys, "predict", model, texts_file, *options, *QUIET)[1].splitlines()
    assert blocks == whole  # one header, the same lines
    classified = evaluation.predictions

    def third_block_interrupted(model, texts, **kwargs):
        if len(calls) == 2:
            raise KeyboardInterrupt
        calls.append(texts)
        return classified(model, texts, **kwargs)

    calls: list = []
    monkeypatch.setattr(evaluation, "predictions", third_block_interrupted)
    code, out, err = run(capsys, "predict", model, texts_file, *options, *QUIET)
    assert code == 130 and "npc-classify: interrupted" in err
    assert out.splitlines() == whole[: len(whole) - len(halves[1]) + 4]  # 2 blocks of 2


# --- progress bars of saved models ------------------------------------------------------


def test_fit_saves_the_model_without_its_progress_bars(capsys, tmp_path, halves):
    model = fitted_model(capsys, tmp_path, halves[0], "--progress", "--candidates", 3, "--k", 1)
    assert load_model(model).get_params()["progress"] is False


def test_fit_shows_the_candidate_calibration_with_progress(capsys, tmp_path):
    """24 training texts: enough pairs to calibrate the candidate search on."""
    model = tmp_path / "model.skops"
    train = ["fit", "--dataset", "csv", "--train", TINY_NEWS, "--out", model]
    argv = [*train, "--candidates", 3, "--k", 1]
    code, _, err = run(capsys, *argv, "--progress")
    assert code == 0
    assert "candidate calibration" in err
    code, _, err = run(capsys, *argv, "--no-progress")
    assert code == 0 and "candidate calibration" not in err


@pytest.mark.parametrize("shown", [True, False], ids=["progress", "no-progress"])
def test_predict_and_explain_set_the_progress_of_a_pipeline_s_steps(
    capsys, tmp_path, halves, texts_file, shown
):
    _, texts, labels = halves
    pipe = make_pipeline(NCDTransformer(n_references=8, progress=not shown), LogisticRegression())
    path = tmp_path / "pipe.skops"
    save_model(pipe.fit(texts, labels), path)
    capsys.readouterr()  # the fit's own bars
    option = "--progress" if shown else "--no-progress"
    code, _, err = run(capsys, "predict", path, texts_file, option)
    assert code == 0
    assert ("NCD gzip" in err) is shown
    model = fitted_model(capsys, tmp_path, halves[0], "--k", 1)
    code, _, err = run(capsys, "explain", model, texts[0], option)
    assert code == 0
    assert ("NCD gzip" in err) is shown


def test_predict_hides_the_progress_of_a_meta_estimator_s_fitted_copies(
    capsys, tmp_path, halves, texts_file
):
    _, texts, labels = halves
    path = tmp_path / "ovr.skops"
    save_model(OneVsRestClassifier(NCDClassifier(k=1, progress=True)).fit(texts, labels), path)
    capsys.readouterr()  # the fit's own bars
    code, _, err = run(capsys, "predict", path, texts_file, "--no-progress")
    assert code == 0
    assert "NCD gzip" not in err


@pytest.mark.parametrize(
    "argv",
    [["predict", "--no-progress"], ["predict"], ["explain"]],
    ids=["predict-no-progress", "predict", "explain"],
)
def test_a_closed_standard_error_drops_what_it_would_show(tmp_path, halves, texts_file, argv):
    """Messages for standard error are lost with it, never moved into standard output."""
    model = tmp_path / "model.skops"
    save_model(reference(halves, k=1), model)
    command, *options = argv
    target = texts_file if command == "predict" else "'a late goal'"
    line = [sys.executable, "-m", "npc_classify", command, str(model), str(target), *options]
    kept, closed = (
        subprocess.run(
            ["sh", "-c", f"{' '.join(line)} {redirect}"],
            capture_output=True,
            timeout=300,
            text=True,
        )
        for redirect in ("2>/dev/null", "2>&-")
    )
    assert closed.returncode == kept.returncode == 0
    assert closed.stdout == kept.stdout
