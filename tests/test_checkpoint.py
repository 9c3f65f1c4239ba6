"""Long searches lose nothing: killed and restarted, they resume to the identical result."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
import zlib

import numpy as np
import pytest
from sklearn.base import clone

from npc_classify import CompressionClassifier, NCDClassifier
from npc_classify._candidates import UNFITTED_WEIGHTS
from npc_classify.compressors import Compressor
from npc_classify.compressors._base import _setting_key
from npc_classify.evaluation import resumable_class_bits, resumable_kneighbors

QUERIES = [
    "The goalkeeper saved a penalty in the cup final.",
    "Profits fell and shares slumped at the bank.",
    "The telescope found a planet around a distant star.",
]


@pytest.fixture
def fitted(tiny_news):
    # A tiny working memory makes every query its own chunk, hence its own record.
    return NCDClassifier(k=3, working_memory=1e-9).fit(*tiny_news)


def test_a_fresh_search_equals_kneighbors_and_is_saved(fitted, tiny_news, tmp_path):
    texts, _ = tiny_news
    path = tmp_path / "search.jsonl"
    neigh_dist, neigh_ind, resumed = resumable_kneighbors(fitted, texts, 3, path)
    expected_dist, expected_ind = fitted.kneighbors(texts)
    assert resumed == 0
    np.testing.assert_array_equal(neigh_dist, expected_dist)
    np.testing.assert_array_equal(neigh_ind, expected_ind)
    assert len(path.read_text().splitlines()) == 1 + len(texts)


def test_each_line_is_on_disk_before_the_search_goes_on(fitted, tiny_news, tmp_path, monkeypatch):
    """Every line is flushed and synced as it is written: what a kill leaves is every line
    written before it, whole."""
    texts, _ = tiny_news
    path = tmp_path / "search.jsonl"
    synced = []
    real_fsync = os.fsync

    def fsync(descriptor: int) -> None:
        real_fsync(descriptor)
        synced.append(path.read_bytes())  # what a reader sees once the line is synced

    monkeypatch.setattr(os, "fsync", fsync)
    resumable_kneighbors(fitted, texts, 3, path)
    lines = path.read_bytes().splitlines(keepends=True)
    assert len(lines) == 1 + len(texts)
    assert synced == [b"".join(lines[:n]) for n in range(1, len(lines) + 1)]


def test_a_finished_search_is_read_back_bit_for_bit(fitted, tiny_news, tmp_path):
    texts, _ = tiny_news
    path = tmp_path / "search.jsonl"
    first = resumable_kneighbors(fitted, texts, 3, path)
    again = resumable_kneighbors(fitted, texts, 3, path)
    assert again[2] == len(texts)
    np.testing.assert_array_equal(again[0], first[0])
    np.testing.assert_array_equal(again[1], first[1])


@pytest.mark.parametrize("kept", [25, -1], ids=["mid-record", "all-but-its-newline"])
def test_a_line_cut_short_by_a_kill_is_dropped_and_recomputed(fitted, tiny_news, tmp_path, kept):
    texts, _ = tiny_news
    path = tmp_path / "search.jsonl"
    expected = resumable_kneighbors(fitted, texts, 3, path)
    lines = path.read_bytes().splitlines(keepends=True)
    path.write_bytes(b"".join(lines[:11]) + lines[11][:kept])  # header, 10 rows, a torn row
    neigh_dist, neigh_ind, resumed = resumable_kneighbors(fitted, texts, 3, path)
    assert resumed == 10
    np.testing.assert_array_equal(neigh_dist, expected[0])
    np.testing.assert_array_equal(neigh_ind, expected[1])
    assert path.read_bytes() == b"".join(lines)


@pytest.mark.parametrize(
    "change", ["queries", "k", "model", "candidates", "order", "separator", "training texts"]
)
def test_a_checkpoint_of_another_search_is_refused(fitted, tiny_news, tmp_path, change):
    texts, labels = tiny_news
    path = tmp_path / "search.jsonl"
    resumable_kneighbors(fitted, texts[:5], 3, path)
    queries, k, clf = texts[:5], 3, fitted
    if change == "queries":
        queries = texts[5:10]
    elif change == "k":
        k = 2
    elif change == "model":
        clf = NCDClassifier("zstd").fit(texts, labels)
    elif change == "candidates":
        clf = NCDClassifier(k=3, candidates=5).fit(texts, labels)
    elif change == "order":
        clf = NCDClassifier(k=3, order="train-first").fit(texts, labels)
    elif change == "separator":
        clf = NCDClassifier(k=3, separator="\n").fit(texts, labels)
    else:
        clf = NCDClassifier(k=3).fit(texts[1:], labels[1:])
    with pytest.raises(ValueError, match="written by a different search"):
        resumable_kneighbors(clf, queries, k, path)


def test_a_checkpoint_of_a_differently_calibrated_candidate_search_is_refused(tiny_news, tmp_path):
    texts, labels = tiny_news
    clf = NCDClassifier(k=3, candidates=5).fit(texts, labels)
    path = tmp_path / "search.jsonl"
    resumable_kneighbors(clf, texts[:5], 3, path)
    clf.candidate_index_.weights = np.array(UNFITTED_WEIGHTS)  # other weights, other candidates
    with pytest.raises(ValueError, match="written by a different search"):
        resumable_kneighbors(clf, texts[:5], 3, path)


def test_a_damaged_checkpoint_is_reported_not_trusted(fitted, tiny_news, tmp_path):
    texts, _ = tiny_news
    path = tmp_path / "search.jsonl"
    resumable_kneighbors(fitted, texts[:4], 3, path)
    lines = path.read_text().splitlines(keepends=True)
    lines[2] = "{not json\n"
    path.write_text("".join(lines))
    with pytest.raises(ValueError, match="line 3, is not valid JSON"):
        resumable_kneighbors(fitted, texts[:4], 3, path)


@pytest.mark.parametrize(
    "contents",
    [b"label,text\nsport,Late goal\n", b"a note without a newline", b'{"id": 1}\n{"id": 2}'],
    ids=["csv file", "one torn line", "jsonl of other records"],
)
def test_a_file_that_is_no_checkpoint_is_refused_and_left_as_it_is(
    fitted, tiny_news, tmp_path, contents
):
    path = tmp_path / "data.txt"
    path.write_bytes(contents)
    with pytest.raises(ValueError, match=r"data\.txt is not a checkpoint: its first line is"):
        resumable_kneighbors(fitted, tiny_news[0][:4], 3, path)
    assert path.read_bytes() == contents


@pytest.mark.parametrize("kept", [30, -1], ids=["mid-header", "all-but-its-newline"])
def test_a_header_cut_short_by_a_kill_is_written_again(fitted, tiny_news, tmp_path, kept):
    texts, _ = tiny_news
    path = tmp_path / "search.jsonl"
    expected = resumable_kneighbors(fitted, texts[:4], 3, path)
    whole = path.read_bytes()
    path.write_bytes(whole.splitlines(keepends=True)[0][:kept])  # killed writing the header
    _, neigh_ind, resumed = resumable_kneighbors(fitted, texts[:4], 3, path)
    assert resumed == 0
    np.testing.assert_array_equal(neigh_ind, expected[1])
    assert path.read_bytes() == whole


def edit_line(path, number: int, change) -> None:
    """Apply ``change`` to the JSON object on line ``number`` of ``path``, in place."""
    lines = path.read_text().splitlines()
    record = json.loads(lines[number - 1])
    change(record)
    lines[number - 1] = json.dumps(record)
    path.write_text("\n".join(lines) + "\n")


#: Hand edits of the second record's first row (or of the record), and what is reported.
EDITS = {
    "negative index": (lambda r: r["ind"][0].__setitem__(0, -1), "index outside \\[0, 24\\)"),
    "index past the end": (lambda r: r["ind"][0].__setitem__(0, 24), "index outside"),
    "NaN distance": (lambda r: r["dist"][0].__setitem__(0, float("nan")), "not a finite number"),
    "string distance": (lambda r: r["dist"][0].__setitem__(0, "0.5"), "not a finite number"),
    "short row": (lambda r: r["ind"][0].pop(), "row of other than 3 neighbours"),
    "missing field": (lambda r: r.pop("dist"), "fields start, dist and ind"),
    "wrong start": (lambda r: r.__setitem__("start", 7), "from query 7, not 1"),
    "lengths differ": (lambda r: r["dist"].append([0.1, 0.2, 0.3]), "different lengths"),
}


@pytest.mark.parametrize("edit", list(EDITS))
def test_a_hand_edited_record_is_refused_with_its_line(fitted, tiny_news, tmp_path, edit):
    texts, _ = tiny_news
    path = tmp_path / "search.jsonl"
    resumable_kneighbors(fitted, texts[:4], 3, path)
    change, message = EDITS[edit]
    edit_line(path, 3, change)
    with pytest.raises(ValueError, match=rf"line 3, .*{message}"):
        resumable_kneighbors(fitted, texts[:4], 3, path)


@pytest.mark.parametrize("record", ["[1, 2, 3]", '"text"', "null"])
def test_a_record_that_is_not_an_object_is_refused(fitted, tiny_news, tmp_path, record):
    texts, _ = tiny_news
    path = tmp_path / "search.jsonl"
    resumable_kneighbors(fitted, texts[:4], 3, path)
    lines = path.read_text().splitlines()
    lines[1] = record
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(ValueError, match="line 2, is not a record"):
        resumable_kneighbors(fitted, texts[:4], 3, path)


def test_a_second_process_on_the_same_checkpoint_is_refused(fitted, tiny_news, tmp_path):
    pytest.importorskip("fcntl")  # advisory POSIX locks
    texts, _ = tiny_news
    path = tmp_path / "search.jsonl"
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(path)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout.readline().strip() == "locked"
        with pytest.raises(ValueError, match="being written by another process"):
            resumable_kneighbors(fitted, texts[:4], 3, path)
    finally:
        holder.kill()
        holder.wait()
    resumable_kneighbors(fitted, texts[:4], 3, path)  # free again once the holder is gone


def test_a_checkpoint_named_by_a_symlink_is_written_through_it(fitted, tiny_news, tmp_path):
    texts, _ = tiny_news
    target = tmp_path / "runs" / "search.jsonl"
    target.parent.mkdir()
    link = tmp_path / "search.jsonl"
    link.symlink_to(target)
    first = resumable_kneighbors(fitted, texts, 3, link)
    assert link.is_symlink()
    assert len(target.read_text().splitlines()) == 1 + len(texts)
    again = resumable_kneighbors(fitted, texts, 3, link)
    assert again[2] == len(texts)
    np.testing.assert_array_equal(again[1], first[1])


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs are POSIX")
def test_a_fifo_or_a_folder_as_checkpoint_is_refused_before_the_search(
    fitted, tiny_news, tmp_path
):
    texts, _ = tiny_news
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    for path in (fifo, tmp_path):
        with pytest.raises(ValueError, match=r"is not a regular file .* so name a file"):
            resumable_kneighbors(fitted, texts, 3, path)


def test_a_checkpoint_named_as_a_folder_or_under_a_file_is_refused_with_why(
    fitted, tiny_news, tmp_path
):
    texts, _ = tiny_news
    (tmp_path / "plain").write_text("a file, not a folder")
    with pytest.raises(ValueError, match="ends in a slash, which names a folder"):
        resumable_kneighbors(fitted, texts, 3, f"{tmp_path}/run/")
    assert not (tmp_path / "run").exists()
    with pytest.raises(ValueError, match="cannot be written: Not a directory"):
        resumable_kneighbors(fitted, texts, 3, tmp_path / "plain" / "run.jsonl")


def test_a_neighbour_count_the_search_refuses_writes_no_checkpoint(fitted, tiny_news, tmp_path):
    """Refused before the file is created, so the corrected call starts a fresh checkpoint."""
    texts, _ = tiny_news
    path = tmp_path / "sub" / "search.jsonl"
    with pytest.raises(ValueError, match=r"n_neighbors=100 is larger than the training set"):
        resumable_kneighbors(fitted, texts, 100, path)
    assert not path.exists()
    narrow = NCDClassifier(k=1, candidates=4).fit(*tiny_news)
    with pytest.raises(ValueError, match="n_neighbors=5 is more than the 4 candidates"):
        resumable_kneighbors(narrow, texts, 5, path)
    assert not path.exists()
    assert resumable_kneighbors(fitted, texts, 2, path)[1].shape == (len(texts), 2)


def test_numpy_integers_count_as_the_ints_they_hold(tiny_news, tmp_path):
    """A k or a candidate count from np.arange or a grid fingerprints as the plain int."""
    texts, labels = tiny_news
    plain = NCDClassifier(k=3, candidates=10).fit(texts, labels)
    numpy = NCDClassifier(k=np.int64(3), candidates=np.int64(10)).fit(texts, labels)
    assert plain.search_fingerprint(QUERIES, 3) == numpy.search_fingerprint(QUERIES, np.int64(3))
    path = tmp_path / "search.jsonl"
    _, neigh_ind, _ = resumable_kneighbors(numpy, QUERIES, np.int64(3), path)
    np.testing.assert_array_equal(neigh_ind, plain.kneighbors(QUERIES, return_distance=False))
    assert resumable_kneighbors(plain, QUERIES, 3, path)[2] == len(QUERIES)  # the same search


#: A process that holds the checkpoint's lock until it is killed.
HOLD_LOCK = """
import fcntl, sys, time
handle = open(sys.argv[1], "a+b")
fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
print("locked", flush=True)
time.sleep(60)
"""


def test_a_killed_evaluation_resumes_to_the_identical_result(ag_news_path, tmp_path):
    command = [
        sys.executable, "-m", "npc_classify.cli", "evaluate",
        "--data-dir", str(ag_news_path), "--n-train-per-class", "250", "--n-test", "400",
        "--k", "1", "3", "--tie", "paper-top-k", "--n-jobs", "1", "--no-progress",
    ]  # fmt: skip
    checkpoint = tmp_path / "run.jsonl"
    resumable = [*command, "--checkpoint", str(checkpoint), "--output", str(tmp_path / "a.json")]

    run = subprocess.Popen(resumable, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while run.poll() is None and time.monotonic() < deadline:
        if checkpoint.exists() and len(checkpoint.read_bytes().splitlines()) >= 2:
            break
        time.sleep(0.01)
    assert run.poll() is None, "the run finished before it could be killed"
    run.send_signal(signal.SIGKILL)
    run.wait()
    saved = len(checkpoint.read_bytes().splitlines()) - 1
    assert saved >= 1

    resumed = subprocess.run(resumable, capture_output=True, text=True, check=True)
    match = [line for line in resumed.stderr.splitlines() if line.startswith("resumed ")]
    assert match, resumed.stderr
    n_resumed = int(match[0].split()[1])
    assert 0 < n_resumed < 400

    subprocess.run(
        [*command, "--output", str(tmp_path / "b.json")], check=True, capture_output=True
    )
    interrupted = json.loads((tmp_path / "a.json").read_text())
    uninterrupted = json.loads((tmp_path / "b.json").read_text())
    assert interrupted["resumed_queries"] == n_resumed
    assert interrupted["results"] == uninterrupted["results"]


def test_a_model_retrained_at_the_same_path_is_another_search(tiny_news, tmp_path):
    torch = pytest.importorskip("torch")
    from npc_classify.coding.byte_lm import ByteGRU, save_byte_lm
    from npc_classify.compressors import LMCompressor

    texts, labels = tiny_news
    model_path = tmp_path / "lm.pt"
    torch.manual_seed(0)
    save_byte_lm(ByteGRU(embedding_dim=4, hidden_size=8), model_path)
    path = tmp_path / "search.jsonl"
    clf = NCDClassifier(LMCompressor(str(model_path)), k=1).fit(texts, labels)
    resumable_kneighbors(clf, texts[:3], 1, path)
    torch.manual_seed(1)  # other weights, the same file name and settings
    save_byte_lm(ByteGRU(embedding_dim=4, hidden_size=8), model_path)
    retrained = NCDClassifier(LMCompressor(str(model_path)), k=1).fit(texts, labels)
    with pytest.raises(ValueError, match="written by a different search"):
        resumable_kneighbors(retrained, texts[:3], 1, path)


def test_every_compressor_setting_is_in_the_fingerprint(tiny_news):
    from npc_classify.compressors import GzipCompressor

    texts, labels = tiny_news
    fingerprints = {
        NCDClassifier(compressor, k=1).fit(texts, labels).search_fingerprint(texts[:2], 1)
        for compressor in (GzipCompressor(), GzipCompressor(level=8), GzipCompressor(header=False))
    }
    assert len(fingerprints) == 3


@pytest.mark.parametrize(
    ("sent", "status", "word"), [("SIGTERM", 143, "terminated"), ("SIGINT", 130, "interrupted")]
)
def test_a_signalled_evaluation_ends_cleanly_and_resumes(
    ag_news_path, tmp_path, sent, status, word
):
    psutil = pytest.importorskip("psutil")
    checkpoint = tmp_path / "run.jsonl"
    command = [
        sys.executable, "-m", "npc_classify", "evaluate", "--data-dir", str(ag_news_path),
        "--n-train-per-class", "250", "--n-test", "400", "--k", "1", "--n-jobs", "2",
        "--no-progress", "--checkpoint", str(checkpoint),
    ]  # fmt: skip
    run = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while run.poll() is None and time.monotonic() < deadline:
        if checkpoint.exists() and len(checkpoint.read_bytes().splitlines()) >= 2:
            break
        time.sleep(0.01)
    assert run.poll() is None, "the run finished before it could be signalled"
    workers = psutil.Process(run.pid).children(recursive=True)
    assert workers, "the search runs on worker processes"
    run.send_signal(getattr(signal, sent))
    _, err = run.communicate(timeout=60)
    assert run.returncode == status
    assert err.splitlines()[-1] == f"npc-classify: {word}"
    assert "Traceback" not in err
    _, alive = psutil.wait_procs(workers, timeout=15)
    assert not alive, f"workers left behind: {alive}"
    lines = checkpoint.read_bytes().splitlines(keepends=True)
    assert all(line.endswith(b"\n") for line in lines)  # every record whole
    json.loads(lines[-1])


@pytest.mark.skipif(os.name != "posix", reason="workers watch their parent process id (POSIX)")
def test_the_workers_of_an_evaluation_killed_with_sigkill_exit_within_seconds(
    ag_news_path, tmp_path
):
    """SIGKILL cannot be caught: the workers notice that their parent is gone."""
    psutil = pytest.importorskip("psutil")
    checkpoint = tmp_path / "run.jsonl"
    command = [
        sys.executable, "-m", "npc_classify", "evaluate", "--data-dir", str(ag_news_path),
        "--n-train-per-class", "250", "--n-test", "400", "--k", "1", "--n-jobs", "2",
        "--no-progress", "--checkpoint", str(checkpoint),
    ]  # fmt: skip
    run = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while run.poll() is None and time.monotonic() < deadline:
        if checkpoint.exists() and len(checkpoint.read_bytes().splitlines()) >= 2:
            break
        time.sleep(0.01)
    assert run.poll() is None, "the run finished before it could be killed"
    workers = psutil.Process(run.pid).children(recursive=True)
    assert len(workers) >= 2, "the search runs on worker processes"
    run.send_signal(signal.SIGKILL)
    run.wait()
    _, alive = psutil.wait_procs(workers, timeout=10)
    for process in alive:  # not to leave them behind when the test fails
        with contextlib.suppress(psutil.NoSuchProcess):
            process.kill()
    assert not alive, f"workers left behind: {alive}"


# --- class-conditional compression: one record per class text -----------------------------


@pytest.fixture
def conditional(tiny_news):
    """3 classes scored against complement texts: 6 columns of bits, one record each."""
    return CompressionClassifier("ppm", complement=2.0).fit(*tiny_news)


def counting_sizes(clf, monkeypatch, fail_after=None) -> list:
    """Count ``clf``'s conditional compressions; raise KeyboardInterrupt after ``fail_after``."""
    calls: list = []
    real = type(clf.compressor_).conditional_sizes.__get__(clf.compressor_)  # not a wrapper

    def sizes(context, items):
        if fail_after is not None and len(calls) == fail_after:
            raise KeyboardInterrupt
        calls.append(context)
        return real(context, items)

    monkeypatch.setattr(clf.compressor_, "conditional_sizes", sizes)
    return calls


