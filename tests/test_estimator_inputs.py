"""What both estimators accept and refuse as input, as scikit-learn's classifiers do."""

from __future__ import annotations

import warnings
import zlib
from collections.abc import Callable

import numpy as np
import pytest
from sklearn.exceptions import DataConversionWarning
from sklearn.model_selection import GridSearchCV

from npc_classify import (
    CompressionClassifier,
    NCDClassifier,
    NCDRegressor,
    NCDTransformer,
    get_compressor,
    pairwise_ncd,
)
from npc_classify.compressors import Compressor

TEXTS = ["the striker scored", "the keeper saved", "shares fell", "profits slumped"]
LABELS = ["sport", "sport", "business", "business"]
ESTIMATORS = [NCDClassifier, CompressionClassifier]


def build(cls, **params):
    return cls(**({"k": 1} if cls is NCDClassifier else {}), **params)


@pytest.fixture(params=ESTIMATORS, ids=lambda cls: cls.__name__)
def estimator_class(request):
    return request.param


def test_a_dataframe_as_x_is_refused_with_its_columns_named(estimator_class):
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame({"text": TEXTS})
    with pytest.raises(TypeError, match=r"DataFrame with columns \['text'\].*X\['text'\]"):
        build(estimator_class).fit(frame, LABELS)
    fitted = build(estimator_class).fit(TEXTS, LABELS)
    with pytest.raises(TypeError, match="DataFrame"):
        fitted.predict(frame)


def test_a_series_of_texts_is_accepted(estimator_class):
    pd = pytest.importorskip("pandas")
    fitted = build(estimator_class).fit(pd.Series(TEXTS), pd.Series(LABELS))
    assert fitted.predict(pd.Series(TEXTS)).tolist() == LABELS


@pytest.mark.parametrize(
    "unordered", [set, frozenset, dict.fromkeys], ids=["set", "frozenset", "dict"]
)
def test_unordered_texts_are_refused(estimator_class, unordered):
    with pytest.raises(TypeError, match=r"iteration order is arbitrary"):
        build(estimator_class).fit(unordered(TEXTS), LABELS)


def test_unordered_labels_are_refused(estimator_class):
    with pytest.raises(TypeError, match=r"y must be an ordered sequence .* got a set"):
        build(estimator_class).fit(TEXTS, {"sport", "business", "x", "y"})


@pytest.mark.parametrize(
    ("labels", "message"),
    [
        ([0.5, 1.5, 0.5, 2.5], "Unknown label type: continuous"),
        ([0.0, 1.0, np.inf, 1.0], "infinity"),
    ],
)
def test_continuous_or_infinite_targets_are_refused(estimator_class, labels, message):
    with pytest.raises(ValueError, match=message):
        build(estimator_class).fit(TEXTS, labels)


def test_integral_float_labels_are_classes(estimator_class):
    assert build(estimator_class).fit(TEXTS, [0.0, 0.0, 1.0, 1.0]).classes_.tolist() == [0, 1]


def test_one_text_per_class_fits_without_a_regression_warning(estimator_class):
    """One-shot learning over many classes (TREC's 50 fine ones): scikit-learn's guess
    that so many distinct labels are a regression target is wrong for class labels."""
    texts = [f"question number {i} about topic {i}" for i in range(30)]
    labels = [f"CLASS:{i}" for i in range(30)]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert len(build(estimator_class).fit(texts, labels).classes_) == 30


def test_a_column_vector_y_warns_and_works(estimator_class):
    with pytest.warns(DataConversionWarning, match="column-vector y"):
        fitted = build(estimator_class).fit(TEXTS, np.array([[0], [0], [1], [1]]))
    assert fitted.classes_.tolist() == [0, 1]


def test_labels_with_only_array_interface_are_accepted(estimator_class):
    class Labels:
        def __array__(self, dtype=None, copy=None):
            return np.array(LABELS)

    assert build(estimator_class).fit(TEXTS, Labels()).classes_.tolist() == ["business", "sport"]


def test_n_jobs_must_be_an_int():
    with pytest.raises(ValueError, match=r"The 'n_jobs' parameter of NCDClassifier .* Got 'a'"):
        NCDClassifier(k=1, n_jobs="a").fit(TEXTS, LABELS)


