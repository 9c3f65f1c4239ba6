"""Compressors: exact sizes, lossless round-trips, picklable configuration objects."""

from __future__ import annotations

import gzip
import pickle
import random
import subprocess
import sys
import threading
import zlib

import numpy as np
import pytest
import zstandard
from conftest import STREAM_CASES
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.base import clone

from npc_classify._constants import BUILT_IN_COMPRESSORS
from npc_classify.compressors import (
    Bz2Compressor,
    Compressor,
    GzipCompressor,
    LzmaCompressor,
    ZstdCompressor,
    ZstdPrefixCompressor,
    available_compressors,
    compressor_from_settings,
    get_compressor,
    register_compressor,
)

#: The compressors whose joint size is the length of one stream of the concatenation.
EXACT_JOINT_CASES = [case for case in STREAM_CASES if case != "zstd-prefix"]


def test_registry_lists_the_shipped_compressors_that_the_command_line_offers():
    """In a fresh interpreter: this process's tests register compressors of their own."""
    program = (
        "from npc_classify.compressors import available_compressors\n"
        "print(available_compressors())"
    )
    completed = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, timeout=60, check=True
    )
    shipped = ["bz2", "cm", "gzip", "hf", "lm", "lzma", "ppm", "zstd", "zstd-prefix"]
    assert completed.stdout == f"{shipped}\n"
    assert list(BUILT_IN_COMPRESSORS) == shipped


def test_get_compressor_builds_a_named_compressor_with_parameters():
    assert get_compressor("zstd", level=19).get_params() == {"level": 19}


def test_get_compressor_returns_an_instance_unchanged():
    compressor = GzipCompressor(level=5)
    assert get_compressor(compressor) is compressor


def test_unknown_compressor_name_lists_the_known_ones():
    with pytest.raises(ValueError, match=r"Unknown compressor 'brotli'.*'gzip'"):
        get_compressor("brotli")


def test_non_compressor_object_is_rejected_with_advice():
    with pytest.raises(TypeError, match="subclass Compressor"):
        get_compressor(zlib)


@pytest.fixture
def registry_restored():
    """The registry as it was, whatever the test registers."""
    from npc_classify.compressors import _registry

    classes, names = dict(_registry._REGISTRY), set(_registry._NAMES)
    yield
    _registry._REGISTRY.clear()
    _registry._REGISTRY.update(classes)
    _registry._NAMES.clear()  # in place: the parameter constraints hold this very set
    _registry._NAMES.update(names)


def test_a_user_compressor_can_be_registered_and_used(registry_restored, tiny_news):
    @register_compressor
    class ReverseZlib(Compressor):
        name = "reverse-zlib-test"

        def compress(self, data: bytes) -> bytes:
            return zlib.compress(data[::-1])

    assert isinstance(get_compressor("reverse-zlib-test"), ReverseZlib)
    assert "reverse-zlib-test" in available_compressors()
    from npc_classify import NCDClassifier

    clf = NCDClassifier("reverse-zlib-test", k=1).fit(*tiny_news)  # the name passes the constraint
    assert clf.predict(tiny_news[0][:2]).tolist() == tiny_news[1][:2]


def test_registering_a_non_compressor_fails():
    with pytest.raises(TypeError, match="Compressor subclass"):
        register_compressor(dict)


@pytest.mark.parametrize("level", [1, 6, 9])
def test_gzip_size_is_the_papers_len_gzip_compress(level):
    compressor = GzipCompressor(level=level)
    for text in ["", "a", "the cat sat on the mat " * 20, "héllo wörld ✓"]:
        data = text.encode()
        assert compressor.compressed_size(data) == len(gzip.compress(data, level))


def test_gzip_stream_is_what_gzip_compress_writes_with_zero_mtime():
    data = b"compress me " * 10
    assert GzipCompressor().compress(data) == gzip.compress(data, 9, mtime=0)


def test_raw_deflate_drops_exactly_the_18_framing_bytes():
    data = b"raw deflate has no header or trailer " * 3
    assert GzipCompressor(header=False).compressed_size(data) + 18 == len(gzip.compress(data))


@settings(max_examples=40, deadline=None)
@given(data=st.binary(max_size=2000))
def test_decompress_inverts_compress(stream_compressor, data):
    assert stream_compressor.decompress(stream_compressor.compress(data)) == data


@settings(max_examples=40, deadline=None)
@given(data=st.binary(max_size=2000))
def test_compressed_size_is_the_length_of_the_stream(stream_compressor, data):
    size = stream_compressor.compressed_size(data)
    assert isinstance(size, float)
    assert size == len(stream_compressor.compress(data))