def test_class_bits_are_saved_class_text_by_class_text(conditional, tmp_path):
    path = tmp_path / "bits.jsonl"
    bits, resumed = resumable_class_bits(conditional, QUERIES, path)
    assert resumed == 0
    np.testing.assert_array_equal(bits, conditional.class_bits(QUERIES))
    records = [json.loads(line) for line in path.read_text().splitlines()[1:]]
    assert [(r["kind"], r["column"]) for r in records] == [
        *[("class", j) for j in range(3)],
        *[("complement", j) for j in range(3)],
    ]


def test_a_finished_run_is_read_back_without_coding_anything(conditional, tmp_path, monkeypatch):
    path = tmp_path / "bits.jsonl"
    first, _ = resumable_class_bits(conditional, QUERIES, path)
    calls = counting_sizes(conditional, monkeypatch)
    again, resumed = resumable_class_bits(conditional, QUERIES, path)
    assert (resumed, calls) == (6, [])
    np.testing.assert_array_equal(again, first)


def test_an_interrupted_run_resumes_coding_only_the_class_texts_left(
    conditional, tmp_path, monkeypatch
):
    expected = conditional.class_bits(QUERIES)
    path = tmp_path / "bits.jsonl"
    counting_sizes(conditional, monkeypatch, fail_after=4)
    with pytest.raises(KeyboardInterrupt):
        resumable_class_bits(conditional, QUERIES, path)
    assert len(path.read_text().splitlines()) == 1 + 4
    calls = counting_sizes(conditional, monkeypatch)
    bits, resumed = resumable_class_bits(conditional, QUERIES, path)
    assert (resumed, len(calls)) == (4, 2)  # the last two complement texts
    np.testing.assert_array_equal(bits, expected)


