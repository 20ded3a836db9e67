"""The bundled sample exports, loaded into a fresh database exactly as an analyst would load them."""

from __future__ import annotations

from pathlib import Path

from pipelines.build import BuildResult, build
from pipelines.config import DEFAULT_GRAIN, SAMPLE_DATA_DIR
from pipelines.db import connect
from pipelines.errors import PayoffError
from pipelines.ingest import LoadReport, ingest_file

# Load order matters only for which version of an overlapping row wins; this is the export order.
SAMPLE_FILES = (
    "crm_accounts.csv",
    "activities_export_2024-01_to_2025-03.csv",
    "activities_export_2025-01_to_2025-12.csv",
    "renewals.csv",
    "monthly_revenue.csv",
    "referrals.csv.gz",
    "service_measures.tsv",
)


def sample_files(folder: Path = SAMPLE_DATA_DIR) -> list[Path]:
    """The sample export paths, checked to exist."""
    paths = [folder / name for name in SAMPLE_FILES]
    missing = [p.name for p in paths if not p.exists()]
    if missing:
        raise PayoffError(f"{folder}: sample export(s) missing: {', '.join(missing)}")
    return paths


def build_demo(db_path: str | Path, *, force: bool = False, grain: str = DEFAULT_GRAIN,
               archive_dir: str | Path | None = None) -> tuple[list[LoadReport], BuildResult]:
    """Create a fresh database at db_path from the sample exports (refuses to replace real loads)."""
    db_path = Path(db_path)
    if db_path.exists():
        _check_replaceable(db_path, force)
        db_path.unlink()
        Path(str(db_path) + ".wal").unlink(missing_ok=True)
    con = connect(db_path)
    try:
        reports = [ingest_file(con, path, archive_dir=archive_dir) for path in sample_files()]
        result = build(con, grain)
    finally:
        con.close()
    return reports, result


def _check_replaceable(db_path: Path, force: bool) -> None:
    if force:
        return
    con = connect(db_path, read_only=True)
    try:
        names = {row[0] for row in con.execute("select file_name from loads").fetchall()}
    except Exception:  # not a Payoff database, or an older one: do not guess, refuse
        names = {"(unknown)"}
    finally:
        con.close()
    foreign = names - set(SAMPLE_FILES)
    if foreign:
        raise PayoffError(f"{db_path} holds other loads ({', '.join(sorted(foreign)[:3])}); "
                          "use --db for another path or --force to replace it")
