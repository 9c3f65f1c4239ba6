"""Every estimator and compressor validates its parameters one way: scikit-learn's.

Each class declares ``_parameter_constraints``; ``fit`` (or a compressor's
``validate``) checks them and reports scikit-learn's ``InvalidParameterError``,
which names the parameter, what it accepts and what it got. As
imbalanced-learn's ``check_param_validation`` does, every parameter of every
estimator and of every compressor of ``conftest.COMPRESSOR_CASES`` is given a
value of a type no constraint accepts, and each value just outside a declared
range or set.
"""

from __future__ import annotations

import pytest
from conftest import COMPRESSOR_CASES, ESTIMATOR_CASES, build_compressor, fit_targets
from sklearn.base import clone
from sklearn.utils._param_validation import (
    InvalidParameterError,
    generate_invalid_param_val,
    make_constraint,
)

from npc_classify import NCDClassifier
from npc_classify.compressors import Compressor, LMCompressor, available_compressors

TEXTS = ["the striker scored", "the keeper saved", "shares fell", "profits slumped"]
LABELS = ["sport", "sport", "business", "business"]
#: One configuration of each estimator class.
ONE_PER_ESTIMATOR = [
    "NCDClassifier-gzip",
    "CompressionClassifier-gzip",
    "NCDRegressor-gzip",
    "NCDTransformer-gzip",
]


class NotAParameter:
    """A value of a type that no constraint accepts."""


def invalid_values(constraints: list) -> list:
    """A value outside every constraint's type, and one just outside each range or set."""
    checks = [make_constraint(constraint) for constraint in constraints]
    values: list = [NotAParameter()]
    for constraint in checks:
        try:
            values.append(generate_invalid_param_val(constraint))
        except NotImplementedError:  # a type, "boolean", None...: no value just outside
            continue
    # A value that another constraint of the same parameter accepts is not invalid.
    return [value for value in values if not any(c.is_satisfied_by(value) for c in checks)]


def assert_refuses_every_invalid_value(obj, run) -> None:
    """``run(obj with one bad parameter)`` refuses each bad value of each parameter."""
    name = type(obj).__name__
    constraints = type(obj)._parameter_constraints
    assert set(constraints) == set(obj.get_params(deep=False)), (
        f"{name}: every parameter has a constraint and every constraint a parameter"
    )
    for param, accepted in constraints.items():
        for bad in invalid_values(accepted):
            broken = clone(obj).set_params(**{param: bad})
            message = rf"The '{param}' parameter of {name} must be .* Got .* instead\."
            with pytest.raises(InvalidParameterError, match=message):
                run(broken)


@pytest.mark.parametrize("case", ONE_PER_ESTIMATOR)
def test_fit_refuses_every_invalid_parameter(case, request):
    estimator = ESTIMATOR_CASES[case](request)
    targets = fit_targets(estimator, LABELS)
    assert_refuses_every_invalid_value(estimator, lambda broken: broken.fit(TEXTS, targets))


@pytest.mark.parametrize("case", list(COMPRESSOR_CASES))
def test_validate_refuses_every_invalid_parameter(case, request):
    compressor = build_compressor(case, request)
    assert_refuses_every_invalid_value(compressor, lambda broken: broken.validate())


@pytest.mark.parametrize("case", list(COMPRESSOR_CASES))
def test_fit_refuses_an_invalid_compressor_parameter(case, request):
    compressor = build_compressor(case, request)
    param = next(iter(type(compressor)._parameter_constraints))
    broken = compressor.set_params(**{param: NotAParameter()})
    message = rf"The '{param}' parameter of {type(compressor).__name__} must be"
    for estimator_case in ONE_PER_ESTIMATOR:
        estimator = ESTIMATOR_CASES[estimator_case](request).set_params(compressor=broken)
        with pytest.raises(InvalidParameterError, match=message):
            estimator.fit(TEXTS, fit_targets(estimator, LABELS))


def test_every_registered_compressor_is_in_the_contract_tests(request):
    tested = {build_compressor(case, request).name for case in COMPRESSOR_CASES}
    assert tested == set(available_compressors())


def test_validation_reads_no_file(tmp_path):
    missing = str(tmp_path / "no-such-model.pt")
    LMCompressor(missing).validate()  # the settings are valid; load() reads the file
    pytest.importorskip("torch")
    with pytest.raises(FileNotFoundError):
        LMCompressor(missing).load()


def test_a_compressor_without_compress_cannot_be_built():
    class Incomplete(Compressor):
        name = "incomplete-test"

    with pytest.raises(TypeError, match=r"abstract method.*compress"):
        Incomplete()


def test_the_message_names_the_parameter_what_it_accepts_and_what_it_got():
    with pytest.raises(InvalidParameterError) as error:
        NCDClassifier(k=0).fit(TEXTS, LABELS)
    assert str(error.value) == (
        "The 'k' parameter of NCDClassifier must be an int in the range [1, inf). Got 0 instead."
    )
    assert isinstance(error.value, ValueError)
    assert isinstance(error.value, TypeError)


def test_a_compressor_and_its_setting_can_be_set_in_one_call():
    from npc_classify.compressors import ZstdCompressor

    clf = NCDClassifier("zstd").set_params(compressor=ZstdCompressor(), compressor__level=5)
    assert clf.compressor.level == 5