@pytest.mark.parametrize("stream_compressor", EXACT_JOINT_CASES, indirect=True)
@settings(max_examples=25, deadline=None)
@given(prefix=st.binary(max_size=300), suffixes=st.lists(st.binary(max_size=300), max_size=5))
def test_prefix_sizes_equal_sizes_of_the_concatenations(stream_compressor, prefix, suffixes):
    compressor = stream_compressor
    expected = [len(compressor.compress(prefix + s)) for s in suffixes]
    got = compressor.compressed_sizes_with_prefix(prefix, suffixes)
    assert got.dtype == np.float64
    assert got.tolist() == expected


@settings(max_examples=25, deadline=None)
@given(prefix=st.binary(max_size=300), suffixes=st.lists(st.binary(max_size=300), max_size=5))
def test_zstd_prefix_joint_size_is_prefix_size_plus_conditional_size(prefix, suffixes):
    compressor = ZstdPrefixCompressor(level=3)
    dictionary = zstandard.ZstdCompressionDict(prefix, dict_type=zstandard.DICT_TYPE_RAWCONTENT)
    conditional = zstandard.ZstdCompressor(level=3, dict_data=dictionary)
    expected = [
        len(zstandard.compress(prefix, 3)) + len(conditional.compress(s)) for s in suffixes
    ]
    assert compressor.compressed_sizes_with_prefix(prefix, suffixes).tolist() == expected


def test_pickled_compressor_drops_native_contexts_and_still_works(any_compressor):
    compressor = any_compressor
    data = b"some text to compress " * 4
    size = compressor.compressed_size(data)  # builds any lazy context
    kept = compressor.__dict__.get("_local")
    restored = pickle.loads(pickle.dumps(compressor))
    assert "_local" not in restored.__dict__
    assert compressor.__dict__.get("_local") is kept  # the live compressor keeps its own
    assert restored.get_params() == compressor.get_params()
    assert restored.compressed_size(data) == size


def test_clone_keeps_parameters(any_compressor):
    assert clone(any_compressor).get_params() == any_compressor.get_params()


def test_the_empty_text_costs_a_size_without_a_minus_sign(any_compressor):
    size = any_compressor.compressed_size(b"")
    assert size >= 0
    assert str(size)[0] != "-", "-0.0 would print as a negative size"


def test_a_pairs_joint_size_is_the_same_whichever_text_is_shared(any_compressor):
    """Sizing x + y with y shared by the pairs (train-first NCD) gives what sizing it with
    x shared gives (query-first): one definition of a pair's joint size per compressor."""
    firsts = [b"The striker scored twice. ", b"Shares fell. ", b""]
    second = b"A late goal won the cup final."
    by_prefix = [any_compressor.compressed_sizes_with_prefix(f, [second])[0] for f in firsts]
    by_suffix = any_compressor.compressed_sizes_with_suffix(firsts, second)
    assert by_suffix.dtype == np.float64
    np.testing.assert_allclose(by_suffix, by_prefix, rtol=1e-6)  # LMs: float32 batches


