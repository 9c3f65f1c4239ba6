"""CompressionClassifier(complement=R): each class scored against the other classes' texts."""

from __future__ import annotations

import pickle

import numpy as np
import pytest
from scipy.special import softmax
from sklearn.utils._param_validation import InvalidParameterError

from npc_classify import CompressionClassifier
from npc_classify._compression_classifier import AUTO_DICTIONARIES
from npc_classify.compressors import CMCompressor, ZstdCompressor

QUERIES = [
    "The goalkeeper saved a penalty in the cup final.",
    "Profits fell and shares slumped at the bank.",
    "The telescope found a planet around a distant star.",
]

#: Every text is 10 characters long, so lengths are easy to count.
TEXTS = ["aa first 1", "aa second2", "bb first 1", "bb second2", "bb third 3", "bb fourth4",
         "cc first 1", "cc second2"]  # fmt: skip
LABELS = ["a", "a", "b", "b", "b", "b", "c", "c"]


def cm_bits(context: str, queries: list[str]) -> np.ndarray:
    """Bits of each query coded by CM after ``context``: every byte of the context and
    their order change them (zstd's sizes, in whole bytes, are the same for all these
    contexts; PPM's counts do not see the order of two texts)."""
    encoded = [q.encode() for q in queries]
    return 8.0 * CMCompressor().conditional_sizes(context.encode(), encoded)


def test_the_bits_these_tests_compare_tell_every_complement_apart():
    complements = [
        "bb first 1\ncc first 1\nbb second2\nbb third 3\ncc second2\nbb fourth4\n",
        "cc first 1\nbb first 1\nbb second2\nbb third 3\ncc second2\nbb fourth4\n",
        "bb fourth4\n",
        "cc second2\nbb fourth4\n",
        "bb third 3\ncc second2\nbb fourth4\n",
        "",
    ]
    bits = {tuple(cm_bits(complement, QUERIES)) for complement in complements}
    assert len(bits) == len(complements)


def test_the_complement_text_spreads_each_other_class_evenly_in_its_own_order():
    clf = CompressionClassifier("cm", complement=float("inf")).fit(TEXTS, LABELS)
    # Of class a: b's four texts sit at 1/8, 3/8, 5/8, 7/8 of it, c's two at 1/4 and 3/4.
    expected = "bb first 1\ncc first 1\nbb second2\nbb third 3\ncc second2\nbb fourth4\n"
    np.testing.assert_array_equal(clf.complement_bits(QUERIES)[:, 0], cm_bits(expected, QUERIES))


def test_texts_at_the_same_place_in_their_classes_follow_the_order_of_the_labels():
    texts = ["aa first 1", "aa second2", "cc first 1", "cc second2", "bb first 1", "bb second2"]
    clf = CompressionClassifier("cm", complement=float("inf"))
    clf.fit(texts, ["a", "a", "c", "c", "b", "b"])
    expected = "bb first 1\ncc first 1\nbb second2\ncc second2\n"  # b's and c's at 1/4, 3/4
    np.testing.assert_array_equal(clf.complement_bits(QUERIES)[:, 0], cm_bits(expected, QUERIES))
    swapped = "cc first 1\nbb first 1\ncc second2\nbb second2\n"
    assert not np.array_equal(cm_bits(swapped, QUERIES), cm_bits(expected, QUERIES))


@pytest.mark.parametrize(
    ("ratio", "expected"),
    [
        (0.01, "bb fourth4\n"),  # always at least the most recent text
        (1.0, "cc second2\nbb fourth4\n"),  # 20 characters: class a's length
        (1.05, "bb third 3\ncc second2\nbb fourth4\n"),  # the text that crosses it is kept
    ],
)
def test_the_complement_keeps_the_most_recent_texts_up_to_ratio_times_the_class(ratio, expected):
    clf = CompressionClassifier("cm", complement=ratio).fit(TEXTS, LABELS)
    np.testing.assert_array_equal(clf.complement_bits(QUERIES)[:, 0], cm_bits(expected, QUERIES))


