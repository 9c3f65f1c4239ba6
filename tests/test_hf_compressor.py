"""Hugging Face causal LMs as compressors: bytes in, bytes out, the key/value cache reused.

The model is built by the ``tiny_causal_lm`` fixture (conftest.py) from a config and
a tokenizer trained in the test session: nothing is downloaded.
"""

from __future__ import annotations

import json
import shutil
import threading
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

pytest.importorskip("torch")
pytest.importorskip("transformers")

from npc_classify import CompressionClassifier, NCDClassifier
from npc_classify.cli import main
from npc_classify.coding.hf_lm import (
    ByteTokenizer,
    TokenStream,
    _cache_keyword,
    context_size,
    context_tail,
    joint_bits,
    last_line_start,
    load_causal_lm,
    sequence_bits,
)
from npc_classify.compressors import (
    CorruptStreamError,
    HuggingFaceCompressor,
    get_compressor,
)

ODD_BYTES = [
    b"",
    b"Plain news text about the cup final.",
    "Caf\u00e9 \u20ac \U0001f600 and \u00fc".encode(),
    b"\xff\xfe invalid \xc3 UTF-8 \x80",
    b"a NUL \x00 byte",
    b"<|endoftext|> written out as text",
    "\u212b is normalised by some tokenizers".encode(),
]


@pytest.fixture(scope="module")
def compressor(tiny_causal_lm):
    return HuggingFaceCompressor(tiny_causal_lm)


@pytest.fixture(scope="module")
def byte_tokenizer(compressor):
    return compressor._loaded()[1]


@pytest.mark.parametrize("data", ODD_BYTES)
def test_the_tokenizer_spells_any_bytes_exactly(byte_tokenizer, data):
    assert byte_tokenizer.decode(byte_tokenizer.encode(data)) == data


@settings(max_examples=50, deadline=None)
@given(data=st.binary(max_size=80) | st.text(max_size=80).map(str.encode))
def test_the_tokenizer_round_trips_arbitrary_bytes(byte_tokenizer, data):
    assert byte_tokenizer.decode(byte_tokenizer.encode(data)) == data


LINES = st.lists(
    st.sampled_from([b"\n", b" ", b"\t", b"cup", b"\xc3", b"\xa9", b"a"]), max_size=12
)


@settings(max_examples=60, deadline=None)
@given(text=LINES.map(b"".join), more=LINES.map(b"".join))
def test_appended_bytes_change_no_token_before_the_last_line(byte_tokenizer, text, more):
    cut = last_line_start(text)
    assert text[cut - 1 : cut] == (b"\n" if cut else b"")
    assert byte_tokenizer.encode(text + more) == (
        byte_tokenizer.encode(text[:cut]) + byte_tokenizer.encode(text[cut:] + more)
    )


def test_a_line_starts_after_a_line_break_followed_by_a_non_space_byte():
    assert last_line_start(b"first\nsecond\n third\n") == len(b"first\n")
    assert last_line_start(b"one line\n") == 0
    assert last_line_start(b"\n\n\xc3\xa9") == 2


def test_encoding_many_texts_at_once_encodes_each(byte_tokenizer):
    assert byte_tokenizer.encode_many(ODD_BYTES) == [byte_tokenizer.encode(d) for d in ODD_BYTES]


def test_text_is_coded_in_multi_byte_tokens(byte_tokenizer, tiny_news):
    text = tiny_news[0][0].encode()
    assert len(byte_tokenizer.encode(text)) < 0.6 * len(text)


def test_special_tokens_spell_nothing_and_cannot_be_decoded(byte_tokenizer):
    with pytest.raises(ValueError, match="spells no bytes"):
        byte_tokenizer.decode([byte_tokenizer.bos_id])


@pytest.mark.parametrize("data", ODD_BYTES)
def test_decompress_inverts_compress(compressor, data):
    assert compressor.decompress(compressor.compress(data)) == data