def test_a_run_resumes_on_other_workers_to_the_same_bits(conditional, tmp_path, monkeypatch):
    expected = conditional.class_bits(QUERIES)
    path = tmp_path / "bits.jsonl"
    counting_sizes(conditional, monkeypatch, fail_after=3)
    with pytest.raises(KeyboardInterrupt):
        resumable_class_bits(conditional, QUERIES, path)
    monkeypatch.undo()
    bits, resumed = resumable_class_bits(conditional.set_params(n_jobs=2), QUERIES, path)
    assert resumed == 3
    np.testing.assert_array_equal(bits, expected)


def test_a_torn_class_bits_record_is_dropped_and_recomputed(conditional, tmp_path):
    path = tmp_path / "bits.jsonl"
    expected, _ = resumable_class_bits(conditional, QUERIES, path)
    lines = path.read_bytes().splitlines(keepends=True)
    path.write_bytes(b"".join(lines[:3]) + lines[3][:20])
    bits, resumed = resumable_class_bits(conditional, QUERIES, path)
    assert resumed == 2
    np.testing.assert_array_equal(bits, expected)
    assert path.read_bytes() == b"".join(lines)


@pytest.mark.parametrize("change", ["queries", "complement", "dictionaries", "compressor"])
def test_a_checkpoint_of_another_class_conditional_run_is_refused(
    conditional, tiny_news, tmp_path, change
):
    path = tmp_path / "bits.jsonl"
    resumable_class_bits(conditional, QUERIES, path)
    queries, settings = QUERIES, {"compressor": "ppm", "complement": 2.0}
    if change == "queries":
        queries = QUERIES[:2]
    elif change == "complement":
        settings["complement"] = 3.0
    elif change == "dictionaries":
        settings["n_dictionaries"] = 2
    else:
        settings["compressor"] = "zstd"
    other = CompressionClassifier(**settings).fit(*tiny_news)
    with pytest.raises(ValueError, match="written by a different run"):
        resumable_class_bits(other, queries, path)