def test_the_complement_is_split_into_groups_like_the_class_text():
    clf = CompressionClassifier("cm", complement=float("inf"), n_dictionaries=2)
    clf.fit(TEXTS, LABELS)
    halves = ["bb first 1\ncc first 1\nbb second2\n", "bb third 3\ncc second2\nbb fourth4\n"]
    expected = np.mean([cm_bits(half, QUERIES) for half in halves], axis=0)
    np.testing.assert_array_equal(clf.complement_bits(QUERIES)[:, 0], expected)


@pytest.mark.parametrize("compressor", ["zstd", "ppm"])
def test_predictions_compare_the_bits_the_class_saves_against_its_complement(
    tiny_news, compressor
):
    clf = CompressionClassifier(compressor, complement=2.0, temperature=3.0).fit(*tiny_news)
    bits = clf.class_bits(QUERIES)
    np.testing.assert_allclose(bits, clf.extra_bits(QUERIES) - clf.complement_bits(QUERIES))
    assert clf.predict(QUERIES).tolist() == clf.classes_[bits.argmin(axis=1)].tolist()
    np.testing.assert_allclose(clf.predict_proba(QUERIES), softmax(-bits / 3.0, axis=1))
    np.testing.assert_allclose(
        clf.decision_function(QUERIES), bits.mean(axis=1, keepdims=True) - bits
    )
    assert clf.predict(QUERIES).tolist() == ["sport", "business", "science"]


def test_without_complement_a_class_is_scored_by_its_own_text(tiny_news):
    clf = CompressionClassifier("zstd").fit(*tiny_news)
    np.testing.assert_array_equal(clf.class_bits(QUERIES), clf.extra_bits(QUERIES))
    with pytest.raises(ValueError, match=r"complement=None; set complement"):
        clf.complement_bits(QUERIES)


def test_with_two_classes_the_whole_complement_is_the_other_class(tiny_news):
    texts, labels = tiny_news
    kept = [i for i, label in enumerate(labels) if label in ("business", "sport")]
    X, y = [texts[i] for i in kept], [labels[i] for i in kept]
    plain = CompressionClassifier("ppm").fit(X, y)
    clf = CompressionClassifier("ppm", complement=float("inf")).fit(X, y)
    extra = plain.extra_bits(QUERIES)
    np.testing.assert_allclose(clf.complement_bits(QUERIES), extra[:, ::-1])
    np.testing.assert_allclose(
        clf.decision_function(QUERIES), 2 * plain.decision_function(QUERIES)
    )
    assert clf.predict(QUERIES).tolist() == plain.predict(QUERIES).tolist()


def test_auto_dictionaries_cross_validate_the_complement_scores(tiny_news):
    """Each candidate's accuracy is that of a classifier with the same complement, by hand."""
    texts, labels = tiny_news
    clf = CompressionClassifier("zstd", n_dictionaries="auto", complement=1.0)
    clf.fit(texts, labels)
    fold = np.random.default_rng(0).permutation(len(texts)) % 3
    for n in AUTO_DICTIONARIES:
        right = 0
        for i, text in enumerate(texts):
            kept = fold != fold[i]
            held = CompressionClassifier("zstd", n_dictionaries=n, complement=1.0).fit(
                [t for t, k in zip(texts, kept, strict=True) if k],
                [lab for lab, k in zip(labels, kept, strict=True) if k],
            )
            right += held.predict([text])[0] == labels[i]
        assert clf.cv_accuracy_[n] == right / len(texts)


@pytest.mark.parametrize("compressor", ["ppm", "cm"])
def test_the_explanation_adds_up_to_the_bits_predictions_compare(tiny_news, compressor):
    clf = CompressionClassifier(compressor, complement=2.0).fit(*tiny_news)
    explanation = clf.explain(QUERIES[1])
    np.testing.assert_allclose(explanation.class_bits, clf.class_bits(QUERIES[1:2])[0])
    np.testing.assert_allclose(explanation.byte_bits.sum(axis=1), explanation.class_bits)
    assert explanation.predicted == clf.predict(QUERIES[1:2])[0]


