"""The native DEFLATE sizer returns exactly zlib's lengths, and gzip uses it only where proven.

The oracle is the running Python's own zlib: every size is compared with
``len(zlib.compress(data, level, wbits=-15))`` (and the gzip compressor's with
``len(gzip.compress(data))``).
"""

from __future__ import annotations

import gzip
import warnings
import zlib

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from npc_classify._text import PackedTexts, pack_texts
from npc_classify.coding import deflate
from npc_classify.compressors import gzip as gzip_module
from npc_classify.compressors.gzip import GzipCompressor
from npc_classify.datasets import read_ag_news_csv

N_TRAIN, N_TEST = 2000, 200


def zlib_size(data: bytes, level: int = 9) -> int:
    return len(zlib.compress(data, level, wbits=-15))


@pytest.fixture(scope="module")
def ag_news_texts(ag_news_path):
    train = read_ag_news_csv(ag_news_path / "train.csv").texts[:N_TRAIN]
    test = read_ag_news_csv(ag_news_path / "test.csv").texts[:N_TEST]
    return [t.encode() for t in test], [t.encode() for t in train]


def test_every_ag_news_pair_has_gzips_size_in_both_orders(ag_news_texts):
    queries, train = ag_news_texts
    compressor = GzipCompressor()
    raw = GzipCompressor(header=False)
    for query in queries:
        prefix = query + b" "
        expected = [len(gzip.compress(prefix + t, mtime=0)) for t in train]
        sizes = compressor.compressed_sizes_with_prefix(prefix, train)
        np.testing.assert_array_equal(sizes, expected)
        np.testing.assert_array_equal(
            raw.compressed_sizes_with_prefix(prefix, train), np.subtract(expected, 18)
        )
        reversed_pairs = [t + b" " + query for t in train]
        expected = [len(gzip.compress(pair, mtime=0)) for pair in reversed_pairs]
        np.testing.assert_array_equal(compressor.compressed_sizes(reversed_pairs), expected)


byte_strings = st.one_of(
    st.binary(max_size=3),
    st.binary(max_size=2000),
    st.text(alphabet="ab ", max_size=3000).map(str.encode),  # highly repetitive
    st.builds(lambda unit, n: unit * n, st.binary(min_size=1, max_size=5), st.integers(0, 30000)),
    # 32 KiB and more: matches reach back across the window, which slides past 64 KiB
    st.builds(
        lambda seed, n: np.random.default_rng(seed).choice(list(b"etaoin shrdlu"), n).tobytes(),
        st.integers(0, 2**16),
        st.integers(32_768, 140_000),
    ),
)


@settings(max_examples=60, deadline=None)
@given(data=st.lists(byte_strings, max_size=4), level=st.integers(4, 9))
def test_whole_inputs_have_zlibs_size_at_every_level(data, level):
    expected = [zlib_size(item, level) for item in data]
    np.testing.assert_array_equal(deflate.DeflateSizer(level).sizes(data), expected)


@settings(max_examples=60, deadline=None)
@given(prefix=byte_strings, suffixes=st.lists(byte_strings, min_size=1, max_size=4))
def test_a_shared_prefix_gives_the_sizes_of_the_whole_inputs(prefix, suffixes):
    expected = [zlib_size(prefix + s) for s in suffixes]
    np.testing.assert_array_equal(
        deflate.DeflateSizer(9).sizes_with_prefix(prefix, suffixes), expected
    )


def test_packed_texts_are_sized_from_their_buffer_as_it_is(ag_news_texts):
    suffixes = ag_news_texts[1][:50]
    packed = PackedTexts(*pack_texts(suffixes))
    sizes = deflate.DeflateSizer(9).sizes_with_prefix(b"query ", packed)
    assert sizes.tolist() == [zlib_size(b"query " + s) for s in suffixes]
    assert "_items" not in vars(packed)  # never unpacked into byte strings


def test_random_bytes_take_stored_blocks_and_still_match():
    data = [np.random.default_rng(seed).bytes(n) for seed, n in enumerate((10, 500, 70_000))]
    assert deflate.DeflateSizer(9).sizes(data).tolist() == [zlib_size(d) for d in data]


