"""Saved models load back to identical predictions; damaged or foreign files are refused."""

from __future__ import annotations

import builtins
import copy
import errno
import io
import os
import pickle
import zlib

import joblib
import numpy as np
import pytest
from conftest import fit_targets, outputs
from sklearn.base import clone

from npc_classify import (
    CompressionClassifier,
    NCDClassifier,
    load_model,
    save_model,
    trusted_types,
)
from npc_classify.compressors import Compressor

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


@pytest.mark.parametrize(
    "labels",
    [[True, False], [0, 1], [-3, 7], [1.0, 2.0], ["yes", "no"]],
    ids=["bool", "int", "negative", "float", "str"],
)
@pytest.mark.parametrize("estimator", [NCDClassifier(k=1), CompressionClassifier()], ids=repr)
def test_a_classifier_of_any_kind_of_label_loads_back_whole(estimator, labels, tmp_path):
    texts = ["a late goal", "shares fell", "the keeper saved", "bank rates rose"]
    fitted = clone(estimator).fit(texts, labels * 2)
    save_model(fitted, tmp_path / "model.skops")
    loaded = load_model(tmp_path / "model.skops")
    assert loaded.classes_.tolist() == fitted.classes_.tolist()
    np.testing.assert_array_equal(loaded.predict_proba(texts), fitted.predict_proba(texts))


def test_a_save_that_fails_half_way_keeps_the_model_file_it_would_replace(
    tiny_news, tmp_path, monkeypatch
):
    """The file is replaced only once the new one is whole: a write that fails (a full
    disk) leaves the old model loadable and no temporary file beside it."""
    path = tmp_path / "model.skops"
    save_model(NCDClassifier(k=1).fit(*tiny_news), path)
    real_open = builtins.open

    class FullDisk(io.FileIO):
        def write(self, data):
            super().write(bytes(data)[:10])
            raise OSError(errno.ENOSPC, "No space left on device")

    def opened(file, mode="r", *args, **kwargs):  # any file written in the model's folder
        writing = mode.replace("b", "")
        if writing in ("w", "x") and os.path.dirname(os.fspath(file)) == os.fspath(tmp_path):
            return FullDisk(file, writing)
        return real_open(file, mode, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", opened)
    with pytest.raises(OSError, match=r"No space left on device: '.*/model\.skops'"):
        save_model(NCDClassifier(k=3).fit(*tiny_news), path)
    monkeypatch.undo()
    assert load_model(path).k == 1
    assert [p.name for p in tmp_path.iterdir()] == ["model.skops"]


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


# Hostile and damaged model files -----------------------------------------------------


def tampered(fitted, tmp_path, **changes):
    """``fitted`` with some attributes replaced, saved as skops without any check."""
    import skops.io

    for name, value in changes.items():
        setattr(fitted, name, value)
    path = tmp_path / "tampered.skops"
    skops.io.dump(fitted, path)
    return path


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda clf: {"_y": clf._y + len(clf.classes_)}, r"label index is outside \[0, 3\)"),
        (lambda clf: {"_y": clf._y[:-1]}, "labels are not 24 class indices"),
        (lambda clf: {"_fit_offsets": clf._fit_offsets[::-1].copy()}, "offsets run from"),
        (
            lambda clf: {"_fit_offsets": np.r_[clf._fit_offsets[:-1], 10**9]},
            "not from 0 to the buffer",
        ),
        (
            lambda clf: {"_fit_offsets": np.r_[clf._fit_offsets, clf._fit_offsets[-1]]},
            "25 texts in the buffer, expected 24",
        ),
        (lambda clf: {"train_sizes_": clf.train_sizes_[:-2]}, "not an array of 24 sizes"),
        (lambda clf: {"train_sizes_": -clf.train_sizes_}, "negative or non-finite sizes"),
    ],
    ids=[
        "label-index",
        "labels-short",
        "offsets-reversed",
        "offsets-past",
        "offsets-count",
        "sizes-short",
        "sizes-negative",
    ],
)
def test_a_classifier_with_an_inconsistent_fitted_state_is_refused(
    tiny_news, tmp_path, change, message
):
    fitted = NCDClassifier(k=1).fit(*tiny_news)
    path = tampered(fitted, tmp_path, **change(fitted))
    with pytest.raises(ValueError, match=rf"tampered.skops could not be rebuilt.*{message}"):
        load_model(path)


