"""Every estimator is a well-behaved scikit-learn estimator, with every compressor we ship.

scikit-learn's ``check_estimator`` skips almost everything for text input,
so the data-free checks are called one by one and the rest is written here.
The configurations come from ``conftest.ESTIMATOR_CASES``: a new compressor is
covered by adding it to ``conftest.COMPRESSOR_CASES``. Classifiers are checked
through their probabilities, the regressor through its predictions and the
transformer through its features (``conftest.outputs``).
"""

from __future__ import annotations

import pickle

import numpy as np
import pytest
import skops.io
from conftest import fit_targets, outputs
from sklearn.base import clone, is_classifier, is_regressor
from sklearn.exceptions import NotFittedError
from sklearn.metrics import r2_score
from sklearn.model_selection import GridSearchCV, StratifiedKFold, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer
from sklearn.utils import estimator_checks, get_tags

from npc_classify import (
    CompressionClassifier,
    NCDClassifier,
    NCDRegressor,
    NCDTransformer,
    _ncd_neighbors,
    _ncd_transformer,
)
from npc_classify.compressors import GzipCompressor, get_compressor

DATA_FREE_CHECKS = [
    estimator_checks.check_no_attributes_set_in_init,
    estimator_checks.check_parameters_default_constructible,
    estimator_checks.check_get_params_invariance,
    estimator_checks.check_set_params,
    estimator_checks.check_estimator_cloneable,
    estimator_checks.check_estimator_repr,
    estimator_checks.check_do_not_raise_errors_in_init_or_set_params,
    estimator_checks.check_estimator_tags_renamed,
    estimator_checks.check_valid_tag_types,
]
QUERIES = ["A goal in the final minute won the match.", "The bank cut its profit forecast."]


@pytest.mark.parametrize("check", DATA_FREE_CHECKS, ids=lambda check: check.__name__)
def test_sklearn_data_free_check(any_estimator, check):
    check(type(any_estimator).__name__, clone(any_estimator))


@pytest.mark.parametrize(
    ("estimator", "estimator_type"),
    [
        (NCDClassifier(), "classifier"),
        (CompressionClassifier(), "classifier"),
        (NCDRegressor(), "regressor"),
        (NCDTransformer(), None),
    ],
    ids=repr,
)
def test_declares_string_input_like_a_vectorizer(estimator, estimator_type):
    tags = get_tags(estimator)
    assert tags.input_tags.string
    assert not tags.input_tags.two_d_array
    assert tags.estimator_type == estimator_type


def test_has_no_n_features_in(tiny_news):
    assert not hasattr(NCDClassifier().fit(*tiny_news), "n_features_in_")


def test_fit_predict_score(any_estimator, tiny_news):
    texts, labels = tiny_news
    targets = fit_targets(any_estimator, labels)
    fitted = clone(any_estimator).fit(texts, targets)
    if is_classifier(fitted):
        assert fitted.predict(QUERIES).shape == (2,)
        assert set(fitted.predict(QUERIES)) <= set(fitted.classes_)
        assert fitted.predict_proba(QUERIES).shape == (2, 3)
        assert fitted.score(texts, labels) == np.mean(fitted.predict(texts) == labels)
    elif is_regressor(fitted):
        assert fitted.predict(QUERIES).shape == (2,)
        assert fitted.score(texts, targets) == r2_score(targets, fitted.predict(texts))
    else:
        assert fitted.transform(QUERIES).shape == (2, fitted.n_features_out_)
        assert fitted.get_feature_names_out().shape == (fitted.n_features_out_,)


def test_clone_and_pickle_give_identical_predictions(any_estimator, tiny_news):
    texts, labels = tiny_news
    targets = fit_targets(any_estimator, labels)
    fitted = clone(any_estimator).fit(texts, targets)
    expected = outputs(fitted, QUERIES)
    np.testing.assert_array_equal(
        outputs(clone(any_estimator).fit(texts, targets), QUERIES), expected
    )
    np.testing.assert_array_equal(outputs(pickle.loads(pickle.dumps(fitted)), QUERIES), expected)


def test_skops_round_trip_gives_identical_predictions(any_estimator, tiny_news, tmp_path):
    texts, labels = tiny_news
    fitted = clone(any_estimator).fit(texts, fit_targets(any_estimator, labels))
    path = tmp_path / "model.skops"
    skops.io.dump(fitted, path)
    untrusted = skops.io.get_untrusted_types(file=path)
    allowed = ("npc_classify.", "scipy.sparse._csr.csr_matrix")  # sparse: candidates' index
    assert all(name.startswith(allowed) for name in untrusted), untrusted
    loaded = skops.io.load(path, trusted=untrusted)
    np.testing.assert_array_equal(outputs(loaded, QUERIES), outputs(fitted, QUERIES))


def test_refitting_forgets_the_previous_training_set(tiny_news):
    texts, labels = tiny_news
    clf = NCDClassifier(k=1).fit(texts[:8] + texts[16:], labels[:8] + labels[16:])
    clf.fit(texts[8:], labels[8:])
    assert clf.classes_.tolist() == ["business", "science"]
    assert clf.n_samples_fit_ == 16