#: Hand edits of the second record, and what is reported.
COLUMN_EDITS = {
    "unknown kind": (lambda r: r.__setitem__("kind", "other"), "kind 'other', not one of"),
    "column past the end": (lambda r: r.__setitem__("column", 3), "column outside \\[0, 3\\)"),
    "column twice": (lambda r: r.__setitem__("column", 0), "holds the class column 0 again"),
    "short bits": (lambda r: r["bits"].pop(), "other than 3 bits"),
    "NaN bits": (lambda r: r["bits"].__setitem__(0, float("nan")), "not a finite number"),
    "missing field": (lambda r: r.pop("bits"), "fields kind, column and bits"),
}


@pytest.mark.parametrize("edit", list(COLUMN_EDITS))
def test_a_hand_edited_class_bits_record_is_refused_with_its_line(conditional, tmp_path, edit):
    path = tmp_path / "bits.jsonl"
    resumable_class_bits(conditional, QUERIES, path)
    change, message = COLUMN_EDITS[edit]
    edit_line(path, 3, change)
    with pytest.raises(ValueError, match=rf"line 3, .*{message}"):
        resumable_class_bits(conditional, QUERIES, path)


def test_complement_records_are_refused_for_a_classifier_without_complement(
    conditional, tiny_news, tmp_path
):
    path = tmp_path / "bits.jsonl"
    resumable_class_bits(conditional, QUERIES, path)
    plain = CompressionClassifier("ppm").fit(*tiny_news)
    header, *records = path.read_text().splitlines()
    fingerprint = json.loads(header) | {"fingerprint": plain.bits_fingerprint(QUERIES)}
    path.write_text("\n".join([json.dumps(fingerprint), *records]) + "\n")
    with pytest.raises(ValueError, match="line 5, holds bits of kind 'complement'"):
        resumable_class_bits(plain, QUERIES, path)


