"""Fits side by side: the same results, in the same order, whatever the number of workers."""

from __future__ import annotations

import json
import threading

import numpy as np
import planted
import pytest

from pipelines.stats import parallel
from pipelines.stats.parallel import parallel_map, run_all


def test_results_come_back_in_input_order_with_any_number_of_workers():
    rng = np.random.default_rng(3)
    blocks = [rng.random((2_000, 8)) for _ in range(6)]
    gram = lambda X: X.T @ X  # noqa: E731
    serial, side_by_side = parallel_map(gram, blocks, workers=1), parallel_map(gram, blocks, workers=2)
    assert len(serial) == len(side_by_side) == len(blocks)
    for a, b, X in zip(serial, side_by_side, blocks):
        assert np.array_equal(a, b) and np.array_equal(a, X.T @ X)
    assert run_all([lambda: 1, lambda: 2, lambda: 3], workers=2) == [1, 2, 3]


def test_a_call_inside_a_worker_runs_its_items_in_that_worker():
    def threads_used(_):
        return {t for t in parallel_map(lambda _: threading.get_ident(), range(4), workers=2)}

    outer = parallel_map(threads_used, range(2), workers=2)
    assert all(len(inner) == 1 for inner in outer)


def test_the_first_failure_in_input_order_is_raised():
    def check(i):
        if i in (1, 3):
            raise ValueError(f"item {i}")
        return i

    with pytest.raises(ValueError, match="item 1"):
        parallel_map(check, range(4), workers=2)


def test_driver_analysis_is_identical_with_one_and_two_workers(monkeypatch):
    from pipelines.stats.drivers import analyze_frame
    from pipelines.stats.frames import choose_controls, per_period_frame
    from pipelines.stats.validate import validation

    world = planted.simulate(5, n_accounts=200)
    controls = choose_controls(world.meta, world.panel)
    outputs = []
    for workers in (1, 2):
        monkeypatch.setattr(parallel, "WORKERS", workers)
        per_outcome = []
        for outcome, kind in (("revenue", "amount"), ("referrals", "count")):
            frame = per_period_frame(world.panel, outcome, kind, controls, "month")
            result = analyze_frame(frame)
            result.validation = validation(frame, result)
            per_outcome.append(result.to_json())
        outputs.append(json.dumps(per_outcome, sort_keys=True, default=str))
    assert outputs[0] == outputs[1]
