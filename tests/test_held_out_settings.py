"""CompressionClassifier's temperature="auto" and class_offsets="auto": fitted on held-out
training texts."""

from __future__ import annotations

import pickle
import re
import warnings

import numpy as np
import pytest
from scipy.special import softmax
from sklearn.calibration import CalibratedClassifierCV
from sklearn.metrics import log_loss

from npc_classify import CompressionClassifier, load_model, save_model
from npc_classify._compression_classifier import (
    AUTO_TEMPERATURES,
    OFFSET_PENALTY,
    _HeldOutFold,
    _least_log_loss_softmax,
)

QUERIES = [
    "the striker scored twice in the final",
    "profits rose as the bank cut costs",
    "the telescope found a distant planet",
    "a late goal won the cup for the club",
]


def held_out_bits(texts, labels, **params):
    """Each training text's class bits under class texts of the other two folds (the folds
    ``"auto"`` cuts), by hand; every fold of ``tiny_news`` holds every class."""
    fold = np.random.default_rng(0).permutation(len(texts)) % 3
    rows = []
    for i, text in enumerate(texts):
        kept = fold != fold[i]
        clf = CompressionClassifier("zstd", **params).fit(
            [t for t, k in zip(texts, kept, strict=True) if k],
            [lab for lab, k in zip(labels, kept, strict=True) if k],
        )
        rows.append(clf.class_bits([text])[0])
    return np.array(rows), clf.classes_


def test_auto_takes_the_temperature_of_least_held_out_log_loss(tiny_news):
    texts, labels = tiny_news
    clf = CompressionClassifier("zstd", temperature="auto").fit(texts, labels)
    bits, classes = held_out_bits(texts, labels)

    def loss(temperature):
        return log_loss(labels, softmax(-bits / temperature, axis=1), labels=classes)

    chosen = clf.temperature_
    assert AUTO_TEMPERATURES[0] < chosen < AUTO_TEMPERATURES[1]
    grid = np.geomspace(*AUTO_TEMPERATURES, 2000)
    assert loss(chosen) <= min(loss(t) for t in grid) + 1e-6
    assert loss(chosen) < loss(chosen * 1.05) and loss(chosen) < loss(chosen / 1.05)
    assert loss(chosen) < loss(1.0)  # the default's probabilities, all but 0 or 1


def test_auto_changes_the_probabilities_and_nothing_else(tiny_news):
    auto = CompressionClassifier("zstd", temperature="auto").fit(*tiny_news)
    fixed = CompressionClassifier("zstd").fit(*tiny_news)
    assert fixed.temperature_ == 1.0
    bits = fixed.class_bits(QUERIES)
    np.testing.assert_array_equal(auto.class_bits(QUERIES), bits)
    np.testing.assert_array_equal(auto.predict(QUERIES), fixed.predict(QUERIES))
    expected = softmax(-bits / auto.temperature_, axis=1)
    np.testing.assert_allclose(auto.predict_proba(QUERIES), expected)
    assert not hasattr(auto, "cv_accuracy_")  # n_dictionaries was not cross-validated


def test_auto_reads_the_held_out_bits_of_the_chosen_number_of_groups(tiny_news, monkeypatch):
    texts, labels = tiny_news
    calls = []
    cross_validate = CompressionClassifier._cross_validate

    def counted(self, *args):
        calls.append(args[2])
        return cross_validate(self, *args)

    monkeypatch.setattr(CompressionClassifier, "_cross_validate", counted)
    clf = CompressionClassifier("zstd", n_dictionaries="auto", temperature="auto")
    clf.fit(texts, labels)
    assert len(calls) == 1  # one cross-validation chooses both
    alone = CompressionClassifier("zstd", n_dictionaries=clf.n_dictionaries_, temperature="auto")
    assert alone.fit(texts, labels).temperature_ == pytest.approx(clf.temperature_, rel=1e-12)
    assert calls[1] == (clf.n_dictionaries_,)


