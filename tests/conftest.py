"""Shared fixtures: the demo database built once per test session from the sample exports."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
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


@pytest.fixture(scope="session")
def activity_export():
    """Write an activity export in the CRM shape (every activity id new): f(path, id_prefix, rows) -> path."""
    return write_activity_export


def write_activity_export(path: Path, prefix: str, n: int) -> Path:
    """An activity export in the CRM shape, every activity id new."""
    con = duckdb.connect()
    con.execute(
        "copy (select $prefix || i as \"Activity ID\", ['Call', 'Email', 'Meeting'][1 + i % 3] as \"Activity Type\", "
        "strftime(date '2025-01-01' + (i % 300)::int, '%-m/%-d/%Y') as \"Date\", "
        "printf('ACC-%05d', 1 + i % 400) as \"Account ID\", 'Rep ' || (i % 20) as \"Assigned To\" "
        f"from range({int(n)}) t(i)) to '{path}' (header)",
        {"prefix": prefix},
    )
    con.close()
    return path
