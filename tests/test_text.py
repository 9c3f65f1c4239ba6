"""Texts packed for the workers read back as the byte strings they were."""

from __future__ import annotations

import numpy as np

from npc_classify import NCDClassifier
from npc_classify._text import PackedTexts, encode_text, pack_texts

TEXTS = [b"first", b"", b"\xff\x00 bytes", b"last"]


def test_packed_texts_read_back_item_by_item_and_in_order():
    packed = PackedTexts(*pack_texts(TEXTS))
    assert len(packed) == len(TEXTS)
    assert list(packed) == TEXTS
    assert [packed[i] for i in range(-len(TEXTS), len(TEXTS))] == TEXTS + TEXTS
    assert packed[1:3] == TEXTS[1:3]


def test_packed_texts_keep_the_arrays_they_were_given():
    buffer, offsets = pack_texts(TEXTS)
    packed = PackedTexts(buffer, offsets)
    assert packed.buffer is buffer and packed.offsets is offsets
    np.testing.assert_array_equal(np.diff(packed.offsets), [len(t) for t in TEXTS])


def test_no_texts_pack_into_an_empty_sequence():
    packed = PackedTexts(*pack_texts([]))
    assert len(packed) == 0
    assert list(packed) == []


def test_a_lone_surrogate_is_kept_as_its_own_bytes():
    """Surrogates pass through (surrogatepass), so texts that differ only in one are
    different texts, not the same replacement character."""
    assert encode_text("a\ud800b") == b"a\xed\xa0\x80b"
    clf = NCDClassifier(k=1).fit(["lone \ud800 x", "lone \ud801 x"], ["a", "b"])
    assert clf.predict(["lone \ud801 x"]).tolist() == ["b"]
