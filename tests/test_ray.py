"""On a Ray cluster, through Ray's joblib backend: the same code, the same predictions."""

from __future__ import annotations

import joblib
import numpy as np
import pytest

from npc_classify import NCDClassifier
from npc_classify.evaluation import resumable_kneighbors

ray = pytest.importorskip("ray")

QUERIES = [
    "The goalkeeper saved a penalty in the cup final.",
    "Profits fell and shares slumped at the bank.",
    "The telescope found a planet around a distant star.",
] * 8


@pytest.fixture(scope="module")
def ray_backend():
    """A local Ray instance with two CPUs, registered as joblib's "ray" backend."""
    from ray.util.joblib import register_ray

    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    register_ray()
    yield
    ray.shutdown()


def test_predictions_on_ray_equal_the_local_run(ray_backend, tiny_news):
    clf = NCDClassifier(k=3, n_jobs=2).fit(*tiny_news)
    local = clf.kneighbors(QUERIES)
    with joblib.parallel_config(backend="ray"):
        remote = clf.kneighbors(QUERIES)
        predicted = clf.predict(QUERIES)
    np.testing.assert_array_equal(remote[0], local[0])
    np.testing.assert_array_equal(remote[1], local[1])
    np.testing.assert_array_equal(predicted, clf._predict_from_neighbors(*local))


def test_results_still_stream_to_the_checkpoint_on_ray(ray_backend, tiny_news, tmp_path):
    """Ray's backend cannot return a generator: tasks go in waves, results still stream."""
    clf = NCDClassifier(k=3, n_jobs=2, working_memory=1e-4).fit(*tiny_news)
    chunks_local = list(clf.kneighbors_chunks(QUERIES))
    with joblib.parallel_config(backend="ray"):
        chunks_remote = list(clf.kneighbors_chunks(QUERIES))
        resumed = resumable_kneighbors(clf, QUERIES, 3, tmp_path / "run.jsonl")
    assert len(chunks_remote) == len(chunks_local) > 8
    for (start_l, dist_l, ind_l), (start_r, dist_r, ind_r) in zip(
        chunks_local, chunks_remote, strict=True
    ):
        assert start_l == start_r
        np.testing.assert_array_equal(dist_l, dist_r)
        np.testing.assert_array_equal(ind_l, ind_r)
    np.testing.assert_array_equal(resumed[1], clf.kneighbors(QUERIES)[1])
