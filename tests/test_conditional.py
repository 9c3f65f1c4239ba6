"""CompressionClassifier: one compression per class, streaming updates, clear refusals."""

from __future__ import annotations

import pickle
import re
import zlib

import numpy as np
import pytest
import zstandard
from joblib import parallel_config
from sklearn.ensemble import StackingClassifier
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LogisticRegression

from npc_classify import CompressionClassifier
from npc_classify._compression_classifier import AUTO_DICTIONARIES, _query_shares
from npc_classify.coding import _cm_kernels as cm_kernels
from npc_classify.coding import _ppm_kernels as ppm_kernels
from npc_classify.compressors import Bz2Compressor, GzipCompressor, ZstdCompressor
from npc_classify.datasets import read_ag_news_csv
from npc_classify.evaluation import SavedColumns

QUERIES = [
    "The goalkeeper saved a penalty in the cup final.",
    "Profits fell and shares slumped at the bank.",
    "The telescope found a planet around a distant star.",
]


@pytest.mark.parametrize("compressor", ["zstd", "gzip", "bz2", "lzma", "zstd-prefix", "ppm"])
def test_predicts_the_topic_of_new_texts(tiny_news, compressor):
    clf = CompressionClassifier(compressor).fit(*tiny_news)
    assert clf.predict(QUERIES).tolist() == ["sport", "business", "science"]


def test_the_cost_is_the_query_compressed_against_each_class_text(tiny_news):
    texts, labels = tiny_news
    clf = CompressionClassifier("zstd").fit(texts, labels)
    for column, label in enumerate(clf.classes_):
        class_text = "".join(
            t + "\n" for t, lab in zip(texts, labels, strict=True) if lab == label
        )
        dictionary = zstandard.ZstdCompressionDict(
            class_text.encode(), dict_type=zstandard.DICT_TYPE_RAWCONTENT
        )
        compress = zstandard.ZstdCompressor(level=3, dict_data=dictionary).compress
        expected = [8 * len(compress(q.encode())) for q in QUERIES]
        assert clf.extra_bits(QUERIES)[:, column].tolist() == expected


def test_a_query_is_coded_as_the_next_text_of_each_class(tiny_news):
    texts, labels = tiny_news
    clf = CompressionClassifier("ppm").fit(texts, labels)
    size = clf.compressor_.compressed_size
    for column, label in enumerate(clf.classes_):
        class_text = "".join(
            t + "\n" for t, lab in zip(texts, labels, strict=True) if lab == label
        )
        context = class_text.encode()
        expected = [8 * (size(context + q.encode()) - size(context)) for q in QUERIES]
        np.testing.assert_allclose(clf.extra_bits(QUERIES)[:, column], expected, rtol=1e-12)


def test_gzip_uses_the_last_32_kib_of_the_class_text_as_dictionary():
    context = bytes(range(256)) * 200  # 51,200 bytes
    item = b"query text"
    stream = zlib.compressobj(9, zlib.DEFLATED, -15, zdict=context[-32768:])
    expected = len(stream.compress(item)) + len(stream.flush())
    assert GzipCompressor().conditional_sizes(context, [item]).tolist() == [expected]


def test_without_a_dictionary_mechanism_the_cost_is_the_exact_difference():
    compressor = Bz2Compressor()
    context, item = b"some class text " * 20, b"a query"
    expected = len(compressor.compress(context + item)) - len(compressor.compress(context))
    assert compressor.conditional_sizes(context, [item]).tolist() == [expected]


def test_partial_fit_in_pieces_equals_one_fit(tiny_news):
    texts, labels = tiny_news
    whole = CompressionClassifier().fit(texts, labels)
    pieces = CompressionClassifier().partial_fit(texts[:10], labels[:10])
    pieces.partial_fit(texts[10:], labels[10:])
    np.testing.assert_array_equal(pieces.extra_bits(QUERIES), whole.extra_bits(QUERIES))


def test_partial_fit_accepts_a_new_class(tiny_news):
    texts, labels = tiny_news
    clf = CompressionClassifier().fit(texts, labels)
    clf.partial_fit(["The orchestra played a new symphony to a full concert hall."], ["arts"])
    assert clf.classes_.tolist() == ["arts", "business", "science", "sport"]
    assert clf.predict(["The symphony orchestra played in the concert hall."])[0] == "arts"