def test_decreasing_offsets_are_refused(tiny_news, tmp_path):
    fitted = NCDClassifier(k=1).fit(*tiny_news)
    offsets = fitted._fit_offsets.copy()
    offsets[3], offsets[4] = offsets[4], offsets[3]
    with pytest.raises(ValueError, match="the text offsets decrease"):
        load_model(tampered(fitted, tmp_path, _fit_offsets=offsets))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda state: {"classes_": state["classes_"][::-1].copy()}, "not the sorted labels"),
        (lambda state: {"classes_": state["classes_"][:1].repeat(3)}, "one label per class text"),
        (lambda state: {"_class_texts": state["_class_texts"][:-1]}, "one label per class text"),
    ],
    ids=["unsorted", "repeated", "texts-short"],
)
def test_a_compression_classifier_whose_classes_do_not_match_its_texts_is_refused(
    tiny_news, change, message
):
    state = CompressionClassifier().fit(*tiny_news).__getstate__()
    with pytest.raises(ValueError, match=message):
        CompressionClassifier().__setstate__({**state, **change(state)})


def test_a_pickled_inconsistent_state_is_refused_as_well(tiny_news):
    fitted = NCDClassifier(k=1).fit(*tiny_news)
    fitted._y = fitted._y + 10
    with pytest.raises(ValueError, match="label index is outside"):
        pickle.loads(pickle.dumps(fitted))


def test_a_zip_bomb_is_refused_before_it_is_unpacked(tiny_news, tmp_path):
    """What counts is what all the members unpack to: four of 16 MiB, none over the
    32 MiB limit alone, are refused together."""
    import zipfile

    path = tmp_path / "bomb.skops"
    save_model(NCDClassifier(k=1).fit(*tiny_news), path)
    with zipfile.ZipFile(path) as archive:
        model_bytes = sum(member.file_size for member in archive.infolist())
    with zipfile.ZipFile(path, "a", compression=zipfile.ZIP_DEFLATED) as archive:
        for n in range(4):
            archive.writestr(f"padding{n}.bin", bytes(16 << 20))  # zeros, 16 KiB packed
    assert path.stat().st_size < 1 << 20
    unpacked = f"{model_bytes + (64 << 20):,}"
    with pytest.raises(ValueError, match=f"would unpack to {unpacked} bytes, more than"):
        load_model(path, max_size=32 << 20)


def test_a_model_file_unpacking_to_exactly_max_size_loads(tiny_news, tmp_path):
    import zipfile

    path = tmp_path / "model.skops"
    save_model(NCDClassifier(k=1).fit(*tiny_news), path)
    with zipfile.ZipFile(path) as archive:
        unpacked = sum(member.file_size for member in archive.infolist())
    np.testing.assert_array_equal(
        load_model(path, max_size=unpacked).predict(QUERIES),
        load_model(path).predict(QUERIES),
    )
    with pytest.raises(ValueError, match="more than max_size"):
        load_model(path, max_size=unpacked - 1)


def test_a_deeply_nested_schema_is_a_clear_error(tmp_path):
    import zipfile

    path = tmp_path / "deep.skops"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("schema.json", "[" * 100_000 + "]" * 100_000)
    with pytest.raises(ValueError, match="is not a readable model file"):
        load_model(path)


@pytest.mark.parametrize("kind", ["folder", "fifo"])
def test_what_is_not_a_regular_file_is_refused(tmp_path, kind):
    import os

    path = tmp_path / "model.skops"
    if kind == "folder":
        path.mkdir()
    else:
        os.mkfifo(path)
    with pytest.raises(ValueError, match="a model is a file written by save_model"):
        load_model(path)


def test_a_model_whose_text_offsets_do_not_start_at_zero_is_refused(tiny_news, tmp_path):
    import skops.io

    fitted = NCDClassifier(k=1).fit(*tiny_news)
    fitted._fit_offsets = np.r_[1, fitted._fit_offsets[1:]]
    path = tmp_path / "edited.skops"
    skops.io.dump(fitted, path)
    with pytest.raises(ValueError, match="not from 0 to the buffer"):
        load_model(path)


def test_a_folder_as_the_file_to_save_is_refused_and_left_as_it_is(tiny_news, tmp_path):
    (tmp_path / "kept.txt").write_text("kept")
    with pytest.raises(ValueError, match="is a directory; expected the path of the model file"):
        save_model(NCDClassifier(k=1).fit(*tiny_news), tmp_path)
    assert [p.name for p in tmp_path.iterdir()] == ["kept.txt"]


