"""Shared fixtures: our tiny dataset and the local AG News folder."""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, settings
from sklearn.base import is_classifier, is_regressor

from npc_classify import CompressionClassifier, NCDClassifier, NCDRegressor, NCDTransformer
from npc_classify.compressors import (
    Bz2Compressor,
    CMCompressor,
    Compressor,
    GzipCompressor,
    HuggingFaceCompressor,
    LMCompressor,
    LzmaCompressor,
    PPMCompressor,
    ZstdCompressor,
    ZstdPrefixCompressor,
)

# HYPOTHESIS_PROFILE=long: a longer fuzzing run for local use. .ci/run sets "ci": the same
# examples on every run, so that a red CI run is reproducible; local runs draw new ones.
settings.register_profile("long", max_examples=5000, deadline=None)
settings.register_profile(
    "ci",
    derandomize=True,
    database=None,
    deadline=None,  # a shared CI machine's pauses are not the code's speed
    suppress_health_check=[HealthCheck.too_slow],
    print_blob=True,
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))

TESTS_DIR = Path(__file__).parent
TINY_NEWS = TESTS_DIR / "data" / "tiny_news.csv"


#: Queries the cluster backends (Dask, Ray) are checked on: 24 small tasks.
CLUSTER_QUERIES = [
    "The goalkeeper saved a penalty in the cup final.",
    "Profits fell and shares slumped at the bank.",
    "The telescope found a planet around a distant star.",
] * 8


def coder_bits(compressor, data: bytes) -> float:
    """-sum log2 p of ``data`` under the unquantised distributions the coder is given."""
    import math

    model, _ = compressor._coding()
    distribution, bits = model.reset(), 0.0
    for symbol in compressor._to_symbols(data):
        assert distribution.sum() == pytest.approx(1.0)
        bits -= math.log2(distribution[symbol])
        distribution = model.update(symbol)
    return bits


def assert_backend_matches_local(clf, backend: str) -> None:
    """Neighbours and predictions through joblib's ``backend`` equal the local run's."""
    import joblib
    import numpy as np

    local = clf.kneighbors(CLUSTER_QUERIES)
    with joblib.parallel_config(backend=backend):
        remote = clf.kneighbors(CLUSTER_QUERIES)
        predicted = clf.predict(CLUSTER_QUERIES)
    np.testing.assert_array_equal(remote[0], local[0])
    np.testing.assert_array_equal(remote[1], local[1])
    np.testing.assert_array_equal(predicted, clf.predict_from_neighbors(*local))


# Made-up questions in the layout of TREC's .label files: "COARSE:fine question", tokenised.
TREC_TRAIN_LINES = [
    "HUM:ind Who wrote the novel about the white whale ?",
    "HUM:ind Who painted the ceiling of the chapel ?",
    "HUM:gr What band recorded the album about the dark side of the moon ?",
    "LOC:city What city is the capital of Peru ?",
    "LOC:city What city hosted the first modern games ?",
    "LOC:country What country borders both Spain and France ?",
    "NUM:date When did the first man walk on the moon ?",
    "NUM:date When was the bridge over the bay finished ?",
    "NUM:count How many players are on a hockey team ?",
]
TREC_TEST_LINES = [
    "HUM:ind Who wrote the play about the prince of Denmark ?",
    "LOC:city What city is the capital of Chile ?",
    "NUM:count How many moons does the red planet have ?",
]


def write_trec_folder(folder: Path) -> Path:
    """``folder`` with the made-up questions as the authors' two files, latin-1 encoded,
    the training file holding one byte that is not valid UTF-8 (0xF0, as the real one)."""
    train = [*TREC_TRAIN_LINES, "LOC:city What city is Lima 's sister\xf0city ?"]
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "train_5500.label").write_bytes("\n".join(train).encode("latin-1") + b"\n")
    (folder / "TREC_10.label").write_bytes("\n".join(TREC_TEST_LINES).encode("latin-1") + b"\n")
    return folder


def write_csv(path: Path, header, rows, delimiter: str = ",", quote_all: bool = False) -> Path:
    """Write ``rows`` (with ``header`` unless None) as CSV; every field quoted if asked."""
    with open(path, "w", encoding="utf-8", newline="") as handle:
        quoting = csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL
        writer = csv.writer(handle, delimiter=delimiter, quoting=quoting, lineterminator="\n")
        if header:
            writer.writerow(header)
        writer.writerows(rows)
    return path


def ag_news_dir() -> Path:
    """The local AG News folder: $NPC_CLASSIFY_AG_NEWS_DIR or ../shared/data/ag_news."""
    default = TESTS_DIR.parent.parent / "shared" / "data" / "ag_news"
    return Path(os.environ.get("NPC_CLASSIFY_AG_NEWS_DIR", default))