def test_auto_fits_the_complement_scores(tiny_news):
    texts, labels = tiny_news
    clf = CompressionClassifier("zstd", complement=1.0, temperature="auto").fit(texts, labels)
    bits, classes = held_out_bits(texts, labels, complement=1.0)

    def loss(temperature):
        return log_loss(labels, softmax(-bits / temperature, axis=1), labels=classes)

    chosen = clf.temperature_
    assert loss(chosen) < min(loss(chosen * 1.05), loss(chosen / 1.05))


def test_partial_fit_keeps_the_first_fits_temperature(tiny_news):
    texts, labels = tiny_news
    clf = CompressionClassifier("zstd", temperature="auto").fit(texts, labels)
    chosen = clf.temperature_
    clf.partial_fit(texts[:3], labels[:3])
    assert clf.temperature_ == chosen
    assert clf.fit(texts[:12], labels[:12]).temperature_ != chosen  # a new fit chooses anew


def test_without_a_held_out_text_of_a_known_class_auto_keeps_one_bit_and_says_so():
    with pytest.warns(UserWarning, match=r'"auto" found no held-out training text') as caught:
        clf = CompressionClassifier("zstd", temperature="auto").fit(["a b", "c d"], ["x", "y"])
    assert caught[0].filename == __file__
    assert clf.temperature_ == 1.0


@pytest.mark.parametrize(
    "params, consequence",
    [
        ({"temperature": "auto"}, "every probability is close to 1 / n_classes"),
        ({"class_offsets": "auto"}, "the class offsets outweigh every text's bits"),
    ],
)
def test_held_out_classes_told_apart_no_better_than_chance_are_warned_of(params, consequence):
    rng = np.random.RandomState(0)
    words = "goal match team shares bank market planet star vote".split()
    texts = [" ".join(rng.choice(words, 5)) for _ in range(24)]
    labels = rng.choice(["a", "b"], 24)  # no relation between a text and its label
    with pytest.warns(UserWarning) as caught:
        clf = CompressionClassifier("ppm", **params).fit(texts, labels)
    message = str(caught[0].message)
    assert caught[0].filename == __file__, "the warning points at the line that fitted"
    assert message.startswith('"auto" fitted the held-out training texts best at the largest')
    assert consequence in message
    if "temperature" in params:
        assert clf.temperature_ == AUTO_TEMPERATURES[1]
    else:  # the offsets decide: every text gets the class held out most often
        assert set(clf.predict(texts)) == {"a"} and np.sum(labels == "a") == 16


def test_a_temperature_within_its_bounds_is_not_warned_of(tiny_news):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        clf = CompressionClassifier("zstd", temperature="auto").fit(*tiny_news)
    assert AUTO_TEMPERATURES[0] < clf.temperature_ < AUTO_TEMPERATURES[1]


def test_auto_shows_its_cross_validation_progress(tiny_news, capsys):
    CompressionClassifier("zstd", temperature="auto", progress=True).fit(*tiny_news)
    assert re.search(r'temperature="auto" CV: 100%.* 3/3', capsys.readouterr().err)


@pytest.mark.parametrize("params", [{"temperature": "auto"}, {"class_offsets": "auto"}])
def test_what_auto_fitted_is_saved_with_the_model(tiny_news, tmp_path, params):
    pytest.importorskip("skops")
    clf = CompressionClassifier("zstd", **params).fit(*tiny_news)
    save_model(clf, tmp_path / "model.skops")
    loaded = load_model(tmp_path / "model.skops")
    assert loaded.temperature_ == clf.temperature_
    np.testing.assert_array_equal(loaded.class_offsets_, clf.class_offsets_)
    np.testing.assert_array_equal(loaded.predict_proba(QUERIES), clf.predict_proba(QUERIES))


def test_a_classifier_pickled_before_temperature_was_fitted_uses_its_temperature(tiny_news):
    clf = CompressionClassifier("zstd", temperature=3.0).fit(*tiny_news)
    state = dict(clf.__getstate__())  # a copy: the estimator's own dict otherwise
    del state["temperature_"]
    restored = CompressionClassifier.__new__(CompressionClassifier)
    restored.__setstate__(state)
    assert restored.temperature_ == 3.0
    np.testing.assert_array_equal(restored.predict_proba(QUERIES), clf.predict_proba(QUERIES))


