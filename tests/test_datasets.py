"""Specification of npc_classify.datasets: AG News (local CSVs and the Hub), TREC and user
files."""

from __future__ import annotations

import codecs
import contextlib
import io
import pickle
import re
import sys
import types
from pathlib import Path

import numpy as np
import pytest
from conftest import TREC_TEST_LINES, TREC_TRAIN_LINES, Arriving, write_csv, write_trec_folder
from hypothesis import given, settings
from hypothesis import strategies as st

from npc_classify.datasets import (
    AG_NEWS_CLASSES,
    DATASETS,
    LabeledTexts,
    load_ag_news,
    load_split,
    load_split_texts,
    load_splits,
    load_trec,
    read_ag_news_csv,
    read_labeled_file,
    read_text_blocks,
    read_texts,
    read_trec_file,
    sample_per_class,
    split_file,
)

# Made-up rows in the canonical AG News layout: (class index 1-4, title, description).
AG_TRAIN_ROWS = [
    ("3", "Grain prices climb", "Wheat futures rose for a third day as dry weather hit farms."),
    ("4", "New chip design", "Engineers showed a processor that uses half the power."),
    ("2", "Rovers win away", "A late header gave the Rovers a narrow win on Saturday."),
    ("1", "Talks resume", "Envoys from both countries met again to discuss the border."),
    ("2", "Sprinter sets record", "The young sprinter ran the fastest time of the season."),
]
AG_TEST_ROWS = [
    ("1", "Election called", "The prime minister asked voters to choose a new parliament."),
    ("4", "Comet spotted", "An amateur astronomer found a faint comet near the sun."),
]


def write_ag_news_csv(path: Path, rows, header: bool = False) -> Path:
    """Write ``rows`` as the canonical AG News CSV: no header, every field quoted."""
    return write_csv(
        path, ["label", "title", "description"] if header else None, rows, quote_all=True
    )


def expected_ag_news(rows) -> tuple[list[str], list[int]]:
    """Texts and labels of canonical rows as the paper and the Hub define them."""
    texts = [f"{title} {description}" for _, title, description in rows]
    labels = [int(label) - 1 for label, _, _ in rows]
    return texts, labels


def assert_same_labeled_texts(actual: LabeledTexts, expected: LabeledTexts) -> None:
    assert actual.texts == expected.texts
    np.testing.assert_array_equal(actual.labels, expected.labels)
    assert actual.labels.dtype == expected.labels.dtype
    assert actual.class_names == expected.class_names


@pytest.fixture
def ag_news_folder(tmp_path: Path) -> Path:
    """A folder with tiny canonical train.csv and test.csv."""
    write_ag_news_csv(tmp_path / "train.csv", AG_TRAIN_ROWS)
    write_ag_news_csv(tmp_path / "test.csv", AG_TEST_ROWS)
    return tmp_path


# --- read_ag_news_csv -------------------------------------------------------------


def test_ag_news_csv_texts_are_title_space_description_and_labels_are_zero_based(tmp_path):
    data = read_ag_news_csv(write_ag_news_csv(tmp_path / "train.csv", AG_TRAIN_ROWS))
    texts, labels = expected_ag_news(AG_TRAIN_ROWS)
    assert data.texts == texts
    assert data.labels.tolist() == labels == [2, 3, 1, 0, 1]
    assert data.labels.dtype == np.int64
    assert len(data) == len(AG_TRAIN_ROWS)


def test_ag_news_csv_class_names_are_the_four_topics(tmp_path):
    data = read_ag_news_csv(write_ag_news_csv(tmp_path / "train.csv", AG_TRAIN_ROWS))
    assert data.class_names == AG_NEWS_CLASSES == ("World", "Sports", "Business", "Sci/Tech")


def test_ag_news_csv_accepts_an_optional_header_row(tmp_path):
    plain = read_ag_news_csv(write_ag_news_csv(tmp_path / "plain.csv", AG_TRAIN_ROWS))
    headed = read_ag_news_csv(
        write_ag_news_csv(tmp_path / "headed.csv", AG_TRAIN_ROWS, header=True)
    )
    assert_same_labeled_texts(headed, plain)


def test_ag_news_csv_keeps_backslash_sequences_and_html_remnants_verbatim(tmp_path):
    rows = [("4", "Chip maker's plan", "It\\'s the firm#39;s new line,\\with a \\$ sign.")]
    data = read_ag_news_csv(write_ag_news_csv(tmp_path / "train.csv", rows))
    assert data.texts == ["Chip maker's plan It\\'s the firm#39;s new line,\\with a \\$ sign."]


def test_ag_news_csv_reads_fields_with_commas_quotes_and_newlines(tmp_path):
    rows = [
        ("1", 'Leader says "no", again', "Talks, which began in May,\nended without a deal."),
        ("2", "Plain title", 'The coach said: "We played well."'),
    ]
    data = read_ag_news_csv(write_ag_news_csv(tmp_path / "train.csv", rows))
    assert data.texts == [
        'Leader says "no", again Talks, which began in May,\nended without a deal.',
        'Plain title The coach said: "We played well."',
    ]
    assert data.labels.tolist() == [0, 1]


def test_ag_news_csv_row_with_wrong_field_count_names_path_and_line(tmp_path):
    path = tmp_path / "train.csv"
    path.write_text('"1","A title","A description"\n"2","Only a title"\n', encoding="utf-8")
    with pytest.raises(ValueError, match=re.escape(f"{path}, line 2")):
        read_ag_news_csv(path)


def test_ag_news_csv_label_outside_one_to_four_names_path_and_line(tmp_path):
    path = write_ag_news_csv(
        tmp_path / "train.csv",
        [("1", "Fine", "A valid row."), ("2", "Fine", "Another."), ("5", "Bad", "No class 5.")],
    )
    with pytest.raises(ValueError, match=re.escape(f"{path}, line 3")):
        read_ag_news_csv(path)


def test_ag_news_csv_zero_based_label_is_rejected(tmp_path):
    """A file already shifted to 0-3 is not silently misread."""
    path = write_ag_news_csv(tmp_path / "train.csv", [("0", "Shifted", "Label zero.")])
    with pytest.raises(ValueError, match=re.escape(f"{path}, line 1")):
        read_ag_news_csv(path)


