"""Settings from the environment, with defaults that work from a fresh clone."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SAMPLE_DATA_DIR = PROJECT_ROOT / "sample_data"
DEFAULT_DB = Path("data") / "payoff.duckdb"
GRAINS = ("week", "month", "quarter")
PERIOD_STEPS = {"week": "7 days", "month": "1 month", "quarter": "3 months"}  # one period at each grain
# An account with no sign of life (activity, outcome, amount) for this long before the data ends has left,
# from its last sign; a shorter silence is a quiet customer. Three months: a quarter without a touch or a bill.
CUSTOMER_GRACE_DAYS = 90
DEFAULT_GRAIN = "month"


@dataclass(frozen=True)
class Settings:
    """Where the database lives, where raw files are archived, and where a Spark build keeps its Parquet."""

    db_path: Path
    archive_dir: Path
    warehouse: Path


def settings(db: str | os.PathLike | None = None) -> Settings:
    """Resolve the database path: explicit argument, then PAYOFF_DB, then data/payoff.duckdb; the archive
    (PAYOFF_ARCHIVE_DIR, else archive/ beside the database) and the Spark warehouse (PAYOFF_WAREHOUSE, else
    <database>.warehouse beside it)."""
    db_path = Path(db or os.environ.get("PAYOFF_DB") or DEFAULT_DB).expanduser()
    archive = os.environ.get("PAYOFF_ARCHIVE_DIR")
    archive_dir = Path(archive) if archive else db_path.parent / "archive"
    warehouse = os.environ.get("PAYOFF_WAREHOUSE")
    return Settings(db_path=db_path, archive_dir=archive_dir,
                    warehouse=Path(warehouse) if warehouse else db_path.with_suffix(".warehouse"))

# The SQL models in build order; each is one file under pipelines/sql/<layer>/<name>.sql.
SQL_MODELS = {
    "staging": ["stg_activity_superseded", "stg_activity_events", "stg_activity_counts", "stg_activity_measures", "stg_account_attributes",
                "stg_outcomes", "stg_account_spans"],
    "intermediate": ["int_periods_spanned", "int_activities_counted", "int_activity_labels", "int_activity_reach",
                     "int_accounts_unioned",
                     "int_measures_averaged", "int_outcomes_aggregated", "int_attributes_typed",
                     "int_panel_values_unpivoted"],
    "marts": ["accounts", "account_periods", "activity_types", "outcome_types", "attribute_types", "activity_monthly",
              "outcome_monthly", "outcome_events", "account_spans"],
}
# Models stored as views: cheap to read as they stand, so a table would only cost a copy.
SQL_VIEWS = frozenset({"stg_activity_events", "int_panel_values_unpivoted"})
# Models no longer built: a build drops them from databases made before.
RETIRED_MODELS = ("int_activities_filled",)