def test_a_compressor_setting_given_to_the_estimator_says_where_it_goes(estimator_class):
    name = estimator_class.__name__
    expected = rf"{name}\(get_compressor\('zstd', level=19\)\)"
    with pytest.raises(TypeError, match=expected):
        estimator_class("zstd", level=19)


@pytest.mark.parametrize("estimator_class", [NCDClassifier, NCDRegressor, NCDTransformer])
@pytest.mark.parametrize("compressor", ["ppm", "cm"])
def test_a_compressor_setting_under_a_name_the_estimator_shares_says_where_it_goes(
    estimator_class, compressor
):
    """NCD estimators have an ``order`` of their own (which text comes first): a PPM or CM
    order given to one is refused at fit with where it goes."""
    name = estimator_class.__name__
    estimator = build(estimator_class, compressor=compressor, order=5)
    expected = rf"Got 5 instead\..*{name}\(get_compressor\('{compressor}', order=5\)\)"
    with pytest.raises(ValueError, match=expected):
        estimator.fit(TEXTS, np.arange(len(TEXTS)) % 2)


def test_an_unknown_argument_is_still_a_type_error(estimator_class):
    with pytest.raises(TypeError, match=r"unexpected keyword arguments \['colour'\]"):
        estimator_class(colour="blue")


def test_tuning_a_setting_of_a_compressor_name_says_what_to_do(estimator_class):
    with pytest.raises(
        ValueError, match=r"compressor is the name 'zstd'.*get_compressor\('zstd'\)"
    ):
        build(estimator_class, compressor="zstd").set_params(compressor__level=3)


def test_a_grid_over_compressor_objects_tunes_their_settings(estimator_class):
    grid = {"compressor": [get_compressor("zstd", level=1), get_compressor("zstd", level=19)]}
    search = GridSearchCV(build(estimator_class), grid, cv=2).fit(TEXTS, LABELS)
    assert len(search.cv_results_["params"]) == 2


def test_predict_is_among_the_most_probable_classes_when_votes_tie():
    # k=2 with one neighbour of each class: the vote ties, predict settles it.
    clf = NCDClassifier(k=2).fit(TEXTS, LABELS)
    queries = ["the striker fell", "shares scored", "the keeper slumped"]
    proba = clf.predict_proba(queries)
    assert all((row == row.max()).sum() == 2 for row in proba), "every vote ties"
    predicted = clf.predict(queries)
    for row, label in zip(proba, predicted, strict=True):
        column = clf.classes_.tolist().index(label)
        assert row[column] == row.max()


@pytest.mark.parametrize(
    "missing",
    [None, float("nan"), "NaT", "NA", "Decimal-NaN"],
)
def test_every_kind_of_missing_label_is_named_as_missing(estimator_class, missing):
    if missing == "NaT" or missing == "NA":
        pd = pytest.importorskip("pandas")
        missing = pd.NaT if missing == "NaT" else pd.NA
    elif missing == "Decimal-NaN":
        from decimal import Decimal

        missing = Decimal("NaN")
    labels = [LABELS[0], LABELS[1], missing, LABELS[3]]
    with pytest.raises(ValueError, match=r"missing label .* at position 2"):
        build(estimator_class).fit(TEXTS, labels)


def test_a_tuple_is_not_one_label(estimator_class):
    with pytest.raises(TypeError, match=r"item 0 is a tuple: \(1, 2\)"):
        build(estimator_class).fit(TEXTS, [(1, 2), (3, 4), (1, 2), (3, 4)])


def test_a_set_is_not_one_label(estimator_class):
    pair, other = frozenset({"sport", "news"}), frozenset({"business"})
    with pytest.raises(TypeError, match=r"one label per text, .* item 0 is a frozenset"):
        build(estimator_class).fit(TEXTS, [pair, pair, other, other])


def broken_compressor(bad: float, poisoned: Callable[[bytes], bool]) -> Compressor:
    """zlib's sizes, but ``bad`` for the inputs ``poisoned`` picks."""

    class Broken(Compressor):
        def compress(self, data: bytes) -> bytes:
            return zlib.compress(data)

        def compressed_size(self, data: bytes) -> float:
            return bad if poisoned(data) else len(zlib.compress(data))

    return Broken()


