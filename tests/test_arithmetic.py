"""The arithmetic coder: lossless for any symbols under any model, within bytes of the ideal."""

from __future__ import annotations

import math

import arithmetic_reference as reference
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from npc_classify.coding.arithmetic import (
    ALPHABET_SIZE,
    declared_length,
    decode,
    encode,
    frequency_bits,
    ideal_code_length,
    quantize,
    varint,
)


class Uniform:
    def reset(self) -> np.ndarray:
        return np.full(ALPHABET_SIZE, 1 / ALPHABET_SIZE)

    def update(self, byte: int) -> np.ndarray:
        return self.reset()


class AdaptiveCounts:
    """Order-0: each byte's probability follows how often it has been seen."""

    def reset(self) -> np.ndarray:
        self.counts = np.ones(ALPHABET_SIZE)
        return self.counts / self.counts.sum()

    def update(self, byte: int) -> np.ndarray:
        self.counts[byte] += 10
        return self.counts / self.counts.sum()


class RepeatLast:
    """Order-1 and confident: the next byte repeats the last one with probability 0.99,
    and bytes 200-255 never occur (probability 0)."""

    def reset(self) -> np.ndarray:
        return self.update(ord("a"))

    def update(self, byte: int) -> np.ndarray:
        p = np.zeros(ALPHABET_SIZE)
        p[:200] = 0.01 / 199
        p[byte] = 0.99
        return p


MODELS = [Uniform(), AdaptiveCounts(), RepeatLast()]


@pytest.mark.parametrize("model", MODELS, ids=lambda m: type(m).__name__)
@settings(max_examples=60, deadline=None)
@given(data=st.binary(max_size=300))
def test_decode_inverts_encode(model, data):
    assert bytes(decode(encode(data, model), model)) == data


@pytest.mark.parametrize("model", MODELS, ids=lambda m: type(m).__name__)
@settings(max_examples=60, deadline=None)
@given(data=st.binary(max_size=300))
def test_code_is_within_two_bytes_of_the_ideal_length(model, data):
    header = 1 if len(data) < 128 else 2
    payload = len(encode(data, model)) - header
    assert payload <= math.ceil(ideal_code_length(data, model) / 8) + 2


def test_a_predictable_stream_codes_far_below_a_byte_per_byte():
    data = b"a" * 400 + b"b" * 400
    assert len(encode(data, RepeatLast())) < 0.05 * len(data)


def test_quantized_frequencies_cover_every_byte_and_sum_to_the_total():
    cumulative = quantize(np.r_[np.zeros(255), 1.0])
    counts = np.diff(cumulative)
    assert cumulative[-1] == 1 << frequency_bits()
    assert counts.min() == 1
    assert counts[255] == (1 << frequency_bits()) - 255


@given(weights=st.lists(st.floats(0, 1e6), min_size=256, max_size=256))
def test_quantization_is_deterministic_and_valid(weights):
    first, second = quantize(np.array(weights)), quantize(np.array(weights))
    np.testing.assert_array_equal(first, second)
    assert first[-1] == 1 << frequency_bits()
    assert np.all(np.diff(first) >= 1)


@given(
    values=st.lists(st.sampled_from([-1.0, -0.5, -0.25, 0.0]) | st.floats(-1, 0), min_size=1),
    data=st.data(),
)
def test_the_selection_quantization_uses_finds_the_kth_smallest_value(values, data):
    from npc_classify.coding._coder_kernels import _kth_smallest

    k = data.draw(st.integers(0, len(values) - 1))
    assert _kth_smallest(np.array(values), k) == np.sort(values)[k]


@given(
    cumulative=st.lists(st.integers(0, 20), min_size=1).map(sorted),
    target=st.integers(-2, 22),
)
def test_the_decoder_finds_the_interval_holding_its_value_as_numpy_would(cumulative, target):
    from npc_classify.coding._coder_kernels import _last_at_most

    expected = np.searchsorted(cumulative, target, side="right") - 1  # -1: below them all
    assert _last_at_most(np.array(cumulative, dtype=np.int64), target) == expected


