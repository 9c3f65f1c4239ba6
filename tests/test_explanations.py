"""Explanations of one prediction: what they contain, what they add up to, how they render."""

from __future__ import annotations

import re

import numpy as np
import pytest
from conftest import build_compressor

from npc_classify import (
    ClassCostExplanation,
    CompressionClassifier,
    NCDClassifier,
    NeighborExplanation,
)
from npc_classify.compressors import GzipCompressor, HuggingFaceCompressor, PPMCompressor

QUERY = "The goalkeeper saved a penalty in the cup final."
SCRIPT = '<script>alert("x")</script> & a goal'


# Per-byte code lengths: the terms the explanations add up.


@pytest.mark.parametrize("case", ["ppm", "lm", "lm-cache"])
def test_code_lengths_add_up_to_the_joint_and_conditional_sizes(case, request):
    compressor = build_compressor(case, request)
    prefix, data = b"The striker scored in the cup final. ", "A late goal, caf\u00e9!".encode()
    lengths = compressor.code_lengths(prefix, data)
    assert lengths.shape == (len(data),)
    assert np.all(lengths > 0)
    joint = compressor.compressed_sizes_with_prefix(prefix, [data])[0]
    assert lengths.sum() == pytest.approx(8 * (joint - compressor.compressed_size(prefix)))
    assert compressor.code_lengths(b"", data).sum() == pytest.approx(
        8 * compressor.compressed_size(data), rel=1e-12
    )
    conditional = compressor.conditional_code_lengths(prefix, data).sum()
    assert conditional == pytest.approx(8 * compressor.conditional_sizes(prefix, [data])[0])


def test_the_hf_compressor_has_no_code_length_per_byte(tiny_causal_lm):
    with pytest.raises(NotImplementedError, match="codes tokens of one or more bytes"):
        HuggingFaceCompressor(tiny_causal_lm).code_lengths(b"", b"bytes")


# NCDClassifier.explain


@pytest.fixture(scope="module")
def ncd_ppm(tiny_news):
    return NCDClassifier(PPMCompressor(), k=5).fit(*tiny_news)


def test_the_neighbours_are_those_of_kneighbors_and_predict(ncd_ppm, tiny_news):
    _, labels = tiny_news
    explanation = ncd_ppm.explain(QUERY)
    assert isinstance(explanation, NeighborExplanation)
    neigh_dist, neigh_ind = ncd_ppm.kneighbors([QUERY])
    np.testing.assert_array_equal(explanation.neighbor_indices, neigh_ind[0])
    np.testing.assert_array_equal(explanation.neighbor_distances, neigh_dist[0])
    assert explanation.neighbor_labels.tolist() == [labels[i] for i in neigh_ind[0]]
    assert explanation.predicted == ncd_ppm.predict([QUERY])[0]


def test_the_reference_is_the_nearest_neighbour_of_the_predicted_class(ncd_ppm, tiny_news):
    texts, _ = tiny_news
    explanation = ncd_ppm.explain(QUERY)
    first = explanation.neighbor_labels.tolist().index(explanation.predicted)
    assert explanation.reference_index == explanation.neighbor_indices[first]
    assert explanation.reference_text == texts[explanation.reference_index]


def test_a_model_compressor_gives_the_bits_each_byte_saved_after_the_reference(ncd_ppm):
    explanation = ncd_ppm.explain(QUERY)
    assert explanation.method == "code length"
    query, context = QUERY.encode(), explanation.reference_text.encode() + b" "
    ppm = PPMCompressor()
    expected = ppm.code_lengths(b"", query) - ppm.code_lengths(context, query)
    np.testing.assert_allclose(explanation.byte_savings, expected, rtol=1e-12)
    alone = 8 * ppm.compressed_size(query)
    after = 8 * (
        ppm.compressed_sizes_with_prefix(context, [query])[0] - ppm.compressed_size(context)
    )
    assert explanation.byte_savings.sum() == pytest.approx(alone - after)