def test_a_complement_set_after_fit_takes_effect_at_the_next_fit(tiny_news):
    clf = CompressionClassifier(ZstdCompressor()).fit(*tiny_news)
    before = clf.class_bits(QUERIES)
    clf.set_params(complement=8)
    np.testing.assert_array_equal(clf.class_bits(QUERIES), before)
    assert clf.complement_ is None
    with pytest.raises(ValueError, match="was fitted with complement=None"):
        clf.complement_bits(QUERIES)
    refitted = clf.fit(*tiny_news)
    assert refitted.complement_ == 8
    expected = refitted.extra_bits(QUERIES) - refitted.complement_bits(QUERIES)
    np.testing.assert_array_equal(refitted.class_bits(QUERIES), expected)


def test_a_classifier_pickled_before_its_fitted_complement_existed_keeps_its_scoring(
    tiny_news,
):
    clf = CompressionClassifier(ZstdCompressor(), complement=8).fit(*tiny_news)
    state = dict(clf.__getstate__())
    del state["complement_"]
    restored = CompressionClassifier.__new__(CompressionClassifier)
    restored.__setstate__(state)
    assert restored.complement_ == 8
    np.testing.assert_array_equal(restored.class_bits(QUERIES), clf.class_bits(QUERIES))


def test_a_classifier_pickled_before_complement_existed_scores_its_own_text(tiny_news):
    clf = CompressionClassifier("zstd").fit(*tiny_news)
    state = dict(clf.__getstate__())  # a copy: the estimator's own dict otherwise
    del state["complement"]
    restored = CompressionClassifier.__new__(CompressionClassifier)
    restored.__setstate__(state)
    assert restored.complement is None
    np.testing.assert_array_equal(restored.class_bits(QUERIES), clf.class_bits(QUERIES))
    again = pickle.loads(pickle.dumps(CompressionClassifier("zstd", complement=4.0)))
    assert again.complement == 4.0


@pytest.mark.parametrize("value", [0, -1.0, float("nan"), "4"])
def test_a_complement_other_than_a_positive_number_or_none_is_refused(tiny_news, value):
    message = (
        r"The 'complement' parameter of CompressionClassifier must be a float in the "
        r"range \(0.0, inf\] or None"
    )
    with pytest.raises(InvalidParameterError, match=message):
        CompressionClassifier(complement=value).fit(*tiny_news)


def test_a_lone_class_is_scored_against_an_empty_complement():
    clf = CompressionClassifier("cm", complement=4.0).fit(["aa first 1", "aa second2"], ["a", "a"])
    np.testing.assert_array_equal(clf.complement_bits(QUERIES)[:, 0], cm_bits("", QUERIES))
    assert clf.predict(QUERIES).tolist() == ["a"] * len(QUERIES)


@pytest.mark.parametrize("complement", [0.5, 8, float("inf")])
@pytest.mark.parametrize("compressor", ["ppm", "gzip"])
def test_a_declared_class_without_texts_is_scored_against_a_complement_of_typical_size(
    tiny_news, compressor, complement
):
    """Not against an empty one, which would give it 0 bits for every query: below the
    real classes whenever their complements code a query better than their texts do."""
    texts, labels = tiny_news
    clf = CompressionClassifier(compressor, complement=complement)
    clf.partial_fit(texts, labels, classes=[*sorted(set(labels)), "unseen"])
    bits = clf.class_bits(texts)
    assert np.all(bits[:, -1] >= 0) and bits[:, -1].mean() > 0
    assert "unseen" not in clf.predict(texts).tolist()


def test_an_empty_class_complement_has_the_mean_length_of_the_classes_with_text():
    from npc_classify._compression_classifier import _complement

    by_class = {"a": [b"x" * 10] * 10, "b": [b"y" * 10] * 30, "e": [b""]}
    assert sum(map(len, _complement(by_class, "e", 1.0))) == 200  # mean of 100 and 300


def test_a_class_of_empty_texts_is_scored_against_a_complement_of_typical_size(tiny_news):
    texts, labels = tiny_news
    clf = CompressionClassifier("ppm", complement=8).fit([*texts, ""], [*labels, "empty"])
    assert clf.class_bits(texts)[:, 0].mean() > 0  # "empty" sorts first
    assert "empty" not in clf.predict(texts).tolist()
