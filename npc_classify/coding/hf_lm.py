"""Hugging Face causal language models as lossless byte coders.

Bytes in, bytes out: a tokenizer maps text to token ids, but not every byte
string is text and not every tokenizer gives its input back. :class:`ByteTokenizer`
makes the mapping exact. Valid UTF-8 runs are tokenized and kept only if the
tokens spell the run's bytes exactly (or do once the space SentencePiece puts
before a text is taken off); anything else (invalid UTF-8, text the tokenizer
normalises) is spelled with the vocabulary's single-byte tokens,
which byte-level BPE (GPT-2, Llama 3, Qwen, Pythia...) and SentencePiece byte
fallback (``<0x41>``, Llama 2, Mistral...) vocabularies hold for all 256 bytes.

Text is tokenized line by line, each line starting after a line break that is
followed by a non-space byte (:func:`last_line_start`), so bytes appended to a
text change none of its tokens before its last line: a prefix's tokens up to
there are read once for all the texts that may follow it.

A model reads at most ``context_size`` positions. A token sequence is coded in
windows of that many tokens, each predicted from the beginning-of-sequence
token and the window's earlier tokens only; the stream used by the coder and
the batched scorer used for sizes apply the same rule.
"""

from __future__ import annotations

import copy
import inspect
import os
import re
import threading
from collections.abc import Sequence
from typing import Any

import numpy as np

try:
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer
except ImportError as error:  # pragma: no cover - exercised without the extra installed
    raise ImportError(
        "Hugging Face language models need transformers and PyTorch: "
        'pip install "npc-classify[hf]".'
    ) from error

from ._torch import check_device

_INVALID_UTF8 = re.compile("([\udc80-\udcff]+)")
#: A line break followed by a non-space byte: where each line of a text begins.
_LINE_START = re.compile(rb"(?<=\n)(?=\S)")


def byte_level_alphabet() -> list[str]:
    """The printable character byte-level BPE vocabularies use for each byte.

    Printable Latin-1 bytes stand for themselves; the other 68 bytes (controls,
    space, a few others) are shifted to code points from 256 up, in byte order.
    """
    printable = [*range(ord("!"), ord("~") + 1), *range(0xA1, 0xAC + 1), *range(0xAE, 0xFF + 1)]
    shifted = iter(range(256, 512))
    return [chr(b) if b in printable else chr(next(shifted)) for b in range(256)]


