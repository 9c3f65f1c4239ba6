"""The compiled loops of the DEFLATE sizer: zlib's lazy-match parse, counted, never written.

What is simulated is what decides the length of a raw DEFLATE stream written
by zlib at levels 4 to 9 (``deflate_slow``, memory level 8, the default
strategy, everything given at once with ``Z_FINISH``), as RFC 1951 and zlib's
documentation and behaviour define it:

- the window of twice 32 KiB, filled from the input as zlib fills it, slid by
  32 KiB when the parse nears its end, the bytes past the input zeroed for
  :data:`MAX_MATCH` bytes the first time the input reaches them (so a match
  compared past the end of the input sees what zlib sees);
- the hash chains (15-bit rolling hash of 3 bytes, shift 5), the match
  search with the level's ``good``, ``lazy``, ``nice`` and ``chain`` limits,
  short matches beyond :data:`TOO_FAR` dropped, and the lazy evaluation that
  takes a match only if the next position does not start a longer one;
- blocks of 16,383 symbols at most, each sized as stored, fixed-Huffman and
  dynamic-Huffman, with the choice zlib makes between them; the dynamic size
  comes from zlib's Huffman construction (its heap, with ties broken by tree
  depth, and its repair of codes longer than 15 or 7 bits), the run-length
  code of the code lengths and the code-length code.

Nothing is encoded: a block adds its size in bits, and the stream's length is
those bits rounded up to whole bytes. Only the hash heads the input used are
cleared for the next input.

Compiled with numba (``cache=True``: compiled once per machine, into
``__pycache__``). Arrays are copied element by element (:func:`_copy`), never by
slice assignment: numba compiles a slice assignment's shape check with its
error message, about 5 seconds of a first use. Small helpers of the parse's
inner loop are inlined into it (``inline="always"``); the Huffman tree builder,
run three times per block, is called instead: inlined at its three calls it
took about 7 s to compile, called it takes 1 s, and a pair's size costs the
same (measured on the speed benchmarks page, under "First use").
"""

from __future__ import annotations

from typing import cast

import numpy as np
from numba import njit

# The window and its hash chains.
WSIZE = 1 << 15
WMASK = WSIZE - 1
WINDOW_SIZE = 2 * WSIZE
HASH_SIZE = 1 << 15
HASH_MASK = HASH_SIZE - 1
HASH_SHIFT = 5
MIN_MATCH = 3
MAX_MATCH = 258
#: The parse refills the window when fewer bytes than this are left in it.
MIN_LOOKAHEAD = MAX_MATCH + MIN_MATCH + 1
#: The farthest back a match may start (the rest of the window is kept for lookahead).
MAX_DIST = WSIZE - MIN_LOOKAHEAD
#: A match of MIN_MATCH bytes farther back than this is not worth its distance code.
TOO_FAR = 4096
#: Symbols in a block before it is closed: memory level 8's buffer of 2**14, less one.
BLOCK_SYMBOLS = (1 << 14) - 1

# The alphabets.
LITERALS = 256
END_BLOCK = 256
L_CODES = LITERALS + 1 + 29
D_CODES = 30
BL_CODES = 19
HEAP_SIZE = 2 * L_CODES + 1
MAX_BITS = 15
MAX_BL_BITS = 7

#: Level -> (good, lazy, nice, chain): zlib's parameters of its lazy parse.
LEVEL_PARAMETERS = {
    4: (4, 4, 16, 16),
    5: (8, 16, 32, 32),
    6: (8, 16, 128, 128),
    7: (8, 32, 128, 256),
    8: (32, 128, 258, 1024),
    9: (32, 258, 258, 4096),
}


def _code_of(bases: list[int], values: np.ndarray) -> np.ndarray:
    """The index of the last base at or below each value (RFC 1951's code tables)."""
    return (np.searchsorted(np.array(bases), values, side="right") - 1).astype(np.int64)


_LENGTH_BASES = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59,
                 67, 83, 99, 115, 131, 163, 195, 227, 258]  # fmt: skip
_DISTANCE_BASES = [1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513,
                   769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577]  # fmt: skip

