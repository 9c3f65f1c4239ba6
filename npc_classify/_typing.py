"""The type of the texts the estimators take, for type checkers."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Protocol


class Texts(Protocol):
    """Texts in order, read by position: a list, tuple, 1-d array or pandas Series of str.

    A set or a dict is not one (no ``__getitem__`` by position): its texts have
    no order to pair with labels, and :func:`~npc_classify._validation.check_texts`
    refuses it at run time.
    """

    def __len__(self) -> int: ...

    def __iter__(self) -> Iterator[Any]: ...

    def __getitem__(self, index: int, /) -> Any: ...
