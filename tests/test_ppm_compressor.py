"""PPM: an adaptive byte-context model whose counts are exact, shared and restored.

The coder's contract (lossless, within bytes of the ideal length, prefix read once) is
tested for PPM with the other model-driven compressors in test_coding_compressors.py.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from npc_classify import CompressionClassifier, NCDClassifier
from npc_classify.cli import main
from npc_classify.compressors import PPMCompressor


def test_the_first_byte_costs_eight_bits_and_a_repeat_costs_less():
    # order 0 after one "a": p("a") = (1 + 1 * 1/256) / (1 + 1), Witten-Bell blending
    second = -math.log2((1 + 1 / 256) / 2)
    compressor = PPMCompressor(order=0)
    assert compressor.compressed_size(b"a") * 8 == pytest.approx(8.0)
    assert compressor.compressed_size(b"aa") * 8 == pytest.approx(8.0 + second)


def test_a_longer_order_remembers_longer_contexts():
    # every 3-byte context of this text is followed by one byte, 2-byte ones by several
    data = b"the cat, the car, the cap, the can. " * 20
    assert PPMCompressor(order=3).compressed_size(data) < PPMCompressor(order=1).compressed_size(
        data
    )


@settings(max_examples=20, deadline=None)
@given(data=st.binary(max_size=80), order=st.integers(0, 4))
def test_every_order_codes_with_exactly_the_probabilities_the_sizes_come_from(data, order):
    from conftest import coder_bits

    compressor = PPMCompressor(order=order)
    assert compressor.compressed_size(data) * 8 == pytest.approx(
        coder_bits(compressor, data), abs=1e-9
    )


@settings(max_examples=20, deadline=None)
@given(
    context=st.binary(max_size=200),
    items=st.lists(st.binary(max_size=50), max_size=4),
    order=st.integers(0, 4),
)
def test_the_conditional_size_is_the_exact_difference(context, items, order):
    compressor = PPMCompressor(order=order)
    expected = [
        compressor.compressed_size(context + item) - compressor.compressed_size(context)
        for item in items
    ]
    first = compressor.conditional_sizes(context, items)
    again = compressor.conditional_sizes(context, items)  # from the cached counts
    np.testing.assert_allclose(first, expected, rtol=1e-9, atol=1e-9)
    np.testing.assert_array_equal(again, first)


def test_the_counts_of_a_context_are_kept_once_per_context():
    compressor = PPMCompressor()
    compressor.conditional_sizes(b"one context", [b"x"])
    compressor.conditional_sizes(b"one context", [b"y"])
    compressor.conditional_sizes(b"another context", [b"x"])
    assert len(compressor._thread_context(dict)) == 2


@pytest.mark.parametrize(
    ("order", "error", "message"),
    [
        (-1, ValueError, r"The 'order' parameter of PPMCompressor .*\[0, 16\]\. Got -1"),
        (2.5, TypeError, r"must be an int in the range \[0, 16\]\. Got 2\.5"),
    ],
)
def test_an_order_outside_its_range_is_refused(order, error, message, tiny_news):
    with pytest.raises(error, match=message):
        CompressionClassifier(PPMCompressor(order=order)).fit(*tiny_news)


def test_ncd_classifier_runs_on_ppm(tiny_news):
    clf = NCDClassifier("ppm", k=1).fit(*tiny_news)
    assert clf.predict(["A goal in the cup final."]).tolist() == ["sport"]


def test_the_cli_evaluates_class_conditional_ppm_of_a_chosen_order(tmp_path):
    from conftest import TINY_NEWS

    files = ["--dataset", "csv", "--train", str(TINY_NEWS), "--test", str(TINY_NEWS)]
    output = tmp_path / "out.json"
    argv = ["evaluate", *files, "--method", "class-conditional", "--compressor", "ppm"]
    assert main([*argv, "--param", "order=2", "--output", str(output)]) == 0
    assert json.loads(output.read_text())["config"]["compressor"] == "PPMCompressor(order=2)"


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (
            ["--compressor", "gzip", "--param", "order=2"],
            "order is not a setting of the gzip compressor; its settings are engine, header, "
            "level",
        ),
        (
            ["--compressor", "ppm", "--param", "level=9"],
            "level is not a setting of the ppm compressor; its settings are order",
        ),
    ],
)
def test_the_cli_refuses_a_setting_the_compressor_does_not_have(extra, message, capsys):
    from conftest import TINY_NEWS

    files = ["--dataset", "csv", "--train", str(TINY_NEWS), "--test", str(TINY_NEWS)]
    assert main(["evaluate", *files, *extra, "--no-progress"]) == 2
    assert message in capsys.readouterr().err


def test_the_cli_codes_with_the_ppm_order_asked_for(tmp_path):
    data = b"the cat, the car, the cap, the can. " * 5
    source, packed = tmp_path / "text.txt", tmp_path / "text.ppm"
    source.write_bytes(data)
    ppm = ["--compressor", "ppm", "--param", "order=4"]
    assert main(["compress", str(source), "-o", str(packed), *ppm]) == 0
    assert packed.read_bytes() == PPMCompressor(order=4).compress(data)
    assert packed.read_bytes() != PPMCompressor(order=3).compress(data)
    assert packed.stat().st_size < source.stat().st_size