@pytest.mark.parametrize("alphabet_size", [2, 7, 8, 9, 128, 129, 256, 1000, 50257])
@settings(max_examples=25, deadline=None)
@given(data=st.data())
def test_quantization_gives_the_references_frequencies(alphabet_size, data):
    """Identical to numpy's sum and lexsort: ties, zeros, exact floors, skewed mass."""
    seed = data.draw(st.integers(0, 2**32 - 1))
    kind = data.draw(st.sampled_from(["uniform", "dirichlet", "power", "one-hot", "rounded"]))
    rng = np.random.default_rng(seed)
    p = {
        "uniform": lambda: np.full(alphabet_size, 1.0),
        "dirichlet": lambda: rng.dirichlet(np.full(alphabet_size, 0.1)),
        "power": lambda: rng.random(alphabet_size) ** 8,
        "one-hot": lambda: np.bincount([rng.integers(alphabet_size)], minlength=alphabet_size),
        "rounded": lambda: np.round(rng.random(alphabet_size), 1),  # many equal fractions
    }[kind]()
    np.testing.assert_array_equal(
        quantize(p, alphabet_size), reference.quantize(p, frequency_bits(alphabet_size))
    )


@pytest.mark.parametrize("model", MODELS, ids=lambda m: type(m).__name__)
@settings(max_examples=40, deadline=None)
@given(data=st.binary(max_size=400))
def test_the_stream_is_the_references_bit_for_bit(model, data):
    assert encode(data, model) == reference.encode(data, model, ALPHABET_SIZE, frequency_bits())


@pytest.mark.parametrize(
    ("probabilities", "message"),
    [
        (np.ones(255), r"must be 256 numbers, got shape \(255,\)"),
        (np.r_[np.ones(255), np.nan], "finite non-negative numbers, got 1 not finite and 0 neg"),
        (
            np.r_[np.ones(254), -1.0, -2.0],
            "finite non-negative numbers, got 0 not finite and 2 neg",
        ),
    ],
)
def test_a_malformed_distribution_is_refused_saying_what_is_wrong(probabilities, message):
    with pytest.raises(ValueError, match=message):
        quantize(probabilities)


def test_a_code_without_its_length_header_is_refused():
    with pytest.raises(ValueError, match="length header is incomplete"):
        decode(b"\x80", Uniform())


class Zipf:
    """A large alphabet, like a tokenizer's vocabulary, with a skewed fixed distribution."""

    def __init__(self, alphabet_size: int) -> None:
        weights = 1.0 / np.arange(1, alphabet_size + 1)
        self.p = weights / weights.sum()

    def reset(self) -> np.ndarray:
        return self.p

    def update(self, symbol: int) -> np.ndarray:
        return self.p


@pytest.mark.parametrize("alphabet_size", [2, 1000, 50257])
@settings(max_examples=20, deadline=None)
@given(data=st.data())
def test_large_alphabets_round_trip_within_two_bytes_of_the_ideal(alphabet_size, data):
    symbols = data.draw(st.lists(st.integers(0, alphabet_size - 1), max_size=60))
    model = Zipf(alphabet_size)
    code = encode(symbols, model, alphabet_size)
    assert decode(code, model, alphabet_size) == symbols
    header = 1 if len(symbols) < 128 else 2
    ideal = ideal_code_length(symbols, model, alphabet_size)
    assert len(code) - header <= math.ceil(ideal / 8) + 2


def test_a_symbol_outside_the_alphabet_is_refused():
    with pytest.raises(ValueError, match=r"Symbol 1000 is outside the alphabet \[0, 1000\)"):
        encode([1, 1000], Zipf(1000), 1000)


@pytest.mark.parametrize("alphabet_size", [1, (1 << 22) + 1])
def test_an_alphabet_the_coder_cannot_hold_is_refused(alphabet_size):
    with pytest.raises(ValueError, match="alphabet must have 2 to"):
        frequency_bits(alphabet_size)


@given(data=st.binary(min_size=1, max_size=200), cut=st.integers(1, 200))
def test_a_truncated_code_decodes_to_its_announced_length_or_is_refused(data, cut):
    """Trailing zero bits are implicit, so a cut may still decode: to as many bytes as
    the header announces, never more, never a hang."""
    code = encode(data, AdaptiveCounts())
    try:
        assert len(decode(code[: max(1, len(code) - cut)], AdaptiveCounts())) == len(data)
    except ValueError as error:
        assert "truncated" in str(error) or "corrupted" in str(error)