#: Length code (0..28, symbol 257 + code) of a match of ``3 + index`` bytes; 258 bytes
#: take code 28, which has no extra bits.
LENGTH_CODE = _code_of(_LENGTH_BASES, np.arange(MIN_MATCH, MAX_MATCH + 1))
#: Distance code (0..29) of a match ``1 + index`` bytes back.
DISTANCE_CODE = _code_of(_DISTANCE_BASES, np.arange(1, WSIZE + 1))
_LENGTH_EXTRA = [0] * 8 + [n for n in range(1, 6) for _ in range(4)] + [0]
_DISTANCE_EXTRA = [0, 0, 0, 0] + [n for n in range(1, 14) for _ in range(2)]
_CODE_LENGTH_EXTRA = [0] * 16 + [2, 3, 7]
#: The order in which a dynamic block lists the code-length code's lengths.
CODE_LENGTH_ORDER = np.array(
    [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15], np.int64
)


def _by_node(values: list[int], first: int = 0) -> np.ndarray:
    """``values`` for the symbols from ``first`` on, 0 for every other node of a tree."""
    table = np.zeros(HEAP_SIZE, np.int64)
    table[first : first + len(values)] = values
    return table


#: Extra bits of each symbol (and 0 for the inner nodes of a tree).
LITERAL_EXTRA = _by_node(_LENGTH_EXTRA, LITERALS + 1)
DISTANCE_EXTRA = _by_node(_DISTANCE_EXTRA)
CODE_LENGTH_EXTRA = _by_node(_CODE_LENGTH_EXTRA)
#: Code lengths of the fixed Huffman codes (none for the code-length alphabet).
FIXED_LITERAL_LENGTHS = _by_node([8] * 144 + [9] * 112 + [7] * 24 + [8] * 8)
FIXED_DISTANCE_LENGTHS = _by_node([5] * D_CODES)
NO_FIXED_LENGTHS = _by_node([])

# Arguments that are the same at several calls, as NumPy scalars: numba compiles a
# function once more for each literal argument (a bare 0, -1, True) it is called with.
# (Typed as the int and bool the functions take.)
_ZERO, _NONE = cast(int, np.int64(0)), cast(int, np.int64(-1))
_LAST, _NOT_LAST = cast(bool, np.bool_(True)), cast(bool, np.bool_(False))
# The three trees' alphabet sizes and length limits, so that one compilation of
# :func:`_build_tree` serves all three.
_L_ELEMS, _D_ELEMS, _BL_ELEMS = (cast(int, np.int64(n)) for n in (L_CODES, D_CODES, BL_CODES))
_CODE_BITS, _BL_CODE_BITS = cast(int, np.int64(MAX_BITS)), cast(int, np.int64(MAX_BL_BITS))

# The code-length code's repeat symbols.
_REPEAT_PREVIOUS = 16
_REPEAT_ZERO_SHORT = 17
_REPEAT_ZERO_LONG = 18

# Heap entries pack (frequency, depth, node): ties of frequency go to the shallower tree.
_NODE_BITS = 10
_NODE_MASK = (1 << _NODE_BITS) - 1
_DEPTH_BITS = 8
_DEPTH_MASK = (1 << _DEPTH_BITS) - 1
_FREQ_SHIFT = _DEPTH_BITS + _NODE_BITS
#: Above every entry: what lies just past the heap.
_PAST_HEAP = np.int64(1) << 62


class Workspace:
    """The arrays one input's parse and its blocks' trees work in, reused input after input."""

    def __init__(self) -> None:
        # The window, with room for a match compared past its last byte.
        self.window = np.zeros(WINDOW_SIZE + MAX_MATCH + 1, np.uint8)
        self.head = np.zeros(HASH_SIZE, np.int32)
        self.prev = np.zeros(WSIZE, np.int32)
        # The hash heads replaced, newest last: (hash << 16 | previous head).
        self.journal = np.zeros(WINDOW_SIZE, np.int64)
        self.freq = np.zeros((3, HEAP_SIZE), np.int64)  # literal/length, distance, code length
        self.length = np.zeros((3, HEAP_SIZE), np.int64)
        self.dad = np.zeros(HEAP_SIZE, np.int64)
        self.heap = np.zeros((2, HEAP_SIZE + 2), np.int64)  # the queue, the order out of it
        self.bl_count = np.zeros(MAX_BITS + 1, np.int64)
        self.state = np.zeros(STATE_SIZE, np.int64)

    def arrays(self) -> tuple[np.ndarray, ...]:
        """The arrays in the order the kernels take them."""
        return (
            self.window,
            self.head,
            self.prev,
            self.journal,
            self.freq,
            self.length,
            self.dad,
            self.heap,
            self.bl_count,
            self.state,
        )


