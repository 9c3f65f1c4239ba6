"""The parallel engine: tasks on the caller's joblib backend, their results in order.

The tasks are chunks of query rows for NCD, and class texts to code queries
after for class-conditional compression. Also how many workers a search is
worth.
"""

from __future__ import annotations

import contextlib
import itertools
import math
import os
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from numbers import Integral
from typing import Any

import numpy as np
from joblib import Parallel, cpu_count, delayed, effective_n_jobs, parallel_config
from joblib.parallel import LokyBackend, get_active_backend
from sklearn import get_config

from ._constants import SERIAL_PAIRS
from ._progress import progress_bar
from ._validation import Interval

#: Upper bound on the pairs one parallel task compresses, so that progress
#: is reported every few seconds even against a very large training set.
MAX_PAIRS_PER_TASK = 1 << 20
#: Seconds between a worker process's checks that the process it works for is alive.
PARENT_CHECK_SECONDS = 1.0
#: The most workers ``n_jobs`` may ask for (or, negative, leave out): joblib counts
#: negative values from the number of cores, and 0 means nothing.
MAX_JOBS = 4096
#: Constraints of every estimator's ``n_jobs``.
N_JOBS_CONSTRAINTS: list[Any] = [
    Interval(Integral, 1, MAX_JOBS, closed="both"),
    Interval(Integral, -MAX_JOBS, -1, closed="both"),
    None,
]


@contextlib.contextmanager
def dask_backend(address: str | None) -> Iterator[None]:
    """joblib's Dask backend on the cluster at ``address``; nothing changes for None.

    Needs Dask's ``distributed`` package (the ``dask`` extra). Every search
    inside the block sends its query chunks to the cluster's workers.
    """
    if address is None:
        yield
        return
    try:
        from distributed import Client
    except ImportError:
        raise ImportError(
            'A Dask cluster needs Dask\'s distributed package: pip install "npc-classify[dask]".'
        ) from None
    try:
        client = Client(address, timeout="10s")
    except (OSError, ValueError, MemoryError) as error:
        # MemoryError: a server of another protocol (HTTP) answers with bytes that
        # distributed reads as a message length of exabytes.
        raise ValueError(
            f"Cannot reach a Dask scheduler at {address!r} ({type(error).__name__}: "
            f"{str(error)[:200]}); give the address the scheduler prints, e.g. "
            "tcp://HOST:8786, of a scheduler that is running."
        ) from None
    with client, parallel_config(backend="dask"):
        yield


def _forget_inherited_workers() -> None:
    """In a forked child, drop the reference to the parent's joblib worker pool.

    The child inherits the parent's pool object but not its workers, so a
    parallel search in the child would wait on them for ever; dropping it
    makes joblib start the child's own pool. The names are loky's private
    ones; a test checks that the installed joblib still has them.
    """
    from joblib.externals.loky import reusable_executor

    reusable_executor._executor = None
    reusable_executor._executor_kwargs = None


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_inherited_workers)


def _exit_with_parent(parent: int) -> None:
    """In a worker process: exit within :data:`PARENT_CHECK_SECONDS` once ``parent`` is gone.

    loky's workers do not notice a parent killed with SIGKILL: they wait for
    their next task until their idle timeout (five minutes). A dead parent's
    children are adopted by another process, so their parent process id
    changes: a daemon thread checks it. (Not ``prctl(PR_SET_PDEATHSIG)``: that
    fires when the *thread* that started the worker ends, and loky also starts
    workers from its manager thread.)
    """
    if os.getppid() != parent:
        if not _alive(parent):  # it died while this worker started
            os._exit(1)
        return  # started through another process (a fork server): no parent id to watch
    watch = threading.Thread(target=_watch_parent, args=(parent,), name="parent-watch")
    watch.daemon = True
    watch.start()


def _watch_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(PARENT_CHECK_SECONDS)
    os._exit(1)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)  # signal 0: only asks whether the process exists
    except OSError:  # gone, or the number is now another user's process
        return False
    return True