@pytest.mark.parametrize("temperature", [0.0, -1.0, float("inf"), "auto", None])
def test_a_state_with_a_bad_fitted_temperature_is_refused(tiny_news, temperature):
    clf = CompressionClassifier("zstd").fit(*tiny_news)
    clf.temperature_ = temperature
    with pytest.raises(ValueError, match="temperature_ is not a positive finite float"):
        pickle.loads(pickle.dumps(clf))


def test_scikit_learns_calibrators_read_the_decision_scores(tiny_news):
    texts, labels = tiny_news
    calibrated = CalibratedClassifierCV(
        CompressionClassifier("zstd"), method="sigmoid", cv=3, ensemble=False
    ).fit(texts, labels)
    proba = calibrated.predict_proba(QUERIES)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert calibrated.classes_.tolist() == sorted(set(labels))


# --- class offsets -----------------------------------------------------------------------


def penalised_loss(bits, labels, classes, temperature, offsets):
    """What class_offsets="auto" minimises: the mean log loss of softmax((offsets - bits) /
    temperature), plus the penalty on the squared offsets in units of the temperature."""
    proba = softmax((offsets - bits) / temperature, axis=1)
    shift = offsets / temperature
    return log_loss(labels, proba, labels=classes) + OFFSET_PENALTY * shift @ shift


def test_auto_offsets_and_temperature_minimise_the_penalised_held_out_log_loss(tiny_news):
    texts, labels = tiny_news
    clf = CompressionClassifier("zstd", temperature="auto", class_offsets="auto")
    clf.fit(texts, labels)
    bits, classes = held_out_bits(texts, labels)
    temperature, offsets = clf.temperature_, clf.class_offsets_
    assert offsets.shape == (3,) and offsets.any()
    best = penalised_loss(bits, labels, classes, temperature, offsets)
    assert best < penalised_loss(bits, labels, classes, temperature, 0 * offsets)
    for scale in (1.001, 1 / 1.001):
        assert best < penalised_loss(bits, labels, classes, temperature * scale, offsets)
    for j in range(3):
        for step in (0.01, -0.01):
            moved = offsets.copy()
            moved[j] += step
            assert best < penalised_loss(bits, labels, classes, temperature, moved)


def test_offsets_are_subtracted_from_the_costs_every_prediction_compares(tiny_news):
    plain = CompressionClassifier("zstd", temperature=4.0).fit(*tiny_news)
    assert plain.class_offsets_.tolist() == [0.0, 0.0, 0.0]
    clf = CompressionClassifier("zstd", temperature=4.0, class_offsets="auto").fit(*tiny_news)
    assert clf.temperature_ == 4.0  # fitted with the offsets, but not asked for
    bits = clf.extra_bits(QUERIES) - clf.class_offsets_
    np.testing.assert_allclose(clf.class_bits(QUERIES), bits)
    np.testing.assert_allclose(
        clf.class_bits(QUERIES), plain.class_bits(QUERIES) - clf.class_offsets_
    )
    np.testing.assert_array_equal(clf.predict(QUERIES), clf.classes_[bits.argmin(axis=1)])
    np.testing.assert_allclose(clf.predict_proba(QUERIES), softmax(-bits / 4.0, axis=1))
    np.testing.assert_allclose(
        clf.decision_function(QUERIES), bits.mean(axis=1, keepdims=True) - bits
    )


def test_offsets_also_correct_the_complement_scores(tiny_news):
    texts, labels = tiny_news
    clf = CompressionClassifier("zstd", complement=1.0, class_offsets="auto").fit(texts, labels)
    plain = CompressionClassifier("zstd", complement=1.0).fit(texts, labels)
    np.testing.assert_allclose(
        clf.class_bits(QUERIES), plain.class_bits(QUERIES) - clf.class_offsets_
    )


def test_a_class_that_partial_fit_adds_gets_offset_zero(tiny_news):
    texts, labels = tiny_news
    clf = CompressionClassifier("zstd", class_offsets="auto").fit(texts, labels)
    fitted = dict(zip(clf.classes_.tolist(), clf.class_offsets_.tolist(), strict=True))
    clf.partial_fit(["a new kind of text about cooking"], ["cooking"])
    offsets = dict(zip(clf.classes_.tolist(), clf.class_offsets_.tolist(), strict=True))
    assert offsets == {**fitted, "cooking": 0.0}
    assert clf.class_bits(QUERIES).shape == (len(QUERIES), 4)