def test_a_sizer_reused_after_a_long_input_is_still_exact():
    sizer = deflate.DeflateSizer(9)
    long_input = b"".join(b"word%d " % (i % 997) for i in range(30_000))
    short = [b"the cat sat on the mat", b"the dog sat"]
    sizer.sizes([long_input])
    expected = [zlib_size(b"the " + s) for s in short]
    assert sizer.sizes_with_prefix(b"the ", short).tolist() == expected


def test_levels_outside_the_lazy_parse_are_refused():
    with pytest.raises(ValueError, match="levels 4 to 9; got 3"):
        deflate.DeflateSizer(3)


def test_this_pythons_zlib_agrees_on_the_self_check_sample():
    assert all(deflate.agrees_with_zlib(level) for level in deflate.LEVELS)


def test_gzip_falls_back_to_zlib_with_one_warning_when_the_self_check_fails(monkeypatch):
    monkeypatch.setattr(deflate, "agrees_with_zlib", lambda level: False)
    monkeypatch.setattr(gzip_module, "_WARNED", set())

    def no_sizer(level):
        raise AssertionError("the native sizer must not be used")

    monkeypatch.setattr(deflate, "DeflateSizer", no_sizer)
    compressor = GzipCompressor()
    with pytest.warns(RuntimeWarning, match="differs from this Python's zlib"):
        sizes = compressor.compressed_sizes_with_prefix(b"ab ", [b"abc", b""])
    assert sizes.tolist() == [len(gzip.compress(b"ab abc")), len(gzip.compress(b"ab "))]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        compressor.compressed_sizes([b"again"])


@pytest.mark.parametrize("params", [{"engine": "zlib"}, {"level": 2}])
def test_engine_zlib_and_greedy_levels_use_zlib(monkeypatch, params):
    def no_sizer(level):
        raise AssertionError("the native sizer must not be used")

    monkeypatch.setattr(deflate, "DeflateSizer", no_sizer)
    compressor = GzipCompressor(**params)
    level = compressor.level
    sizes = compressor.compressed_sizes_with_prefix(b"x ", [b"xyz xyz"])
    assert sizes.tolist() == [len(gzip.compress(b"x xyz xyz", compresslevel=level))]


def test_an_unknown_engine_is_refused_by_name():
    with pytest.raises(ValueError, match="engine"):
        GzipCompressor(engine="fast").validate()


def test_a_last_block_whose_fixed_and_dynamic_codes_take_the_same_bytes_is_coded_fixed():
    """zlib takes the fixed code on a tie of whole bytes; after a first block that ends
    mid-byte, the bits the two codes differ by can still move the end by a byte.

    The first block is 16,383 literals (16,383 bytes without a repeated 3-byte string:
    two-byte counters, high byte below 32), the last one a short tail of bytes from 32 on
    (sharing no 3-byte string with the first), across where fixed and dynamic cross."""
    counters = np.arange(8192, dtype=">u2").tobytes()[: deflate.kernels.BLOCK_SYMBOLS]
    rng = np.random.default_rng(0)
    inputs = [
        counters + bytes(rng.choice(alphabet, n))
        for alphabet in (np.arange(32, 40), np.arange(100, 116), np.arange(140, 150))
        for n in range(4, 80)
    ]
    np.testing.assert_array_equal(
        deflate.DeflateSizer(9).sizes(inputs), [zlib_size(data) for data in inputs]
    )


@pytest.mark.parametrize("path", ["sizes", "sizes_with_prefix"])
def test_the_self_check_fails_when_either_path_is_one_byte_off_on_one_input(monkeypatch, path):
    original = getattr(deflate.DeflateSizer, path)

    def one_off(self, *args):
        sizes = original(self, *args)
        sizes[-1] += 1
        return sizes

    monkeypatch.setattr(deflate.DeflateSizer, path, one_off)
    deflate.agrees_with_zlib.cache_clear()
    try:
        assert not deflate.agrees_with_zlib(9)
    finally:
        deflate.agrees_with_zlib.cache_clear()  # the next caller checks the real sizer
