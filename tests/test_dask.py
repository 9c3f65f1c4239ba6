"""On a Dask cluster, through joblib's Dask backend: the same predictions, data shipped once."""

from __future__ import annotations

import json
import socket
import threading

import joblib
import numpy as np
import pytest
from conftest import CLUSTER_QUERIES, TINY_NEWS, assert_backend_matches_local

from npc_classify import CompressionClassifier, NCDClassifier
from npc_classify.cli import main

distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def client():
    """Two worker processes on the loopback interface."""
    cluster = distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=None,
    )
    with distributed.Client(cluster) as dask_client:
        yield dask_client
    cluster.close()


@pytest.fixture
def large_training_set(tiny_news):
    """tiny_news 20 times over: large enough for joblib to scatter its arrays."""
    texts, labels = tiny_news
    return texts * 20, labels * 20


def test_predictions_on_a_cluster_equal_the_local_run(client, large_training_set):
    clf = NCDClassifier(k=3, n_jobs=-1).fit(*large_training_set)
    assert_backend_matches_local(clf, "dask")


def test_the_training_side_is_scattered_once_not_sent_with_every_task(
    client, large_training_set, monkeypatch
):
    scattered = []
    original = client.scatter

    def counting_scatter(data, *args, **kwargs):
        scattered.append(type(data).__name__)
        return original(data, *args, **kwargs)

    monkeypatch.setattr(client, "scatter", counting_scatter)
    clf = NCDClassifier(k=1, n_jobs=-1, working_memory=1e-9).fit(*large_training_set)
    with joblib.parallel_config(backend="dask"):
        clf.predict(CLUSTER_QUERIES)  # one task per query here: 24 tasks
    # The text buffer, its offsets and the sizes: each array scattered once.
    assert scattered == ["ndarray"] * 3


def test_class_conditional_bits_on_a_cluster_equal_the_local_ones(client, tiny_news):
    local = (
        CompressionClassifier("ppm", complement=2.0).fit(*tiny_news).class_bits(CLUSTER_QUERIES)
    )
    clf = CompressionClassifier("ppm", complement=2.0, n_jobs=-1).fit(*tiny_news)
    with joblib.parallel_config(backend="dask"):
        np.testing.assert_array_equal(clf.class_bits(CLUSTER_QUERIES), local)


def test_the_cli_runs_on_an_existing_cluster(client, tmp_path, capsys):
    files = ["--dataset", "csv", "--train", str(TINY_NEWS), "--test", str(TINY_NEWS)]
    common = [*files, "--k", "1", "3", "--no-progress"]
    address = client.scheduler.address
    assert main(["evaluate", *common, "--output", str(tmp_path / "local.json")]) == 0
    argv = ["evaluate", *common, "--scheduler", address, "--output", str(tmp_path / "dask.json")]
    assert main(argv) == 0
    local = json.loads((tmp_path / "local.json").read_text())
    remote = json.loads((tmp_path / "dask.json").read_text())
    assert remote["results"] == local["results"]
    assert remote["config"]["scheduler"] == address


def test_an_unreachable_scheduler_is_a_clear_error(capsys):
    argv = ["evaluate", "--dataset", "csv", "--train", "x.csv", "--test", "y.csv"]
    assert main([*argv, "--scheduler", "tcp://127.0.0.1:1"]) == 2
    assert "npc-classify: error:" in capsys.readouterr().err


@pytest.fixture
def http_service():
    """The address of a local server that answers anything with HTTP's 400, as a proxy or
    a web server on a port mistaken for the scheduler's would."""
    server = socket.create_server(("127.0.0.1", 0))

    def answer() -> None:
        while True:
            try:
                connection, _ = server.accept()
            except OSError:  # the server was closed
                return
            with connection:
                connection.recv(100)
                connection.sendall(b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\n")

    threading.Thread(target=answer, daemon=True).start()
    yield f"tcp://127.0.0.1:{server.getsockname()[1]}"
    server.close()


def test_a_scheduler_address_that_answers_http_is_a_clear_error(http_service, capsys):
    argv = ["evaluate", "--dataset", "csv", "--train", "x.csv", "--test", "y.csv"]
    assert main([*argv, "--scheduler", http_service]) == 2
    err = capsys.readouterr().err
    assert f"npc-classify: error: Cannot reach a Dask scheduler at '{http_service}'" in err