def test_offsets_change_the_bits_fingerprint_and_no_offsets_do_not(tiny_news):
    plain = CompressionClassifier("zstd").fit(*tiny_news)
    offset = CompressionClassifier("zstd", class_offsets="auto").fit(*tiny_news)
    tempered = CompressionClassifier("zstd", temperature="auto").fit(*tiny_news)
    assert offset.bits_fingerprint(QUERIES) != plain.bits_fingerprint(QUERIES)
    assert tempered.bits_fingerprint(QUERIES) == plain.bits_fingerprint(QUERIES)


def test_the_explanation_predicts_as_the_offsets_do(tiny_news):
    clf = CompressionClassifier("ppm", class_offsets="auto").fit(*tiny_news)
    for query in QUERIES:
        explanation = clf.explain(query)
        assert explanation.predicted == clf.predict([query])[0]
        np.testing.assert_allclose(explanation.class_bits, clf.class_bits([query])[0])
        np.testing.assert_allclose(
            explanation.byte_bits.sum(axis=1) - clf.class_offsets_, explanation.class_bits
        )


def test_offsets_show_their_cross_validation_progress(tiny_news, capsys):
    CompressionClassifier("zstd", class_offsets="auto", progress=True).fit(*tiny_news)
    assert re.search(r'class_offsets="auto" CV: 100%.* 3/3', capsys.readouterr().err)


@pytest.mark.parametrize("offsets", [False, True], ids=["temperature", "offsets"])
def test_a_held_out_text_whose_class_the_other_folds_lack_is_left_out(offsets):
    classes = np.array(["a", "b", "c"])
    truth = np.array(["a", "b", "c", "a", "b", "a"])  # the other folds hold no "c"
    bits = np.random.default_rng(0).normal(50, 10, (len(truth), 2))
    known = truth != "c"
    fold = _HeldOutFold(classes[:2], truth, {1: bits})
    without = _HeldOutFold(classes[:2], truth[known], {1: bits[known]})
    temperature, class_offsets = _least_log_loss_softmax([fold], 1, classes, offsets)
    expected_temperature, expected_offsets = _least_log_loss_softmax(
        [without], 1, classes, offsets
    )
    assert temperature == expected_temperature
    np.testing.assert_array_equal(class_offsets, expected_offsets)


def test_without_a_held_out_text_of_a_known_class_there_are_no_offsets():
    with pytest.warns(UserWarning, match=r'"auto" found no held-out training text'):
        clf = CompressionClassifier("zstd", class_offsets="auto").fit(["a b", "c d"], ["x", "y"])
    assert clf.class_offsets_.tolist() == [0.0, 0.0]


def test_a_classifier_pickled_before_class_offsets_existed_has_none(tiny_news):
    clf = CompressionClassifier("zstd").fit(*tiny_news)
    state = dict(clf.__getstate__())  # a copy: the estimator's own dict otherwise
    del state["class_offsets"], state["class_offsets_"]
    restored = CompressionClassifier.__new__(CompressionClassifier)
    restored.__setstate__(state)
    assert restored.class_offsets is None
    assert restored.class_offsets_.tolist() == [0.0, 0.0, 0.0]
    np.testing.assert_array_equal(restored.class_bits(QUERIES), clf.class_bits(QUERIES))


@pytest.mark.parametrize(
    "offsets",
    [np.zeros(2), np.array([0.0, np.nan, 1.0]), np.array([0, 1, 2]), [0.0, 0.0, 0.0]],
    ids=["too few", "nan", "ints", "a list"],
)
def test_a_state_with_bad_class_offsets_is_refused(tiny_news, offsets):
    clf = CompressionClassifier("zstd").fit(*tiny_news)
    clf.class_offsets_ = offsets
    with pytest.raises(ValueError, match="class_offsets_ is not one finite float per class"):
        pickle.loads(pickle.dumps(clf))
