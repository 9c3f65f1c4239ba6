"""Saved models load back to identical predictions; damaged or foreign files are refused."""

from __future__ import annotations

import joblib
import numpy as np
import pytest
from conftest import fit_targets, outputs

from npc_classify import NCDClassifier, load_model, save_model

QUERIES = ["A goal in the final minute won the match.", "The bank cut its profit forecast."]


class Unexpected:
    """A type that a model file has no business asking for."""


def test_save_and_load_give_identical_predictions(any_estimator, tiny_news, tmp_path):
    texts, labels = tiny_news
    fitted = any_estimator.fit(texts, fit_targets(any_estimator, labels))
    path = tmp_path / "model.skops"
    save_model(fitted, path)
    loaded = load_model(path)
    np.testing.assert_array_equal(outputs(loaded, QUERIES), outputs(fitted, QUERIES))
    if hasattr(fitted, "kneighbors"):
        distances = loaded.kneighbors(QUERIES)[0], fitted.kneighbors(QUERIES)[0]
        np.testing.assert_array_equal(*distances)


def test_joblib_round_trip_gives_identical_predictions(any_estimator, tiny_news, tmp_path):
    texts, labels = tiny_news
    fitted = any_estimator.fit(texts, fit_targets(any_estimator, labels))
    joblib.dump(fitted, tmp_path / "model.joblib")
    loaded = joblib.load(tmp_path / "model.joblib")
    np.testing.assert_array_equal(outputs(loaded, QUERIES), outputs(fitted, QUERIES))


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