class ByteTokenizer:
    """A tokenizer made lossless: :meth:`encode` and :meth:`decode` are exact inverses.

    Parameters
    ----------
    tokenizer : transformers tokenizer
        Its vocabulary must hold all 256 single bytes, as byte-level BPE
        (``"Ġ"``-style) or SentencePiece byte-fallback (``"<0x0A>"``) tokens.

    Attributes
    ----------
    token_bytes : list of bytes or None
        The bytes each token id spells; ``None`` for special tokens, which
        never occur in coded text.
    byte_ids : list of int
        The single-byte token of each byte value.
    token_of : dict of bytes to int
        A token for each spelling in the vocabulary other than the tokens of
        ``byte_ids``.
    bos_id : int
        The token every window starts from.
    """

    def __init__(self, tokenizer: Any) -> None:
        self.tokenizer = tokenizer
        vocabulary: dict[str, int] = tokenizer.get_vocab()
        special = set(tokenizer.all_special_ids)
        alphabet = byte_level_alphabet()
        fallback = [f"<0x{b:02X}>" for b in range(256)]
        size = max(vocabulary.values()) + 1
        self.token_bytes: list[bytes | None] = [None] * size
        if all(symbol in vocabulary for symbol in alphabet):
            to_byte = {symbol: b for b, symbol in enumerate(alphabet)}
            for token, index in vocabulary.items():
                if index not in special and all(c in to_byte for c in token):
                    self.token_bytes[index] = bytes(to_byte[c] for c in token)
            self.byte_ids = [vocabulary[symbol] for symbol in alphabet]
        elif all(symbol in vocabulary for symbol in fallback):
            for token, index in vocabulary.items():
                if index not in special:
                    self.token_bytes[index] = token.replace("\u2581", " ").encode()
            self.byte_ids = [vocabulary[symbol] for symbol in fallback]
            for b, index in enumerate(self.byte_ids):
                self.token_bytes[index] = bytes([b])
        else:
            raise ValueError(
                f"The tokenizer {tokenizer.name_or_path!r} cannot spell arbitrary bytes: its "
                "vocabulary has neither byte-level BPE tokens for all 256 bytes nor "
                "SentencePiece byte-fallback tokens <0x00>..<0xFF>."
            )
        single = set(self.byte_ids)
        self.token_of = {
            spelled: index
            for index, spelled in enumerate(self.token_bytes)
            if spelled is not None and index not in single
        }
        bos = tokenizer.bos_token_id
        self.bos_id: int = bos if bos is not None else tokenizer.eos_token_id
        if self.bos_id is None:
            raise ValueError(
                f"The tokenizer {tokenizer.name_or_path!r} has neither a beginning-of-sequence "
                "nor an end-of-sequence token to start a window from."
            )

    def encode(self, data: bytes) -> list[int]:
        """Token ids whose bytes, joined, are exactly ``data``.

        Parameters
        ----------
        data : bytes
        """
        return self.encode_many([data])[0]

    def encode_many(self, texts: Sequence[bytes]) -> list[list[int]]:
        """:meth:`encode` of each text, with one call of the tokenizer for them all.

        Each text is tokenized line by line (see :func:`last_line_start`); a
        line's valid UTF-8 runs keep the tokenizer's tokens when they spell the
        run exactly, and every other byte gets its single-byte token.

        Parameters
        ----------
        texts : sequence of bytes
        """
        runs: list[tuple[int, bytes, str | None]] = []  # text index, bytes, text to tokenize
        for index, data in enumerate(texts):
            for line in _LINE_START.split(data):
                decoded = line.decode("utf-8", errors="surrogateescape")
                for position, piece in enumerate(_INVALID_UTF8.split(decoded)):
                    if piece:
                        raw = piece.encode("utf-8", errors="surrogateescape")
                        runs.append((index, raw, piece if position % 2 == 0 else None))
        valid = [piece for _, _, piece in runs if piece is not None]
        tokenized = iter(
            self.tokenizer(valid, add_special_tokens=False)["input_ids"] if valid else []
        )
        ids: list[list[int]] = [[] for _ in texts]
        for index, raw, piece in runs:
            exact = None if piece is None else self._spelling(next(tokenized), raw)
            ids[index].extend([self.byte_ids[b] for b in raw] if exact is None else exact)
        return ids

    def _spelling(self, tokens: list[int], raw: bytes) -> list[int] | None:
        """``tokens`` made to spell ``raw`` exactly, or ``None`` where they cannot be.

        SentencePiece tokenizers (Llama 2, Mistral...) put a ``"▁"`` (a space)
        before a text; it is taken off the first token, which becomes the token
        spelling the rest, or its bytes' tokens if there is none.
        """
        spelled = [self.token_bytes[t] for t in tokens]
        if any(part is None for part in spelled):
            return None
        joined = b"".join(part for part in spelled if part is not None)
        if joined == raw:
            return tokens
        if joined != b" " + raw:
            return None
        rest = joined[1 : len(spelled[0] or b"")]  # the first token's bytes after the space
        if not rest:
            head = []
        elif rest in self.token_of:
            head = [self.token_of[rest]]
        else:
            head = [self.byte_ids[b] for b in rest]
        return head + tokens[1:]

    def decode(self, ids: Sequence[int]) -> bytes:
        """The bytes the token ids spell; special or unknown ids are an error.

        Parameters
        ----------
        ids : sequence of int
        """
        out = []
        for index in ids:
            spelled = self.token_bytes[index] if 0 <= index < len(self.token_bytes) else None
            if spelled is None:
                raise ValueError(
                    f"Token id {index} spells no bytes (special or out of vocabulary)."
                )
            out.append(spelled)
        return b"".join(out)


def byte_level_bpe_tokenizer(texts: Sequence[str], vocab_size: int) -> Any:
    """A GPT-2-style byte-level BPE tokenizer trained on ``texts``, offline.

    For models built here rather than downloaded (the tests' tiny GPT-2, the
    speed benchmark's GPT-2-small shape): ``<|endoftext|>`` is its beginning-
    and end-of-sequence token, and its vocabulary holds all 256 bytes.

    Parameters
    ----------
    texts : sequence of str
        The training texts.
    vocab_size : int
        The largest vocabulary the training may reach, ``<|endoftext|>`` and
        the 256 bytes included.
    """
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    tokenizer = Tokenizer(models.BPE())
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tokenizer.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        special_tokens=["<|endoftext|>"],
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
    )
    tokenizer.train_from_iterator(texts, trainer)
    return PreTrainedTokenizerFast(
        tokenizer_object=tokenizer, bos_token="<|endoftext|>", eos_token="<|endoftext|>"
    )