def test_the_fingerprint_reads_the_names_of_a_model_folders_files(tmp_path):
    """A folder's model is read by file name: the same bytes under other names are another
    model, and another search."""
    from npc_classify.compressors import HuggingFaceCompressor

    folder = tmp_path / "model"
    (folder / "sub").mkdir(parents=True)
    (folder / "config.json").write_bytes(b"{}")
    (folder / "sub" / "weights.bin").write_bytes(b"\x00\x01")
    before = HuggingFaceCompressor(str(folder)).fingerprint()
    (folder / "sub" / "weights.bin").rename(folder / "sub" / "other.bin")
    assert HuggingFaceCompressor(str(folder)).fingerprint() != before


@pytest.mark.parametrize(
    ("estimator", "fingerprint"),
    [
        (NCDClassifier(k=3), lambda clf: clf.search_fingerprint(QUERIES, 3)),
        (CompressionClassifier("ppm"), lambda clf: clf.bits_fingerprint(QUERIES)),
    ],
    ids=["search", "bits"],
)
def test_the_fingerprints_hold_the_separator_the_texts_were_joined_with_at_fit(
    estimator, fingerprint, tiny_news
):
    """A separator set after fit is not used until the next fit: nor is it fingerprinted."""
    fitted_with_hashes = clone(estimator).set_params(separator=" ## ").fit(*tiny_news)
    fitted_with_space = clone(estimator).set_params(separator=" ").fit(*tiny_news)
    before = fingerprint(fitted_with_hashes)
    fitted_with_hashes.set_params(separator=" ")
    assert fingerprint(fitted_with_hashes) == before
    assert fingerprint(fitted_with_space) != before


