"""Shared fixtures: the demo database built once per test session from the sample exports."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipelines.config import PROJECT_ROOT, SAMPLE_DATA_DIR

DATASETS = PROJECT_ROOT.parent / "shared" / "datasets"


@pytest.fixture(scope="session")
def sample_truth() -> dict:
    """The planted truth the sample generator wrote beside the exports."""
    return json.loads((SAMPLE_DATA_DIR / "truth.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory) -> Path:
    """A database built from sample_data/ exactly as `payoff demo` builds it (do not write to it)."""
    from pipelines.demo import build_demo

    path = tmp_path_factory.mktemp("demo") / "payoff.duckdb"
    build_demo(path)
    return path


@pytest.fixture(scope="session")
def datasets() -> Path:
    """../shared/datasets, or skip the test when it is not beside the project."""
    if not DATASETS.is_dir():
        pytest.skip("../shared/datasets is not present")
    return DATASETS
