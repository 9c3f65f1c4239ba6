"""Decompression is bounded: bombs stop at max_size, and standard multi-stream files are read."""

from __future__ import annotations

import bz2
import gzip
import lzma
import tracemalloc
import zlib

import pytest
import zstandard

from npc_classify.compressors import (
    DEFAULT_MAX_SIZE,
    Bz2Compressor,
    GzipCompressor,
    LzmaCompressor,
    OutputLimitError,
    ZstdCompressor,
)

MiB = 1 << 20
#: 64 MiB of zeros, compressed by each format's own tool: real bombs, not headers.
ZEROS = bytes(64 * MiB)
BOMBS = {
    "gzip": (GzipCompressor(), lambda: gzip.compress(ZEROS, 9)),
    "raw-deflate": (GzipCompressor(header=False), lambda: zlib.compress(ZEROS, 9, wbits=-15)),
    "zstd": (ZstdCompressor(), lambda: zstandard.ZstdCompressor(level=19).compress(ZEROS)),
    "bz2": (Bz2Compressor(), lambda: bz2.compress(ZEROS, 9)),
    "lzma": (LzmaCompressor(), lambda: lzma.compress(ZEROS)),
}
TEXT = b"Concatenated streams are standard: their own tools read them. " * 20


@pytest.fixture(scope="module", params=list(BOMBS))
def bomb(request):
    compressor, build = BOMBS[request.param]
    return compressor, build()


def test_the_default_limit_is_one_gib():
    assert DEFAULT_MAX_SIZE == 1 << 30


def test_a_bomb_stops_at_max_size_in_bounded_memory(bomb):
    compressor, data = bomb
    assert len(data) < len(ZEROS) // 100  # a ratio above 100
    tracemalloc.start()
    try:
        with pytest.raises(OutputLimitError, match=r"passes max_size=1,048,576 bytes"):
            compressor.decompress(data, max_size=MiB)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # Beyond the output, a decoder holds its window: 8 MiB for xz's default preset.
    assert peak < 12 * MiB, f"peak {peak / MiB:.1f} MiB while refusing a 1 MiB limit"


def test_the_same_stream_decompresses_under_a_large_enough_limit(bomb):
    compressor, data = bomb
    assert compressor.decompress(data, max_size=len(ZEROS)) == ZEROS
    with pytest.raises(OutputLimitError):
        compressor.decompress(data, max_size=len(ZEROS) - 1)


@pytest.mark.parametrize("max_size", [-1, 1.5, "1"])
def test_max_size_must_be_a_non_negative_int(max_size):
    with pytest.raises(ValueError, match=r"The 'max_size' parameter of decompress must be an int"):
        ZstdCompressor().decompress(ZstdCompressor().compress(b"x"), max_size=max_size)


@pytest.mark.parametrize(
    ("compressor", "second_part"),
    [
        (GzipCompressor(), lambda data: gzip.compress(data)),  # two gzip members
        (ZstdCompressor(), lambda data: zstandard.compress(data)),  # two zstd frames
        (Bz2Compressor(), lambda data: bz2.compress(data)),  # two bzip2 streams
        (LzmaCompressor(), lambda data: lzma.compress(data)),  # two xz streams
    ],
    ids=["gzip", "zstd", "bz2", "lzma"],
)
def test_concatenated_streams_are_read_as_their_tools_read_them(compressor, second_part):
    joined = compressor.compress(TEXT) + second_part(b"and a second one")
    assert compressor.decompress(joined) == TEXT + b"and a second one"


def test_xz_stream_padding_is_skipped():
    padded = lzma.compress(TEXT) + bytes(4) + lzma.compress(b"!") + bytes(8)
    assert LzmaCompressor().decompress(padded) == TEXT + b"!"


def test_xz_padding_of_other_than_a_multiple_of_four_bytes_is_corrupt():
    with pytest.raises(ValueError, match="padding is not a multiple of 4"):
        LzmaCompressor().decompress(lzma.compress(TEXT) + bytes(3))


def test_raw_deflate_has_no_members_so_anything_after_the_stream_is_corrupt():
    raw = GzipCompressor(header=False)
    with pytest.raises(ValueError, match="bytes follow the end of the stream"):
        raw.decompress(raw.compress(TEXT) + raw.compress(TEXT))


@pytest.mark.parametrize("n_bytes", [MiB + 35, MiB + 72, 2 * MiB + 41, 64 * MiB + 5])
@pytest.mark.parametrize(
    "compressor", [GzipCompressor(header=False), GzipCompressor()], ids=["raw-deflate", "gzip"]
)
def test_output_held_back_when_the_input_runs_out_is_read(compressor, n_bytes):
    """zlib can use up its input with a full piece out and output still waiting; raw
    DEFLATE has no trailer left to feed it, so it must be asked for that output."""
    data = bytes(n_bytes)
    assert compressor.decompress(compressor.compress(data)) == data


def test_the_output_comes_in_pieces_of_at_most_one_mib(bomb):
    compressor, data = bomb
    pieces = [len(piece) for piece in compressor.decompress_chunks(data, max_size=len(ZEROS))]
    assert sum(pieces) == len(ZEROS)
    assert max(pieces) <= MiB


def test_the_cli_writes_the_output_as_it_comes_and_keeps_the_old_file_on_a_bomb(tmp_path, capsys):
    from npc_classify.cli import main

    source, output = tmp_path / "zeros.gz", tmp_path / "zeros"
    source.write_bytes(gzip.compress(ZEROS, 9))
    assert main(["decompress", str(source), "-o", str(output)]) == 0
    assert output.read_bytes() == ZEROS
    output.write_bytes(b"the previous output")
    refused = ["decompress", str(source), "-o", str(output), "--max-size", str(MiB)]
    capsys.readouterr()
    assert main(refused) == 2
    err = capsys.readouterr().err
    assert f"passes --max-size {MiB:,} bytes" in err
    assert "give a larger --max-size" in err and "decompress()" not in err
    assert output.read_bytes() == b"the previous output"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["zeros", "zeros.gz"]