class Weighted(Compressor):
    """A user's compressor whose setting is an array: the cost of each byte value."""

    name = "weighted-test"

    def __init__(self, costs: np.ndarray | None = None, path: str = "") -> None:
        self.costs = costs
        self.path = path

    def compress(self, data: bytes) -> bytes:
        return zlib.compress(data)

    def compressed_size(self, data: bytes) -> float:
        return float(self.costs[list(data)].sum()) if self.costs is not None else len(data)


def test_an_array_setting_is_fingerprinted_by_every_value():
    """numpy's repr of a long array leaves values out: two arrays it shows alike differ."""
    costs = np.zeros(2000)
    changed = costs.copy()
    changed[1000] = 1.0
    assert repr(costs) == repr(changed)
    assert Weighted(costs).fingerprint() != Weighted(changed).fingerprint()
    assert Weighted(costs).fingerprint() == Weighted(costs.copy()).fingerprint()


def test_a_function_setting_has_the_same_fingerprint_in_every_process():
    script = (
        f"import os, sys; sys.path.insert(0, {os.path.dirname(__file__)!r}); "
        "from test_checkpoint import Weighted; print(Weighted(os.path.join).fingerprint())"
    )
    runs = {
        subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                       check=True, timeout=120).stdout
        for _ in range(2)
    }  # fmt: skip
    assert len(runs) == 1


