"""The type of the texts the estimators take, for type checkers."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Protocol


class Texts(Protocol):
    """The type of ``X``: texts in order, read by position, for type checkers.

    A list, tuple, 1-d array or pandas Series of str is one. A set or a dict
    is not (no item by position): its texts have no order to pair with labels,
    and the estimators refuse it at run time, as they refuse bytes, which
    checkers see as items that are not str.
    """

    def __len__(self) -> int: ...

    def __iter__(self) -> Iterator[str]: ...

    def __getitem__(self, index: int, /) -> Any: ...