def test_a_stream_compressor_gives_the_marginal_sizes_of_the_query_bytes(tiny_news):
    explanation = NCDClassifier("gzip", k=3).fit(*tiny_news).explain(QUERY)
    assert explanation.method == "marginal size"
    query, context = QUERY.encode(), explanation.reference_text.encode() + b" "
    gzip = GzipCompressor()
    alone = gzip.compressed_size(query) - gzip.compressed_size(b"")
    after = gzip.compressed_size(context + query) - gzip.compressed_size(context)
    assert explanation.byte_savings.shape == (len(query),)
    assert explanation.byte_savings.sum() == pytest.approx(8 * (alone - after))


def word_bounds(text: str) -> list[tuple[int, int]]:
    """Byte ranges of the words of an ASCII text, each with the spaces after it."""
    return [(match.start(), match.end()) for match in re.finditer(r"\S+\s*", text)]


def test_the_spans_are_the_runs_of_saving_words_that_saved_the_most(ncd_ppm):
    explanation = ncd_ppm.explain(QUERY, n_spans=3)
    savings = explanation.byte_savings
    saved = {bounds: savings[slice(*bounds)].sum() > 0 for bounds in word_bounds(QUERY)}
    starts = {start: bounds for bounds in saved for start in [bounds[0]]}
    stops = {stop: bounds for bounds in saved for stop in [bounds[1]]}
    assert 1 <= len(explanation.spans) <= 3
    assert np.all(np.diff(explanation.span_savings) <= 0), "largest first"
    for (start, stop), bits in zip(explanation.spans, explanation.span_savings, strict=True):
        inside = [bounds for bounds in saved if start <= bounds[0] and bounds[1] <= stop]
        assert all(saved[bounds] for bounds in inside), "every word of a span saved bits"
        assert start == 0 or not saved[stops[start]], "runs are maximal"
        assert stop == len(savings) or not saved[starts[stop]]
        assert bits == pytest.approx(savings[start:stop].sum())


def test_an_empty_query_and_a_non_ascii_one_are_explained(ncd_ppm):
    assert ncd_ppm.explain("").byte_savings.shape == (0,)
    assert ncd_ppm.explain("").spans.shape == (0, 2)
    text = "Caf\u00e9 \u00fcber \U0001f600 goal"
    explanation = ncd_ppm.explain(text)
    assert explanation.byte_savings.shape == (len(text.encode()),)
    assert "\U0001f600" in explanation.to_html()


def test_the_hf_compressor_is_refused_with_a_reason(tiny_news, tiny_causal_lm):
    clf = NCDClassifier(HuggingFaceCompressor(tiny_causal_lm), k=1).fit(*tiny_news)
    with pytest.raises(NotImplementedError, match="a token's bits have no share per byte"):
        clf.explain(QUERY)


# CompressionClassifier.explain


@pytest.mark.parametrize(
    "params",
    [{}, {"n_dictionaries": 3}, {"max_class_bytes": 300}],
    ids=["one-dictionary", "three-dictionaries", "max-class-bytes"],
)
def test_the_bytes_of_each_class_add_up_to_the_cost_the_classifier_uses(tiny_news, params):
    clf = CompressionClassifier("ppm", **params).fit(*tiny_news)
    for text in (QUERY, "Caf\u00e9 prices \U0001f600 rose.", ""):
        explanation = clf.explain(text)
        assert isinstance(explanation, ClassCostExplanation)
        assert explanation.byte_bits.shape == (3, len(text.encode()))
        expected = clf.extra_bits([text])[0]
        np.testing.assert_allclose(explanation.byte_bits.sum(axis=1), expected, rtol=1e-9)
        np.testing.assert_array_equal(explanation.class_bits, expected)


@pytest.mark.parametrize("case", ["lm", "lm-cache"])
def test_the_language_model_bytes_add_up_too(tiny_news, case, request):
    clf = CompressionClassifier(build_compressor(case, request)).fit(*tiny_news)
    explanation = clf.explain(QUERY)
    expected = clf.extra_bits([QUERY])[0]
    # The network computes in float32, and a batch of one query rounds differently from a
    # batch of several on some CPUs: agreement to float32 precision, not float64.
    np.testing.assert_allclose(explanation.byte_bits.sum(axis=1), expected, rtol=1e-6)