def test_a_text_longer_than_the_window_round_trips_at_its_ideal_length(compressor, tiny_news):
    data = " ".join(tiny_news[0][:4]).encode()  # well over 48 tokens
    code = compressor.compress(data)
    assert compressor.decompress(code) == data
    assert len(code) - 1 <= np.ceil(compressor.ideal_bits(data) / 8) + 2
    assert compressor.compressed_size(data) == pytest.approx(
        compressor.ideal_bits(data) / 8, rel=0.01
    )


def test_prefix_cache_reuse_equals_scoring_each_pair_from_scratch(compressor, tiny_news):
    model, tokenizer = compressor._loaded()
    prefix = tiny_news[0][3].encode() + b" "  # as NCD joins a pair: a word spans the seam
    suffixes = [b"", b"x", *(t.encode() for t in tiny_news[0][:5]), b"long " * 30]
    sizes = compressor.compressed_sizes_with_prefix(prefix, suffixes)
    for suffix, size in zip(suffixes, sizes, strict=True):
        tokens = tokenizer.encode(prefix + suffix)
        expected = sequence_bits(model, tokenizer.bos_id, tokens, "cpu") / 8
        assert size == pytest.approx(expected, rel=1e-5)


def test_a_corrupted_code_is_refused(compressor):
    with pytest.raises(CorruptStreamError):
        compressor.decompress(b"")
    with pytest.raises(CorruptStreamError):
        compressor.decompress(b"\xff\xff\xff\x7f" + b"\x00")


def test_ncd_classifier_runs_on_a_hugging_face_model(tiny_causal_lm, tiny_news):
    clf = NCDClassifier(get_compressor("hf", model=tiny_causal_lm), k=1).fit(*tiny_news)
    assert clf.predict(["A goal in the cup final."]).shape == (1,)


def test_a_query_is_coded_after_the_end_of_each_class_text(compressor, tiny_news):
    texts, labels = tiny_news
    queries = ["A late goal won the cup final.", "Shares fell"]
    bits = CompressionClassifier(compressor).fit(texts, labels).extra_bits(queries)
    model, tokenizer = compressor._loaded()
    for column, label in enumerate(sorted(set(labels))):
        lines = (t + "\n" for t, lab in zip(texts, labels, strict=True) if lab == label)
        context = "".join(lines).encode()
        tail = context_tail(model, tokenizer, context, [q.encode() for q in queries])
        assert context.endswith(tail) and len(tail) < len(context)  # longer than the window
        expected = [
            8 * (compressor.compressed_size(tail + q.encode()) - compressor.compressed_size(tail))
            for q in queries
        ]
        np.testing.assert_allclose(bits[:, column], expected, rtol=1e-5)


def test_the_context_tail_is_the_most_whole_tokens_one_window_holds_beside_the_item(compressor):
    model, tokenizer = compressor._loaded()
    item = b"A late goal won the cup final."
    short = b"The keeper saved a penalty.\n"
    assert context_tail(model, tokenizer, short, [item]) == short
    context = b"".join(f"Line {i} of the class text, about the cup.\n".encode() for i in range(40))
    tail = context_tail(model, tokenizer, context, [item])
    room = context_size(model) - 1 - len(tokenizer.encode(item)) - 8  # start token, seam
    tokens = tokenizer.encode(context)
    assert tokenizer.decode(tokens[-room:]) == tail  # whole tokens, as many as fit


def test_class_texts_of_any_length_condition_a_query_on_the_same_amount_of_their_end(
    compressor,
):
    end = b"".join(f"Line {i} of the class text, about the cup.\n".encode() for i in range(40))
    queries = [b"A late goal won the cup final.", b"Shares fell"]
    reference = compressor.conditional_sizes(end, queries)
    for extra in range(1, 6):  # earlier texts of every length: the same end, the same costs
        longer = b"Earlier news. " * extra + b"\n" + end
        np.testing.assert_allclose(compressor.conditional_sizes(longer, queries), reference)


