"""Settings from the environment, with defaults that work from a fresh clone."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SAMPLE_DATA_DIR = PROJECT_ROOT / "sample_data"
DEFAULT_DB = Path("data") / "payoff.duckdb"
GRAINS = ("week", "month", "quarter")
DEFAULT_GRAIN = "month"


@dataclass(frozen=True)
class Settings:
    """Where the database lives and where raw files are archived."""

    db_path: Path
    archive_dir: Path


def settings(db: str | os.PathLike | None = None) -> Settings:
    """Resolve the database path: explicit argument, then PAYOFF_DB, then data/payoff.duckdb."""
    db_path = Path(db or os.environ.get("PAYOFF_DB") or DEFAULT_DB).expanduser()
    archive = os.environ.get("PAYOFF_ARCHIVE_DIR")
    archive_dir = Path(archive) if archive else db_path.parent / "archive"
    return Settings(db_path=db_path, archive_dir=archive_dir)