def test_a_missing_skops_names_the_extra_to_install(tiny_news, tmp_path, monkeypatch):
    monkeypatch.setitem(__import__("sys").modules, "skops", None)
    with pytest.raises(ImportError, match=r'needs skops: pip install "npc-classify\[persist\]"'):
        save_model(NCDClassifier(k=1).fit(*tiny_news), tmp_path / "model.skops")


def test_a_skops_that_fails_to_import_is_named_with_its_error(tiny_news, tmp_path, monkeypatch):
    """An installed skops too old for the installed scikit-learn is no missing skops."""
    import sys

    package = tmp_path / "site" / "skops"
    (package / "io").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "io" / "__init__.py").write_text("from sklearn.linear_model import Huber\n")
    for name in [name for name in sys.modules if name == "skops" or name.startswith("skops.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    with pytest.raises(ImportError, match="skops is installed but cannot be imported") as error:
        save_model(NCDClassifier(k=1).fit(*tiny_news), tmp_path / "model.skops")
    assert "cannot import name 'Huber'" in str(error.value)
    assert "If it is 0.10 or earlier" in str(error.value) and "skops>=0.11" in str(error.value)


class NeedsAPath(Compressor):
    """A user's compressor whose one setting has no default."""

    name = "needs-a-path-test"

    def __init__(self, path: str) -> None:
        self.path = path

    def compress(self, data: bytes) -> bytes:
        return zlib.compress(data)


def test_a_registered_compressor_without_defaults_keeps_every_model_loadable(
    tiny_news, tmp_path, monkeypatch
):
    from npc_classify.compressors import _registry

    save_model(NCDClassifier(k=1).fit(*tiny_news), tmp_path / "model.skops")
    monkeypatch.setitem(_registry._REGISTRY, NeedsAPath.name, NeedsAPath)
    assert "test_persistence.NeedsAPath" in trusted_types()
    assert load_model(tmp_path / "model.skops").k == 1


def test_a_model_file_whose_name_fills_the_name_limit_is_saved(tiny_news, tmp_path):
    """The hidden temporary name beside it must not outgrow the 255-byte limit."""
    path = tmp_path / ("a" * 240 + ".skops")
    save_model(NCDClassifier(k=1).fit(*tiny_news), path)
    assert [p.name for p in tmp_path.iterdir()] == [path.name]
    assert load_model(path).k == 1


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"order": "bogus"}, "The 'order' parameter"),
        ({"weights": "bogus"}, "The 'weights' parameter"),
        ({"n_candidates_": 1000}, "n_candidates_ is 1000, not from 1 to the 24 training texts"),
        ({"candidate_index_": 5}, "candidate_index_ is a int, not a CandidateIndex"),
        ({"candidate_index_": None}, "candidate_index_ is None with 10 of 24 candidates"),
    ],
    ids=["order", "weights", "n-candidates", "index-kind", "index-missing"],
)
def test_parameters_and_candidates_that_fit_would_refuse_are_refused_at_load(
    tiny_news, tmp_path, change, message
):
    fitted = NCDClassifier(k=3, candidates=10, random_state=0).fit(*tiny_news)
    with pytest.raises(ValueError, match=rf"tampered.skops could not be rebuilt.*{message}"):
        load_model(tampered(fitted, tmp_path, **change))


def test_an_index_for_other_training_texts_is_refused_at_load(tiny_news, tmp_path):
    texts, labels = tiny_news
    fitted = NCDClassifier(k=3, candidates=10).fit(texts, labels)
    other = NCDClassifier(k=3, candidates=10).fit(texts[:-4], labels[:-4])
    path = tampered(fitted, tmp_path, candidate_index_=other.candidate_index_)
    with pytest.raises(ValueError, match="candidate_index_ indexes 20 texts, not the 24"):
        load_model(path)


@pytest.mark.parametrize("edit", ["sizes", "hashing"])
def test_an_index_inconsistent_with_its_model_is_refused_at_load(tiny_news, tmp_path, edit):
    """An index whose sizes are not the model's, or whose 4-gram hashing is not the one
    its table was built with, would rank candidates wrongly or fail at predict."""
    fitted = NCDClassifier(k=3, candidates=10).fit(*tiny_news)
    index = copy.deepcopy(fitted.candidate_index_)
    if edit == "sizes":
        index.train_sizes = index.train_sizes[::-1].copy()
        message = "candidate_index_'s sizes are not the training texts' sizes"
    else:
        index.vectorizer.set_params(n_features=1000)
        message = "candidate_index_'s 4-gram hashing is not the one it was built with"
    with pytest.raises(ValueError, match=message):
        load_model(tampered(fitted, tmp_path, candidate_index_=index))


