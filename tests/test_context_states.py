"""What the model-based compressors keep of each context they have read.

A class text read by PPM or CM (its counts, its trained model) is kept per thread,
so that a second ``predict`` does not read it again, up to a budget of bytes in all,
the least recently used dropped first.
"""

from __future__ import annotations

import hashlib

import numpy as np
import pytest

from npc_classify.coding import cm, ppm
from npc_classify.compressors import _arithmetic_coding, get_compressor
from npc_classify.compressors._arithmetic_coding import state_for_context


def kept_after(cache, contexts):
    """The contexts whose states ``cache`` holds, asked in turn with a build that records."""
    built = []
    for context in contexts:
        state_for_context(cache, context, lambda c=context: built.append(c) or np.zeros(100))
    return built


def test_a_context_is_built_once_and_its_state_returned_again():
    cache: dict = {}
    first = state_for_context(cache, b"class text", lambda: np.zeros(3))
    again = state_for_context(cache, b"class text", lambda: pytest.fail("built twice"))
    assert again is first


def test_the_least_recently_used_state_goes_when_the_budget_is_spent(monkeypatch):
    monkeypatch.setattr(_arithmetic_coding, "MAX_CONTEXT_STATE_BYTES", 3 * 800)
    cache: dict = {}
    assert kept_after(cache, [b"a", b"b", b"c"]) == [b"a", b"b", b"c"]  # 800 bytes each
    assert kept_after(cache, [b"a"]) == []  # a is now the most recently used
    assert kept_after(cache, [b"d"]) == [b"d"]  # so b goes
    assert kept_after(cache, [b"a", b"c", b"d"]) == []
    assert kept_after(cache, [b"b"]) == [b"b"]


def test_a_state_above_the_whole_budget_is_kept_alone(monkeypatch):
    monkeypatch.setattr(_arithmetic_coding, "MAX_CONTEXT_STATE_BYTES", 500)
    cache: dict = {}
    kept_after(cache, [b"a", b"b"])  # 800 bytes each
    assert kept_after(cache, [b"b"]) == []
    assert kept_after(cache, [b"a"]) == [b"a"]


def test_a_state_that_grew_with_use_is_counted_at_its_new_size(monkeypatch):
    monkeypatch.setattr(_arithmetic_coding, "MAX_CONTEXT_STATE_BYTES", 3 * 800)
    cache: dict = {}
    states = {c: np.zeros(100) for c in (b"a", b"b", b"c")}  # 800 bytes each
    for context, state in states.items():
        state_for_context(cache, context, lambda s=state: s)
    states[b"c"] = np.zeros(200)  # c's state now takes 1,600 bytes
    cache[hashlib.sha256(b"c").digest()] = (states[b"c"], 800)
    state_for_context(cache, b"c", lambda: pytest.fail("built twice"))
    assert [size for _, size in cache.values()] == [800, 1_600]  # a went to make room


def count_calls(monkeypatch, owner, name):
    """A list that gets an entry at each call of ``owner.name``."""
    calls = []
    original = getattr(owner, name)

    def counted(*args, **kwargs):
        calls.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(owner, name, counted)
    return calls


def test_a_hundred_class_texts_are_each_counted_once_over_two_rounds(monkeypatch):
    compressor = get_compressor("ppm")
    counts = count_calls(monkeypatch, ppm, "count")
    contexts = [f"the text of class {i}\n".encode() * 3 for i in range(100)]
    first = [compressor.conditional_sizes(context, [b"a query"]) for context in contexts]
    assert len(counts) == 100
    second = [compressor.conditional_sizes(context, [b"a query"]) for context in contexts]
    assert len(counts) == 100
    np.testing.assert_array_equal(first, second)


@pytest.mark.parametrize(("models_in_budget", "read_again"), [(2.5, True), (3.5, False)])
def test_cm_models_count_against_the_budget_by_their_memory(
    monkeypatch, models_in_budget, read_again
):
    one_model = cm.ContextMixer(6, 0.005, 255, 5.0, 100).nbytes  # 17 MB of maps and more
    monkeypatch.setattr(
        _arithmetic_coding, "MAX_CONTEXT_STATE_BYTES", int(models_in_budget * one_model)
    )
    compressor = get_compressor("cm")
    reads = count_calls(monkeypatch, cm.ContextMixer, "code")
    for context in [b"first class\n", b"second class\n", b"third class\n", b"first class\n"]:
        compressor.conditional_sizes(context, [b"a query"])
    assert len(reads) == (4 if read_again else 3)


def test_a_cm_model_takes_the_memory_its_docstring_gives():
    # 3 bytes per slot and model plus 17 MB of maps: about 130 MB at order 6 for 360 KB.
    small = cm.ContextMixer(6, 0.005, 255, 5.0, 100).nbytes
    large = cm.ContextMixer(6, 0.005, 255, 5.0, 360_000).nbytes
    assert 17e6 < small < 20e6
    assert 125e6 < large < 135e6
    assert large - small == 9 * 3 * ((1 << 22) - (1 << 16))


def test_the_language_models_tuned_copies_are_each_trained_once(monkeypatch, tiny_byte_lm):
    pytest.importorskip("torch")
    from npc_classify.coding import training

    compressor = get_compressor("lm", model_path=tiny_byte_lm, fine_tune_steps=1)
    tunings = count_calls(monkeypatch, training, "fine_tune_byte_lm")
    contexts = [f"the text of class {i}\n".encode() * 3 for i in range(70)]
    for _ in range(2):
        for context in contexts:
            compressor.conditional_sizes(context, [b"a query"])
    assert len(tunings) == 70