def test_classes_given_to_the_first_partial_fit_fix_the_columns_from_the_start(tiny_news):
    """scikit-learn's incremental protocol: every class known from the first call, those
    without texts yet coded after an empty class text (the compressor alone)."""
    texts, labels = tiny_news
    sport = [i for i, label in enumerate(labels) if label == "sport"]
    clf = CompressionClassifier("ppm").partial_fit(
        [texts[i] for i in sport],
        [labels[i] for i in sport],
        classes=["sport", "science", "business"],
    )
    assert clf.classes_.tolist() == ["business", "science", "sport"]
    assert clf.predict_proba(QUERIES).shape == (3, 3)
    assert clf.class_bytes_[:2].tolist() == [0, 0]
    alone = clf.compressor_
    np.testing.assert_allclose(
        clf.class_bits(QUERIES)[:, 0], [8 * alone.compressed_size(q.encode()) for q in QUERIES]
    )
    restored = pickle.loads(pickle.dumps(clf))  # classes without texts are saved as such
    np.testing.assert_array_equal(restored.class_bits(QUERIES), clf.class_bits(QUERIES))
    clf.partial_fit(texts, labels)  # the other classes' texts come later
    whole = CompressionClassifier("ppm").fit(
        [texts[i] for i in sport] + texts, [labels[i] for i in sport] + labels
    )
    np.testing.assert_array_equal(clf.class_bits(QUERIES), whole.class_bits(QUERIES))


def test_a_label_outside_the_classes_given_is_refused_then_and_later(tiny_news):
    texts, labels = tiny_news
    clf = CompressionClassifier("ppm")
    with pytest.raises(ValueError, match=r"y holds \['sport'\], not among classes="):
        clf.partial_fit(texts, labels, classes=["business", "science"])
    with pytest.raises(NotFittedError):
        clf.predict(QUERIES)
    clf.partial_fit(texts[:3], labels[:3], classes=["business", "science", "sport"])
    before = clf.class_bits(QUERIES)
    with pytest.raises(ValueError, match=r"y holds \['arts'\], not among the classes"):
        clf.partial_fit(["A new symphony."], ["arts"])
    with pytest.raises(ValueError, match=r"classes=\['arts', 'sport'\] is not this classifier's"):
        clf.partial_fit(texts, labels, classes=["sport", "arts"])
    np.testing.assert_array_equal(clf.class_bits(QUERIES), before)
    clf.partial_fit(texts, labels, classes=["sport", "science", "business"])  # the same: fine


def test_a_later_call_giving_classes_refuses_labels_outside_them(tiny_news):
    """Even when the first call gave none: the classes a call is given hold for its labels."""
    texts, labels = tiny_news
    clf = CompressionClassifier("ppm").partial_fit(texts, labels)
    with pytest.raises(ValueError, match=r"y holds \['arts'\], not among classes="):
        clf.partial_fit(["A new symphony."], ["arts"], classes=["business", "science", "sport"])
    assert clf.classes_.tolist() == ["business", "science", "sport"]


def test_partial_fit_refuses_labels_of_another_type_and_leaves_the_classifier_as_it_was(
    tiny_news,
):
    texts, labels = tiny_news
    clf = CompressionClassifier().fit(texts, labels)
    before = clf.extra_bits(QUERIES)
    with pytest.raises(TypeError, match=r"y holds number labels, but this classifier's classes"):
        clf.partial_fit(["Quantum physics, explained."], [3])
    assert clf.classes_.tolist() == ["business", "science", "sport"]
    np.testing.assert_array_equal(clf.extra_bits(QUERIES), before)


