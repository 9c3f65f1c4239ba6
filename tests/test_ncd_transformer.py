"""NCDTransformer: texts as their compression distances to reference texts, for any model."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.model_selection import GridSearchCV, StratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.svm import LinearSVC

from npc_classify import NCDTransformer, pairwise_ncd
from npc_classify.compressors import GzipCompressor, PPMCompressor

QUERIES = [
    "The goalkeeper saved a penalty in the cup final.",
    "Profits fell and shares slumped at the bank.",
    "The telescope found a planet around a distant star.",
]


def test_features_are_the_ncd_to_every_training_text_by_default(tiny_news):
    texts, labels = tiny_news
    transformer = NCDTransformer().fit(texts, labels)
    np.testing.assert_array_equal(transformer.references_, np.arange(len(texts)))
    np.testing.assert_array_equal(transformer.transform(QUERIES), pairwise_ncd(QUERIES, texts))


def test_features_follow_the_references_in_training_order(tiny_news):
    texts, labels = tiny_news
    transformer = NCDTransformer(PPMCompressor(), n_references=2, random_state=0)
    features = transformer.fit(texts, labels).transform(QUERIES)
    references = [texts[i] for i in transformer.references_]
    assert list(transformer.references_) == sorted(transformer.references_)
    np.testing.assert_array_equal(features, pairwise_ncd(QUERIES, references, compressor="ppm"))


def test_concatenation_settings_are_those_of_pairwise_ncd(tiny_news):
    texts, _ = tiny_news
    transformer = NCDTransformer("zstd", separator="\n", order="symmetric").fit(texts)
    expected = pairwise_ncd(QUERIES, texts, compressor="zstd", separator="\n", order="symmetric")
    np.testing.assert_array_equal(transformer.transform(QUERIES), expected)


def test_reference_sizes_are_computed_once_in_fit(tiny_news):
    texts, labels = tiny_news
    transformer = NCDTransformer(n_references=3, random_state=0).fit(texts, labels)
    expected = [
        GzipCompressor().compressed_size(texts[i].encode()) for i in transformer.references_
    ]
    assert transformer.reference_sizes_.tolist() == expected


def test_n_references_are_drawn_per_class(tiny_news):
    texts, labels = tiny_news
    transformer = NCDTransformer(n_references=3, random_state=0).fit(texts, labels)
    drawn = np.asarray(labels)[transformer.references_]
    assert sorted(drawn.tolist()) == ["business"] * 3 + ["science"] * 3 + ["sport"] * 3
    assert transformer.n_features_out_ == 9
    assert transformer.transform(QUERIES).shape == (3, 9)


def test_the_draw_is_seeded_by_random_state(tiny_news):
    texts, labels = tiny_news

    def references(seed):
        return NCDTransformer(n_references=2, random_state=seed).fit(texts, labels).references_

    np.testing.assert_array_equal(references(0), references(0))
    assert any(not np.array_equal(references(0), references(seed)) for seed in range(1, 5))


def test_a_class_smaller_than_n_references_gives_all_its_texts(tiny_news):
    texts, labels = tiny_news
    texts, labels = texts[:2] + texts[8:], labels[:2] + labels[8:]  # 2 sport texts
    transformer = NCDTransformer(n_references=5, random_state=0).fit(texts, labels)
    drawn = np.asarray(labels)[transformer.references_].tolist()
    assert drawn.count("sport") == 2
    assert drawn.count("business") == drawn.count("science") == 5


def test_without_y_the_references_are_drawn_from_all_texts(tiny_news):
    texts, _ = tiny_news
    transformer = NCDTransformer(n_references=5, random_state=0).fit(texts)
    assert transformer.n_features_out_ == 5
    assert len(set(transformer.references_.tolist())) == 5


def test_continuous_targets_draw_from_all_texts(tiny_news):
    texts, _ = tiny_news
    targets = np.linspace(0.0, 1.0, len(texts)) + 0.01
    transformer = NCDTransformer(n_references=5, random_state=0).fit(texts, targets)
    assert transformer.n_features_out_ == 5


def test_whole_number_targets_count_as_classes_unless_stratify_is_false(tiny_news):
    texts, _ = tiny_news
    stars = [float(1 + i % 5) for i in range(len(texts))]  # ratings 1.0 to 5.0
    by_class = NCDTransformer(n_references=2, random_state=0).fit(texts, stars)
    assert by_class.n_features_out_ == 2 * 5
    regression = NCDTransformer(n_references=2, stratify=False, random_state=0)
    assert regression.fit(texts, stars).n_features_out_ == 2


@pytest.mark.parametrize("stratify", ["auto", False])
def test_several_targets_per_text_draw_from_all_texts(tiny_news, stratify):
    """A multi-output regression pipeline: nothing to draw per class, so y's rows are
    only counted."""
    texts, _ = tiny_news
    targets = np.column_stack([np.linspace(0.0, 1.0, len(texts)), np.arange(len(texts)) % 3])
    pipeline = make_pipeline(
        NCDTransformer(n_references=5, stratify=stratify, random_state=0), Ridge()
    )
    assert pipeline.fit(texts, targets).predict(QUERIES).shape == (3, 2)
    with pytest.raises(ValueError, match="got 24 texts and 3 rows of targets"):
        NCDTransformer(stratify=stratify).fit(texts, targets[:3])
    with pytest.raises(ValueError, match="but y holds continuous-multioutput targets"):
        NCDTransformer(n_references=5, stratify=True).fit(texts, targets)


@pytest.mark.parametrize("missing", [None, float("nan")])
def test_a_missing_label_is_named_with_its_position(tiny_news, missing):
    texts, labels = tiny_news
    labels = [*labels[:2], missing, *labels[3:]]
    with pytest.raises(ValueError, match=r"missing label .* at position 2"):
        NCDTransformer(n_references=1).fit(texts, labels)


def test_stratify_true_refuses_a_y_without_class_labels(tiny_news):
    texts, _ = tiny_news
    transformer = NCDTransformer(n_references=2, stratify=True)
    with pytest.raises(
        ValueError, match="stratify=True draws the references per class, but y is None"
    ):
        transformer.fit(texts)
    targets = np.linspace(0.0, 1.0, len(texts)) + 0.01
    with pytest.raises(ValueError, match="but y holds continuous targets"):
        transformer.fit(texts, targets)


def test_a_transformer_pickled_before_stratify_existed_draws_as_it_did(tiny_news):
    texts, labels = tiny_news
    fitted = NCDTransformer(n_references=2, random_state=0).fit(texts, labels)
    state = dict(fitted.__getstate__())
    del state["stratify"]
    restored = NCDTransformer.__new__(NCDTransformer)
    restored.__setstate__(state)
    assert restored.stratify == "auto"
    np.testing.assert_array_equal(restored.transform(texts[:3]), fitted.transform(texts[:3]))


def test_targets_of_the_wrong_length_are_refused(tiny_news):
    texts, labels = tiny_news
    with pytest.raises(ValueError, match="got 24 texts and 3 labels"):
        NCDTransformer(n_references=2).fit(texts, labels[:3])
    with pytest.raises(ValueError, match="got 24 texts and 2 targets"):
        NCDTransformer(n_references=2).fit(texts, [0.5, 1.5])


def test_fit_transform_equals_fit_then_transform(tiny_news):
    texts, labels = tiny_news
    transformer = NCDTransformer(n_references=2, random_state=0)
    np.testing.assert_array_equal(
        transformer.fit_transform(texts, labels), transformer.fit(texts, labels).transform(texts)
    )


def test_workers_and_chunking_do_not_change_the_features(tiny_news):
    texts, labels = tiny_news
    one = NCDTransformer().fit(texts, labels).transform(texts)
    many = NCDTransformer(n_jobs=2, working_memory=0.0005).fit(texts, labels).transform(texts)
    np.testing.assert_array_equal(one, many)


def test_feature_names_name_the_reference_texts(tiny_news):
    texts, labels = tiny_news
    transformer = NCDTransformer(n_references=1, random_state=0).fit(texts, labels)
    names = transformer.get_feature_names_out()
    assert names.tolist() == [f"ncd_{i}" for i in transformer.references_]


def test_pandas_output_has_the_feature_names(tiny_news):
    pytest.importorskip("pandas")
    texts, labels = tiny_news
    transformer = NCDTransformer(n_references=1, random_state=0).set_output(transform="pandas")
    frame = transformer.fit(texts, labels).transform(QUERIES)
    assert list(frame.columns) == transformer.get_feature_names_out().tolist()
    assert frame.shape == (3, 3)


@pytest.mark.parametrize(
    "model", [LinearSVC(), LogisticRegression(max_iter=1000)], ids=lambda m: type(m).__name__
)
def test_a_linear_model_learns_from_the_distances(tiny_news, model):
    texts, labels = tiny_news
    pipeline = make_pipeline(NCDTransformer(), model).fit(texts, labels)
    assert pipeline.predict(QUERIES).tolist() == ["sport", "business", "science"]


def test_grid_search_over_the_number_of_references(tiny_news):
    texts, labels = tiny_news
    pipeline = make_pipeline(NCDTransformer(random_state=0), LogisticRegression(max_iter=1000))
    grid = GridSearchCV(
        pipeline,
        {"ncdtransformer__n_references": [1, 3, None]},
        cv=StratifiedKFold(n_splits=3, shuffle=True, random_state=0),
    ).fit(texts, labels)
    assert len(grid.cv_results_["params"]) == 3
    assert grid.predict(QUERIES).shape == (3,)
    n_references = grid.best_params_["ncdtransformer__n_references"]
    expected = len(texts) if n_references is None else 3 * n_references
    assert grid.best_estimator_[0].n_features_out_ == expected


def test_transforming_no_texts_gives_no_rows(tiny_news):
    texts, labels = tiny_news
    assert NCDTransformer().fit(texts, labels).transform([]).shape == (0, len(texts))


def test_has_no_n_features_in(tiny_news):
    assert not hasattr(NCDTransformer().fit(*tiny_news), "n_features_in_")


def test_refuses_to_transform_before_fit():
    with pytest.raises(NotFittedError):
        NCDTransformer().transform(QUERIES)


def test_refuses_a_single_string_and_an_empty_training_set(tiny_news):
    texts, _ = tiny_news
    with pytest.raises(TypeError, match=r"Wrap it in a list: \[text\]"):
        NCDTransformer().fit("one text")
    with pytest.raises(ValueError, match="empty training set"):
        NCDTransformer().fit([])
    with pytest.raises(TypeError, match="got a single str"):
        NCDTransformer().fit(texts).transform("one text")