def test_the_model_file_a_user_compressor_names_is_in_its_fingerprint(tmp_path):
    class FromFile(Weighted):
        model_parameter = "path"

    model = tmp_path / "costs.bin"
    model.write_bytes(b"\x01" * 256)
    before = FromFile(path=str(model)).fingerprint()
    model.write_bytes(b"\x02" * 256)
    assert FromFile(path=str(model)).fingerprint() != before


def test_two_lambdas_never_share_a_fingerprint():
    """Their qualified names are alike, so each is told by its repr, address included:
    a checkpoint is not resumed in another process rather than resumed with other sizes."""
    assert (
        Weighted(lambda data: data).fingerprint() != Weighted(lambda data: data[:3]).fingerprint()
    )


def test_a_compressor_setting_is_fingerprinted_by_its_own_settings():
    class Wrapping(Compressor):
        name = "wrapping-test"

        def __init__(self, inner: Compressor | None = None) -> None:
            self.inner = inner

        def compress(self, data: bytes) -> bytes:
            return self.inner.compress(data)

    costs = np.zeros(2000)
    changed = costs.copy()
    changed[1000] = 1.0
    assert Wrapping(Weighted(costs)).fingerprint() != Wrapping(Weighted(changed)).fingerprint()


class Holding(Compressor):
    """A user's compressor whose one setting may be anything: a mapping, a set, a method."""

    name = "holding-test"

    def __init__(self, held: object = None) -> None:
        self.held = held

    def compress(self, data: bytes) -> bytes:
        return zlib.compress(data)