#: Held while a model is built: transformers builds it on the meta device first, a
#: setting two threads building at once break for each other (and for every later build).
_LOADING = threading.Lock()


def _new_loading_lock() -> None:
    """Give a forked child a free lock: the thread that held it at the fork is not there."""
    global _LOADING
    _LOADING = threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_new_loading_lock)


def load_causal_lm(name: str, device: str = "cpu") -> tuple[Any, ByteTokenizer]:
    """A causal LM and its lossless tokenizer, by Hub name or local folder.

    Weights are read from safetensors only (no pickle, no code from the
    files: ``trust_remote_code`` stays off).

    Parameters
    ----------
    name : str
        A Hugging Face Hub name, or a folder written by ``save_pretrained``.
    device : str, default="cpu"
        The torch device to put the model on.

    Raises
    ------
    ValueError
        If ``device`` is not a torch device this machine has, or the model or
        tokenizer cannot be loaded (missing, truncated or
        damaged, pickle-only weights), or is not causal (an encoder such as
        BERT), or the tokenizer cannot spell arbitrary bytes or has token ids the
        model has no embedding for (another model's tokenizer).
    """
    torch_device = check_device(device)
    try:
        with _LOADING:
            tokenizer = AutoTokenizer.from_pretrained(name)
            model: Any = AutoModelForCausalLM.from_pretrained(name, use_safetensors=True)
            model = model.to(torch_device).eval()
    except Exception as error:  # transformers, the Hub client and safetensors raise many kinds
        raise ValueError(
            f"Cannot load the causal language model {name!r} (a Hugging Face Hub name or a "
            f"folder written by save_pretrained, with safetensors weights): "
            f"{type(error).__name__}: {error}"
        ) from None
    _check_causal(model, name)
    byte_tokenizer = ByteTokenizer(tokenizer)
    # The ids the model is given: those that spell bytes, and the start token (a special
    # token added without an embedding, such as a padding one, is never given).
    spelling = (i for i, spelled in enumerate(byte_tokenizer.token_bytes) if spelled is not None)
    largest = max(byte_tokenizer.bos_id, *spelling)
    n_rows = model.get_input_embeddings().num_embeddings
    if largest >= n_rows:
        raise ValueError(
            f"{name!r}: its tokenizer has token ids up to {largest}, but the model has "
            f"embeddings for {n_rows} tokens (0 to {n_rows - 1}): the tokenizer is not the "
            "model's. Save the model's own tokenizer beside its weights."
        )
    return model, byte_tokenizer


def _check_causal(model: Any, name: str) -> None:
    """Refuse a model whose prediction at a position depends on the tokens after it.

    An encoder's folder (BERT) loads as a "causal LM" whose head sees the
    whole input: its predictions are not of the next token, and code nothing.
    Two inputs that differ only in their second token must give the same
    prediction at the first: rows of one batch with the same first token,
    which a causal model computes alike (to float32 rounding; a small random
    encoder's first predictions differ by about 1e-3).
    """
    probe = torch.tensor([[0, 1], [0, 2]], device=model.device)
    with torch.no_grad():
        first = model(input_ids=probe).logits[:, 0].float()
    if not torch.allclose(first[0], first[1], rtol=1e-5, atol=1e-5):
        raise ValueError(
            f"{name!r} is not a causal language model: its prediction at a token depends on "
            "the tokens after it (an encoder such as BERT), so it predicts no next token to "
            "code. Give a causal (decoder) model: GPT-2, Llama, Qwen, ..."
        )


def _cache_keyword(model: Any) -> str:
    """The name under which ``model`` takes and returns its key/value cache.

    ``cache`` in the transformers releases that have it (``past_key_values``
    is deprecated there, to be removed in 5.40), ``past_key_values`` before.
    The cache is a ``Cache`` object, a ``DynamicCache`` unless the model
    chooses another, in both.
    """
    parameters = inspect.signature(model.forward).parameters
    return "cache" if "cache" in parameters else "past_key_values"


