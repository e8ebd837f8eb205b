"""Where parallel work runs: local processes, or an existing Dask cluster.

Ingest, preprocess and theme counting hand batches of work to a
:class:`BatchRunner`. Without a scheduler address the batches go to local
worker processes; with one (``--scheduler tcp://host:8786``) they go to the
workers of that Dask cluster, and results come back in input order either way,
so outputs do not depend on where they were computed.

Pointing at a real cluster: start ``dask scheduler`` on one machine and
``dask worker tcp://host:8786`` on each worker machine, with this toolkit and
the same lexicons installed in the workers' environment (same versions: the
token cache key and the lexicon version travel with the results), then pass
``--scheduler tcp://host:8786``. Input paths must be readable by the workers
for ingest (a shared file system), since files are read where they are parsed.
"""

from __future__ import annotations

import concurrent.futures
import concurrent.futures.process
import ctypes
import gc
import logging
import multiprocessing
import os
import sys
from collections.abc import Callable, Iterable, Iterator
from typing import Any

logger = logging.getLogger("toolkit.distributed")


def n_workers(n_jobs: int) -> int:
    """Worker processes for ``n_jobs`` (``-1``: all cores, ``-2``: all but one…)."""
    n_cpu = os.cpu_count() or 1
    if n_jobs == 0:
        raise ValueError("n_jobs=0: use 1 (inline), N workers, or -1 (all cores)")
    return max(1, n_cpu + 1 + n_jobs) if n_jobs < 0 else n_jobs


def process_context():
    """The start method of the toolkit's local worker processes.

    ``forkserver`` where the platform has it: a worker is forked from a small
    server process, not from the caller. Forking the caller (Linux's default)
    would give every worker a copy-on-write image of the caller's whole heap —
    gigabytes in the middle of a big run (the document and token tables), pages
    that Python's reference counting soon copies for real — when a worker needs
    only its batch. Elsewhere the platform's default (``spawn`` on macOS and
    Windows) already starts workers small.
    """
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context()
    ctx = multiprocessing.get_context("forkserver")
    # The server imports what workers run, once: a worker then starts in a fork's time, not an import's.
    ctx.set_forkserver_preload(list(WORKER_MODULES))
    return ctx


#: The module the local workers of preprocessing run, imported once by the forkserver (ingest and model
#: selection import theirs in each worker: trafilatura and gensim would slow every small run's first pool).
WORKER_MODULES = ("toolkit.text.preprocess",)


#: What a worker that died says to the researcher (Python's own error names no cause).
BROKEN_POOL_HINT = (
    "a worker process stopped abruptly. From a script, put the toolkit calls under `if __name__ == \"__main__\":` "
    "(each worker process imports the script that started it), or run in one process (n_jobs=1, `--jobs 1`); "
    "with a very large corpus the machine may have run out of memory (fewer jobs use less)")


def pool_result(future: concurrent.futures.Future) -> Any:
    """``future.result()``, a dead worker's error saying what usually causes it (:data:`BROKEN_POOL_HINT`)."""
    try:
        return future.result()
    except concurrent.futures.process.BrokenProcessPool as exc:
        raise concurrent.futures.process.BrokenProcessPool(BROKEN_POOL_HINT) from exc


def pool_submit(pool: concurrent.futures.ProcessPoolExecutor, func: Callable, *args: Any) -> concurrent.futures.Future:
    """``pool.submit(func, *args)``; a worker that died while starting (an unguarded script's workers re-run it
    and break the pipe) raises ``BrokenProcessPool`` with :data:`BROKEN_POOL_HINT`, as :func:`pool_result` does."""
    try:
        return pool.submit(func, *args)
    except (concurrent.futures.process.BrokenProcessPool, BrokenPipeError) as exc:
        raise concurrent.futures.process.BrokenProcessPool(BROKEN_POOL_HINT) from exc


def release_memory() -> None:
    """Collect garbage and hand freed heap pages back to the operating system.

    After a stage of a big run, memory its temporary objects held stays with the
    process (the allocator keeps freed pages for reuse), so the next stage would
    start from the last one's peak. ``malloc_trim`` (glibc) returns what is
    free; elsewhere only the garbage collection runs.
    """
    gc.collect()
    if sys.platform.startswith("linux"):
        try:
            ctypes.CDLL("libc.so.6").malloc_trim(0)
        except (OSError, AttributeError):  # not glibc (e.g. musl): nothing to trim
            pass


