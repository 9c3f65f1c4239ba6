"""Saved models load back to identical predictions; damaged or foreign files are refused."""

from __future__ import annotations

import pickle

import joblib
import numpy as np
import pytest
from sklearn.base import clone

from npc_classify import (
    CompressionClassifier,
    NCDClassifier,
    available_compressors,
    load_model,
    save_model,
)

#: Compressors built from a model file: conftest.language_model_compressor gives them one.
MODEL_COMPRESSORS = ("lm", "hf")
ESTIMATORS = [
    *(
        NCDClassifier(name, k=3)
        for name in available_compressors()
        if name not in MODEL_COMPRESSORS
    ),
    NCDClassifier("gzip", k=3, candidates=10),
    CompressionClassifier("zstd", n_dictionaries=2),
]
QUERIES = ["A goal in the final minute won the match.", "The bank cut its profit forecast."]


class Unexpected:
    """A type that a model file has no business asking for."""


@pytest.mark.parametrize("estimator", ESTIMATORS, ids=repr)
def test_save_and_load_give_identical_predictions(estimator, tiny_news, tmp_path):
    fitted = estimator.fit(*tiny_news)
    path = tmp_path / "model.skops"
    save_model(fitted, path)
    loaded = load_model(path)
    np.testing.assert_array_equal(loaded.predict_proba(QUERIES), fitted.predict_proba(QUERIES))
    if isinstance(fitted, NCDClassifier):
        distances = loaded.kneighbors(QUERIES)[0], fitted.kneighbors(QUERIES)[0]
        np.testing.assert_array_equal(*distances)


@pytest.mark.parametrize("estimator", ESTIMATORS, ids=repr)
def test_joblib_round_trip_gives_identical_predictions(estimator, tiny_news, tmp_path):
    fitted = estimator.fit(*tiny_news)
    joblib.dump(fitted, tmp_path / "model.joblib")
    loaded = joblib.load(tmp_path / "model.joblib")
    np.testing.assert_array_equal(loaded.predict(QUERIES), fitted.predict(QUERIES))


@pytest.mark.parametrize("via", ["skops", "joblib"])
def test_language_model_classifiers_save_and_load_to_identical_predictions(
    language_model_compressor, via, tiny_news, tmp_path
):
    estimators = [
        NCDClassifier(clone(language_model_compressor), k=3),
        CompressionClassifier(clone(language_model_compressor)),
    ]
    for estimator in estimators:
        fitted = estimator.fit(*tiny_news)
        path = tmp_path / f"{type(estimator).__name__}.{via}"
        if via == "skops":
            save_model(fitted, path)
            loaded = load_model(path)
        else:
            joblib.dump(fitted, path)
            loaded = joblib.load(path)
        np.testing.assert_array_equal(loaded.predict_proba(QUERIES), fitted.predict_proba(QUERIES))


def test_a_language_model_compressor_pickles_without_its_model(language_model_compressor):
    language_model_compressor.compressed_size(b"load the model")
    restored = pickle.loads(pickle.dumps(language_model_compressor))
    assert "_local" not in restored.__dict__
    assert restored.compressed_size(b"x") == language_model_compressor.compressed_size(b"x")


def test_a_truncated_model_file_is_a_clear_error(tiny_news, tmp_path):
    path = tmp_path / "model.skops"
    save_model(NCDClassifier().fit(*tiny_news), path)
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    with pytest.raises(ValueError, match="truncated, damaged or not in the skops format"):
        load_model(path)


def test_a_file_of_another_format_is_a_clear_error(tmp_path):
    path = tmp_path / "model.skops"
    path.write_bytes(b"\x80\x04 this is a pickle, not a skops file")
    with pytest.raises(ValueError, match="is not a readable model file"):
        load_model(path)


def test_a_file_asking_for_unexpected_types_is_refused(tiny_news, tmp_path):
    import skops.io

    tampered = NCDClassifier().fit(*tiny_news)
    tampered.payload_ = Unexpected()
    path = tmp_path / "model.skops"
    skops.io.dump(tampered, path)
    with pytest.raises(ValueError, match=r"does not expect: \['test_persistence.Unexpected'\]"):
        load_model(path)