# --- load_ag_news -----------------------------------------------------------------


@pytest.mark.parametrize(("split", "rows"), [("train", AG_TRAIN_ROWS), ("test", AG_TEST_ROWS)])
def test_load_ag_news_reads_the_split_from_a_folder(ag_news_folder, split, rows):
    data = load_ag_news(split, ag_news_folder)
    texts, labels = expected_ag_news(rows)
    assert data.texts == texts
    assert data.labels.tolist() == labels
    assert data.class_names == AG_NEWS_CLASSES


def test_load_ag_news_accepts_a_string_folder(ag_news_folder):
    assert_same_labeled_texts(
        load_ag_news("test", str(ag_news_folder)), load_ag_news("test", ag_news_folder)
    )


def test_load_ag_news_missing_file_names_the_expected_path(tmp_path):
    write_ag_news_csv(tmp_path / "train.csv", AG_TRAIN_ROWS)
    with pytest.raises(FileNotFoundError, match=re.escape(str(tmp_path / "test.csv"))):
        load_ag_news("test", tmp_path)


@pytest.mark.parametrize("split", ["validation", "TRAIN", ""])
def test_load_ag_news_rejects_unknown_split(ag_news_folder, split):
    with pytest.raises(ValueError, match="split"):
        load_ag_news(split, ag_news_folder)


def fake_hub_dataset(rows):
    """What ``load_dataset("fancyzhx/ag_news", split=...)`` gives for ``rows``."""
    import datasets

    texts, labels = expected_ag_news(rows)
    features = datasets.Features(
        {"text": datasets.Value("string"), "label": datasets.ClassLabel(names=AG_NEWS_CLASSES)}
    )
    return datasets.Dataset.from_dict({"text": texts, "label": labels}, features=features)


@pytest.mark.parametrize(("split", "rows"), [("train", AG_TRAIN_ROWS), ("test", AG_TEST_ROWS)])
def test_load_ag_news_from_the_hub_equals_the_csv_folder(ag_news_folder, monkeypatch, split, rows):
    datasets = pytest.importorskip("datasets")
    calls = []

    def load_dataset(*args, **kwargs):
        calls.append((args, kwargs))
        return fake_hub_dataset(rows)

    monkeypatch.setattr(datasets, "load_dataset", load_dataset)
    from_hub = load_ag_news(split)
    assert calls == [(("fancyzhx/ag_news",), {"split": split})]
    assert_same_labeled_texts(from_hub, load_ag_news(split, ag_news_folder))


def test_load_ag_news_without_datasets_package_explains_the_hub_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "datasets", None)
    with pytest.raises(ImportError, match=re.escape("npc-classify[hub]")):
        load_ag_news("train")


@pytest.mark.parametrize(
    ("failing", "error"),
    [
        ("import a_dependency_that_is_not_there", "ModuleNotFoundError"),
        ("import sys; sys.no_such_attribute", "AttributeError"),
    ],
    ids=["its-import", "another-error"],
)
def test_a_datasets_package_that_fails_to_import_is_named_with_its_error(
    monkeypatch, tmp_path, failing, error
):
    """Installed but broken (a clash of its own dependencies) is no missing package."""
    package = tmp_path / "site" / "datasets"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text(failing + "\n")
    monkeypatch.delitem(sys.modules, "datasets", raising=False)
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    with pytest.raises(ImportError, match=rf"installed but cannot be imported \({error}"):
        load_ag_news("train")


def test_a_module_of_the_same_name_is_named_as_not_hugging_faces(monkeypatch, tmp_path):
    (tmp_path / "datasets.py").write_text("# a project's own helpers\n")
    monkeypatch.delitem(sys.modules, "datasets", raising=False)
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(ImportError, match=r"datasets.py is not Hugging Face's"):
        load_ag_news("train")


def test_a_hub_that_cannot_be_reached_names_the_folder_to_read_instead(monkeypatch):
    def unreachable(*args, **kwargs):
        raise ConnectionError("Couldn't reach 'fancyzhx/ag_news' on the Hub")

    monkeypatch.setitem(sys.modules, "datasets", types.SimpleNamespace(load_dataset=unreachable))
    with pytest.raises(
        OSError, match=r"Couldn't reach .* pass a folder .* \(data_dir / --data-dir\)"
    ):
        load_ag_news("test")


# --- read_labeled_file ------------------------------------------------------------


