"""The public API as the README and the guide use it, for type checkers.

``mypy`` and ``basedpyright`` check this file in CI; nothing runs it. Each
``assert_type`` states what a user's checker must infer, so a hint that is too
narrow (an array of texts refused) or too vague (an estimator seen as ``Any``)
fails the check.
"""

from __future__ import annotations

from typing import assert_type

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline

from npc_classify import (
    CompressionClassifier,
    NCDClassifier,
    NCDRegressor,
    NCDTransformer,
    load_model,
    pairwise_ncd,
    save_model,
)
from npc_classify.compressors import Compressor, get_compressor, register_compressor
from npc_classify.evaluation import neighbor_predictions
from npc_classify.reports import prediction_lines


def estimators_keep_their_types(texts: list[str], labels: np.ndarray) -> None:
    clf = NCDClassifier(compressor="gzip", k=5)
    assert_type(clf, NCDClassifier)
    assert_type(clf.fit(texts, labels), NCDClassifier)
    assert_type(clf.set_params(k=3), NCDClassifier)
    assert_type(NCDRegressor(k=3), NCDRegressor)
    assert_type(NCDTransformer(n_references=5), NCDTransformer)
    assert_type(CompressionClassifier("ppm"), CompressionClassifier)


def texts_as_arrays_and_tuples(texts: list[str], labels: np.ndarray) -> None:
    array = np.array(texts)
    clf = NCDClassifier(k=1).fit(array, labels)
    clf.fit(tuple(texts), labels)
    assert_type(clf.predict(array), np.ndarray)
    assert_type(clf.predict_proba(array), np.ndarray)
    cc = CompressionClassifier("zstd").fit(array, labels)
    cc.partial_fit(array, labels)
    assert_type(cc.class_bits(array), np.ndarray)
    assert_type(cc.decision_function(array), np.ndarray)
    reg = NCDRegressor(k=3).fit(array, labels.astype(float))
    assert_type(reg.predict(array), np.ndarray)
    assert_type(NCDTransformer(n_references=5).fit(array).transform(array), np.ndarray)
    assert_type(pairwise_ncd(array, array), np.ndarray)


def neighbours(texts: list[str], labels: np.ndarray) -> None:
    clf = NCDClassifier(k=5).fit(texts, labels)
    neigh_dist, neigh_ind = clf.kneighbors(texts)
    assert_type(neigh_dist, np.ndarray)
    assert_type(neigh_ind, np.ndarray)
    assert_type(clf.kneighbors(texts, 3, return_distance=False), np.ndarray)
    for k in np.arange(1, 4):
        neighbor_predictions(clf, neigh_dist, neigh_ind, k)


def reports(texts: list[str], labels: np.ndarray) -> None:
    clf = NCDClassifier(k=1).fit(texts, labels)
    prediction_lines(clf.classes_, clf.predict(texts), None, "labels")


def a_user_compressor(texts: list[str], labels: np.ndarray) -> None:
    @register_compressor
    class Repeated(Compressor):
        name = "typing-check-repeated"

        def __init__(self, times: int = 2) -> None:
            self.times = times

        def compress(self, data: bytes) -> bytes:
            return data * self.times

    assert_type(Repeated(times=3), Repeated)
    assert_type(Repeated(times=3).times, int)
    NCDClassifier(Repeated(times=3)).fit(texts, labels)
    assert_type(get_compressor("gzip"), Compressor)


def saved_pipelines(texts: list[str], labels: np.ndarray, path: str) -> None:
    pipe = make_pipeline(NCDTransformer(n_references=5), LogisticRegression())
    pipe.fit(texts, labels)
    save_model(pipe, path)
    load_model(path)


def unordered_texts(texts: list[str], labels: np.ndarray) -> None:
    # A set or a dict has no order to pair texts with labels: refused at run time, and by
    # the checkers (each ignore below is reported as unused if the call type-checks).
    NCDClassifier(k=1).fit(set(texts), labels)  # type: ignore[arg-type]
    counts = dict.fromkeys(texts, 0)
    NCDClassifier(k=1).fit(counts, labels)  # type: ignore[arg-type]
    by_position = dict(enumerate(texts))
    NCDClassifier(k=1).fit(by_position, labels)  # type: ignore[arg-type]
    # Bytes are what compressors take, not estimators.
    encoded = [text.encode() for text in texts]
    NCDClassifier(k=1).fit(encoded, labels)  # type: ignore[arg-type]
