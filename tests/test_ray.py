"""On a Ray cluster, through Ray's joblib backend: the same code, the same predictions."""

from __future__ import annotations

import joblib
import numpy as np
import pytest
from conftest import CLUSTER_QUERIES, assert_backend_matches_local

from npc_classify import CompressionClassifier, NCDClassifier
from npc_classify.evaluation import resumable_kneighbors

ray = pytest.importorskip("ray")


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
    assert_backend_matches_local(clf, "ray")


def test_results_still_stream_to_the_checkpoint_on_ray(ray_backend, tiny_news, tmp_path):
    """Ray's backend cannot return a generator: tasks go in waves, results still stream."""
    clf = NCDClassifier(k=3, n_jobs=2, working_memory=1e-4).fit(*tiny_news)
    chunks_local = list(clf.kneighbors_chunks(CLUSTER_QUERIES))
    with joblib.parallel_config(backend="ray"):
        chunks_remote = list(clf.kneighbors_chunks(CLUSTER_QUERIES))
        resumed = resumable_kneighbors(clf, CLUSTER_QUERIES, 3, tmp_path / "run.jsonl")
    assert len(chunks_remote) == len(chunks_local) > 8
    for (start_l, dist_l, ind_l), (start_r, dist_r, ind_r) in zip(
        chunks_local, chunks_remote, strict=True
    ):
        assert start_l == start_r
        np.testing.assert_array_equal(dist_l, dist_r)
        np.testing.assert_array_equal(ind_l, ind_r)
    np.testing.assert_array_equal(resumed[1], clf.kneighbors(CLUSTER_QUERIES)[1])


def test_class_conditional_bits_on_ray_equal_the_local_ones(ray_backend, tiny_news):
    """9 groups in waves of 8: the generator of tasks is drawn from wave by wave."""
    local = (
        CompressionClassifier("ppm", n_dictionaries=3).fit(*tiny_news).class_bits(CLUSTER_QUERIES)
    )
    clf = CompressionClassifier("ppm", n_dictionaries=3, n_jobs=2).fit(*tiny_news)
    with joblib.parallel_config(backend="ray"):
        np.testing.assert_array_equal(clf.class_bits(CLUSTER_QUERIES), local)
