"""Measure a benchmark in a fresh process: wall time, CPU seconds, peak RSS.

Each measurement runs in its own ``spawn`` process so that memory is the
benchmark's own and nothing is cached from an earlier measurement. A
benchmark is named ``"module:function"``; the function does its set-up
(loading data, importing and warming models) from plain keyword arguments
and returns a zero-argument callable, which alone is timed. That callable
returns a JSON-able dict of extra results (counts, quality scores…).
"""

from __future__ import annotations

import importlib
import multiprocessing as mp
import resource
import time
import traceback


def _rss_kib() -> int:
    self_ = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return max(self_, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)


def descendants_cpu() -> float:
    """CPU seconds of the live descendants and of the processes they reaped.

    The workers of a forkserver are its children, not this process's, so
    ``RUSAGE_CHILDREN`` never sees them: their time is the forkserver's
    ``children_*`` time, read while it is alive.
    """
    import psutil

    total = 0.0
    for proc in psutil.Process().children(recursive=True):
        try:
            t = proc.cpu_times()
            total += t.user + t.system + t.children_user + t.children_system
        except psutil.Error:
            pass
    return total


def _child(target: str, kwargs: dict, queue) -> None:
    try:
        module, name = target.split(":")
        run = getattr(importlib.import_module(module), name)(**kwargs)
        setup_kib = _rss_kib()
        children0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        live0 = descendants_cpu()
        wall0, cpu0 = time.perf_counter(), time.process_time()
        extra = run() or {}
        wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        child_cpu = (children.ru_utime - children0.ru_utime) + (children.ru_stime - children0.ru_stime)
        child_cpu += descendants_cpu() - live0
        queue.put({"ok": True, "wall_s": wall, "cpu_s": cpu + child_cpu,
                   "setup_rss_mb": setup_kib / 1024, "peak_rss_mb": _rss_kib() / 1024, **extra})
    except BaseException:  # report, never leave the parent waiting
        queue.put({"ok": False, "error": traceback.format_exc()})


def measure(target: str, **kwargs) -> dict:
    """Run benchmark ``target`` with ``kwargs`` in a fresh process; return its measurements."""
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    process = ctx.Process(target=_child, args=(target, kwargs, queue))
    process.start()
    result = queue.get()
    process.join()
    if not result.pop("ok"):
        raise RuntimeError(f"benchmark {target} failed:\n{result.get('error')}")
    return result