@njit(cache=True, inline="always")
def _down_heap(heap: np.ndarray, heap_len: int, k: int) -> None:
    """Sift heap entry ``k`` down: an entry goes below another only if strictly larger.

    ``heap[heap_len + 1]`` must hold :data:`_PAST_HEAP`, so that a last left child
    is never passed over for its missing right sibling (without a branch).
    """
    v = heap[k]
    j = k << 1
    while j <= heap_len:
        child = heap[j]
        right = heap[j + 1]
        # Entries compare on their keys only: x's key <= y's key iff x <= y | _NODE_MASK.
        take_right = right <= (child | _NODE_MASK)
        j += take_right
        child = right if take_right else child
        if v <= (child | _NODE_MASK):
            break
        heap[k] = child
        k = j
        j <<= 1
    heap[k] = v


@njit(cache=True)
def _build_tree(
    freq: np.ndarray,
    length: np.ndarray,
    dad: np.ndarray,
    heap: np.ndarray,
    order: np.ndarray,
    bl_count: np.ndarray,
    elems: int,
    fixed_lengths: np.ndarray,
    extra: np.ndarray,
    max_length: int,
) -> tuple[int, int, int]:
    """Huffman code lengths of ``freq[:elems]`` into ``length``, limited to ``max_length``.

    Returns the largest used symbol and the bits the symbols cost with these
    codes and with the fixed codes (extra bits included): zlib's
    ``max_code``, ``opt_len`` and ``static_len`` of one tree.
    """
    opt_len = 0
    static_len = 0
    heap_len = 0
    max_code = -1
    # The used symbols, without a branch (which of them are used is unpredictable).
    length[:elems] = 0
    for n in range(elems):
        used = freq[n] != 0
        heap[heap_len + 1] = freq[n] << _FREQ_SHIFT | n
        heap_len += used
        max_code = n if used else max_code
    # At least two codes, so that a code is never zero bits long.
    while heap_len < 2:
        if max_code < 2:
            max_code += 1
            node = max_code
        else:
            node = 0
        heap_len += 1
        heap[heap_len] = 1 << _FREQ_SHIFT | node
        freq[node] = 1
        opt_len -= 1
        static_len -= fixed_lengths[node]
    heap[heap_len + 1] = _PAST_HEAP
    for i in range(heap_len // 2, 0, -1):
        _down_heap(heap, heap_len, i)

    # Join the two least frequent nodes until one is left. ``order`` lists the
    # nodes from the root down, as they leave the heap: order[first:] once done.
    node = elems
    first = HEAP_SIZE
    while True:
        least = heap[1]
        heap[1] = heap[heap_len]
        heap[heap_len] = _PAST_HEAP
        heap_len -= 1
        _down_heap(heap, heap_len, 1)
        second = heap[1]
        n = least & _NODE_MASK
        m = second & _NODE_MASK
        order[first - 1] = n
        order[first - 2] = m
        first -= 2
        dad[n] = node
        dad[m] = node
        joined_freq = (least >> _FREQ_SHIFT) + (second >> _FREQ_SHIFT)
        deeper = max(least >> _NODE_BITS & _DEPTH_MASK, second >> _NODE_BITS & _DEPTH_MASK)
        joined_depth = deeper + 1
        heap[1] = (joined_freq << _DEPTH_BITS | joined_depth) << _NODE_BITS | node
        node += 1
        _down_heap(heap, heap_len, 1)
        if heap_len < 2:
            break
    first -= 1
    order[first] = heap[1] & _NODE_MASK

    # Lengths from the root down, clipped at max_length.
    bl_count[:] = 0
    length[order[first]] = 0
    overflow = 0
    for h in range(first + 1, HEAP_SIZE):
        n = order[h]
        bits = length[dad[n]] + 1
        if bits > max_length:
            bits = max_length
            overflow += 1
        length[n] = bits
        # Leaves and inner nodes come in no predictable order: counted without a branch.
        leaf = n <= max_code
        bl_count[bits] += leaf
        f = freq[n] if leaf else 0
        opt_len += f * (bits + extra[n])
        static_len += f * (fixed_lengths[n] + extra[n])
    if overflow == 0:
        return max_code, opt_len, static_len

    # Too long codes: lengthen a shorter leaf to make room for two of them at
    # max_length, until none is left; then hand the lengths out again, the
    # least frequent leaves taking the longest.
    while True:
        bits = max_length - 1
        while bl_count[bits] == 0:
            bits -= 1
        bl_count[bits] -= 1
        bl_count[bits + 1] += 2
        bl_count[max_length] -= 1
        overflow -= 2
        if overflow <= 0:
            break
    h = HEAP_SIZE
    for bits in range(max_length, 0, -1):
        n = bl_count[bits]
        while n != 0:
            h -= 1
            m = order[h]
            if m > max_code:
                continue
            if length[m] != bits:
                opt_len += (bits - length[m]) * freq[m]
                length[m] = bits
            n -= 1
    return max_code, opt_len, static_len


@njit(cache=True)
def _count_code_lengths(length: np.ndarray, max_code: int, bl_freq: np.ndarray) -> None:
    """Count the code-length symbols that describe ``length[:max_code + 1]``: runs of a
    repeated length as 16 (3-6 repeats), of zeros as 17 (3-10) or 18 (11-138)."""
    prevlen = -1
    nextlen = length[0]
    count = 0
    max_count, min_count = 7, 4
    if nextlen == 0:
        max_count, min_count = 138, 3
    for n in range(max_code + 1):
        curlen = nextlen
        nextlen = length[n + 1] if n < max_code else -1
        count += 1
        if count < max_count and curlen == nextlen:
            continue
        if count < min_count:
            bl_freq[curlen] += count
        elif curlen != 0:
            if curlen != prevlen:
                bl_freq[curlen] += 1
            bl_freq[_REPEAT_PREVIOUS] += 1
        elif count <= 10:
            bl_freq[_REPEAT_ZERO_SHORT] += 1
        else:
            bl_freq[_REPEAT_ZERO_LONG] += 1
        count = 0
        prevlen = curlen
        if nextlen == 0:
            max_count, min_count = 138, 3
        elif curlen == nextlen:
            max_count, min_count = 6, 3
        else:
            max_count, min_count = 7, 4


@njit(cache=True)
def _block_bits(
    freq: np.ndarray,
    length: np.ndarray,
    dad: np.ndarray,
    heap: np.ndarray,
    bl_count: np.ndarray,
    stored_len: int,
    can_store: bool,
    bit_position: int,
    last: bool,
) -> int:
    """The bit position after the block whose symbols ``freq`` counts, written at
    ``bit_position`` as the smallest of stored, fixed and dynamic (zlib's choice)."""
    l_max, l_opt, l_static = _build_tree(
        freq[0], length[0], dad, heap[0], heap[1], bl_count, _L_ELEMS,
        FIXED_LITERAL_LENGTHS, LITERAL_EXTRA, _CODE_BITS,
    )  # fmt: skip
    d_max, d_opt, d_static = _build_tree(
        freq[1], length[1], dad, heap[0], heap[1], bl_count, _D_ELEMS,
        FIXED_DISTANCE_LENGTHS, DISTANCE_EXTRA, _CODE_BITS,
    )  # fmt: skip
    _count_code_lengths(length[0], l_max, freq[2])
    _count_code_lengths(length[1], d_max, freq[2])
    _, bl_opt, _ = _build_tree(
        freq[2], length[2], dad, heap[0], heap[1], bl_count, _BL_ELEMS,
        NO_FIXED_LENGTHS, CODE_LENGTH_EXTRA, _BL_CODE_BITS,
    )  # fmt: skip
    max_blindex = BL_CODES - 1
    while max_blindex >= 3 and length[2][CODE_LENGTH_ORDER[max_blindex]] == 0:
        max_blindex -= 1
    # The header: 5 + 5 + 4 bits of counts, 3 bits per code-length code length.
    dynamic = l_opt + d_opt + bl_opt + 3 * (max_blindex + 1) + 5 + 5 + 4
    fixed = l_static + d_static
    dynamic_bytes = (dynamic + 3 + 7) >> 3
    fixed_bytes = (fixed + 3 + 7) >> 3
    best_bytes = min(dynamic_bytes, fixed_bytes)
    position = bit_position + 3
    if can_store and stored_len + 4 <= best_bytes:
        position = ((position + 7) & ~7) + 32 + 8 * stored_len
    elif fixed_bytes == best_bytes:
        position += fixed
    else:
        position += dynamic
    if last:
        position = (position + 7) & ~7
    # A new block's counts: only the end-of-block code.
    freq[0, :L_CODES] = 0
    freq[1, :D_CODES] = 0
    freq[2, :BL_CODES] = 0
    freq[0, END_BLOCK] = 1
    return position


@njit(cache=True, inline="always")
def _longest_match(
    window: np.ndarray,
    prev: np.ndarray,
    strstart: int,
    lookahead: int,
    cur_match: int,
    prev_length: int,
    match_start: int,
    good: int,
    nice: int,
    chain: int,
) -> tuple[int, int, int]:
    """The longest match at ``strstart`` along its hash chain, longer than ``prev_length``
    to count: ``(length, start, reach)``, the start unchanged when none is longer, and
    ``reach`` the farthest window index the search read."""
    chain_length = chain
    best_len = prev_length
    nice_match = nice
    limit = strstart - MAX_DIST if strstart > MAX_DIST else 0
    if prev_length >= good:
        chain_length >>= 2
    if nice_match > lookahead:
        nice_match = lookahead
    reach = strstart + best_len
    scan_end1 = window[strstart + best_len - 1]
    scan_end = window[strstart + best_len]
    first = window[strstart]
    second = window[strstart + 1]
    while True:
        match = cur_match
        # The third byte is not compared: equal hashes and equal first two bytes imply it.
        if (
            window[match + best_len] == scan_end
            and window[match + best_len - 1] == scan_end1
            and window[match] == first
            and window[match + 1] == second
        ):
            n = 3
            while n < MAX_MATCH and window[strstart + n] == window[match + n]:
                n += 1
            reach = max(reach, strstart + min(n, MAX_MATCH - 1))
            if n > best_len:
                match_start = cur_match
                best_len = n
                if n >= nice_match:
                    break
                scan_end1 = window[strstart + best_len - 1]
                scan_end = window[strstart + best_len]
        cur_match = prev[cur_match & WMASK]
        if cur_match <= limit:
            break
        chain_length -= 1
        if chain_length == 0:
            break
    return min(best_len, lookahead), match_start, reach


# The parse's state between two calls of _parse, one int64 each.
_STRSTART = 0
_LOOKAHEAD = 1
_BLOCK_START = 2
_MATCH_START = 3
_MATCH_LENGTH = 4
_MATCH_AVAILABLE = 5
_INS_H = 6
_HIGH_WATER = 7
_IN_POS = 8
_SYMBOLS = 9
_BITS = 10
_JOURNAL_LENGTH = 11
#: 1 once the journal overflowed or the window slid: the heads are cleared whole.
_CLEAR_ALL = 12
#: Out: where the first step that read past ``prefix_length`` started (0: at once).
_CHECKPOINT = 13
STATE_SIZE = 14


@njit(cache=True, inline="always")
def _copy(target: np.ndarray, at: int, source: np.ndarray, start: int, stop: int) -> None:
    """``target[at : at + stop - start] = source[start:stop]``, element by element (front
    to back, so a block may move towards the front of its own array)."""
    for i in range(stop - start):
        target[at + i] = source[start + i]


@njit(cache=True, inline="always")
def _copy_counts(target: np.ndarray, source: np.ndarray) -> None:
    """The literal/length and distance counts (rows 0 and 1, ``L_CODES`` columns) of
    ``source`` into ``target``."""
    for row in range(2):
        _copy(target[row], 0, source[row], 0, L_CODES)


@njit(cache=True)
def new_state(state: np.ndarray, start: int, freq: np.ndarray) -> None:
    """The state before the first byte of an input read from ``start``; empty counts."""
    state[:] = 0
    state[_MATCH_LENGTH] = MIN_MATCH - 1
    state[_IN_POS] = start
    state[_CHECKPOINT] = -1
    freq[0, :L_CODES] = 0
    freq[1, :D_CODES] = 0
    freq[2, :BL_CODES] = 0
    freq[0, END_BLOCK] = 1


@njit(cache=True, inline="always")
def _insert(
    window: np.ndarray,
    head: np.ndarray,
    prev: np.ndarray,
    journal: np.ndarray,
    position: int,
    ins_h: int,
    journal_length: int,
) -> tuple[int, int, int]:
    """Hash the 3 bytes at ``position`` into the chains, journalling the head it replaces:
    ``(hash, previous position of the hash, journal length)``. A journal length past
    ``len(journal)`` means it overflowed (its last entry overwritten)."""
    ins_h = ((ins_h << HASH_SHIFT) ^ window[position + MIN_MATCH - 1]) & HASH_MASK
    hash_head = head[ins_h]
    prev[position & WMASK] = hash_head
    head[ins_h] = position
    # Without a branch: a branch here keeps numba from pruning a reference-count
    # update of the journal on every call (measured: 16% of the sizer's time).
    journal[min(journal_length, len(journal) - 1)] = ins_h << 16 | hash_head
    return ins_h, hash_head, journal_length + 1


@njit(cache=True)
def undo_heads(head: np.ndarray, journal: np.ndarray, state: np.ndarray, keep: int) -> None:
    """Restore the hash heads to what they were when the journal held ``keep`` entries."""
    if state[_CLEAR_ALL]:
        head[:] = 0
        state[_CLEAR_ALL] = 0
    else:
        for i in range(state[_JOURNAL_LENGTH] - 1, keep - 1, -1):
            head[journal[i] >> 16] = journal[i] & 0xFFFF
    state[_JOURNAL_LENGTH] = keep


@njit(cache=True)
def _parse(
    data: np.ndarray,
    stop: int,
    good: int,
    lazy: int,
    nice: int,
    chain: int,
    window: np.ndarray,
    head: np.ndarray,
    prev: np.ndarray,
    journal: np.ndarray,
    freq: np.ndarray,
    length: np.ndarray,
    dad: np.ndarray,
    heap: np.ndarray,
    bl_count: np.ndarray,
    state: np.ndarray,
    prefix_length: int,
    pause_at: int,
) -> bool:
    """Run zlib's lazy parse from ``state`` over the input ``data[state[_IN_POS]:stop]``,
    counting each block's symbols and adding its size to ``state[_BITS]``.

    Returns False if it paused at the first step starting at ``pause_at``,
    True when the input is done (its last block counted, the bits rounded to
    bytes). With ``prefix_length``, ``state[_CHECKPOINT]`` is set to where
    the first step started that read a window byte at or past it: every step
    before reads only the first ``prefix_length`` bytes.
    """
    strstart = state[_STRSTART]
    lookahead = state[_LOOKAHEAD]
    block_start = state[_BLOCK_START]
    match_start = state[_MATCH_START]
    match_length = state[_MATCH_LENGTH]
    match_available = state[_MATCH_AVAILABLE] != 0
    ins_h = state[_INS_H]
    high_water = state[_HIGH_WATER]
    in_pos = state[_IN_POS]
    symbols = state[_SYMBOLS]
    bits = state[_BITS]
    journal_length = state[_JOURNAL_LENGTH]
    clear_all = state[_CLEAR_ALL] != 0
    checkpoint = state[_CHECKPOINT]
    # The farthest window byte read so far (the first fill reads the first two).
    reach = 1 if strstart == 0 else strstart
    paused = False

    while True:
        if strstart == pause_at:
            paused = True
            break
        if lookahead < MIN_LOOKAHEAD:
            # Fill the window: slide it by WSIZE when the parse nears its end, then
            # read as much input as fits.
            while True:
                more = WINDOW_SIZE - lookahead - strstart
                if strstart >= WSIZE + MAX_DIST:
                    _copy(window, 0, window, WSIZE, 2 * WSIZE - more)
                    match_start -= WSIZE
                    strstart -= WSIZE
                    block_start -= WSIZE
                    for i in range(HASH_SIZE):
                        h = head[i]
                        head[i] = h - WSIZE if h >= WSIZE else 0
                    for i in range(WSIZE):
                        p = prev[i]
                        prev[i] = p - WSIZE if p >= WSIZE else 0
                    more += WSIZE
                    clear_all = True
                if in_pos == stop:
                    break
                n = min(stop - in_pos, more)
                at = strstart + lookahead
                _copy(window, at, data, in_pos, in_pos + n)
                in_pos += n
                lookahead += n
                if lookahead >= MIN_MATCH:
                    ins_h = (
                        (np.int64(window[strstart]) << HASH_SHIFT) ^ window[strstart + 1]
                    ) & HASH_MASK
                if lookahead >= MIN_LOOKAHEAD or in_pos == stop:
                    break
            # Zero what a match may read past the input, the first time it gets there.
            if high_water < WINDOW_SIZE:
                curr = strstart + lookahead
                if high_water < curr:
                    init = min(WINDOW_SIZE - curr, MAX_MATCH)
                    window[curr : curr + init] = 0
                    high_water = curr + init
                elif high_water < curr + MAX_MATCH:
                    init = min(curr + MAX_MATCH - high_water, WINDOW_SIZE - high_water)
                    window[high_water : high_water + init] = 0
                    high_water += init
            if lookahead == 0:
                break

        step_start = strstart
        reach = max(reach, strstart + MIN_MATCH - 1)
        hash_head = 0
        if lookahead >= MIN_MATCH:
            ins_h, hash_head, journal_length = _insert(
                window, head, prev, journal, strstart, ins_h, journal_length
            )

        prev_length = match_length
        prev_match = match_start
        match_length = MIN_MATCH - 1
        if hash_head != 0 and prev_length < lazy and strstart - hash_head <= MAX_DIST:
            match_length, match_start, searched = _longest_match(
                window, prev, strstart, lookahead, hash_head, prev_length, match_start,
                good, nice, chain,
            )  # fmt: skip
            reach = max(reach, searched)
            if match_length == MIN_MATCH and strstart - match_start > TOO_FAR:
                match_length = MIN_MATCH - 1

        if prev_length >= MIN_MATCH and match_length <= prev_length:
            # The previous position's match is kept: count it, hash the positions it covers.
            max_insert = strstart + lookahead - MIN_MATCH
            freq[0, LENGTH_CODE[prev_length - MIN_MATCH] + LITERALS + 1] += 1
            freq[1, DISTANCE_CODE[strstart - 1 - prev_match - 1]] += 1
            symbols += 1
            lookahead -= prev_length - 1
            reach = max(reach, strstart + prev_length - 2 + MIN_MATCH - 1)
            for _ in range(prev_length - 2):
                strstart += 1
                if strstart <= max_insert:
                    ins_h, _, journal_length = _insert(
                        window, head, prev, journal, strstart, ins_h, journal_length
                    )
            match_available = False
            match_length = MIN_MATCH - 1
            strstart += 1
            if symbols == BLOCK_SYMBOLS:
                bits = _block_bits(
                    freq, length, dad, heap, bl_count,
                    strstart - block_start, block_start >= 0, bits, _NOT_LAST,
                )  # fmt: skip
                block_start = strstart
                symbols = 0
        elif match_available:
            # The previous position's byte goes as a literal.
            freq[0, window[strstart - 1]] += 1
            symbols += 1
            if symbols == BLOCK_SYMBOLS:
                bits = _block_bits(
                    freq, length, dad, heap, bl_count,
                    strstart - block_start, block_start >= 0, bits, _NOT_LAST,
                )  # fmt: skip
                block_start = strstart
                symbols = 0
            strstart += 1
            lookahead -= 1
        else:
            match_available = True
            strstart += 1
            lookahead -= 1
        if checkpoint < 0 and reach >= prefix_length:
            checkpoint = step_start

    if not paused:
        if match_available:
            freq[0, window[strstart - 1]] += 1
        bits = _block_bits(
            freq, length, dad, heap, bl_count,
            strstart - block_start, block_start >= 0, bits, _LAST,
        )  # fmt: skip
    state[_STRSTART] = strstart
    state[_LOOKAHEAD] = lookahead
    state[_BLOCK_START] = block_start
    state[_MATCH_START] = match_start
    state[_MATCH_LENGTH] = match_length
    state[_MATCH_AVAILABLE] = match_available
    state[_INS_H] = ins_h
    state[_HIGH_WATER] = high_water
    state[_IN_POS] = in_pos
    state[_SYMBOLS] = symbols
    state[_BITS] = bits
    state[_JOURNAL_LENGTH] = journal_length
    state[_CLEAR_ALL] = clear_all or journal_length > len(journal)
    state[_CHECKPOINT] = checkpoint
    return not paused


@njit(cache=True, nogil=True)
def deflate_sizes_with_prefix(
    prefix: np.ndarray,
    suffixes: np.ndarray,
    offsets: np.ndarray,
    good: int,
    lazy: int,
    nice: int,
    chain: int,
    window: np.ndarray,
    head: np.ndarray,
    prev: np.ndarray,
    journal: np.ndarray,
    freq: np.ndarray,
    length: np.ndarray,
    dad: np.ndarray,
    heap: np.ndarray,
    bl_count: np.ndarray,
    state: np.ndarray,
) -> np.ndarray:
    """Raw DEFLATE length of ``prefix + suffixes[offsets[i]:offsets[i + 1]]`` for each i.

    The steps of the parse that read only the prefix are the same for every
    suffix: they run once, and each suffix resumes from where the first step
    reading past the prefix starts (the hash heads restored from the journal,
    the counts and the state copied). That needs every input within the first
    32 KiB of the window, where no position shares a chain slot with another;
    a longer one is parsed whole, and so is every suffix of an empty prefix (the
    lengths of whole inputs: :meth:`~npc_classify.coding.deflate.DeflateSizer.sizes`).

    ``head`` must come in all zero, and is left so.
    """
    p = len(prefix)
    n = len(offsets) - 1
    sizes = np.empty(n, np.int64)
    longest = 0
    for i in range(n):
        longest = max(longest, offsets[i + 1] - offsets[i])
    joined = np.empty(p + longest, np.uint8)
    _copy(joined, 0, prefix, 0, p)

    # Where the first step reading past the prefix starts; the state there.
    checkpoint = 0
    size = 0
    if p > 0 and n > 0 and p + longest <= WSIZE:
        size = offsets[1] - offsets[0]
        _copy(joined, p, suffixes, offsets[0], offsets[1])
        new_state(state, _ZERO, freq)
        _parse(
            joined, p + size, good, lazy, nice, chain, window, head, prev, journal,
            freq, length, dad, heap, bl_count, state, p, _NONE,
        )  # fmt: skip
        checkpoint = state[_CHECKPOINT]
        undo_heads(head, journal, state, _ZERO)
    saved = state.copy()
    saved_freq = freq[:2, :L_CODES].copy()
    if checkpoint > 0:
        new_state(state, _ZERO, freq)
        _parse(
            joined, p + size, good, lazy, nice, chain, window, head, prev, journal,
            freq, length, dad, heap, bl_count, state, p, checkpoint,
        )  # fmt: skip
        _copy(saved, 0, state, 0, len(state))
        _copy_counts(saved_freq, freq)

    for i in range(n):
        size = offsets[i + 1] - offsets[i]
        total = p + size
        if checkpoint > 0:
            # The window holds the prefix; the suffix and the zeros past it follow.
            _copy(window, p, suffixes, offsets[i], offsets[i + 1])
            window[total : total + MAX_MATCH] = 0
            _copy(state, 0, saved, 0, len(saved))
            state[_LOOKAHEAD] = total - checkpoint
            state[_IN_POS] = total
            state[_HIGH_WATER] = total + MAX_MATCH
            _copy_counts(freq, saved_freq)
            _parse(
                joined, total, good, lazy, nice, chain, window, head, prev, journal,
                freq, length, dad, heap, bl_count, state, _ZERO, _NONE,
            )  # fmt: skip
            sizes[i] = state[_BITS] >> 3
            undo_heads(head, journal, state, saved[_JOURNAL_LENGTH])
        else:
            _copy(joined, p, suffixes, offsets[i], offsets[i + 1])
            new_state(state, _ZERO, freq)
            _parse(
                joined, total, good, lazy, nice, chain, window, head, prev, journal,
                freq, length, dad, heap, bl_count, state, _ZERO, _NONE,
            )  # fmt: skip
            sizes[i] = state[_BITS] >> 3
            undo_heads(head, journal, state, _ZERO)
    if checkpoint > 0:
        undo_heads(head, journal, state, _ZERO)
    return sizes