@pytest.fixture(scope="session")
def ag_news_path() -> Path:
    """Path of the real AG News CSVs; skipped locally when absent, an error in CI."""
    path = ag_news_dir()
    if not (path / "train.csv").is_file():
        message = f"AG News CSVs not found in {path}; set NPC_CLASSIFY_AG_NEWS_DIR."
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return path


@pytest.fixture(scope="session")
def trec_path() -> Path:
    """Path of the real TREC files, $NPC_CLASSIFY_TREC_DIR or ../shared/data/trec; the one
    test that reads them is skipped without them (TREC is optional, unlike AG News)."""
    default = TESTS_DIR.parent.parent / "shared" / "data" / "trec"
    path = Path(os.environ.get("NPC_CLASSIFY_TREC_DIR", default))
    if not (path / "train_5500.label").is_file():
        pytest.skip(f"TREC files not found in {path}; set NPC_CLASSIFY_TREC_DIR.")
    return path


@pytest.fixture(scope="session")
def tiny_news() -> tuple[list[str], list[str]]:
    """24 short news sentences we wrote, 8 each of sport, business, science."""
    with open(TINY_NEWS, encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    return [row["text"] for row in rows], [row["label"] for row in rows]


@pytest.fixture(scope="session")
def tiny_byte_lm(tmp_path_factory) -> str:
    """File of a byte GRU with random weights (seed 0), embedding 8, 16 hidden units."""
    torch = pytest.importorskip("torch")
    from npc_classify.coding.byte_lm import ByteGRU, save_byte_lm

    torch.manual_seed(0)
    path = tmp_path_factory.mktemp("byte_lm") / "tiny.pt"
    save_byte_lm(ByteGRU(embedding_dim=8, hidden_size=16), path)
    return str(path)


@pytest.fixture(scope="session")
def tiny_causal_lm(tmp_path_factory, tiny_news) -> str:
    """Folder of a Hugging Face GPT-2 built here: nothing is downloaded.

    Its byte-level BPE tokenizer is trained on the tiny news texts (about 400
    tokens); the weights are random (seed 0), 2 layers of width 32 and a
    window of 48 positions, so long inputs cross windows.
    """
    torch = pytest.importorskip("torch")
    pytest.importorskip("transformers")
    from transformers import GPT2Config, GPT2LMHeadModel

    from npc_classify.coding.hf_lm import byte_level_bpe_tokenizer

    wrapped = byte_level_bpe_tokenizer(tiny_news[0], vocab_size=400)
    config = GPT2Config(
        vocab_size=len(wrapped),
        n_positions=48,
        n_embd=32,
        n_layer=2,
        n_head=2,
        bos_token_id=wrapped.bos_token_id,
        eos_token_id=wrapped.eos_token_id,
    )
    torch.manual_seed(0)
    folder = tmp_path_factory.mktemp("causal_lm")
    GPT2LMHeadModel(config).save_pretrained(folder)
    wrapped.save_pretrained(folder)
    return str(folder)


#: Every compressor we ship, by test id: one list for every contract test. The
#: model-based ones get their model from the fixtures above ("lm-cache" is the tiny
#: GRU with an adaptive cache of order 2).
COMPRESSOR_CASES: dict[str, Callable[[pytest.FixtureRequest], Compressor]] = {
    "gzip": lambda request: GzipCompressor(),
    "gzip-raw-1": lambda request: GzipCompressor(level=1, header=False),
    "zstd": lambda request: ZstdCompressor(),
    "zstd-19": lambda request: ZstdCompressor(level=19),
    "zstd-prefix": lambda request: ZstdPrefixCompressor(level=5),
    "bz2": lambda request: Bz2Compressor(),
    "lzma-0": lambda request: LzmaCompressor(level=0),
    "ppm": lambda request: PPMCompressor(),
    "cm": lambda request: CMCompressor(),
    "lm": lambda request: LMCompressor(request.getfixturevalue("tiny_byte_lm")),
    "lm-cache": lambda request: LMCompressor(
        request.getfixturevalue("tiny_byte_lm"), cache_order=2
    ),
    "hf": lambda request: HuggingFaceCompressor(request.getfixturevalue("tiny_causal_lm")),
}
#: The compressors whose model drives the arithmetic coder: sizes are ideal code lengths.
CODING_CASES = ["ppm", "cm", "lm", "lm-cache", "hf"]
#: The compressors whose sizes are the lengths of real streams.
STREAM_CASES = [case for case in COMPRESSOR_CASES if case not in CODING_CASES]


def build_compressor(case: str, request: pytest.FixtureRequest) -> Compressor:
    """A new compressor of ``case`` (skipped when its optional extra is missing)."""
    return COMPRESSOR_CASES[case](request)


@pytest.fixture(scope="session", params=list(COMPRESSOR_CASES))
def any_compressor(request) -> Compressor:
    """Each compressor of :data:`COMPRESSOR_CASES`."""
    return build_compressor(request.param, request)


@pytest.fixture(scope="session", params=STREAM_CASES)
def stream_compressor(request) -> Compressor:
    """Each compressor whose sizes are real stream lengths."""
    return build_compressor(request.param, request)


@pytest.fixture(scope="module", params=CODING_CASES)
def language_model_compressor(request) -> Compressor:
    """Each compressor whose model drives the arithmetic coder: PPM and CM (learned from
    the data itself), the tiny byte GRU alone and with a cache, and the tiny GPT-2."""
    return build_compressor(request.param, request)


#: Every estimator configuration the contract tests run: both classifiers on every
#: compressor, plus the approximate search, several dictionaries per class and complement
#: texts; the
#: regressor and the transformer on a stream and a model-based compressor.
ESTIMATOR_CASES: dict[str, Callable[[pytest.FixtureRequest], Any]] = {
    **{
        f"NCDClassifier-{case}": lambda request, case=case: NCDClassifier(
            build_compressor(case, request), k=3
        )
        for case in COMPRESSOR_CASES
    },
    "NCDClassifier-gzip-candidates": lambda request: NCDClassifier("gzip", k=3, candidates=10),
    **{
        f"CompressionClassifier-{case}": lambda request, case=case: CompressionClassifier(
            build_compressor(case, request)
        )
        for case in COMPRESSOR_CASES
    },
    "CompressionClassifier-zstd-2-dictionaries": lambda request: CompressionClassifier(
        "zstd", n_dictionaries=2
    ),
    "CompressionClassifier-zstd-auto-dictionaries": lambda request: CompressionClassifier(
        "zstd", n_dictionaries="auto"
    ),
    "CompressionClassifier-ppm-complement": lambda request: CompressionClassifier(
        PPMCompressor(), complement=4.0
    ),
    "NCDRegressor-gzip": lambda request: NCDRegressor("gzip", k=3),
    "NCDRegressor-ppm-distance": lambda request: NCDRegressor(
        PPMCompressor(), k=3, weights="distance"
    ),
    "NCDRegressor-gzip-candidates": lambda request: NCDRegressor("gzip", k=3, candidates=10),
    "NCDTransformer-gzip": lambda request: NCDTransformer("gzip"),
    "NCDTransformer-ppm-2-per-class": lambda request: NCDTransformer(
        PPMCompressor(), n_references=2, random_state=0
    ),
}


def fit_targets(estimator, labels):
    """What the contract tests fit ``estimator`` on: the class labels, or for a regressor
    each label's position among the sorted classes (0.0, 1.0, 2.0)."""
    if is_regressor(estimator):
        return np.unique(labels, return_inverse=True)[1].astype(float)
    return labels


def outputs(fitted, X):
    """What a fitted estimator computes for ``X``: a classifier's probabilities, a
    regressor's predictions, a transformer's features."""
    if is_classifier(fitted):
        return fitted.predict_proba(X)
    if is_regressor(fitted):
        return fitted.predict(X)
    return fitted.transform(X)


@pytest.fixture(params=list(ESTIMATOR_CASES))
def any_estimator(request):
    """A new, unfitted estimator of each :data:`ESTIMATOR_CASES` configuration."""
    return ESTIMATOR_CASES[request.param](request)


@pytest.fixture
def worker_requests(monkeypatch) -> list:
    """The ``n_jobs`` of every call CompressionClassifier makes to the parallel engine."""
    from npc_classify import _compression_classifier
    from npc_classify._parallel import ordered_results

    asked: list = []

    def spy(tasks, n_jobs):
        asked.append(n_jobs)
        return ordered_results(tasks, n_jobs)

    monkeypatch.setattr(_compression_classifier, "ordered_results", spy)
    return asked


class Arriving(io.RawIOBase):
    """A stream that hands its bytes out in the given pieces, one piece a read, as a pipe
    hands out what has been written to it so far."""

    def __init__(self, pieces: list[bytes]) -> None:
        self.pieces, self.reads = list(pieces), 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        self.reads += 1
        if not self.pieces:
            return 0
        piece = self.pieces.pop(0)
        buffer[: len(piece)] = piece
        return len(piece)