def test_the_predicted_class_and_the_runner_up_are_the_two_cheapest(tiny_news):
    clf = CompressionClassifier("ppm").fit(*tiny_news)
    explanation = clf.explain(QUERY)
    assert explanation.predicted == clf.predict([QUERY])[0] == "sport"
    order = np.argsort(explanation.class_bits)
    assert explanation.runner_up == clf.classes_[order[1]]
    classes = clf.classes_.tolist()
    np.testing.assert_array_equal(
        explanation.byte_savings,
        explanation.byte_bits[classes.index(explanation.runner_up)]
        - explanation.byte_bits[classes.index("sport")],
    )
    start, stop = explanation.spans[0]
    assert explanation.byte_savings[start:stop].sum() == explanation.span_savings.max()


def test_stream_compressors_and_single_classes_are_refused(tiny_news):
    texts, labels = tiny_news
    with pytest.raises(
        TypeError, match=r"codes byte by byte \(ppm, cm or lm\), got ZstdCompressor"
    ):
        CompressionClassifier("zstd").fit(texts, labels).explain(QUERY)
    with pytest.raises(ValueError, match="knows one class"):
        CompressionClassifier("ppm").fit(texts[:8], labels[:8]).explain(QUERY)


@pytest.mark.parametrize(
    "explain",
    [NCDClassifier(k=1).explain, CompressionClassifier("ppm").explain],
    ids=["NCDClassifier", "CompressionClassifier"],
)
def test_explain_takes_one_text(tiny_news, explain):
    explain.__self__.fit(*tiny_news)
    with pytest.raises(TypeError, match=r"explain takes one text \(a str\), got list"):
        explain([QUERY])


# HTML


def test_the_html_escapes_the_texts_and_labels():
    texts = [SCRIPT, "shares fell <b>sharply</b>", "a goal & a <script> win", "bank rates"]
    labels = ["<i>sport</i>", "business", "<i>sport</i>", "business"]
    for clf in (NCDClassifier(k=2), CompressionClassifier("ppm")):
        html = clf.fit(texts, labels).explain(SCRIPT).to_html()
        assert "<script>" not in html
        assert "<b>sharply" not in html
        assert "<i>" not in html
        assert "&lt;" in html and "&amp;" in html and "&lt;i&gt;sport&lt;/i&gt;" in html


def test_jupyter_shows_the_html(ncd_ppm, tiny_news):
    class_costs = CompressionClassifier("ppm").fit(*tiny_news)
    for explanation in (ncd_ppm.explain(QUERY), class_costs.explain(QUERY)):
        assert explanation._repr_html_() == explanation.to_html()
        assert explanation.to_html().startswith("<div")


def test_the_query_is_shown_whole_and_darkest_where_it_saved_the_most(ncd_ppm):
    explanation = ncd_ppm.explain(QUERY)
    highlighted = explanation.to_html().split("<table")[0]
    runs = re.findall(r"<span([^>]*)>([^<]*)</span>", highlighted)
    assert "".join(text for _, text in runs) == QUERY
    darkest = [text for style, text in runs if "44, 1.0)" in style]
    savings = [explanation.byte_savings[slice(*bounds)].sum() for bounds in word_bounds(QUERY)]
    assert darkest == [QUERY[slice(*word_bounds(QUERY)[int(np.argmax(savings))])]]


def test_words_are_located_by_their_utf8_bytes():
    from npc_classify._explanation import words

    assert words("café au lait") == [("café ", 0, 6), ("au ", 6, 9), ("lait", 9, 13)]


def test_a_word_that_saved_nothing_ends_a_run_of_saving_words():
    from npc_classify._explanation import saving_spans

    spans, saved = saving_spans("aa bb cc", np.array([1.0, 1, 1, 0, 0, 0, 1, 1]), 3)
    assert spans.tolist() == [[0, 3], [6, 8]]
    assert saved.tolist() == [3.0, 2.0]
