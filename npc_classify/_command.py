"""The ``npc-classify`` command's entry point, and how Ctrl-C and SIGTERM end it.

Only the standard library is imported here: :func:`main` handles both
signals before it imports :mod:`npc_classify.cli` and, once the arguments
are parsed, the commands' imports (NumPy, scikit-learn, joblib), which take a
second or more, so a signal during start-up ends the command like one during
the run.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from types import FrameType
from typing import NoReturn

#: Exit status after SIGINT (Ctrl-C) and after SIGTERM: 128 + the signal's number.
INTERRUPTED, TERMINATED = 130, 143


class Terminated(BaseException):
    """SIGTERM (what ``timeout`` and ``kill`` send), raised so that the command unwinds.

    A :class:`BaseException`, like :class:`KeyboardInterrupt`, so that no
    ``except Exception`` on the way (ours or a library's) swallows it.
    """


def _terminate(signum: int, frame: FrameType | None) -> NoReturn:
    raise Terminated


def signal_behind(error: BaseException) -> KeyboardInterrupt | Terminated | None:
    """The signal's exception that ``error`` is, or was raised while handling; else None.

    Some errors are a signal in disguise: an extension module built with
    pybind11 (several of SciPy's) that is interrupted while it initialises
    raises ``ImportError("initialization failed")`` from the interrupt.
    """
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        if isinstance(current, (KeyboardInterrupt, Terminated)):
            return current
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return None


def ending_on_signals(run: Callable[[], int]) -> int:
    """``run()``'s exit status; SIGINT and SIGTERM end it with one line and 130 / 143.

    The run unwinds (``finally`` blocks run: a checkpoint holds every
    finished record, joblib stops its workers) and one line on standard error
    says what happened. SIGTERM is only caught in the main thread, the only
    one Python delivers signals to. A standard error closed at the start
    (``2>&-``) drops what would be written to it, as ``2>/dev/null`` does.
    """
    with _closed_standard_error_dropped():
        in_main_thread = threading.current_thread() is threading.main_thread()
        previous = signal.signal(signal.SIGTERM, _terminate) if in_main_thread else None
        try:
            return run()
        except BaseException as error:
            signalled = signal_behind(error)
            if signalled is None:
                raise
            if isinstance(signalled, Terminated):
                print("npc-classify: terminated", file=sys.stderr)
                return TERMINATED
            _forget_the_interrupt()
            print("npc-classify: interrupted", file=sys.stderr)
            return INTERRUPTED
        finally:
            if previous is not None:
                signal.signal(signal.SIGTERM, previous)


@contextlib.contextmanager
def _closed_standard_error_dropped() -> Iterator[None]:
    """While the command runs, a missing standard error (file descriptor 2 closed, or a
    host without one) is ``/dev/null``: ``print(file=None)`` would write to standard
    output. The caller's ``sys.stderr`` is put back after."""
    if sys.stderr is not None:
        yield
        return
    with open(os.devnull, "w", encoding="utf-8") as null:
        sys.stderr = null
        try:
            yield
        finally:
            sys.stderr = None


def _forget_the_interrupt() -> None:
    """Keep CPython from ending ``python -m npc_classify`` by SIGINT after our exit status 130.

    CPython marks a :class:`KeyboardInterrupt` that leaves code evaluated from
    a string (dataclasses and ``namedtuple`` make their methods so, during
    imports) as uncaught, even when it is caught later, and at the end of
    ``python -m`` it then kills itself with SIGINT. Evaluating any string
    clears the mark.
    """
    eval("None")


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``npc-classify`` (and ``python -m npc_classify``); returns the exit status.

    Like :func:`npc_classify.cli.main`, with the signals handled from before
    the command's imports.
    """

    def run() -> int:
        from .cli import main as run_command

        return run_command(argv)

    return ending_on_signals(run)