class BatchRunner:
    """Run ``func(shared, batch)`` over batches, in order, inline, locally or on Dask.

    Parameters
    ----------
    n_jobs
        Local worker processes (``1``: inline in this process; ``-1``: all cores).
        Ignored with a scheduler.
    scheduler
        Address of a running Dask scheduler (``tcp://…``), or a
        ``dask.distributed.Client``; ``None`` for local processes.
    shared
        An object every call needs (a tokenizer, options): sent once to each
        worker rather than with every batch.

    Use as a context manager; :meth:`map` yields results in input order.
    """

    def __init__(self, *, n_jobs: int = 1, scheduler: Any = None, shared: Any = None) -> None:
        self.n_jobs = n_jobs
        self.scheduler = scheduler
        self.shared = shared
        self._pool: concurrent.futures.ProcessPoolExecutor | None = None
        self._client = None
        self._own_client = False
        self._shared_future = None
        self._relayed: set[tuple[str, str]] = set()

    @property
    def distributed(self) -> bool:
        return self.scheduler is not None

    @property
    def parallel(self) -> bool:
        return self.distributed or n_workers(self.n_jobs) > 1

    @property
    def n_slots(self) -> int:
        """How many batches can run at once (to size batches)."""
        if self._client is not None:
            return max(1, sum(self._client.nthreads().values()))
        return n_workers(self.n_jobs)

    def __enter__(self) -> BatchRunner:
        if self.distributed:
            from dask.distributed import Client

            if isinstance(self.scheduler, Client):
                self._client = self.scheduler
            else:
                self._client = Client(self.scheduler)
                self._own_client = True
            logger.info("running on the Dask cluster at %s (%d worker threads)",
                        self._client.scheduler.address, self.n_slots)
            if self.shared is not None:
                self._shared_future = self._client.scatter(self.shared, broadcast=True, hash=False)
        elif n_workers(self.n_jobs) > 1:
            self._pool = concurrent.futures.ProcessPoolExecutor(
                max_workers=n_workers(self.n_jobs), mp_context=process_context(), initializer=_set_shared,
                initargs=(self.shared,))
        return self

    def __exit__(self, *exc) -> None:
        if self._pool is not None:
            self._pool.shutdown()
        if self._client is not None and self._own_client:
            self._client.close()

    def map(self, func: Callable[[Any, Any], Any], batches: Iterable[Any]) -> Iterator[Any]:
        """``func(shared, batch)`` for every batch, yielded in input order.

        Locally at most ``2 × workers`` batches are in flight, so a long
        stream of batches is never held in memory at once.
        """
        if self._client is not None:
            yield from map(self._unwrap, self._map_dask(func, batches))
        elif self._pool is not None:
            window = 2 * n_workers(self.n_jobs)
            pending: list[concurrent.futures.Future] = []
            for batch in batches:
                pending.append(pool_submit(self._pool, _call_shared, func, batch))
                if len(pending) >= window:
                    yield self._unwrap(pool_result(pending.pop(0)))
            for future in pending:
                yield self._unwrap(pool_result(future))
        else:
            for batch in batches:
                yield func(self.shared, batch)

    def _unwrap(self, relayed: _Relayed) -> Any:
        """The batch's result; its worker's warnings logged here, each once per runner (every worker loads the
        same lexicons and would repeat their warnings)."""
        for name, level, message in relayed.records:
            if (name, message) not in self._relayed:
                self._relayed.add((name, message))
                logging.getLogger(name).log(level, "%s", message)
        return relayed.result

    def _map_dask(self, func, batches) -> Iterator[Any]:
        window = 4 * self.n_slots
        pending = []
        for batch in batches:
            # pure=False: equal batches still run (results are cheap to recompute, keys stay unique)
            pending.append(self._client.submit(_relayed, func, self._shared_future, batch, pure=False))
            if len(pending) >= window:
                yield pending.pop(0).result()
        for future in pending:
            yield future.result()


_SHARED: Any = None


def _set_shared(shared: Any) -> None:
    global _SHARED
    _SHARED = shared


class _Relayed:
    """A batch's result with the warnings its worker logged, for the caller's process to log."""

    __slots__ = ("result", "records")

    def __init__(self, result: Any, records: list[tuple[str, int, str]]) -> None:
        self.result = result
        self.records = records


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[tuple[str, int, str]] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append((record.name, record.levelno, record.getMessage()))


def _relayed(func: Callable[[Any, Any], Any], shared: Any, batch: Any) -> _Relayed:
    """``func(shared, batch)`` in a worker, keeping the warnings the toolkit logs there.

    A worker process has none of the caller's log handlers: without this, what
    it warns about (a lexicon entry that can never match, a term that loses
    its negation) went to the worker's stderr unformatted, or nowhere.
    """
    handler = _Collect()
    toolkit_logger = logging.getLogger("toolkit")
    toolkit_logger.addHandler(handler)
    try:
        return _Relayed(func(shared, batch), handler.records)
    finally:
        toolkit_logger.removeHandler(handler)


def _call_shared(func: Callable[[Any, Any], Any], batch: Any) -> _Relayed:
    return _relayed(func, _SHARED, batch)