def test_the_decoder_reads_the_codes_bits_then_its_implicit_zeros_then_calls_it_truncated():
    """The decoder reads STATE_BITS bits ahead of the encoder's last bit, so a whole code
    lets it read up to STATE_BITS zeros past its end; the next bit means it was cut short."""
    from npc_classify.coding import _coder_kernels as kernels

    code = np.array([0b10110000, 0b00000001], dtype=np.uint8)
    state = np.zeros(5, dtype=np.int64)
    read = [kernels._next_bit(state, code) for _ in range(16)]
    assert read == [1, 0, 1, 1] + [0] * 11 + [1]
    for _ in range(kernels.STATE_BITS):
        assert kernels._next_bit(state, code) == 0
        assert state[kernels.ERROR] == 0
    assert kernels._next_bit(state, code) == 0
    assert state[kernels.ERROR] == kernels.TRUNCATED
    assert state[kernels.POSITION] == 16 + kernels.STATE_BITS + 1


def test_a_length_header_the_payload_cannot_hold_is_refused_at_once():
    huge = bytes([0xFF] * 8 + [0x7F])  # varint of 2 ** 63 - 1
    with pytest.raises(ValueError, match="claims 9223372036854775807 symbols"):
        decode(huge + b"\x00" * 4, RepeatLast())


@pytest.mark.parametrize("n_symbols", [0, 1, 127, 128, 16383, 16384, 2**21])
def test_the_length_header_takes_one_byte_per_seven_bits_of_the_count(n_symbols):
    header = varint(n_symbols)
    assert len(header) == max(1, -(-n_symbols.bit_length() // 7))
    assert declared_length(header) == n_symbols


def test_a_negative_length_has_no_header():
    with pytest.raises(ValueError, match="A length header holds a count of 0 or more, got -1"):
        varint(-1)


def test_a_code_cut_of_a_last_byte_of_zeros_is_refused_though_every_symbol_decodes():
    """A lost byte of zeros reads as the implicit zeros it stands for, so the symbols come
    out right; only the bits the decoder needed past the code's end tell it was cut."""
    rng = np.random.default_rng(0)
    refused = 0
    for _ in range(400):
        data = bytes(rng.integers(97, 100, rng.integers(1, 30)))
        code = encode(data, AdaptiveCounts())
        if code[-1] != 0 or len(code) < 3:
            continue
        with pytest.raises(ValueError, match="truncated"):
            decode(code[:-1], AdaptiveCounts())
        refused += 1
    assert refused >= 10


def first_interval_ending_at_three_quarters(precision: int = 16) -> tuple[int, np.ndarray]:
    """A state's low in the second quarter, and two symbols' cumulative frequencies whose
    first, coded from ``[low, TOP]``, narrows the interval to ``[low, 3/4]`` exactly."""
    from npc_classify.coding import _coder_kernels as kernels

    quarter, top = 1 << (kernels.STATE_BITS - 2), (1 << kernels.STATE_BITS) - 1
    for low in range(quarter, 2 * quarter):
        span = top - low + 1
        width = 3 * quarter + 1 - low  # what span * count >> precision must be
        count = -(-(width << precision) // span)
        if (span * count) >> precision == width:
            return low, np.array([0, count, 1 << precision])
    raise AssertionError("no such state")


@pytest.mark.parametrize("coder", ["encoder", "decoder"])
def test_an_interval_ending_at_three_quarters_is_not_scaled_about_the_middle(coder):
    """The middle scaling applies to an interval inside [1/4, 3/4): one whose high is 3/4
    exactly would double past the state's 32 bits. Nothing is settled: the state stays."""
    from npc_classify.coding import _coder_kernels as kernels

    low, cumulative = first_interval_ending_at_three_quarters()
    three_quarters, top = 3 << (kernels.STATE_BITS - 2), (1 << kernels.STATE_BITS) - 1
    if coder == "encoder":
        state, out = np.array([low, top, 0, 0]), np.zeros(16, dtype=np.uint8)
        kernels.encode_symbol(state, out, cumulative, 0, 16)
        assert state.tolist() == [low, three_quarters, 0, 0]
    else:
        code = np.zeros(16, dtype=np.uint8)
        state = np.array([low, top, low, kernels.STATE_BITS, 0])
        assert kernels.decode_symbol(state, np.zeros(1), code, cumulative, 16) == 0
        assert state.tolist() == [low, three_quarters, low, kernels.STATE_BITS, 0]


@pytest.mark.parametrize("n", [1, 7, 8, 9, 127, 128, 129, 255, 256, 257, 1000, 50257])
def test_the_compiled_sum_adds_in_numpys_order_to_the_last_bit(n):
    """Quantisation divides by the sum: block edges (8, 128) and halving must be numpy's."""
    from npc_classify.coding import _coder_kernels as kernels

    rng = np.random.default_rng(n)
    values = rng.random(n) * 10.0 ** rng.integers(-12, 12, n)
    assert kernels.pairwise_sum(values) == values.sum()