def context_size(model: Any) -> int:
    """The number of positions the model reads (at least 2).

    Parameters
    ----------
    model : transformers causal LM
        Its config gives the number (``max_position_embeddings``,
        ``n_positions`` or ``n_ctx``); 1024 where it does not.
    """
    config = model.config
    for attribute in ("max_position_embeddings", "n_positions", "n_ctx"):
        value = getattr(config, attribute, None)
        if isinstance(value, int) and value >= 2:
            return value
    return 1024


class TokenStream:
    """The model as a :class:`~npc_classify.coding.arithmetic.SymbolModel` over token ids.

    One token at a time through the key/value cache, in windows of
    :func:`context_size` tokens; special tokens get probability zero since
    coded text never contains them.
    """

    def __init__(self, model: Any, tokenizer: ByteTokenizer, device: str = "cpu") -> None:
        self.model, self.device = model, device
        self.bos_id = tokenizer.bos_id
        self.window = context_size(model)
        self.cache_keyword = _cache_keyword(model)
        self.alphabet_size = int(model.get_output_embeddings().weight.shape[0])
        self.spells_nothing = torch.tensor(
            [
                index >= len(tokenizer.token_bytes) or tokenizer.token_bytes[index] is None
                for index in range(self.alphabet_size)
            ]
        )

    def reset(self) -> np.ndarray:
        self.cache, self.read = None, 0
        return self._step(self.bos_id)

    def update(self, symbol: int) -> np.ndarray:
        if self.read + 1 >= self.window:  # the window is full: start the next one
            return self.reset()
        self.read += 1
        return self._step(symbol)

    @torch.no_grad()
    def _step(self, symbol: int) -> np.ndarray:
        inputs = torch.tensor([[symbol]], device=self.device)
        output = self.model(input_ids=inputs, use_cache=True, **{self.cache_keyword: self.cache})
        self.cache = getattr(output, self.cache_keyword)
        logits = output.logits[0, -1].double().cpu()
        logits[self.spells_nothing] = -np.inf
        return torch.softmax(logits, dim=0).numpy()


#: Tokens of a window kept free beside the longest item, for tokens the seam between the
#: context's end and an item may add.
_SEAM_TOKENS = 8


def context_tail(
    model: Any, tokenizer: ByteTokenizer, context: bytes, items: Sequence[bytes]
) -> bytes:
    """The end of ``context`` that one window holds before the longest of ``items``.

    Whole tokens of ``context``, as many as leave room in the model's window
    (:func:`context_size`) for the start token, the longest item's tokens and
    :data:`_SEAM_TOKENS` more; all of ``context`` when it fits.

    Parameters
    ----------
    model : transformers causal LM
    tokenizer : ByteTokenizer
        The model's tokenizer.
    context : bytes
    items : sequence of bytes

    Returns
    -------
    tail : bytes
        A suffix of ``context`` starting on a token boundary (empty when the
        longest item fills the window alone).
    """
    tokens, *item_tokens = tokenizer.encode_many([context, *items])
    room = context_size(model) - 1 - max(map(len, item_tokens), default=0) - _SEAM_TOKENS
    if len(tokens) <= room:
        return context
    kept = tokenizer.decode(tokens[len(tokens) - room :]) if room > 0 else b""
    return context[len(context) - len(kept) :]


