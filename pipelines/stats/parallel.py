"""Independent fits side by side on the machine's cores.

numpy and BLAS release the GIL while they work on large arrays, so threads share the cores
without copying the design into other processes. Results come back in the order of the
inputs whatever the scheduling, so they do not depend on the number of workers. A call made
from inside a worker runs its items one after another: the cores are busy already, and nested
pools would only multiply the working sets held in memory at once.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

MAX_WORKERS = 2  # each worker holds a fit's working set (copies of a design): more would multiply peak memory
WORKERS = max(1, min(MAX_WORKERS, os.cpu_count() or 1))

T = TypeVar("T")
R = TypeVar("R")

_state = threading.local()


def parallel_map(func: Callable[[T], R], items: Iterable[T], workers: int | None = None) -> list[R]:
    """func applied to each item, on up to `workers` threads (default WORKERS); results in the order of the items.

    The first exception raised (in the order of the items) is raised here, once every item has run.
    """
    items = list(items)
    workers = WORKERS if workers is None else workers
    if workers <= 1 or len(items) <= 1 or getattr(_state, "in_worker", False):
        return [func(item) for item in items]

    def run(item: T) -> R:
        _state.in_worker = True
        try:
            return func(item)
        finally:
            _state.in_worker = False

    with ThreadPoolExecutor(max_workers=min(workers, len(items))) as pool:
        futures = [pool.submit(run, item) for item in items]
    return [future.result() for future in futures]


def run_all(tasks: Iterable[Callable[[], R]], workers: int | None = None) -> list[R]:
    """Each task called with no arguments, side by side; results in the order of the tasks."""
    return parallel_map(lambda task: task(), tasks, workers)