def test_a_first_partial_fit_stopped_in_its_cross_validation_leaves_nothing_behind(
    tiny_news, monkeypatch
):
    texts, labels = tiny_news
    clf = CompressionClassifier(ZstdCompressor(), n_dictionaries="auto")

    def interrupt(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(CompressionClassifier, "_cross_validate", interrupt)
    with pytest.raises(KeyboardInterrupt):
        clf.partial_fit(texts, labels)
    with pytest.raises(NotFittedError):
        clf.predict(QUERIES)
    monkeypatch.undo()
    clf.partial_fit(texts[:12], labels[:12])  # starts from nothing, not from the stored texts
    assert clf.class_bytes_.tolist() == clf.fit(texts[:12], labels[:12]).class_bytes_.tolist()


def test_an_empty_first_partial_fit_is_refused_and_a_later_one_changes_nothing(tiny_news):
    texts, labels = tiny_news
    clf = CompressionClassifier("ppm")
    with pytest.raises(ValueError, match="Cannot fit on an empty training set"):
        clf.partial_fit([], [])
    clf.partial_fit(texts, labels)
    before = clf.class_bits(QUERIES)
    np.testing.assert_array_equal(clf.partial_fit([], []).class_bits(QUERIES), before)


@pytest.mark.parametrize("method", ["fit", "partial_fit"])
def test_auto_settings_cross_validated_on_one_class_warn_that_they_say_nothing(tiny_news, method):
    texts, labels = tiny_news
    sport = [t for t, lab in zip(texts, labels, strict=True) if lab == labels[0]]
    clf = CompressionClassifier("zstd", n_dictionaries="auto", temperature="auto")
    with pytest.warns(UserWarning, match=r"n_dictionaries, temperature='auto' cross-valid"):
        getattr(clf, method)(sport, [labels[0]] * len(sport))


def test_fit_starts_again_from_nothing(tiny_news):
    texts, labels = tiny_news
    clf = CompressionClassifier().fit(["an unrelated text"], ["other"])
    clf.fit(texts, labels)
    assert clf.classes_.tolist() == ["business", "science", "sport"]


def test_max_class_bytes_keeps_the_most_recent_texts(tiny_news):
    texts, labels = tiny_news
    clf = CompressionClassifier(max_class_bytes=200).fit(texts, labels)
    assert all(80 <= size <= 200 for size in clf.class_bytes_)
    kept = clf._class_texts["sport"]
    assert kept[-1] == texts[7].encode()
    assert [t.decode() for t in kept] == texts[8 - len(kept) : 8]


def test_max_class_bytes_counts_the_separator_after_every_text():
    """Three 10-byte texts, each followed by a one-byte separator, are 33 bytes: over 32,
    so the oldest goes; 22 bytes remain, the length of the class text."""
    texts = ["aa first 1", "aa second2", "aa third 3", "bb first 1"]
    clf = CompressionClassifier(max_class_bytes=32, separator="\n")
    clf.fit(texts, ["a", "a", "a", "b"])
    assert clf._class_texts["a"] == [b"aa second2", b"aa third 3"]
    assert clf.class_bytes_.tolist() == [22, 11]


def test_max_class_bytes_keeps_a_class_text_of_exactly_that_length():
    """Three 10-byte texts, each followed by a one-byte separator: 33 bytes, all kept."""
    texts = ["aa first 1", "aa second2", "aa third 3", "bb first 1"]
    clf = CompressionClassifier(max_class_bytes=33, separator="\n")
    clf.fit(texts, ["a", "a", "a", "b"])
    assert clf._class_texts["a"] == [text.encode() for text in texts[:3]]
    assert clf.class_bytes_.tolist() == [33, 11]


def test_max_class_bytes_always_keeps_the_newest_text(tiny_news):
    clf = CompressionClassifier(max_class_bytes=1).fit(*tiny_news)
    assert [len(group) for group in clf._class_texts.values()] == [1, 1, 1]


def test_several_dictionaries_average_the_cost_over_groups(tiny_news):
    texts, labels = tiny_news
    clf = CompressionClassifier("zstd", n_dictionaries=2).fit(texts, labels)
    sport = [t.encode() for t, lab in zip(texts, labels, strict=True) if lab == "sport"]
    halves = [b"\n".join(sport[:4]), b"\n".join(sport[4:])]
    sizes = [ZstdCompressor().conditional_sizes(half, [QUERIES[0].encode()]) for half in halves]
    column = clf.classes_.tolist().index("sport")
    assert clf.extra_bits(QUERIES[:1])[0, column] == 8 * np.mean(sizes)


def test_auto_dictionaries_take_the_most_accurate_candidate_in_training_cv(ag_news_path):
    news = read_ag_news_csv(ag_news_path / "train.csv")
    texts, labels = news.texts[:400], news.labels[:400]
    clf = CompressionClassifier("zstd", n_dictionaries="auto").fit(texts, labels)
    assert list(clf.cv_accuracy_) == list(AUTO_DICTIONARIES)
    best = max(clf.cv_accuracy_.values())
    assert clf.n_dictionaries_ == min(n for n, a in clf.cv_accuracy_.items() if a == best)
    # The classifier then predicts as one fitted with that number.
    fixed = CompressionClassifier("zstd", n_dictionaries=clf.n_dictionaries_).fit(texts, labels)
    np.testing.assert_array_equal(clf.extra_bits(QUERIES), fixed.extra_bits(QUERIES))


@pytest.mark.parametrize("max_class_bytes", [None, 150])
def test_auto_cross_validation_scores_held_out_training_texts(tiny_news, max_class_bytes):
    """Each candidate's accuracy is that of class texts without the scored text, by hand,
    cut to ``max_class_bytes`` as the fitted classifier's are."""
    texts, labels = tiny_news
    clf = CompressionClassifier("zstd", n_dictionaries="auto", max_class_bytes=max_class_bytes)
    clf.fit(texts, labels)
    rng = np.random.default_rng(0)
    fold = rng.permutation(len(texts)) % 3
    for n in AUTO_DICTIONARIES:
        right = 0
        for i, text in enumerate(texts):
            kept = fold != fold[i]
            held = CompressionClassifier(
                "zstd", n_dictionaries=n, max_class_bytes=max_class_bytes
            ).fit(
                [t for t, k in zip(texts, kept, strict=True) if k],
                [lab for lab, k in zip(labels, kept, strict=True) if k],
            )
            right += held.predict([text])[0] == labels[i]
        assert clf.cv_accuracy_[n] == right / len(texts)


def test_auto_classifies_at_most_auto_queries_held_out_texts(tiny_news, monkeypatch):
    from npc_classify import _compression_classifier

    monkeypatch.setattr(_compression_classifier, "AUTO_QUERIES", 9)
    classified = []
    costs = CompressionClassifier._costs

    def counted(self, by_class, n, queries, *args, **kwargs):
        classified.append(len(queries))
        return costs(self, by_class, n, queries, *args, **kwargs)

    monkeypatch.setattr(CompressionClassifier, "_costs", counted)
    CompressionClassifier("zstd", temperature="auto").fit(*tiny_news)
    assert len(tiny_news[0]) > 9
    assert sum(classified) == 9


def test_ties_in_auto_cross_validation_go_to_fewer_dictionaries():
    texts, labels = ["aaaa", "aaab", "bbbb", "bbba", "aaba", "bbab"], list("aabbab")
    clf = CompressionClassifier("zstd", n_dictionaries="auto").fit(texts, labels)
    assert set(clf.cv_accuracy_.values()) == {0.5}  # every candidate ties
    assert clf.n_dictionaries_ == 1


def test_partial_fit_keeps_the_first_fits_choice(tiny_news, monkeypatch):
    texts, labels = tiny_news
    clf = CompressionClassifier("zstd", n_dictionaries="auto").fit(texts, labels)
    chosen = clf.n_dictionaries_

    def again(*args):
        raise AssertionError("cross-validated again")

    monkeypatch.setattr(CompressionClassifier, "_cross_validate", again)
    clf.partial_fit(texts[:2], labels[:2])
    assert clf.n_dictionaries_ == chosen
    with pytest.raises(AssertionError, match="cross-validated again"):
        clf.fit(texts, labels)  # a new fit chooses anew


def test_class_bits_take_saved_columns_as_given_and_hand_over_the_others(tiny_news):
    clf = CompressionClassifier(ZstdCompressor(), complement=1).fit(*tiny_news)
    n_classes = len(clf.classes_)
    given = {("class", 0): np.full(len(QUERIES), 1000.0), ("complement", 1): np.zeros(3)}
    handed: dict = {}
    saved = SavedColumns(given, lambda kind, j, bits: handed.update({(kind, j): bits}))
    bits = clf.class_bits(QUERIES, saved=saved)
    expected = clf.extra_bits(QUERIES) - clf.complement_bits(QUERIES)
    expected[:, 0] = 1000.0 - clf.complement_bits(QUERIES)[:, 0]
    expected[:, 1] = clf.extra_bits(QUERIES)[:, 1]
    np.testing.assert_array_equal(bits, expected)
    kinds = [("class", j) for j in range(n_classes)] + [
        ("complement", j) for j in range(n_classes)
    ]
    assert sorted(handed) == sorted(set(kinds) - set(given))


def test_probabilities_are_a_softmax_of_negative_bits(tiny_news):
    clf = CompressionClassifier(ZstdCompressor(), temperature=4.0).fit(*tiny_news)
    bits = clf.extra_bits(QUERIES)
    expected = np.exp(-(bits - bits.min(axis=1, keepdims=True)) / 4.0)
    expected /= expected.sum(axis=1, keepdims=True)
    np.testing.assert_allclose(clf.predict_proba(QUERIES), expected)
    np.testing.assert_array_equal(clf.predict(QUERIES), clf.classes_[bits.argmin(axis=1)])


def test_decision_scores_are_the_bits_saved_against_the_mean_class(tiny_news):
    clf = CompressionClassifier(ZstdCompressor()).fit(*tiny_news)
    bits = clf.extra_bits(QUERIES)
    scores = clf.decision_function(QUERIES)
    np.testing.assert_allclose(scores, bits.mean(axis=1, keepdims=True) - bits)
    assert clf.classes_[scores.argmax(axis=1)].tolist() == clf.predict(QUERIES).tolist()


def test_two_classes_get_one_score_positive_for_the_second(tiny_news):
    texts, labels = tiny_news
    kept = [i for i, label in enumerate(labels) if label in ("business", "sport")]
    clf = CompressionClassifier(ZstdCompressor()).fit(
        [texts[i] for i in kept], [labels[i] for i in kept]
    )
    bits = clf.extra_bits(QUERIES)
    scores = clf.decision_function(QUERIES)
    assert scores.shape == (len(QUERIES),)
    np.testing.assert_allclose(scores, bits[:, 0] - bits[:, 1])
    assert clf.predict(QUERIES).tolist() == clf.classes_[(scores > 0).astype(int)].tolist()


def test_stacks_under_scikit_learn_on_its_decision_scores(tiny_news):
    stack = StackingClassifier(
        [("zstd", CompressionClassifier("zstd")), ("ppm", CompressionClassifier("ppm"))],
        final_estimator=LogisticRegression(),
        stack_method="decision_function",
        cv=2,
    ).fit(*tiny_news)
    assert stack.predict(QUERIES).tolist() == ["sport", "business", "science"]


@pytest.mark.parametrize(
    ("params", "X", "y", "message"),
    [
        ({}, "one text", ["a"], "got a single str"),
        ({}, [], [], "empty training set"),
        ({}, ["a", "b"], ["x"], "got 2 texts and 1 labels"),
        (
            {"max_class_bytes": 0},
            ["a"],
            ["x"],
            r"The 'max_class_bytes' parameter .* or None\. Got 0 instead",
        ),
        (
            {"n_dictionaries": 0},
            ["a"],
            ["x"],
            r"The 'n_dictionaries' parameter .*\[1, inf\) or a str among {'auto'}\. Got 0",
        ),
        ({"compressor": "brotli"}, ["a"], ["x"], r"The 'compressor' parameter .* Got 'brotli'"),
    ],
)
def test_bad_input_is_refused(params, X, y, message):
    with pytest.raises((TypeError, ValueError), match=message):
        CompressionClassifier(**params).fit(X, y)


def test_progress_bars_count_the_class_and_complement_texts_coded_after(tiny_news, capsys):
    clf = CompressionClassifier("zstd", n_dictionaries=2, complement=4.0).fit(*tiny_news)
    assert capsys.readouterr().err == ""  # off by default
    bits = clf.set_params(progress=True).class_bits(QUERIES)
    err = capsys.readouterr().err
    assert re.search(r"class texts: 100%.* 6/6", err)  # 3 classes x 2 groups
    assert re.search(r"complement texts: 100%.* 6/6", err)
    np.testing.assert_array_equal(bits, clf.set_params(progress=False).class_bits(QUERIES))
    clf.set_params(progress=True).predict_proba(QUERIES)
    assert "class texts" in capsys.readouterr().err


def test_auto_dictionaries_show_their_cross_validation_progress(tiny_news, capsys):
    CompressionClassifier("zstd", n_dictionaries="auto", progress=True).fit(*tiny_news)
    steps = 3 * len(AUTO_DICTIONARIES)  # every candidate on every fold
    assert re.search(rf'n_dictionaries="auto" CV: 100%.* {steps}/{steps}', capsys.readouterr().err)


@pytest.mark.parametrize(
    ("n_jobs", "n_dictionaries", "complement"),
    [
        (2, 1, None),
        (2, 2, 4.0),
        (7, 1, None),
        (-1, 1, 2.0),
    ],  # 7: each class text's queries shared out
)
def test_the_bits_are_the_same_on_any_number_of_workers(
    tiny_news, n_jobs, n_dictionaries, complement
):
    def bits(workers: int | None) -> np.ndarray:
        clf = CompressionClassifier(
            "ppm", n_dictionaries=n_dictionaries, complement=complement, n_jobs=workers
        )
        return clf.fit(*tiny_news).class_bits(QUERIES)

    np.testing.assert_array_equal(bits(n_jobs), bits(None))


def test_threads_share_the_compressor_and_give_the_same_bits(tiny_news):
    serial = CompressionClassifier("cm").fit(*tiny_news).class_bits(QUERIES)
    clf = CompressionClassifier("cm", n_jobs=4).fit(*tiny_news)
    with parallel_config(backend="threading"):
        np.testing.assert_array_equal(clf.class_bits(QUERIES), serial)


@pytest.mark.parametrize(
    "kernel",
    [
        cm_kernels.code,
        cm_kernels.roll_back,
        ppm_kernels.code,
        ppm_kernels.roll_back,
        ppm_kernels.code_suffixes,
        ppm_kernels.distribution,
        ppm_kernels.encode_stream,
        ppm_kernels.decode_stream,
    ],
    ids=lambda kernel: f"{kernel.py_func.__module__.rsplit('.', 1)[1]}.{kernel.__name__}",
)
def test_the_compiled_loops_let_threads_run_side_by_side(kernel):
    assert kernel.targetoptions["nogil"] is True  # they release the interpreter's lock


def test_the_queries_are_shared_out_only_among_spare_workers():
    assert _query_shares(10, n_groups=3, workers=2) == [slice(0, 10)]
    assert _query_shares(10, n_groups=3, workers=3) == [slice(0, 10)]
    assert _query_shares(10, n_groups=3, workers=4) == [slice(0, 5), slice(5, 10)]
    assert _query_shares(10, n_groups=1, workers=4) == [
        slice(0, 2),
        slice(2, 5),
        slice(5, 7),
        slice(7, 10),
    ]
    assert _query_shares(2, n_groups=1, workers=8) == [slice(0, 1), slice(1, 2)]


@pytest.mark.parametrize("n_jobs", [0, 2.5, "all"])
def test_a_meaningless_n_jobs_is_refused_by_fit(tiny_news, n_jobs):
    with pytest.raises(ValueError, match=r"The 'n_jobs' parameter of CompressionClassifier"):
        CompressionClassifier(n_jobs=n_jobs).fit(*tiny_news)


@pytest.mark.parametrize(("parameter", "default"), [("progress", False), ("n_jobs", None)])
def test_a_classifier_pickled_before_a_parameter_existed_restores_its_default(
    tiny_news, parameter, default
):
    clf = CompressionClassifier("zstd").fit(*tiny_news)
    state = dict(clf.__getstate__())
    del state[parameter]
    restored = CompressionClassifier.__new__(CompressionClassifier)
    restored.__setstate__(state)
    assert getattr(restored, parameter) is default
    np.testing.assert_array_equal(restored.predict(QUERIES), clf.predict(QUERIES))


def test_a_classifier_saved_with_its_class_texts_by_label_still_loads(tiny_news):
    clf = CompressionClassifier("zstd").fit(*tiny_news)
    state = clf.__getstate__()
    by_label = dict(zip(clf.classes_.tolist(), state["_class_texts"], strict=True))
    restored = CompressionClassifier.__new__(CompressionClassifier)
    restored.__setstate__({**state, "_class_texts": by_label})
    np.testing.assert_array_equal(restored.predict_proba(QUERIES), clf.predict_proba(QUERIES))


def test_predict_before_fit_raises_not_fitted():
    with pytest.raises(NotFittedError):
        CompressionClassifier().predict(QUERIES)