def size_after_loading(folder: str, start: threading.Barrier, sizes: list[object]) -> None:
    """Load the model at ``folder`` when every thread is ready; add a size (or the error)."""
    compressor = HuggingFaceCompressor(folder)
    start.wait()
    try:
        sizes.append(compressor.compressed_size(b"Who wrote Hamlet?"))
    except Exception as error:  # shown by the test's assertion
        sizes.append(error)


def test_threads_loading_the_model_at_once_each_get_it_whole(tiny_causal_lm):
    """transformers builds a model on the meta device first: two builds at once broke
    both (and every later one in the process) before loading was serialised."""
    expected = HuggingFaceCompressor(tiny_causal_lm).compressed_size(b"Who wrote Hamlet?")
    for _ in range(3):
        start, sizes = threading.Barrier(3), []
        threads = [
            threading.Thread(target=size_after_loading, args=(tiny_causal_lm, start, sizes))
            for _ in range(3)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sizes == [expected] * 3


def test_a_model_that_is_not_there_is_a_clear_error(tmp_path):
    with pytest.raises(ValueError, match="Cannot load the causal language model"):
        load_causal_lm(str(tmp_path / "missing"))


def test_truncated_weights_are_a_clear_error(tiny_causal_lm, tmp_path):
    damaged = tmp_path / "damaged"
    shutil.copytree(tiny_causal_lm, damaged)
    weights = damaged / "model.safetensors"
    weights.write_bytes(weights.read_bytes()[:1000])
    with pytest.raises(ValueError, match="Cannot load the causal language model"):
        load_causal_lm(str(damaged))


def test_pickled_weights_are_never_loaded(tiny_causal_lm, tmp_path):
    """A folder whose weights exist only as a pickle (pytorch_model.bin) is refused."""
    import torch
    from safetensors.torch import load_file

    pickled = tmp_path / "pickled"
    shutil.copytree(tiny_causal_lm, pickled)
    weights = pickled / "model.safetensors"
    torch.save(load_file(weights), pickled / "pytorch_model.bin")
    weights.unlink()
    with pytest.raises(ValueError, match="Cannot load the causal language model"):
        load_causal_lm(str(pickled))


def test_an_encoder_that_reads_both_ways_is_refused_as_no_causal_model(tiny_causal_lm, tmp_path):
    """transformers gives a BERT folder a language-model head that sees the tokens after
    each position: not a model of the next token, so no code."""
    import torch
    from transformers import BertConfig, BertModel

    encoder = tmp_path / "bert"
    shutil.copytree(tiny_causal_lm, encoder)  # its tokenizer
    config = BertConfig(
        vocab_size=400,
        hidden_size=32,
        num_hidden_layers=1,
        num_attention_heads=2,
        intermediate_size=32,
    )
    torch.manual_seed(0)
    BertModel(config).save_pretrained(encoder)
    with pytest.raises(ValueError, match="is not a causal language model: its prediction at"):
        load_causal_lm(str(encoder))


def test_a_tokenizer_with_ids_the_model_has_no_row_for_is_refused(tiny_causal_lm, tmp_path):
    """A folder whose tokenizer is larger than its model's vocabulary (the wrong
    tokenizer beside the weights) would fail on the first token past the model's rows."""
    import torch
    from transformers import GPT2Config, GPT2LMHeadModel

    mismatched = tmp_path / "mismatched"
    shutil.copytree(tiny_causal_lm, mismatched)  # its tokenizer, of about 400 tokens
    torch.manual_seed(0)
    GPT2LMHeadModel(GPT2Config(vocab_size=300, n_positions=48, n_embd=32, n_layer=1,
                               n_head=2)).save_pretrained(mismatched)  # fmt: skip
    with pytest.raises(ValueError, match=r"tokenizer has token ids up to \d+, but the model"):
        load_causal_lm(str(mismatched))


def test_a_special_token_added_without_an_embedding_is_no_mismatch(tiny_causal_lm, tmp_path):
    """A padding token added to the tokenizer and not to the model is never coded."""
    from transformers import AutoTokenizer

    padded = tmp_path / "padded"
    shutil.copytree(tiny_causal_lm, padded)
    tokenizer = AutoTokenizer.from_pretrained(padded)
    tokenizer.add_special_tokens({"pad_token": "<pad>"})
    tokenizer.save_pretrained(padded)
    compressor = HuggingFaceCompressor(str(padded))
    data = b"Stocks fell sharply on Monday."
    assert compressor.decompress(compressor.compress(data)) == data


def test_a_batch_size_below_one_is_refused(tiny_causal_lm):
    with pytest.raises(
        ValueError, match=r"The .batch_size. parameter of HuggingFaceCompressor .* Got 0"
    ):
        NCDClassifier(HuggingFaceCompressor(tiny_causal_lm, batch_size=0), k=1).fit(
            ["a", "b"], [0, 1]
        )


def test_a_compressor_without_a_model_is_refused():
    with pytest.raises(ValueError, match="HuggingFaceCompressor needs model"):
        NCDClassifier(HuggingFaceCompressor(), k=1).fit(["a", "b"], [0, 1])


def _word_level_tokenizer(vocabulary: list[str], prepend_scheme: str = "always"):
    """A SentencePiece-style tokenizer: words, each with its "\u2581" (space) in front."""
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast

    tokens = {token: index for index, token in enumerate(["<s>", "<unk>", *vocabulary])}
    tokenizer = Tokenizer(models.WordLevel(tokens, unk_token="<unk>"))
    tokenizer.pre_tokenizer = pre_tokenizers.Metaspace(prepend_scheme=prepend_scheme)
    return PreTrainedTokenizerFast(tokenizer_object=tokenizer, bos_token="<s>", unk_token="<unk>")


@pytest.mark.parametrize("data", ODD_BYTES)
def test_a_byte_fallback_vocabulary_spells_any_bytes(data):
    vocabulary = [f"<0x{b:02X}>" for b in range(256)] + ["\u2581the", "\u2581cup"]
    tokenizer = ByteTokenizer(_word_level_tokenizer(vocabulary))
    assert tokenizer.decode(tokenizer.encode(data)) == data


@pytest.mark.parametrize("prepend_scheme", ["always", "first"])
@pytest.mark.parametrize(
    ("words", "spelled"),
    [
        (["\u2581the", "\u2581cup", "the"], [b"the", b" cup", b" the"]),
        (["\u2581the", "\u2581cup"], [b"t", b"h", b"e", b" cup", b" the"]),
    ],
)
def test_the_space_a_sentencepiece_tokenizer_puts_before_a_text_is_taken_off(
    prepend_scheme, words, spelled
):
    vocabulary = [f"<0x{b:02X}>" for b in range(256)] + words
    tokenizer = ByteTokenizer(_word_level_tokenizer(vocabulary, prepend_scheme))
    ids = tokenizer.encode(b"the cup the")
    assert [tokenizer.token_bytes[i] for i in ids] == spelled
    assert tokenizer.decode(ids) == b"the cup the"


@settings(max_examples=100, deadline=None)
@given(
    prepend_scheme=st.sampled_from(["always", "first"]),
    data=st.lists(st.sampled_from(["the", " ", "cup", "\u2581", "\n", "\xe9"]), max_size=8)
    .map("".join)
    .map(str.encode)
    | st.binary(max_size=40),
)
def test_a_sentencepiece_style_tokenizer_round_trips_arbitrary_bytes(prepend_scheme, data):
    vocabulary = [f"<0x{b:02X}>" for b in range(256)]
    words = ["\u2581the", "\u2581cup", "the", "\u2581", "\u2581\u2581"]
    tokenizer = ByteTokenizer(_word_level_tokenizer(vocabulary + words, prepend_scheme))
    assert tokenizer.decode(tokenizer.encode(data)) == data


def test_a_vocabulary_without_byte_tokens_is_refused():
    with pytest.raises(ValueError, match="cannot spell arbitrary bytes"):
        ByteTokenizer(_word_level_tokenizer(["\u2581the", "\u2581cup"]))


def test_a_prefix_longer_than_the_window_reuses_its_open_window(compressor, tiny_news):
    model, tokenizer = compressor._loaded()
    prefix = " ".join(tiny_news[0][:6]).encode()
    suffixes = [t.encode() for t in tiny_news[0][6:9]]
    assert len(tokenizer.encode(prefix)) > 2 * 48
    sizes = compressor.compressed_sizes_with_prefix(prefix, suffixes)
    for suffix, size in zip(suffixes, sizes, strict=True):
        tokens = tokenizer.encode(prefix + suffix)
        expected = sequence_bits(model, tokenizer.bos_id, tokens, "cpu") / 8
        assert size == pytest.approx(expected, rel=1e-5)


def test_bpb_adds_a_hugging_face_model(tiny_causal_lm, tmp_path, capsys):
    from conftest import TINY_NEWS

    output = tmp_path / "bpb.json"
    data = ["--dataset", "csv", "--test", str(TINY_NEWS)]
    argv = ["bpb", *data, "--hf-model", tiny_causal_lm, "--n-docs", "5"]
    assert main([*argv, "--output", str(output)]) == 0
    table = json.loads(output.read_text())["bits_per_byte"]
    assert sorted(table) == ["bz2", "cm", "gzip", "hf", "lzma", "ppm", "zstd"]
    assert table["hf"]["per_document"] > 0


def test_the_cache_is_passed_by_the_name_the_model_takes(tiny_causal_lm):
    """``cache`` where transformers has it (``past_key_values`` warns there), else the old name."""

    class Older:
        def forward(self, input_ids=None, past_key_values=None, use_cache=None):
            """A forward pass of a transformers release before ``cache``."""

    model, tokenizer = load_causal_lm(str(tiny_causal_lm))
    stream = TokenStream(model, tokenizer)
    with warnings.catch_warnings():
        warnings.simplefilter("error", FutureWarning)
        stream.reset()
        stream.update(tokenizer.byte_ids[ord("a")])
        joint_bits(model, tokenizer, b"the cup", [b" final", b"!"], "cpu", 2)
    assert _cache_keyword(Older()) == "past_key_values"


def test_every_suffix_length_around_the_window_costs_what_the_whole_text_read_alone_does(
    compressor,
):
    """Suffixes from empty to two windows long, after one prefix: those that fit the open
    window and those that overflow it (the boundary included) each cost their joined
    text's bits read from scratch."""
    model, tokenizer = compressor._loaded()
    prefix = b"The keeper saved a penalty in the cup final. "
    suffixes = [b"\x01" * n for n in range(2 * context_size(model))]
    sizes = compressor.compressed_sizes_with_prefix(prefix, suffixes)
    for suffix, size in zip(suffixes, sizes, strict=True):
        tokens = tokenizer.encode(prefix + suffix)
        expected = sequence_bits(model, tokenizer.bos_id, tokens, "cpu") / 8
        assert size == pytest.approx(expected, rel=1e-5), len(suffix)


def test_a_process_forked_while_a_model_loads_can_load_one_itself():
    """The child of a fork gets the load lock as it was, held by a thread it does not have."""
    import os

    from npc_classify.coding import hf_lm

    with hf_lm._LOADING:  # another thread is building a model at the fork
        child = os.fork()
        if child == 0:
            os._exit(0 if hf_lm._LOADING.acquire(timeout=5) else 1)
    _, status = os.waitpid(child, 0)
    assert os.waitstatus_to_exitcode(status) == 0