def _worker_options() -> dict[str, Any]:
    """What ``Parallel`` is given for the active backend, beyond ``n_jobs`` and ``prefer``.

    On POSIX, joblib's own loky workers watch this process and exit when it
    is gone (:func:`_exit_with_parent`). Any other backend (Dask, Ray,
    multiprocessing, threads), or a loky backend given its own
    ``initializer``, gets nothing: the user's configuration is left as it is.
    The initializer and its arguments are the same for every search, so
    loky keeps reusing its workers from one search to the next (it starts new
    ones whenever the executor's arguments change, as for a call of another
    library's without this initializer).
    """
    backend, _ = get_active_backend(prefer="processes")
    if os.name != "posix" or not isinstance(backend, LokyBackend):
        return {}
    if "initializer" in getattr(backend, "backend_kwargs", {}):
        return {}
    return {"initializer": _exit_with_parent, "initargs": (os.getpid(),)}


def local_workers(n_jobs: int | None) -> int:
    """How many of this machine's cores ``n_jobs`` asks for: joblib's count, at most all."""
    return max(1, min(effective_n_jobs(n_jobs), cpu_count()))


def workers_for(n_pairs: int) -> int:
    """The ``n_jobs`` for a search of ``n_pairs`` pairs, when the user chose none.

    One worker below :data:`SERIAL_PAIRS` pairs, where starting worker
    processes costs more than they save; every core (-1) above.

    Examples
    --------
    >>> workers_for(12_000)
    1
    >>> workers_for(10_000_000)
    -1
    """
    return 1 if n_pairs < SERIAL_PAIRS else -1


def map_query_chunks(
    func: Callable[..., Any],
    queries: list[bytes],
    n_train: int,
    *,
    shared: tuple[Any, ...] = (),
    aligned: np.ndarray | None = None,
    n_jobs: int | None,
    working_memory: float | None,
    progress: bool,
    description: str,
) -> Iterator[Any]:
    """Apply ``func`` to row chunks of ``queries`` in parallel, yielding in order.

    Each task calls ``func(*shared, chunk_of_queries)``, plus the matching
    rows of ``aligned`` when it is given. ``shared`` holds the arguments
    every task needs (the training side): passed as top-level arrays, they
    are memory-mapped or scattered once rather than sent with every task.
    ``n_train`` is the number of pairs per query.

    Chunks are sized so that one chunk's distance rows fit in
    ``working_memory`` MiB (scikit-learn's global ``working_memory`` when
    None), no task compresses more than :data:`MAX_PAIRS_PER_TASK` pairs, and
    every worker receives several tasks. The joblib backend is the caller's:
    only ``n_jobs`` and the soft hint ``prefer="processes"`` are given.
    """
    n_queries = len(queries)
    if working_memory is None:
        working_memory = get_config()["working_memory"]
    row_bytes = 8 * max(n_train, 1)
    memory_rows = int(working_memory * 2**20 // row_bytes)
    balance_rows = math.ceil(n_queries / (4 * effective_n_jobs(n_jobs)))
    pair_rows = MAX_PAIRS_PER_TASK // max(n_train, 1)
    chunk = max(1, min(memory_rows, balance_rows, pair_rows))
    starts = range(0, n_queries, chunk)

    def extra(start: int) -> tuple[Any, ...]:
        return () if aligned is None else (aligned[start : start + chunk],)

    tasks = [delayed(func)(*shared, queries[s : s + chunk], *extra(s)) for s in starts]
    results = ordered_results(tasks, n_jobs)
    with progress_bar(
        progress, total=n_queries * n_train, desc=description, unit="pair", unit_scale=True
    ) as bar:
        for start, result in zip(starts, results, strict=True):
            bar.update((min(start + chunk, n_queries) - start) * n_train)
            yield result


def ordered_results(tasks: Iterable[Any], n_jobs: int | None) -> Iterator[Any]:
    """Run joblib ``tasks`` on the active backend, yielding results in order as they come.

    ``tasks`` may be a generator: joblib draws from it as workers free up,
    so only the tasks being dispatched are held at once. Backends that
    cannot hand results back one by one (Ray's, for one) get the tasks in
    waves of four per worker, so results still arrive, and are
    checkpointed, while the rest run.
    """
    options = _worker_options()
    try:
        streaming = Parallel(n_jobs=n_jobs, prefer="processes", return_as="generator", **options)
    except ValueError as error:  # raised by the constructor, before any task runs
        if "return_as=generator" not in str(error):
            raise
    else:
        yield from streaming(tasks)
        return
    pending, wave = iter(tasks), 4 * effective_n_jobs(n_jobs)
    with Parallel(n_jobs=n_jobs, prefer="processes", **options) as parallel:
        while batch := list(itertools.islice(pending, wave)):
            yield from parallel(batch)
