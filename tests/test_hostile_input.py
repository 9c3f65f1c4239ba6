"""Hostile and odd input: every entry point either works or fails with a clear, specific error.

Fuzzing is bounded by hypothesis' example counts so the suite stays fast; run
``HYPOTHESIS_PROFILE=long pytest tests/test_hostile_input.py`` for a longer local run
(profiles in conftest.py).
"""

from __future__ import annotations

import gzip

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from npc_classify import NCDClassifier
from npc_classify.cli import main
from npc_classify.compressors import (
    Bz2Compressor,
    CMCompressor,
    CorruptStreamError,
    GzipCompressor,
    LzmaCompressor,
    OutputLimitError,
    PPMCompressor,
    ZstdCompressor,
)
from npc_classify.datasets import read_ag_news_csv, read_labeled_file

# The stream decoders come from conftest.stream_compressor, the arithmetic coders (ppm, lm,
# hf) from conftest.language_model_compressor: the shared lists of compressors.
SAMPLE = "A sample text, with some repetition: sample text, sample text. ü€".encode() * 3


# Decoders ---------------------------------------------------------------------------------


def test_every_truncation_of_a_stream_is_reported_as_corrupt(stream_compressor):
    compressor = stream_compressor
    stream = compressor.compress(SAMPLE)
    for cut in range(len(stream)):
        with pytest.raises(CorruptStreamError, match="corrupted, truncated or of another"):
            compressor.decompress(stream[:cut])


def test_a_truncated_arithmetic_code_is_reported_as_corrupt_never_decoded_to_other_bytes(
    language_model_compressor,
):
    """The last bytes' cuts most of all: their lost bits are read as zeros, which decode."""
    compressor = language_model_compressor
    texts = [SAMPLE, b"the business strategy.", b"hello world", b"Shares fell sharply."]
    for text in texts:
        stream = compressor.compress(text)
        last = range(max(len(stream) - 6, 0), len(stream))
        for cut in sorted({*last, *range(0, len(stream), 9)}):
            with pytest.raises(CorruptStreamError, match="corrupted, truncated or of another"):
                compressor.decompress(stream[:cut])


def test_bytes_after_the_stream_are_reported_as_corrupt(stream_compressor):
    compressor = stream_compressor
    with pytest.raises(CorruptStreamError):
        compressor.decompress(compressor.compress(SAMPLE) + b"\x00trailing")


@given(noise=st.binary(max_size=400))
def test_random_bytes_decode_or_raise_corrupt_stream(stream_compressor, noise):
    compressor = stream_compressor
    try:
        assert isinstance(compressor.decompress(noise), bytes)
    except CorruptStreamError as error:
        assert isinstance(error.__cause__, Exception)


@given(data=st.data())
def test_corrupted_streams_decode_or_raise_corrupt_stream(stream_compressor, data):
    compressor = stream_compressor
    stream = bytearray(compressor.compress(SAMPLE))
    position = data.draw(st.integers(0, len(stream) - 1))
    stream[position] ^= data.draw(st.integers(1, 255))
    try:
        compressor.decompress(bytes(stream))
    except CorruptStreamError:
        pass