def test_zstd_builds_one_context_per_thread():
    compressor = ZstdCompressor()
    contexts = []

    def grab():
        compressor.compress(b"x")
        contexts.append(compressor._local.context)

    threads = [threading.Thread(target=grab) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert contexts[0] is not contexts[1]


def test_set_params_rebuilds_the_native_context():
    rng = random.Random(0)
    words = "the cat sat on a mat while stocks fell and the bank raised rates".split()
    data = " ".join(rng.choice(words) for _ in range(400)).encode()
    compressor = ZstdCompressor(level=1)
    fast = compressor.compressed_size(data)
    compressor.set_params(level=22)
    assert compressor.compressed_size(data) == len(ZstdCompressor(level=22).compress(data))
    assert compressor.compressed_size(data) != fast


@pytest.mark.parametrize(
    ("name", "setting", "value"),
    [("zstd", "level", 19), ("gzip", "level", 4), ("ppm", "order", 5), ("cm", "order", 2)],
)
def test_a_setting_assigned_directly_rebuilds_the_native_context(name, setting, value):
    """scikit-learn lets a parameter be set as an attribute: it counts as set_params does,
    whatever the compressor had built and kept for its old settings."""
    rng = random.Random(0)
    words = "the cat sat on a mat while stocks fell and the bank raised rates".split()
    context, item = (" ".join(rng.choice(words) for _ in range(400)).encode() for _ in "ab")
    compressor = get_compressor(name)
    before = compressor.compressed_sizes([item]), compressor.conditional_sizes(context, [item])
    setattr(compressor, setting, value)
    fresh = get_compressor(name, **{setting: value})
    after = compressor.compressed_sizes([item]), compressor.conditional_sizes(context, [item])
    assert after != before
    np.testing.assert_array_equal(after[0], fresh.compressed_sizes([item]))
    np.testing.assert_array_equal(after[1], fresh.conditional_sizes(context, [item]))


@pytest.mark.parametrize("integer", [np.uint8, np.int16, np.int64])
@pytest.mark.parametrize(
    ("name", "setting", "value"),
    [
        ("gzip", "level", 4),
        ("zstd", "level", 3),
        ("zstd-prefix", "level", 2),
        ("bz2", "level", 9),
        ("lzma", "level", 1),
        ("ppm", "order", 3),
        ("ppm", "order", 16),
        ("cm", "order", 3),
        ("cm", "limit", 255),
    ],
)
def test_a_numpy_integer_setting_codes_as_the_python_int(name, setting, value, integer):
    """A grid built with np.arange gives NumPy integers, which the constraints accept: they
    code as the same Python int would, whatever their width (PPM's tables are sized from
    the order times the text's length, past what a uint8 or int16 holds)."""
    rng = random.Random(0)
    words = "the cat sat on a mat while stocks fell and the bank raised rates".split()
    context, item = (" ".join(rng.choice(words) for _ in range(400)).encode() for _ in "ab")
    as_python = get_compressor(name, **{setting: value})
    as_numpy = get_compressor(name, **{setting: integer(value)})
    as_numpy.validate()
    np.testing.assert_array_equal(
        as_numpy.compressed_sizes([item, context]), as_python.compressed_sizes([item, context])
    )
    np.testing.assert_array_equal(
        as_numpy.conditional_sizes(context, [item]), as_python.conditional_sizes(context, [item])
    )


@pytest.mark.parametrize(
    ("compressor", "message"),
    [
        (
            GzipCompressor(level=10),
            r"GzipCompressor must be an int in the range \[0, 9\]\. Got 10",
        ),
        (Bz2Compressor(level=0), r"Bz2Compressor must be an int in the range \[1, 9\]\. Got 0"),
        (
            LzmaCompressor(level=-1),
            r"LzmaCompressor must be an int in the range \[0, 9\]\. Got -1",
        ),
        (ZstdCompressor(level=99), r"ZstdCompressor must be an int in the range .*22\]\. Got 99"),
    ],
)
def test_out_of_range_level_is_rejected(compressor, message):
    with pytest.raises(ValueError, match=message):
        compressor.validate()


def test_non_integer_level_is_rejected():
    with pytest.raises(
        TypeError,
        match=r"The 'level' parameter of GzipCompressor must be an int .* Got '9' instead",
    ):
        GzipCompressor(level="9").validate()


def test_gzip_header_must_be_a_bool():
    with pytest.raises(
        TypeError,
        match=r"The 'header' parameter of GzipCompressor must be an instance of 'bool'.* Got 'no'",
    ):
        GzipCompressor(header="no").validate()


def test_compressor_from_settings_reads_each_value_as_its_defaults_type():
    from npc_classify.compressors import compressor_from_settings

    built = compressor_from_settings("gzip", ["level=6", "header=false"])
    assert built.get_params() == {"level": 6, "header": False, "engine": "auto"}
    assert compressor_from_settings("zstd").get_params() == {"level": 3}


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        (["level"], r"A setting is NAME=VALUE, got 'level'"),
        (["=3"], r"A setting is NAME=VALUE, got '=3'"),
        ([" level=3"], r"' level' is not a setting of the gzip compressor; its settings are"),
        (["order=2"], r"order is not a setting of the gzip compressor; its settings are"),
        (["level=x"], r"level expects an integer, got 'x'"),
        (["level=10"], r"The 'level' parameter of GzipCompressor must be an int"),
    ],
)
def test_compressor_from_settings_refuses_what_it_cannot_build(settings, message):
    from npc_classify.compressors import compressor_from_settings

    with pytest.raises(ValueError, match=message):
        compressor_from_settings("gzip", settings)


@pytest.mark.parametrize("level", [1, 19])
def test_a_class_text_as_dictionary_is_coded_at_the_compressors_level(level):
    context = b" ".join(b"word%d" % (i * 7919 % 1000) for i in range(3000))
    items = [context[1000:3000], context[5000:9000]]
    dictionary = zstandard.ZstdCompressionDict(context, dict_type=zstandard.DICT_TYPE_RAWCONTENT)
    direct = zstandard.ZstdCompressor(level=level, dict_data=dictionary)
    expected = [len(direct.compress(item)) for item in items]
    assert ZstdCompressor(level=level).conditional_sizes(context, items).tolist() == expected