@pytest.mark.parametrize("bad", [float("nan"), -3.0])
def test_a_compressor_returning_nan_or_negative_sizes_is_named(bad):
    with pytest.raises(ValueError, match=r"Broken\.compressed_sizes returned .* finite numbers"):
        NCDClassifier(broken_compressor(bad, lambda data: True), k=1).fit(TEXTS, LABELS)


@pytest.mark.parametrize("bad", [float("nan"), -3.0])
def test_a_bad_size_of_a_query_alone_is_named(bad):
    """The query's own size enters every distance of its row: never a silent NaN."""
    compressor = broken_compressor(bad, lambda data: data == b"odd query")
    message = r"Broken\.compressed_size returned .* finite numbers of bytes, at least 0"
    fitted = NCDClassifier(compressor, k=1).fit(TEXTS, LABELS)
    with pytest.raises(ValueError, match=message):
        fitted.predict(["odd query"])
    with pytest.raises(ValueError, match=message):
        pairwise_ncd(["odd query"], TEXTS, compressor=compressor)


@pytest.mark.parametrize("bad", [float("nan"), float("inf")])
def test_a_class_conditional_size_that_is_not_a_number_is_named(bad):
    """A NaN column would be picked by argmin: a silently wrong prediction. (A negative
    conditional size is a real outcome: a text can shorten its context's code.)"""
    compressor = broken_compressor(bad, lambda data: b"odd" in data)
    fitted = CompressionClassifier(compressor).fit(TEXTS, LABELS)
    message = r"Broken\.compressed_sizes_with_prefix returned .* finite numbers of bytes"
    with pytest.raises(ValueError, match=message):
        fitted.predict(["an odd query"])
    with pytest.raises(ValueError, match=message):
        fitted.class_bits(["an odd query"])


def one_size_only(method: str) -> Compressor:
    """zlib, but ``method`` gives one size whatever it is asked for."""

    def one_size(self, *args):
        return np.array([7.0])

    return type(
        "OneSizeOnly", (Compressor,), {"compress": staticmethod(zlib.compress), method: one_size}
    )()


@pytest.mark.parametrize(
    ("method", "use"),
    [
        ("compressed_sizes", lambda c: NCDClassifier(c, k=1).fit(TEXTS, LABELS)),
        ("compressed_sizes_with_prefix", lambda c: pairwise_ncd(["a goal"], TEXTS, compressor=c)),
        (
            "compressed_sizes_with_suffix",
            lambda c: pairwise_ncd(["a goal"], TEXTS, compressor=c, order="train-first"),
        ),
        (
            "conditional_sizes",
            lambda c: CompressionClassifier(c).fit(TEXTS, LABELS).predict(TEXTS),
        ),
    ],
    ids=["sizes", "prefix", "suffix", "conditional"],
)
def test_a_size_method_giving_the_wrong_number_of_sizes_is_named(method, use):
    """Broadcasting would otherwise spread one size over every pair: silently wrong."""
    with pytest.raises(ValueError, match=rf"OneSizeOnly\.{method} returned 1 sizes for 4 inputs"):
        use(one_size_only(method))


def test_a_negative_size_of_a_class_text_or_a_pair_is_named_by_class_conditional_scoring():
    compressor = broken_compressor(-3.0, lambda data: b"odd" in data)
    fitted = CompressionClassifier(compressor).fit(TEXTS, LABELS)
    message = r"Broken\.compressed_sizes_with_prefix returned -3\.0 .* at least 0"
    with pytest.raises(ValueError, match=message):
        fitted.predict(["an odd query"])


@pytest.mark.parametrize("n_jobs", [0, 10**6, -(10**6)])
def test_n_jobs_of_no_meaning_or_beyond_any_machine_is_refused(n_jobs):
    with pytest.raises(
        ValueError, match=rf"The 'n_jobs' parameter of NCDClassifier .* Got {n_jobs}"
    ):
        NCDClassifier(k=1, n_jobs=n_jobs).fit(TEXTS, LABELS)