FOUR_ESTIMATORS = [
    NCDClassifier(k=1),
    CompressionClassifier(),
    NCDRegressor(k=1),
    NCDTransformer(n_references=2, random_state=0),
]


@pytest.mark.parametrize("refused", ["lengths", "compressor setting"])
@pytest.mark.parametrize("estimator", FOUR_ESTIMATORS, ids=repr)
def test_a_refit_refused_for_its_input_keeps_the_previous_fit(estimator, tiny_news, refused):
    texts, labels = tiny_news
    fitted = clone(estimator).set_params(compressor=get_compressor("zstd"))
    fitted.fit(texts, fit_targets(estimator, labels))
    expected = outputs(fitted, QUERIES)
    targets = fit_targets(estimator, labels)
    if refused == "lengths":
        with pytest.raises(ValueError, match="same length"):
            fitted.fit(texts, targets[:-1])
    else:
        fitted.set_params(compressor__level=100)
        with pytest.raises(ValueError, match="'level' parameter of ZstdCompressor"):
            fitted.fit(texts, targets)
    np.testing.assert_array_equal(outputs(fitted, QUERIES), expected)


def interrupt(*args, **kwargs):
    raise KeyboardInterrupt


@pytest.mark.parametrize("estimator", FOUR_ESTIMATORS, ids=repr)
def test_a_refit_stopped_half_way_leaves_the_estimator_unfitted(estimator, tiny_news, monkeypatch):
    """No mix of two fits that would predict without an error, and wrongly."""
    texts, labels = tiny_news
    fitted = clone(estimator).fit(texts[:12], fit_targets(estimator, labels)[:12])
    if isinstance(estimator, CompressionClassifier):  # its long step: choosing settings by CV
        fitted.set_params(n_dictionaries="auto")
        monkeypatch.setattr(CompressionClassifier, "_cross_validate", interrupt)
    else:  # the training texts' compressed sizes
        module = _ncd_transformer if isinstance(estimator, NCDTransformer) else _ncd_neighbors
        monkeypatch.setattr(module, "compressed_sizes", interrupt)
    with pytest.raises(KeyboardInterrupt):
        fitted.fit(texts, fit_targets(estimator, labels))
    with pytest.raises(NotFittedError):
        outputs(fitted, QUERIES)
    assert set(vars(fitted)) == set(fitted.get_params(deep=False))
    monkeypatch.undo()
    refitted = fitted.fit(texts, fit_targets(estimator, labels))
    fresh = clone(fitted).fit(texts, fit_targets(estimator, labels))
    np.testing.assert_array_equal(outputs(refitted, QUERIES), outputs(fresh, QUERIES))


def test_inside_a_pipeline(tiny_news):
    texts, labels = tiny_news
    pipe = make_pipeline(
        FunctionTransformer(lambda xs: [x.lower() for x in xs]), NCDClassifier(k=1)
    )
    assert pipe.fit(texts, labels).predict(QUERIES).tolist() == ["sport", "business"]


def test_cross_val_score_on_plain_lists(tiny_news):
    texts, labels = tiny_news
    cv = StratifiedKFold(n_splits=4, shuffle=True, random_state=0)
    scores = cross_val_score(NCDClassifier(k=1), texts, labels, cv=cv)
    assert scores.shape == (4,)
    assert scores.mean() > 1 / 3, "better than chance on three balanced classes"


def test_grid_search_over_k_and_compressor_name(tiny_news):
    texts, labels = tiny_news
    grid = GridSearchCV(NCDClassifier(), {"k": [1, 3], "compressor": ["gzip", "zstd"]}, cv=3).fit(
        texts, labels
    )
    assert len(grid.cv_results_["params"]) == 4
    assert grid.best_params_["compressor"] in ("gzip", "zstd")
    assert grid.predict(QUERIES).shape == (2,)


def test_grid_search_over_compressor_level(tiny_news):
    texts, labels = tiny_news
    grid = GridSearchCV(
        NCDClassifier(GzipCompressor()), {"k": [1], "compressor__level": [1, 9]}, cv=3
    ).fit(texts, labels)
    levels = [p["compressor__level"] for p in grid.cv_results_["params"]]
    assert levels == [1, 9]
    assert grid.best_estimator_.compressor_.level == grid.best_params_["compressor__level"]


def test_threads_sharing_a_fitted_estimator_get_what_one_thread_gets(any_estimator, tiny_news):
    """A web server's handlers call one fitted estimator at once, each thread building its
    own native contexts and models at its first call."""
    from concurrent.futures import ThreadPoolExecutor

    texts, labels = tiny_news
    fitted = any_estimator.fit(texts, fit_targets(any_estimator, labels))
    queries = [*QUERIES, texts[0], "Profits rose at the bank."]
    alone = outputs(clone(fitted).fit(texts, fit_targets(any_estimator, labels)), queries)
    with ThreadPoolExecutor(4) as pool:
        together = list(pool.map(lambda _: outputs(fitted, queries), range(4)))
    for result in together:
        np.testing.assert_array_equal(result, alone)
