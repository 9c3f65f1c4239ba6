"""NCDRegressor: the mean target of the nearest texts, from NCDClassifier's own search."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.exceptions import DataConversionWarning, NotFittedError
from sklearn.model_selection import GridSearchCV, KFold, cross_val_score

from npc_classify import NCDClassifier, NCDRegressor, pairwise_ncd
from npc_classify._voting import MIN_WEIGHTED_DISTANCE

QUERIES = [
    "The goalkeeper saved a penalty in the cup final.",
    "Profits fell and shares slumped at the bank.",
    "The telescope found a planet around a distant star.",
]
SPORT = "goal striker keeper penalty match league cup coach stadium referee".split()
MONEY = "shares profits bank rates market investors dollar merger stocks inflation".split()


def mixed_texts(n: int, seed: int) -> tuple[list[str], np.ndarray]:
    """Texts of ten words, m of them sport words and the rest money words; target m."""
    rng = np.random.RandomState(seed)
    texts, targets = [], []
    for _ in range(n):
        m = rng.randint(0, 11)
        words = [*rng.choice(SPORT, m), *rng.choice(MONEY, 10 - m)]
        rng.shuffle(words)
        texts.append(" ".join(words))
        targets.append(float(m))
    return texts, np.array(targets)


def class_codes(labels) -> np.ndarray:
    return np.unique(labels, return_inverse=True)[1].astype(float)


def test_predicts_how_many_words_of_a_kind_a_text_has():
    train, test = mixed_texts(200, seed=0), mixed_texts(50, seed=1)
    reg = NCDRegressor(k=10).fit(*train)
    assert reg.score(*test) > 0.8, "R^2: most of the variance of m is predicted"
    assert reg.score(*test) > NCDRegressor(k=1).fit(*train).score(*test), "averaging helps"


def test_with_one_neighbour_it_predicts_the_class_code_of_the_classifier(tiny_news):
    texts, labels = tiny_news
    clf = NCDClassifier(k=1).fit(texts, labels)
    reg = NCDRegressor(k=1).fit(texts, class_codes(labels))
    expected = np.searchsorted(clf.classes_, clf.predict(QUERIES)).astype(float)
    np.testing.assert_array_equal(reg.predict(QUERIES), expected)
    assert reg.predict(QUERIES).tolist() == [2.0, 0.0, 1.0]  # sport, business, science


def test_the_neighbours_are_those_of_the_classifier(tiny_news):
    texts, labels = tiny_news
    for params in ({"k": 5}, {"k": 3, "candidates": 10}, {"k": 4, "order": "symmetric"}):
        clf = NCDClassifier(**params).fit(texts, labels)
        reg = NCDRegressor(**params).fit(texts, class_codes(labels))
        for got, expected in zip(reg.kneighbors(QUERIES), clf.kneighbors(QUERIES), strict=True):
            np.testing.assert_array_equal(got, expected)


def test_uniform_weights_average_the_neighbours_targets(tiny_news):
    texts, _ = tiny_news
    targets = np.arange(len(texts), dtype=float) ** 2
    reg = NCDRegressor(k=4).fit(texts, targets)
    neigh_ind = reg.kneighbors(QUERIES, return_distance=False)
    np.testing.assert_allclose(reg.predict(QUERIES), targets[neigh_ind].mean(axis=1))


def test_distance_weights_are_inverse_distances(tiny_news):
    texts, _ = tiny_news
    targets = np.arange(len(texts), dtype=float)
    reg = NCDRegressor(k=4, weights="distance").fit(texts, targets)
    neigh_dist, neigh_ind = reg.kneighbors(QUERIES)
    expected = np.average(targets[neigh_ind], axis=1, weights=1.0 / neigh_dist)
    np.testing.assert_allclose(reg.predict(QUERIES), expected)


def test_zero_distances_are_floored_as_the_classifier_floors_them(tiny_news):
    texts, _ = tiny_news
    reg = NCDRegressor(k=2, weights="distance").fit(texts, np.arange(len(texts), dtype=float))
    neigh_dist = np.array([[0.0, 2 * MIN_WEIGHTED_DISTANCE]])
    predicted = reg.predict_from_neighbors(neigh_dist, np.array([[0, 3]]))
    np.testing.assert_allclose(predicted, [(0 * 2 + 3 * 1) / 3])


def test_one_search_predicts_every_smaller_k(tiny_news):
    texts, _ = tiny_news
    targets = np.arange(len(texts), dtype=float)
    reg = NCDRegressor(k=7, weights="distance").fit(texts, targets)
    neigh_dist, neigh_ind = reg.kneighbors(QUERIES)
    for k in (1, 3, 7):
        np.testing.assert_array_equal(
            reg.predict_from_neighbors(neigh_dist[:, :k], neigh_ind[:, :k]),
            reg.set_params(k=k).predict(QUERIES),
        )


def test_the_distances_are_pairwise_ncd(tiny_news):
    texts, labels = tiny_news
    reg = NCDRegressor(k=3).fit(texts, class_codes(labels))
    neigh_dist, neigh_ind = reg.kneighbors(QUERIES)
    full = pairwise_ncd(QUERIES, texts)
    np.testing.assert_array_equal(neigh_dist, np.take_along_axis(full, neigh_ind, axis=1))


def test_cross_validation_and_grid_search_over_k():
    texts, targets = mixed_texts(60, seed=2)
    cv = KFold(n_splits=3, shuffle=True, random_state=0)
    assert cross_val_score(NCDRegressor(k=5), texts, targets, cv=cv).shape == (3,)
    grid = GridSearchCV(NCDRegressor(), {"k": [1, 5], "weights": ["uniform", "distance"]}, cv=cv)
    grid.fit(texts, targets)
    assert len(grid.cv_results_["params"]) == 4
    assert grid.predict(texts[:2]).shape == (2,)


def test_a_search_fingerprint_depends_on_the_targets(tiny_news):
    texts, labels = tiny_news
    one = NCDRegressor(k=1).fit(texts, class_codes(labels))
    two = NCDRegressor(k=1).fit(texts, class_codes(labels) + 1)
    assert one.search_fingerprint(QUERIES, 1) == one.search_fingerprint(QUERIES, 1)
    assert one.search_fingerprint(QUERIES, 1) != two.search_fingerprint(QUERIES, 1)


def test_several_targets_per_text_are_refused(tiny_news):
    texts, _ = tiny_news
    with pytest.raises(ValueError, match=r"one target per text, got an array of shape \(24, 2\)"):
        NCDRegressor().fit(texts, np.ones((len(texts), 2)))


def test_a_column_of_targets_warns_and_works(tiny_news):
    texts, labels = tiny_news
    with pytest.warns(DataConversionWarning):
        reg = NCDRegressor(k=1).fit(texts, class_codes(labels)[:, None])
    assert reg.predict(QUERIES).shape == (3,)


@pytest.mark.parametrize(
    ("targets", "message"),
    [
        (["sport"] * 24, r"y must hold numbers \(regression targets\)"),
        ([1.0] * 23 + [np.nan], "Input y contains NaN"),
        ([1.0] * 23 + [np.inf], "Input y contains infinity"),
        ([1.0] * 3, "got 24 texts and 3 targets"),
    ],
    ids=["labels", "nan", "inf", "length"],
)
def test_targets_that_are_not_finite_numbers_are_refused(tiny_news, targets, message):
    texts, _ = tiny_news
    with pytest.raises(ValueError, match=message):
        NCDRegressor().fit(texts, targets)


@pytest.mark.parametrize("unordered", [set, dict.fromkeys], ids=["set", "dict"])
def test_unordered_targets_are_refused_saying_why(tiny_news, unordered):
    texts, _ = tiny_news
    targets = unordered(float(n) for n in range(len(texts)))
    with pytest.raises(TypeError, match=r"y must be an ordered sequence .* iteration order"):
        NCDRegressor().fit(texts, targets)


def test_k_larger_than_the_training_set_is_refused(tiny_news):
    texts, labels = tiny_news
    with pytest.raises(ValueError, match=r"k=25 is larger than the training set \(24 texts\)"):
        NCDRegressor(k=25).fit(texts, class_codes(labels))


def test_refuses_to_predict_before_fit():
    with pytest.raises(NotFittedError):
        NCDRegressor().predict(QUERIES)


def test_targets_from_a_generator_are_read_as_the_classifiers_read_labels(tiny_news):
    texts, _ = tiny_news
    targets = [float(len(text)) for text in texts]
    from_list = NCDRegressor(k=3).fit(texts, targets).predict(QUERIES)
    from_generator = NCDRegressor(k=3).fit(texts, (t for t in targets)).predict(QUERIES)
    np.testing.assert_array_equal(from_generator, from_list)