class Costs:
    def __init__(self, per_byte: float) -> None:
        self.per_byte = per_byte

    def bits(self, data: bytes) -> float:
        return self.per_byte * len(data)


def test_a_compressor_setting_brings_its_model_file_into_the_fingerprint(tmp_path):
    class FromFile(Weighted):
        model_parameter = "path"

    model = tmp_path / "costs.bin"
    model.write_bytes(b"\x01")
    before = Holding(FromFile(path=str(model))).fingerprint()
    model.write_bytes(b"\x02")
    assert Holding(FromFile(path=str(model))).fingerprint() != before


def test_bound_methods_of_different_objects_never_share_a_fingerprint():
    assert Holding(Costs(1.0).bits).fingerprint() != Holding(Costs(8.0).bits).fingerprint()


@pytest.mark.parametrize(
    "held",
    [{(97, 98): 0.5}, {1: 0.5, "a": 1.0}, frozenset({"the", "a", "of", "and", "to"}), b"\x00\x01"],
    ids=["tuple-keys", "mixed-keys", "frozenset", "bytes"],
)
def test_any_plain_setting_has_one_fingerprint_in_every_process(held):
    script = (
        f"import sys; sys.path.insert(0, {os.path.dirname(__file__)!r}); "
        "from test_checkpoint import Holding, Weighted; "
        f"print(Holding({held!r}).fingerprint(), Holding(Holding({held!r})).fingerprint())"
    )
    runs = {
        subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True,
                       timeout=120, env={**os.environ, "PYTHONHASHSEED": seed}).stdout
        for seed in ("1", "2")
    }  # fmt: skip
    assert len(runs) == 1


def test_built_in_functions_of_one_name_are_told_apart_by_their_module():
    import cmath
    import math

    assert Holding(math.log).fingerprint() != Holding(cmath.log).fingerprint()
    assert Holding(np.sum).fingerprint() == Holding(np.sum).fingerprint()
    assert "numpy" in json.dumps(_setting_key(np.sum))


def test_an_object_array_setting_is_fingerprinted_by_its_values():
    words = np.array(["goal", "shares"], dtype=object)
    changed = np.array(["goal", "bank"], dtype=object)
    assert Holding(words).fingerprint() != Holding(changed).fingerprint()
    assert Holding(words).fingerprint() == Holding(words.copy()).fingerprint()


@pytest.mark.parametrize("kind", ["sparse", "masked", "pandas"])
def test_an_array_like_setting_is_fingerprinted_by_its_values(kind):
    """Their reprs leave values out, as numpy's does."""
    if kind == "sparse":
        from scipy.sparse import csr_matrix

        def make(values):
            return csr_matrix(values[None, :])
    elif kind == "masked":

        def make(values):
            return np.ma.masked_array(values, mask=values > 1000)
    else:
        make = pytest.importorskip("pandas").Series
    values = np.arange(2000.0)
    changed = values.copy()
    changed[1500] = -1.0
    assert Holding(make(values)).fingerprint() != Holding(make(changed)).fingerprint()
    assert Holding(make(values)).fingerprint() == Holding(make(values.copy())).fingerprint()