def test_zstd_prefix_defaults_to_the_level_training_split_cv_chose():
    assert get_compressor("zstd-prefix").get_params() == {"level": 4}


def test_boolean_settings_are_read_whatever_their_case():
    assert compressor_from_settings("gzip", ["header=False"]).header is False
    assert compressor_from_settings("gzip", ["header=TRUE"]).header is True


def test_a_name_another_class_holds_is_refused(registry_restored):
    class MyGzip(Compressor):
        name = "gzip"

        def compress(self, data: bytes) -> bytes:
            return zlib.compress(data)

    with pytest.raises(ValueError, match=r"'gzip' is the name of .*GzipCompressor; give MyGzip"):
        register_compressor(MyGzip)
    assert get_compressor("gzip").__class__ is GzipCompressor


def test_a_subclass_must_name_itself_to_be_registered(registry_restored):
    class FastZstd(ZstdCompressor):
        pass

    with pytest.raises(TypeError, match="FastZstd inherits its name 'zstd'; give it its own"):
        register_compressor(FastZstd)


def test_a_name_that_is_not_a_string_is_refused(registry_restored):
    class Numbered(Compressor):
        name = 7  # type: ignore[assignment]

        def compress(self, data: bytes) -> bytes:
            return zlib.compress(data)

    with pytest.raises(TypeError, match="a non-empty str `name`"):
        register_compressor(Numbered)
    assert all(isinstance(name, str) for name in available_compressors())


def test_a_class_defined_again_under_its_name_replaces_itself(registry_restored):
    """A notebook cell run twice defines the class twice: the second replaces the first."""
    classes = []
    for _ in range(2):

        @register_compressor
        class Again(Compressor):
            name = "again-test"

            def compress(self, data: bytes) -> bytes:
                return zlib.compress(data)

        classes.append(Again)
    assert type(get_compressor("again-test")) is classes[1]


class Tabled(Compressor):
    """A user's compressor whose first setting has no default."""

    name = "tabled-test"

    def __init__(self, table: str, level: int = 9) -> None:
        self.table = table
        self.level = level

    def compress(self, data: bytes) -> bytes:
        return zlib.compress(data, self.level)


def test_a_compressor_taking_keyword_arguments_is_built_by_name(registry_restored):
    @register_compressor
    class Open(Compressor):
        name = "open-test"

        def __init__(self, level: int = 6, **options: object) -> None:
            self.level = level

        def compress(self, data: bytes) -> bytes:
            return zlib.compress(data, self.level)

    assert get_compressor("open-test").level == 6
    assert compressor_from_settings("open-test", ["level=3"]).level == 3


def test_a_script_s_class_re_registered_by_a_worker_replaces_itself(registry_restored):
    """A worker re-runs the script as ``__mp_main__``; the class sent to it is ``__main__``'s."""

    def defined_in(module: str) -> type[Compressor]:
        namespace = {"name": "script-test", "compress": staticmethod(zlib.compress)}
        return type("ScriptCompressor", (Compressor,), {**namespace, "__module__": module})

    register_compressor(defined_in("__mp_main__"))
    sent = register_compressor(defined_in("__main__"))
    assert type(get_compressor("script-test")) is sent


def test_a_name_registered_elsewhere_says_to_give_the_object():
    from sklearn.utils._param_validation import InvalidParameterError

    from npc_classify import NCDClassifier

    with pytest.raises(InvalidParameterError, match="does not run the script that registered"):
        NCDClassifier("registered-in-another-process").fit(["a", "b"], [0, 1])


def test_a_compressor_taking_positional_varargs_is_refused(registry_restored):
    class Varargs(Compressor):
        name = "varargs-test"

        def __init__(self, *levels: int) -> None:
            self.levels = levels

        def compress(self, data: bytes) -> bytes:
            return zlib.compress(data)

    with pytest.raises(TypeError, match=r"Varargs.__init__ takes \*args"):
        register_compressor(Varargs)


def test_a_setting_without_a_default_is_named_when_missing(registry_restored):
    register_compressor(Tabled)
    with pytest.raises(TypeError, match=r"'tabled-test' compressor needs table, which has no"):
        get_compressor("tabled-test")
    assert get_compressor("tabled-test", table="t").table == "t"
    from npc_classify import NCDClassifier

    with pytest.raises(TypeError, match=r"get_compressor\('tabled-test', level=3\)"):
        NCDClassifier("tabled-test", level=3)
    with pytest.raises(ValueError, match="table cannot be set from text: it has no default"):
        compressor_from_settings("tabled-test", ["table=t"])
    with pytest.raises(TypeError, match="needs table, which has no default"):
        compressor_from_settings("tabled-test", ["level=3"])
