"""Names and limits that the estimators share with the command line's parser.

Only ``typing`` is imported here: the parser, and so ``npc-classify
--help``, reads these without the estimators' imports (scikit-learn, SciPy,
joblib), which take over a second.
"""

from __future__ import annotations

from typing import Literal

#: Which text of a pair comes first when it is compressed (NCD's ``order``).
Order = Literal["query-first", "train-first", "symmetric"]
ORDERS: tuple[str, ...] = ("query-first", "train-first", "symmetric")
#: The names of the compressors this package registers (:mod:`npc_classify.compressors`;
#: a test keeps the two equal).
BUILT_IN_COMPRESSORS: tuple[str, ...] = (
    "bz2",
    "cm",
    "gzip",
    "hf",
    "lm",
    "lzma",
    "ppm",
    "zstd",
    "zstd-prefix",
)
DEFAULT_MAX_SIZE = 1 << 30
"""What :meth:`~npc_classify.compressors.Compressor.decompress` may write unless given
another ``max_size``: 1 GiB."""
#: Fewer pairs than this are compressed faster by one worker than by several: starting
#: joblib's worker processes takes seconds (measured in the command-line guide's
#: "Workers" section).
SERIAL_PAIRS = 500_000