def write_text(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_labeled_csv_gives_texts_and_string_labels(tmp_path):
    path = write_text(
        tmp_path / "data.csv",
        'label,text\nsport,The keeper saved it.\nbusiness,"Shares, bonds and gold fell."\n',
    )
    data = read_labeled_file(path)
    assert data.texts == ["The keeper saved it.", "Shares, bonds and gold fell."]
    assert data.labels.tolist() == ["sport", "business"]
    assert data.class_names == ()


def test_labeled_file_written_with_a_byte_order_mark_is_read(tmp_path):
    path = tmp_path / "excel.csv"
    path.write_bytes("label,text\nsport,A goal.\n".encode("utf-8-sig"))
    data = read_labeled_file(path)
    assert (data.texts, data.labels.tolist()) == (["A goal."], ["sport"])


def test_labeled_tsv_is_read_with_a_tab_delimiter(tmp_path):
    path = write_text(
        tmp_path / "data.tsv",
        "text\tlabel\nA goal, then another.\tsport\nRates rose.\tbusiness\n",
    )
    data = read_labeled_file(path, delimiter="\t")
    assert data.texts == ["A goal, then another.", "Rates rose."]
    assert data.labels.tolist() == ["sport", "business"]


def test_labeled_file_joins_several_text_columns_with_a_space(tmp_path):
    path = write_text(
        tmp_path / "data.csv",
        "id,title,body,topic\n7,Cup final,The home side won.,sport\n",
    )
    data = read_labeled_file(path, text_columns=("title", "body"), label_column="topic")
    assert data.texts == ["Cup final The home side won."]
    assert data.labels.tolist() == ["sport"]


def test_labeled_file_missing_column_lists_the_header(tmp_path):
    path = write_text(tmp_path / "data.csv", "label,body\nsport,A goal.\n")
    with pytest.raises(ValueError, match=r"missing column.*'text'.*\['label', 'body'\]"):
        read_labeled_file(path)


def test_a_missing_column_message_names_the_options_of_the_reader(tmp_path):
    path = write_text(tmp_path / "data.csv", "label,body\nsport,A goal.\n")
    with pytest.raises(ValueError, match="Name the columns with --text-column / --label-column"):
        read_labeled_file(path)
    with pytest.raises(ValueError, match="missing column") as refused:
        read_texts(path, format="csv")
    assert "Name the columns with --text-column, or" in str(refused.value)
    assert "--label-column" not in str(refused.value)


def test_labeled_file_refuses_a_column_named_twice_in_the_header(tmp_path):
    path = write_text(tmp_path / "data.csv", "text,text,label\nA goal.,Late,sport\n")
    expected = "the header names 'text' more than once (fields 1, 2)"
    with pytest.raises(ValueError, match=re.escape(expected)):
        read_labeled_file(path)


def test_labeled_file_short_row_names_path_and_line(tmp_path):
    path = write_text(tmp_path / "data.csv", "label,text\nsport,A goal.\nbusiness\n")
    with pytest.raises(ValueError, match=re.escape(f"{path}, line 3")):
        read_labeled_file(path)


def test_labeled_file_long_row_names_path_and_line(tmp_path):
    """An unquoted comma would otherwise silently cut the text short."""
    path = write_text(tmp_path / "data.csv", "label,text\nsport,A goal, then another.\n")
    with pytest.raises(ValueError, match=re.escape(f"{path}, line 2")):
        read_labeled_file(path)


@pytest.mark.parametrize("label", ["", "  ", "\t"], ids=["empty", "spaces", "tab"])
def test_labeled_file_empty_label_is_rejected(tmp_path, label):
    path = write_text(tmp_path / "data.csv", f"label,text\nsport,A goal.\n{label},No label.\n")
    what = "empty" if label == "" else "blank"
    with pytest.raises(ValueError, match=re.escape(f"{path}, line 3: the label is {what}")):
        read_labeled_file(path)


@pytest.mark.parametrize(("header", "columns"), [(True, ("label", "text")), (False, (1, 2))])
def test_the_label_column_read_as_a_text_column_is_refused(tmp_path, header, columns):
    lines = ["label,text"] * header + ["sport,A goal."]
    path = write_text(tmp_path / "data.csv", "\n".join(lines) + "\n")
    label, text = columns
    with pytest.raises(ValueError, match=rf"text column {label!r} is the label column"):
        read_labeled_file(path, text_columns=[text, label], label_column=label, header=header)


# --- sample_per_class -------------------------------------------------------------


@pytest.fixture
def pool_labels() -> np.ndarray:
    """Three unbalanced, interleaved classes."""
    return np.array([0, 1, 2] * 10 + [1] * 7 + [2] * 3)


def test_sample_per_class_takes_exactly_n_of_every_class(pool_labels):
    chosen = sample_per_class(pool_labels, 4, np.random.RandomState(0))
    assert len(chosen) == 12
    assert np.bincount(pool_labels[chosen]).tolist() == [4, 4, 4]


def test_sample_per_class_works_with_string_labels():
    labels = np.array(["sport", "science", "sport", "business", "science", "business"], object)
    chosen = sample_per_class(labels, 1, np.random.RandomState(0))
    assert sorted(labels[chosen]) == ["business", "science", "sport"]


def test_sample_per_class_returns_sorted_distinct_indices(pool_labels):
    chosen = sample_per_class(pool_labels, 8, np.random.RandomState(1))
    assert chosen.tolist() == sorted(set(chosen.tolist()))
    assert chosen.min() >= 0
    assert chosen.max() < len(pool_labels)


def test_sample_per_class_is_reproducible_with_the_same_seed(pool_labels):
    first = sample_per_class(pool_labels, 5, np.random.RandomState(42))
    second = sample_per_class(pool_labels, 5, np.random.RandomState(42))
    np.testing.assert_array_equal(first, second)


def test_sample_per_class_differs_with_another_seed(pool_labels):
    first = sample_per_class(pool_labels, 5, np.random.RandomState(0))
    second = sample_per_class(pool_labels, 5, np.random.RandomState(1))
    assert first.tolist() != second.tolist()


def test_sample_per_class_can_take_a_whole_class(pool_labels):
    chosen = sample_per_class(pool_labels, 10, np.random.RandomState(0))
    assert set(np.flatnonzero(pool_labels == 0)) <= set(chosen.tolist())


def test_sample_per_class_rejects_a_class_that_is_too_small(pool_labels):
    with pytest.raises(ValueError, match=r"Class 0 has 10 examples, fewer than the 11"):
        sample_per_class(pool_labels, 11, np.random.RandomState(0))


def test_sample_per_class_names_the_smallest_class_by_its_name(pool_labels):
    names = ("World", "Sports", "Business")
    expected = "Class 'World' has 10 examples, fewer than the 11 per class asked for: every"
    with pytest.raises(ValueError, match=expected):
        sample_per_class(pool_labels, 11, np.random.RandomState(0), class_names=names)


# --- TSV quoting, line numbers, files without a header ------------------------------


def test_labeled_tsv_reads_a_text_that_starts_with_a_double_quote_verbatim(tmp_path):
    """Plain TSV has no quoting: a quote is a character of the field."""
    path = write_text(
        tmp_path / "data.tsv",
        'label\ttext\nC06\t"Healed" experimental wounds\nC01\tA "quoted" word, and 5" of rain\n',
    )
    data = read_labeled_file(path, delimiter="\t")
    assert data.texts == ['"Healed" experimental wounds', 'A "quoted" word, and 5" of rain']
    assert data.labels.tolist() == ["C06", "C01"]


def test_labeled_tsv_with_csv_quoting_unquotes_its_fields(tmp_path):
    path = write_text(tmp_path / "data.tsv", 'label\ttext\nC06\t"a tab\there, and ""quotes"""\n')
    data = read_labeled_file(path, delimiter="\t", quoting="csv")
    assert data.texts == ['a tab\there, and "quotes"']


def test_labeled_csv_without_quoting_keeps_quotes_and_splits_on_every_comma(tmp_path):
    path = write_text(tmp_path / "data.csv", 'label,text\nsport,"goal"\n')
    assert read_labeled_file(path, quoting="none").texts == ['"goal"']


def test_labeled_tsv_still_refuses_a_row_with_an_extra_tab(tmp_path):
    path = write_text(tmp_path / "data.tsv", "label\ttext\nsport\ta\tgoal\n")
    with pytest.raises(ValueError, match=re.escape(f"{path}, line 2: expected 2 fields")):
        read_labeled_file(path, delimiter="\t")


def test_an_unknown_quoting_is_refused_with_the_choices(tmp_path):
    path = write_text(tmp_path / "data.csv", "label,text\nsport,A goal.\n")
    with pytest.raises(ValueError, match=r"quoting must be one of \('csv', 'none'\), got 'tsv'"):
        read_labeled_file(path, quoting="tsv")


def test_a_malformed_third_line_is_reported_as_line_3(tmp_path):
    path = write_text(tmp_path / "data.csv", 'label,text\nsport,fine\nbusiness,"a" b\n')
    with pytest.raises(ValueError, match=re.escape(f"{path}, line 3: malformed CSV")):
        read_labeled_file(path)


def test_an_unterminated_quote_is_reported_at_the_line_it_opens(tmp_path):
    path = write_text(tmp_path / "data.csv", 'label,text\nsport,fine\nbusiness,"never\nclosed\n')
    with pytest.raises(ValueError, match=re.escape(f"{path}, line 3: malformed CSV")):
        read_labeled_file(path)


def test_a_row_after_a_multiline_field_is_numbered_by_physical_line(tmp_path):
    path = write_text(tmp_path / "data.csv", 'label,text\nsport,"two\nlines"\n,no label\n')
    with pytest.raises(ValueError, match=re.escape(f"{path}, line 4: the label is empty")):
        read_labeled_file(path)


def test_a_file_without_a_header_is_read_by_column_numbers_from_1(tmp_path):
    path = write_text(
        tmp_path / "data.tsv", "sport\tx\tThe keeper saved it.\nbusiness\ty\tRates.\n"
    )
    data = read_labeled_file(path, delimiter="\t", header=False, text_columns=[3], label_column=1)
    assert data.texts == ["The keeper saved it.", "Rates."]
    assert data.labels.tolist() == ["sport", "business"]


def test_without_a_header_the_label_is_column_1_and_the_text_column_2(tmp_path):
    path = write_text(tmp_path / "data.csv", "sport,A goal.\nbusiness,Rates rose.\n")
    data = read_labeled_file(path, header=False)
    assert (data.texts, data.labels.tolist()) == (
        ["A goal.", "Rates rose."],
        ["sport", "business"],
    )


def test_without_a_header_column_numbers_may_be_the_strings_the_command_line_gives(tmp_path):
    path = write_text(tmp_path / "data.csv", "x,sport,A goal.\n")
    data = read_labeled_file(path, header=False, text_columns=["3"], label_column="2")
    assert (data.texts, data.labels.tolist()) == (["A goal."], ["sport"])


@pytest.mark.parametrize(
    "column", ["text", "0", 0, "-1"], ids=["name", "zero-text", "zero", "negative"]
)
def test_without_a_header_a_column_that_is_not_a_number_from_1_is_refused(tmp_path, column):
    path = write_text(tmp_path / "data.csv", "sport,A goal.\n")
    with pytest.raises(ValueError, match=r"columns are numbers, 1 for the first field; got"):
        read_labeled_file(path, header=False, text_columns=[column])


def test_without_a_header_a_column_past_the_first_row_is_refused(tmp_path):
    path = write_text(tmp_path / "data.csv", "sport,A goal.\n")
    with pytest.raises(ValueError, match=r"column 3 is past the 2 fields of the first row"):
        read_labeled_file(path, header=False, text_columns=[3])


def test_without_a_header_every_row_needs_the_fields_of_the_first(tmp_path):
    path = write_text(tmp_path / "data.csv", "sport,A goal.\nbusiness\n")
    with pytest.raises(ValueError, match=r"line 2: expected 2 fields as in the first row, got 1"):
        read_labeled_file(path, header=False)


def test_a_headerless_file_read_with_a_header_cuts_its_long_first_row_in_the_message(tmp_path):
    document = "word " * 14_000  # a 70 KB first row taken for a header
    path = write_text(tmp_path / "data.csv", f"sport,{document}\n")
    with pytest.raises(ValueError) as error:
        read_labeled_file(path)
    message = str(error.value)
    assert len(message) < 600
    assert "'sport', 'word word" in message
    assert "...'" in message
    assert "--no-header" in message


def test_a_long_bad_ag_news_label_is_cut_in_the_message(tmp_path):
    path = write_ag_news_csv(tmp_path / "train.csv", [("x" * 5000, "Title", "Description.")])
    with pytest.raises(ValueError, match=r"got 'x{70,}\.\.\.\.") as error:
        read_ag_news_csv(path)
    assert len(str(error.value)) < 300


# --- read_texts -------------------------------------------------------------------


def test_read_texts_gives_one_text_per_line_without_line_endings(tmp_path):
    path = tmp_path / "texts.txt"
    path.write_bytes(b'\xef\xbb\xbffirst text\r\n\nthird, with "quotes"\nlast without newline')
    assert read_texts(path) == ["first text", "", 'third, with "quotes"', "last without newline"]


def test_read_texts_reads_a_binary_stream(tmp_path):
    assert read_texts(io.BytesIO("é\nü\n".encode())) == ["é", "ü"]


def test_read_texts_names_the_line_that_is_not_utf8(tmp_path):
    path = tmp_path / "texts.txt"
    path.write_bytes(b"fine\nalso fine\nbroken \xff\n")
    with pytest.raises(
        ValueError, match=re.escape(f"{path}, line 3: the text is not valid UTF-8")
    ):
        read_texts(path)


def test_read_texts_reads_the_text_columns_of_a_csv_or_tsv_file(tmp_path):
    csv_path = write_text(tmp_path / "q.csv", 'id,title,body\n1,Cup,"The home side, at last."\n')
    assert read_texts(csv_path, format="csv", text_columns=["title", "body"]) == [
        "Cup The home side, at last."
    ]
    tsv_path = write_text(tmp_path / "q.tsv", 'sport\t"Late" goal\n')
    assert read_texts(tsv_path, format="tsv", header=False) == ['"Late" goal']


@pytest.mark.parametrize(
    ("content", "why"), [("", "the file is empty"), ("label,text\n", "no rows below its header")]
)
def test_the_texts_of_a_split_file_without_rows_are_refused_with_the_file(tmp_path, content, why):
    path = write_text(tmp_path / "test.csv", content)
    with pytest.raises(ValueError, match=f"test.csv holds no texts: {why}"):
        load_split_texts("csv", "test", path=path)


def test_read_texts_refuses_a_stream_for_a_table_and_an_unknown_format(tmp_path):
    with pytest.raises(ValueError, match="read from a file path, got a stream"):
        read_texts(io.BytesIO(b"text\nx\n"), format="csv")
    with pytest.raises(ValueError, match=r"format must be one of \('lines', 'csv', 'tsv'\)"):
        read_texts(io.BytesIO(b"x"), format="json")


@pytest.mark.parametrize(
    "option, named",
    [
        ({"text_columns": ["text"]}, "text_columns (--text-column)"),
        ({"header": False}, "header=False (--no-header)"),
        ({"quoting": "none"}, "quoting (--quoting)"),
    ],
)
def test_read_texts_refuses_the_options_of_a_table_for_lines(tmp_path, option, named):
    path = write_text(tmp_path / "texts.csv", "text\nLate goal\n")
    expected = f"{named} is for csv and tsv files; format='lines' reads none."
    with pytest.raises(ValueError, match=re.escape(expected)):
        read_texts(path, **option)


# --- load_split -------------------------------------------------------------------


def test_load_split_reads_one_split_from_a_folder_or_a_file(tmp_path):
    write_text(tmp_path / "train.tsv", 'label\ttext\nsport\t"Late" goal\n')
    from_folder = load_split("tsv", "train", data_dir=tmp_path)
    from_file = load_split("tsv", "train", path=tmp_path / "train.tsv")
    assert from_folder.texts == from_file.texts == ['"Late" goal']


def test_load_split_without_a_file_or_folder_names_both(tmp_path):
    with pytest.raises(ValueError, match=r"needs a train file \(--train\), or data_dir"):
        load_split("csv", "train")
    with pytest.raises(ValueError, match=r"A test file \(--test\) is for csv/tsv"):
        load_split("ag_news", "test", path=tmp_path / "test.csv")


@pytest.mark.parametrize("dataset", ["ag_news", "trec"])
def test_load_split_refuses_the_options_of_a_table_for_a_built_in_dataset(tmp_path, dataset):
    expected = f"label_column (--label-column) is for csv and tsv files; dataset='{dataset}'"
    with pytest.raises(ValueError, match=re.escape(expected)):
        load_split(dataset, "train", data_dir=tmp_path, label_column="topic")


@pytest.mark.parametrize(
    ("dataset", "split", "name"),
    [
        ("ag_news", "train", "train.csv"),
        ("ag_news", "test", "test.csv"),
        ("trec", "train", "train_5500.label"),
        ("trec-fine", "test", "TREC_10.label"),
        ("csv", "test", "test.csv"),
        ("tsv", "train", "train.tsv"),
    ],
)
def test_split_file_names_the_file_each_split_is_read_from(tmp_path, dataset, split, name):
    assert split_file(dataset, split, data_dir=tmp_path) == tmp_path / name


def test_split_file_is_the_named_file_for_a_table_and_none_without_a_folder(tmp_path):
    assert split_file("csv", "train", data_dir=tmp_path, path="mine.csv") == Path("mine.csv")
    assert split_file("ag_news", "train") is None  # read from the Hub
    assert split_file("tsv", "test") is None


def test_split_file_refuses_what_load_split_refuses(tmp_path):
    with pytest.raises(ValueError, match='split must be "train" or "test", got \'dev\''):
        split_file("csv", "dev", data_dir=tmp_path)
    with pytest.raises(ValueError, match=r"A train file \(--train\) is for csv/tsv"):
        split_file("trec", "train", path=tmp_path / "train.csv")
    with pytest.raises(ValueError, match=re.escape(f"dataset must be one of {DATASETS}")):
        split_file("imdb", "train")


def test_load_split_refuses_an_unknown_dataset_with_the_choices():
    with pytest.raises(ValueError, match=re.escape(f"dataset must be one of {DATASETS}")):
        load_split("imdb", "train")


# --- TREC -------------------------------------------------------------------------


def test_trec_file_labels_are_coarse_by_default_and_whole_when_fine(tmp_path):
    path = write_trec_folder(tmp_path) / "TREC_10.label"
    assert read_trec_file(path).labels.tolist() == ["HUM", "LOC", "NUM"]
    assert read_trec_file(path, fine=True).labels.tolist() == ["HUM:ind", "LOC:city", "NUM:count"]


def test_trec_file_keeps_each_question_as_written(tmp_path):
    data = read_trec_file(write_trec_folder(tmp_path) / "TREC_10.label")
    assert data.texts == [line.split(" ", 1)[1] for line in TREC_TEST_LINES]
    assert data.class_names == ()


def test_trec_file_is_read_as_latin1_where_it_is_not_utf8(tmp_path):
    data = read_trec_file(write_trec_folder(tmp_path) / "train_5500.label")
    assert data.texts[-1] == "What city is Lima 's sister\xf0city ?"
    assert len(data) == len(TREC_TRAIN_LINES) + 1


@pytest.mark.parametrize(
    "line",
    ["LOC What city is the capital of Peru ?", "LOC:city", ":city What city ?", "LOC: What ?"],
)
def test_trec_line_that_is_not_label_space_question_names_path_and_line(tmp_path, line):
    path = tmp_path / "bad.label"
    path.write_bytes(f"{TREC_TEST_LINES[0]}\n{line}\n".encode("latin-1"))
    expected = f"{path}, line 2: expected a COARSE:fine label, a space and a question, got "
    with pytest.raises(ValueError, match=re.escape(expected + repr(line))):
        read_trec_file(path)


@pytest.mark.parametrize("fine", [False, True])
def test_load_trec_reads_each_split_from_the_authors_files(tmp_path, fine):
    folder = write_trec_folder(tmp_path)
    for split, name in (("train", "train_5500.label"), ("test", "TREC_10.label")):
        expected = read_trec_file(folder / name, fine=fine)
        assert_same_labeled_texts(load_trec(split, folder, fine=fine), expected)


def test_load_trec_without_a_folder_says_where_the_files_come_from():
    with pytest.raises(
        ValueError, match=r"authors' train_5500.label and TREC_10.label \(https://"
    ):
        load_trec("train")


def test_load_trec_missing_file_names_the_expected_path(tmp_path):
    with pytest.raises(FileNotFoundError, match=re.escape(str(tmp_path / "TREC_10.label"))):
        load_trec("test", tmp_path)


def test_load_trec_rejects_unknown_split(tmp_path):
    with pytest.raises(ValueError, match=r'split must be "train" or "test", got \'dev\''):
        load_trec("dev", write_trec_folder(tmp_path))


@pytest.mark.parametrize("dataset, fine", [("trec", False), ("trec-fine", True)])
def test_load_splits_reads_trec_with_coarse_or_fine_classes(tmp_path, dataset, fine):
    folder = write_trec_folder(tmp_path)
    train, test = load_splits(dataset, data_dir=folder)
    assert_same_labeled_texts(train, load_trec("train", folder, fine=fine))
    assert_same_labeled_texts(test, load_trec("test", folder, fine=fine))


def test_trec_refuses_train_and_test_files(tmp_path):
    folder = write_trec_folder(tmp_path)
    with pytest.raises(ValueError, match=r"are for csv/tsv; TREC is read from data_dir"):
        load_splits("trec", data_dir=folder, train=folder / "train_5500.label")
    with pytest.raises(ValueError, match=r"A test file \(--test\) is for csv/tsv; TREC is read"):
        load_split("trec-fine", "test", path=folder / "TREC_10.label")


def test_the_real_trec_files_hold_the_standard_split(trec_path):
    train, test = load_splits("trec", data_dir=trec_path)
    fine_train, fine_test = load_splits("trec-fine", data_dir=trec_path)
    assert (len(train), len(test)) == (5452, 500)
    assert set(train.labels) == set(test.labels) == {"ABBR", "DESC", "ENTY", "HUM", "LOC", "NUM"}
    assert (len(set(fine_train.labels)), len(set(fine_test.labels))) == (50, 42)
    assert sum("\xf0" in text for text in train.texts) == 1


def test_a_sample_keeps_the_texts_in_their_order():
    data = LabeledTexts([str(i) for i in range(50)], np.arange(50))
    for seed in range(5):
        assert np.all(np.diff(data.sample(10, np.random.RandomState(seed)).labels) > 0)


def test_a_header_row_is_recognised_on_the_first_line_only(tmp_path):
    path = tmp_path / "train.csv"
    path.write_text('"1","a","b"\nlabel,title,description\n', encoding="utf-8")
    with pytest.raises(ValueError, match="line 2: expected a class index"):
        read_ag_news_csv(path)


# --- messy files: line endings, encodings, blank lines, white space --------------------


def test_read_texts_ends_a_line_at_a_lone_carriage_return_too(tmp_path):
    path = tmp_path / "old-mac.txt"
    path.write_bytes(b"a draw\rstocks fell\r\rnew chip\r\nlast")
    assert read_texts(path) == ["a draw", "stocks fell", "", "new chip", "last"]
    assert read_texts(io.BytesIO(b"one\rtwo\r")) == ["one", "two"]


@pytest.mark.parametrize("separator", ["\x85", "\x0b", "\x0c", "\x1c", "\u2028"])
def test_read_texts_keeps_other_separators_inside_a_line(tmp_path, separator):
    path = tmp_path / "texts.txt"
    path.write_bytes(f"one{separator}still one\ntwo\n".encode())
    assert read_texts(path) == [f"one{separator}still one", "two"]


def lines_of_whole(raw: bytes) -> list[str]:
    """The oracle: the whole input decoded at once and split at its line breaks."""
    lines = re.split(r"\r\n|\r|\n", raw.removeprefix(codecs.BOM_UTF8).decode("utf-8"))
    return lines[:-1] if lines[-1] == "" else lines


@settings(max_examples=200)
@given(
    st.lists(st.sampled_from(["a", "é", "日本", "\r", "\n", "\r\n", " ", "\ufeff", "\x85"])),
    st.lists(st.integers(1, 7)),
    st.integers(1, 4),
)
def test_text_blocks_are_the_lines_of_the_whole_input_however_it_arrives(parts, cuts, size):
    raw = codecs.BOM_UTF8 + "".join(parts).encode()
    pieces, start = [], 0
    for cut in cuts:  # the bytes split anywhere, inside a character or a "\r\n" too
        pieces.append(raw[start : start + cut])
        start += cut
    pieces.append(raw[start:])
    blocks = list(read_text_blocks(io.BufferedReader(Arriving([p for p in pieces if p])), size))
    assert all(0 < len(block) <= size for block in blocks)
    assert all(len(block) == size for block in blocks[:-1])
    assert [line for block in blocks for line in block] == lines_of_whole(raw)


def test_a_block_is_given_as_soon_as_its_lines_have_arrived():
    stream = Arriving([b"one\n", b"two\r", b"\nthree\n", b"four", b"\n"])
    blocks = read_text_blocks(io.BufferedReader(stream), 2)
    assert next(blocks) == ["one", "two"]
    assert stream.reads == 3  # "\r" may begin "\r\n": the third piece settles it
    assert next(blocks) == ["three", "four"]
    assert list(blocks) == []


def test_a_later_block_names_the_line_of_the_file_that_is_not_utf8(tmp_path):
    path = tmp_path / "texts.txt"
    path.write_bytes(b"fine\n" * 70_000 + b"fine\rbroken \xff\n")
    blocks = read_text_blocks(path, 1_000)
    with pytest.raises(ValueError, match=re.escape(f"{path}, line 70002: the text is not")):
        for _ in blocks:
            pass


def test_the_lines_before_a_line_that_is_not_text_are_given_first():
    blocks = read_text_blocks(io.BytesIO(b"one\ntwo\nthree\nbad \xff\nfive\n"), 2)
    assert next(blocks) == ["one", "two"]
    assert next(blocks) == ["three"]
    with pytest.raises(ValueError, match="<stream>, line 4: the text is not valid UTF-8"):
        next(blocks)


def test_lines_ended_by_a_lone_carriage_return_are_given_as_they_arrive():
    stream = Arriving([b"line %d\r" % n for n in range(1000)])
    assert next(read_text_blocks(io.BufferedReader(stream), 2)) == ["line 0", "line 1"]
    assert stream.reads == 3  # a "\r" is known to end its line when the next byte is not "\n"


@pytest.mark.parametrize(
    ("raw", "refusal"),
    [
        (b"a\n\0\nb\xff", "line 2: the file holds a NUL byte"),
        (b"a\n\xff\n\0\n", "line 2: the text is not valid UTF-8"),
        (b"\0\n" + b"x" * 70_000 + b"\n\xff\n", "line 1: the file holds a NUL byte"),
    ],
)
def test_the_first_line_that_is_not_text_is_the_one_refused(tmp_path, raw, refusal):
    path = tmp_path / "texts.txt"
    path.write_bytes(raw)
    for source in (
        path,
        io.BufferedReader(Arriving([raw[i : i + 3] for i in range(0, len(raw), 3)])),
    ):
        with pytest.raises(ValueError, match=refusal):
            read_texts(source)


def test_a_refusal_of_bytes_that_are_not_text_survives_pickling(tmp_path):
    path = tmp_path / "texts.txt"
    path.write_bytes(b"fine\nbroken \xff\n")
    with pytest.raises(ValueError) as refused:
        read_texts(path)
    copied = pickle.loads(pickle.dumps(refused.value))  # as a worker process returns it
    assert isinstance(copied, ValueError)
    assert str(copied) == str(refused.value)


def test_a_byte_order_mark_is_dropped_at_the_start_of_the_input_only():
    raw = codecs.BOM_UTF8 + b"first\n" + codecs.BOM_UTF8 + b"second\n"
    stream = io.BufferedReader(Arriving([raw[:9], raw[9:]]))
    assert list(read_text_blocks(stream, 5)) == [["first", "\ufeffsecond"]]


def test_read_texts_counts_lone_carriage_returns_in_the_line_it_names(tmp_path):
    path = tmp_path / "texts.txt"
    path.write_bytes(b"fine\ralso fine\rbroken \xff\r")
    with pytest.raises(ValueError, match=re.escape(f"{path}, line 3: the text is not valid")):
        read_texts(path)


def test_a_csv_error_counts_lone_carriage_returns_in_the_line_it_names(tmp_path):
    path = tmp_path / "data.csv"
    path.write_bytes(b"label,text\rsport,goal\rnews,caf\xe9\r")
    with pytest.raises(ValueError, match=re.escape(f"{path}, line 3: the file is not valid")):
        read_labeled_file(path)


@pytest.mark.parametrize("reader", ["lines", "csv", "ag_news"])
def test_a_nul_byte_is_refused_as_a_sign_of_utf16_or_binary(tmp_path, reader):
    path = tmp_path / "utf16.txt"
    path.write_bytes("label,text\nsport,late goal\n".encode("utf-16-le"))
    read = {
        "lines": read_texts,
        "csv": lambda path: read_labeled_file(path, header=False),
        "ag_news": read_ag_news_csv,
    }[reader]
    expected = f"{path}, line 1: the file holds a NUL byte: is it UTF-16 or binary? Save it"
    with pytest.raises(ValueError, match=re.escape(expected)):
        read(path)


def test_a_nul_byte_read_from_a_stream_is_named_by_its_line():
    expected = "<stream>, line 2: the file holds a NUL byte"
    with pytest.raises(ValueError, match=re.escape(expected)):
        read_texts(io.BytesIO(b"fine\nbad\x00\n"))


@contextlib.contextmanager
def piped(tmp_path: Path, content: bytes):
    """A named pipe that another thread writes ``content`` into, once."""
    import os
    import threading

    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    writer = threading.Thread(target=fifo.write_bytes, args=(content,))
    writer.start()
    try:
        yield fifo
    finally:
        writer.join(timeout=5)
    assert not writer.is_alive(), "the pipe was not read to its end"


def test_invalid_utf8_in_a_csv_read_from_a_pipe_is_named_without_reading_it_again(tmp_path):
    with piped(tmp_path, b"text\nhello\ncaf\xe9\n") as fifo:
        with pytest.raises(ValueError, match=re.escape(f"{fifo}, line 3: the file is not")):
            read_texts(fifo, format="csv")


def test_a_labelled_file_can_be_read_from_a_pipe(tmp_path):
    with piped(tmp_path, b"label,text\nsport,A goal.\n") as fifo:
        data = load_split("csv", "train", path=fifo)
    assert (data.texts, data.labels.tolist()) == (["A goal."], ["sport"])


def test_a_folder_given_as_a_labelled_file_is_named_as_a_folder(tmp_path):
    with pytest.raises(ValueError, match=re.escape(f"{tmp_path} is a folder, not a csv file")):
        load_split("csv", "train", path=tmp_path)


def test_labels_are_read_without_the_white_space_around_them(tmp_path):
    path = tmp_path / "data.csv"
    path.write_bytes("label,text\nsport,a\nsport ,b\n\tsport,c\n\ufeffsport,d\n".encode())
    assert read_labeled_file(path).labels.tolist() == ["sport"] * 4


@pytest.mark.parametrize("text_column", ["02", "002"])
def test_a_label_column_named_by_another_spelling_of_its_number_is_still_refused(
    tmp_path, text_column
):
    path = write_text(tmp_path / "data.csv", "A goal.,sport\n")
    with pytest.raises(ValueError, match="is the label column as well"):
        read_labeled_file(path, header=False, label_column=2, text_columns=[text_column])


def test_blank_lines_in_ag_news_and_trec_files_are_skipped_as_in_other_tables(tmp_path):
    ag = write_ag_news_csv(tmp_path / "train.csv", AG_TRAIN_ROWS)
    ag.write_bytes(ag.read_bytes() + b"\n\r\n")
    assert read_ag_news_csv(ag).texts == expected_ag_news(AG_TRAIN_ROWS)[0]
    trec = tmp_path / "questions.label"
    trec.write_bytes("\n".join([TREC_TEST_LINES[0], "", TREC_TEST_LINES[1], "  ", ""]).encode())
    assert len(read_trec_file(trec)) == 2


@pytest.mark.parametrize("content", [b"", b"label,title,description\n", b"\n\n"])
def test_an_ag_news_file_without_rows_is_refused_by_name(tmp_path, content):
    path = tmp_path / "test.csv"
    path.write_bytes(content)
    with pytest.raises(ValueError, match=re.escape(f"{path} holds no labelled texts")):
        read_ag_news_csv(path)


@pytest.mark.parametrize("content", [b"", b"\n"])
def test_a_trec_file_without_questions_is_refused_by_name(tmp_path, content):
    path = tmp_path / "TREC_10.label"
    path.write_bytes(content)
    with pytest.raises(ValueError, match=re.escape(f"{path} holds no labelled texts")):
        read_trec_file(path)


@pytest.mark.parametrize("separator", ["\x85", "\x0b", "\x0c", "\x1c"])
def test_trec_lines_end_only_at_line_breaks(tmp_path, separator):
    path = tmp_path / "questions.label"
    path.write_bytes(
        f"DESC:def What is this{separator}thing ?\nLOC:city Where ?\n".encode("latin-1")
    )
    assert read_trec_file(path).texts == [f"What is this{separator}thing ?", "Where ?"]


def test_trec_labels_may_be_followed_by_a_tab(tmp_path):
    path = tmp_path / "questions.label"
    path.write_bytes(b"LOC:city\tWhat is the capital of Peru ?\n")
    data = read_trec_file(path, fine=True)
    assert (data.labels.tolist(), data.texts) == (["LOC:city"], ["What is the capital of Peru ?"])


def test_a_trec_file_in_utf8_is_read_as_utf8_with_its_byte_order_mark_dropped(tmp_path):
    path = tmp_path / "questions.label"
    path.write_bytes("LOC:city Where is Z\u00fcrich ?\nLOC:city Where ?\n".encode("utf-8-sig"))
    data = read_trec_file(path)
    assert data.labels.tolist() == ["LOC", "LOC"]
    assert data.texts[0] == "Where is Z\u00fcrich ?"


@pytest.mark.parametrize(
    ("labels", "n_per_class", "expected"),
    [
        ([], 1, "labels is empty: there is no class to sample from"),
        (["a", "b"], 0, "n_per_class must be an int of at least 1, got"),
        (["a", "b"], -1, "n_per_class must be an int of at least 1, got"),
    ],
)
def test_sample_per_class_refuses_what_it_cannot_draw(labels, n_per_class, expected):
    with pytest.raises(ValueError, match=re.escape(expected)):
        sample_per_class(labels, n_per_class, np.random.RandomState(0))


def test_sample_per_class_takes_a_list_of_labels():
    indices = sample_per_class(["a", "b", "a", "b"], 2, np.random.RandomState(0))
    assert indices.tolist() == [0, 1, 2, 3]


def test_a_long_missing_column_name_is_cut_in_the_message(tmp_path):
    path = write_text(tmp_path / "data.csv", "label,text\nsport,A goal.\n")
    with pytest.raises(ValueError, match="missing column") as refused:
        read_labeled_file(path, text_columns=["z" * 200])
    assert "z" * 81 not in str(refused.value)


def test_readers_that_overlap_leave_the_csv_field_limit_as_they_found_it(tmp_path):
    """Two threads reading at once: the first to finish must not leave the raised limit
    for the other to restore as the user's."""
    import csv

    from npc_classify.datasets import _csv_rows

    path = write_text(tmp_path / "data.csv", "label,text\nsport,A goal.\n")
    before = csv.field_size_limit()
    first, second = _csv_rows(path), _csv_rows(path)
    first.__enter__()
    second.__enter__()
    first.__exit__(None, None, None)
    assert csv.field_size_limit() > before  # the second reader still reads wide fields
    second.__exit__(None, None, None)
    assert csv.field_size_limit() == before


def test_a_byte_order_mark_inside_a_label_is_kept_and_trec_lines_may_be_indented(tmp_path):
    path = tmp_path / "data.csv"
    path.write_bytes("label,text\nA\ufeffB,x\n\ufeff sport ,y\n".encode())
    assert read_labeled_file(path).labels.tolist() == ["A\ufeffB", "sport"]
    trec = tmp_path / "questions.label"
    trec.write_bytes(b"  LOC:city Where ?\n")
    assert read_trec_file(trec, fine=True).labels.tolist() == ["LOC:city"]


def test_labeled_texts_from_pandas_pair_each_text_with_its_label_by_position():
    pd = pytest.importorskip("pandas")
    # A shuffled DataFrame's columns keep their old index; positions, not index labels,
    # pair a text with its label.
    frame = pd.DataFrame({"text": ["a", "b", "c", "d"], "label": [0, 1, 2, 3]}, index=[3, 2, 1, 0])
    data = LabeledTexts(frame["text"], frame["label"])
    part = data.subset(np.array([0, 1]))
    assert part.texts == ["a", "b"]
    assert part.labels.tolist() == [0, 1]
    assert data.sample(4, np.random.RandomState(0)).texts == ["a", "b", "c", "d"]


@pytest.mark.parametrize(
    ("texts", "labels", "message"),
    [
        ("abc", [0, 1, 0], "texts must be a sequence of str, got str"),
        (["a", "b"], [0, 1, 0], "2 texts and 3 labels: give one label per text"),
        (["a", "b"], [[0], [1]], "labels must be one-dimensional, got shape (2, 1)"),
    ],
)
def test_labeled_texts_refuse_texts_and_labels_that_do_not_pair(texts, labels, message):
    with pytest.raises((TypeError, ValueError), match=re.escape(message)):
        LabeledTexts(texts, labels)