def _target_log_probs(logits: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """Natural log-probabilities of ``targets`` under ``logits``, in float64.

    Computed from float32 logits without a float64 copy of the whole
    vocabulary axis, which for a batch of pairs would take gigabytes.
    """
    logits = logits.float()
    picked = logits.gather(-1, targets[..., None])[..., 0]
    return (picked - torch.logsumexp(logits, dim=-1)).double()


@torch.no_grad()
def sequence_bits(model: Any, bos_id: int, tokens: Sequence[int], device: str) -> float:
    """Ideal code length of ``tokens`` in bits, window by window, no cache.

    Parameters
    ----------
    model : transformers causal LM
    bos_id : int
        The token each window starts from.
    tokens : sequence of int
    device : str
        The torch device the model is on.
    """
    window, bits = context_size(model), 0.0
    for start in range(0, len(tokens), window):
        chunk = torch.tensor([[bos_id, *tokens[start : start + window]]], device=device)
        logits = model(input_ids=chunk[:, :-1]).logits
        bits -= float(_target_log_probs(logits, chunk[:, 1:]).sum()) / np.log(2)
    return bits


def last_line_start(data: bytes) -> int:
    """The offset of the last line start in ``data`` (0 if it has none).

    A line starts after a line break followed by a non-space byte. Both bytes
    lie inside ``data``, so the offset stays a line start whatever is appended:
    ``encode(data + more)`` is ``encode(data[:offset]) + encode(data[offset:] + more)``.

    Parameters
    ----------
    data : bytes
    """
    return max((match.start() for match in _LINE_START.finditer(data)), default=0)


def _common_length(a: Sequence[int], b: Sequence[int]) -> int:
    """The number of leading tokens ``a`` and ``b`` share."""
    for position, (x, y) in enumerate(zip(a, b, strict=False)):
        if x != y:
            return position
    return min(len(a), len(b))


@torch.no_grad()
def joint_bits(
    model: Any,
    tokenizer: ByteTokenizer,
    prefix: bytes,
    suffixes: Sequence[bytes],
    device: str,
    batch_size: int,
) -> np.ndarray:
    """Ideal code lengths in bits of each ``prefix + suffix``, tokenized as one text.

    A suffix can change the tokens of the prefix's last line (a word split at
    the seam is one token in the joined text); the tokens every joined text
    shares with the prefix, those before its last line and the leading tokens
    of that line common to all, are the head, read once. Windows are aligned
    on the start of the text, so the head's complete windows cost the same
    whatever follows; its last, open window is read with the cache kept, and a
    copy of that cache starts each batch of tails. A tail that overflows the
    open window is scored on its own from there.

    Parameters
    ----------
    model : transformers causal LM
    tokenizer : ByteTokenizer
        The model's tokenizer.
    prefix : bytes
    suffixes : sequence of bytes
    device : str
        The torch device the model is on.
    batch_size : int
        Tails per batch.
    """
    window, keyword = context_size(model), _cache_keyword(model)
    cut = last_line_start(prefix)
    before, last_line, *joined = tokenizer.encode_many(
        [prefix[:cut], prefix[cut:], *(prefix[cut:] + s for s in suffixes)]
    )
    shared = min((_common_length(last_line, tokens) for tokens in joined), default=len(last_line))
    head = before + last_line[:shared]
    tails = [tokens[shared:] for tokens in joined]
    start = len(head) // window * window
    closed_bits = sequence_bits(model, tokenizer.bos_id, head[:start], device)
    head = head[start:]
    read = model(
        input_ids=torch.tensor([[tokenizer.bos_id, *head]], device=device), use_cache=True
    )
    targets = torch.tensor([head], dtype=torch.long, device=device)
    open_bits = -float(_target_log_probs(read.logits[:, :-1], targets).sum()) / np.log(2)
    last = read.logits[:, -1:]  # predicts a tail's first token
    out = np.zeros(len(suffixes))
    fits = [row for row, tail in enumerate(tails) if tail and len(head) + len(tail) <= window]
    for row, tail in enumerate(tails):
        if len(head) + len(tail) > window:
            out[row] = sequence_bits(model, tokenizer.bos_id, head + tail, device) - open_bits
    for first in range(0, len(fits), batch_size):
        rows = fits[first : first + batch_size]
        longest = max(len(tails[row]) for row in rows)
        padded = torch.zeros((len(rows), longest), dtype=torch.long, device=device)
        mask = torch.zeros((len(rows), longest), dtype=torch.bool, device=device)
        for position, row in enumerate(rows):
            padded[position, : len(tails[row])] = torch.tensor(tails[row], device=device)
            mask[position, : len(tails[row])] = True
        logits = last.expand(len(rows), 1, -1)
        if longest > 1:
            cache = copy.deepcopy(getattr(read, keyword))
            cache.batch_repeat_interleave(len(rows))
            following = model(input_ids=padded[:, :-1], use_cache=True, **{keyword: cache})
            logits = torch.cat([logits, following.logits], dim=1)
        picked = _target_log_probs(logits, padded)
        out[rows] = -(picked * mask).sum(dim=1).cpu().numpy() / np.log(2)
    return closed_bits + open_bits + out