def single_bit_flips(stream: bytes):
    """``stream`` with each of its bits flipped in turn."""
    for bit in range(8 * len(stream)):
        flipped = bytearray(stream)
        flipped[bit // 8] ^= 1 << bit % 8
        yield bytes(flipped)


@pytest.mark.parametrize("compressor", [GzipCompressor(), Bz2Compressor(), LzmaCompressor()])
def test_a_flipped_bit_of_a_checksummed_stream_never_decodes_to_other_bytes(compressor):
    """gzip, bz2 and xz carry checksums (zstd frames and raw DEFLATE carry none: the docs
    say so)."""
    for flipped in single_bit_flips(compressor.compress(SAMPLE)):
        try:
            assert compressor.decompress(flipped) == SAMPLE
        except CorruptStreamError:
            pass


@pytest.mark.parametrize("compressor", [PPMCompressor(), CMCompressor()], ids=repr)
def test_a_flipped_bit_of_an_arithmetic_code_decodes_only_to_bytes_coded_by_it(compressor):
    """A model-driven code is coded again after decoding: what it decodes to codes to it
    (a flip can still land on another text's valid code: the docs give how often)."""
    for flipped in single_bit_flips(compressor.compress(SAMPLE)):
        try:
            decoded = compressor.decompress(flipped)
        except CorruptStreamError:
            continue
        assert compressor.compress(decoded) == flipped


def test_a_zstd_frame_announcing_a_terabyte_allocates_nothing():
    magic, descriptor = b"\x28\xb5\x2f\xfd", b"\xe0"  # 8-byte content size, one segment
    content_size = (1 << 40).to_bytes(8, "little")
    last_raw_block_of_5 = ((5 << 3) | 1).to_bytes(3, "little") + b"hello"
    with pytest.raises(CorruptStreamError):
        ZstdCompressor().decompress(magic + descriptor + content_size + last_raw_block_of_5)


def test_a_corrupt_stream_error_is_a_value_error_with_the_library_error_as_cause():
    with pytest.raises(
        ValueError, match=r"ZstdCompressor cannot decompress these 3 bytes"
    ) as info:
        ZstdCompressor().decompress(b"abc")
    assert info.value.__cause__ is not None


@settings(max_examples=25, deadline=None)
@given(noise=st.binary(max_size=40))
def test_random_bytes_to_the_arithmetic_decoder_decode_or_raise(language_model_compressor, noise):
    try:
        assert isinstance(language_model_compressor.decompress(noise), bytes)
    except CorruptStreamError as error:
        assert isinstance(error.__cause__, ValueError)
    except OutputLimitError:  # the noise's first bytes announce more than 1 GiB
        pass


def test_an_arithmetic_code_announcing_more_than_max_size_is_refused_before_decoding(
    language_model_compressor, monkeypatch
):
    code = language_model_compressor.compress(SAMPLE[:40])
    huge_header = bytes([0xFF] * 6 + [0x0F])

    def decode(*args):
        raise AssertionError("decoding started")

    monkeypatch.setattr(type(language_model_compressor), "_decode", decode)
    with pytest.raises(OutputLimitError, match="passes max_size=1,073,741,824 bytes"):
        language_model_compressor.decompress(huge_header + code[1:])
    monkeypatch.undo()  # tokens of a Hugging Face model spell several bytes: checked after
    with pytest.raises(OutputLimitError, match="passes max_size=39 bytes"):
        language_model_compressor.decompress(code, max_size=39)


def test_an_arithmetic_code_announcing_more_than_its_payload_holds_is_refused_at_once(
    language_model_compressor,
):
    code = language_model_compressor.compress(SAMPLE[:40])
    million = bytes([0xC0, 0x84, 0x3D])  # varint of 1,000,000 symbols
    with pytest.raises(CorruptStreamError, match="can hold at most"):
        language_model_compressor.decompress(million + code[1:])


# The estimator ----------------------------------------------------------------------------


def test_a_10_mb_document_is_classified():
    rng = np.random.default_rng(0)
    words = np.array(["market", "shares", "goal", "match", "planet", "orbit", "vote", "law"])
    huge = " ".join(rng.choice(words, size=1_800_000))
    assert len(huge) > 10_000_000
    clf = NCDClassifier(k=1).fit([huge, "the striker scored a goal"], ["mixed", "sport"])
    assert clf.train_sizes_[0] == len(gzip.compress(huge.encode(), mtime=0))
    query = "a late goal in the match"
    neigh_dist, _ = clf.kneighbors([query], n_neighbors=2, return_distance=True)
    pair = len(gzip.compress(f"{query} {huge}".encode(), mtime=0))
    alone = len(gzip.compress(query.encode(), mtime=0))
    expected = (pair - alone) / clf.train_sizes_[0]  # NCD: the huge text is the larger
    assert expected in neigh_dist[0].tolist()


@pytest.mark.parametrize(
    "text",
    ["nul \x00 inside", "\x00" * 50, "lone surrogate \ud800 here", "\udfff", "", " ", "\n\r\t"],
    ids=["nul", "nuls", "surrogate", "low-surrogate", "empty", "space", "whitespace"],
)
def test_odd_strings_are_valid_texts(text):
    """Each is compressed as its UTF-8 bytes (a lone surrogate as its three bytes) and is
    its own nearest neighbour."""
    clf = NCDClassifier(k=1).fit([text, "plain text about sport"], ["odd", "sport"])
    encoded = text.encode("utf-8", "surrogatepass")
    assert clf.train_sizes_[0] == len(gzip.compress(encoded, mtime=0))
    assert clf.predict([text])[0] == "odd"
    assert np.all(np.isfinite(clf.kneighbors([text])[0]))


# Readers ----------------------------------------------------------------------------------


def test_invalid_utf8_in_a_file_names_the_file_and_line(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_bytes(b"label,text\nsport,fine\nbusiness,broken \xff byte\n")
    with pytest.raises(ValueError, match=r"bad.csv, line 3: the file is not valid UTF-8"):
        read_labeled_file(path)


def test_invalid_utf8_in_an_ag_news_file_is_a_clear_error(tmp_path):
    path = tmp_path / "train.csv"
    path.write_bytes(b'"1","Title","Desc"\n"2","Bad \xc3\x28 title","Desc"\n')
    with pytest.raises(ValueError, match=r"train.csv, line 2: the file is not valid UTF-8"):
        read_ag_news_csv(path)


def test_a_10_mb_field_is_read(tmp_path):
    path = tmp_path / "big.csv"
    body = "word " * 2_100_000
    path.write_text(f"label,text\nbig,{body}\nsmall,short\n", encoding="utf-8")
    data = read_labeled_file(path)
    assert [len(t) for t in data.texts] == [len(body), 5]


def test_an_unterminated_quote_is_reported_not_swallowed(tmp_path):
    path = tmp_path / "quote.csv"
    path.write_text('label,text\nsport,"never closed\nbusiness,fine\n', encoding="utf-8")
    with pytest.raises(ValueError, match=r"quote.csv, line \d+: malformed CSV"):
        read_labeled_file(path)


def test_a_stray_quote_is_reported(tmp_path):
    path = tmp_path / "stray.csv"
    path.write_text('"1","a "title" here","desc"\n', encoding="utf-8")
    with pytest.raises(ValueError, match=r"stray.csv, line 1: malformed CSV"):
        read_ag_news_csv(path)


csv_text = st.text(alphabet=st.sampled_from('ab,"\n\r\t \x00é'), max_size=200)


@given(content=csv_text)
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_any_labeled_file_reads_or_raises_value_error(tmp_path, content):
    path = tmp_path / "fuzz.csv"
    path.write_text("label,text\n" + content, encoding="utf-8", newline="")
    try:
        data = read_labeled_file(path)
    except ValueError as error:
        assert "fuzz.csv" in str(error)
    else:
        assert len(data.texts) == len(data.labels)


@given(content=csv_text)
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_any_ag_news_file_reads_or_raises_value_error(tmp_path, content):
    path = tmp_path / "fuzz.csv"
    path.write_text(content, encoding="utf-8", newline="")
    try:
        data = read_ag_news_csv(path)
    except ValueError as error:
        assert "fuzz.csv" in str(error)
    else:
        assert set(data.labels.tolist()) <= {0, 1, 2, 3}


def test_the_cli_reports_an_invalid_utf8_file_and_exits_2(tmp_path, capsys):
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"label,text\nsport,\xff\n")
    argv = ["evaluate", "--dataset", "csv", "--train", str(bad), "--test", str(bad)]
    assert main([*argv, "--no-progress"]) == 2
    assert "not valid UTF-8" in capsys.readouterr().err