def test_save_refuses_what_load_would_refuse_and_writes_nothing(tmp_path):
    from sklearn.model_selection import GridSearchCV, StratifiedKFold

    search = GridSearchCV(NCDClassifier(), {"k": [1, 3]}, cv=StratifiedKFold(2))
    with pytest.raises(
        ValueError, match=r"load_model would refuse: .*StratifiedKFold.*Nothing was written"
    ):
        save_model(search, tmp_path / "search.skops")
    assert list(tmp_path.iterdir()) == []


def test_save_refuses_parameters_fit_would_refuse_and_keeps_the_file(tiny_news, tmp_path):
    path = tmp_path / "model.skops"
    fitted = NCDClassifier(k=1).fit(*tiny_news)
    save_model(fitted, path)
    before = path.read_bytes()
    fitted.set_params(k=0)  # scikit-learn checks parameters in fit, not in set_params
    with pytest.raises(ValueError, match=r"The 'k' parameter .* Nothing was written to"):
        save_model(fitted, path)
    assert path.read_bytes() == before


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"k": 5}, "k=5 is more than the 4 candidates searched per query, set when fitted"),
        ({"k": 5, "candidates": 8}, "k=5 is more than the 4 candidates searched per query"),
        ({"k": 25}, r"k=25 is larger than the training set \(24 texts\)"),
    ],
)
def test_save_refuses_a_k_the_fitted_search_cannot_give(tiny_news, tmp_path, params, message):
    """A model saved with these could not predict: its candidates were counted by fit."""
    fitted = NCDClassifier(k=1, candidates=4).fit(*tiny_news).set_params(**params)
    with pytest.raises(ValueError, match=message):
        save_model(fitted, tmp_path / "model.skops")
    assert list(tmp_path.iterdir()) == []


def test_a_fitted_search_that_predicts_is_saved_whatever_candidates_says_now(tiny_news, tmp_path):
    """candidates is read by fit: set below k afterwards, it changes no prediction."""
    fitted = NCDClassifier(k=5).fit(*tiny_news).set_params(candidates=2)
    save_model(fitted, tmp_path / "model.skops")
    loaded = load_model(tmp_path / "model.skops")
    np.testing.assert_array_equal(loaded.predict(QUERIES), fitted.predict(QUERIES))


class Deflate(Compressor):
    """A user's compressor with every setting defaulted."""

    name = "deflate-persistence-test"

    def __init__(self, level: int = 9) -> None:
        self.level = level

    def compress(self, data: bytes) -> bytes:
        return zlib.compress(data, self.level)


def test_copies_and_worker_pickles_do_not_check_parameters(tiny_news):
    """Unpickling checks the fitted state only: a worker process may not have registered
    the user's compressor the model names, and an unfitted copy may hold any values."""
    import copy

    from npc_classify.compressors import _registry

    assert copy.deepcopy(NCDClassifier(k=0)).k == 0
    _registry._REGISTRY[Deflate.name] = Deflate
    _registry._NAMES.add(Deflate.name)
    try:
        clf = NCDClassifier(Deflate.name, k=1).fit(*tiny_news)
        shipped = pickle.dumps(clf)
    finally:  # the worker has not registered it
        del _registry._REGISTRY[Deflate.name]
        _registry._NAMES.discard(Deflate.name)
    assert pickle.loads(shipped).predict(QUERIES).tolist() == clf.predict(QUERIES).tolist()


def test_an_estimator_inside_a_fitted_meta_estimator_is_checked_at_load(tiny_news, tmp_path):
    """A meta-estimator's get_params holds its unfitted template; the copies it fitted are
    what predicts, and a file may hold any parameters for them."""
    from sklearn.multiclass import OneVsRestClassifier

    fitted = OneVsRestClassifier(NCDClassifier(k=3)).fit(*tiny_news)
    for estimator in fitted.estimators_:
        estimator.order = "bogus"
    with pytest.raises(ValueError, match="The 'order' parameter of NCDClassifier"):
        save_model(fitted, tmp_path / "ovr.skops")
    import skops.io

    skops.io.dump(fitted, tmp_path / "ovr.skops")
    with pytest.raises(ValueError, match=r"could not be rebuilt.*The 'order' parameter"):
        load_model(tmp_path / "ovr.skops")
