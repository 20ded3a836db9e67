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
    """A database built from sample_data/ exactly as `payoff demo` builds it, the default analysis stored
    (do not write to it)."""
    from pipelines.db import opened
    from pipelines.demo import build_demo
    from pipelines.workflow import analyse_and_store

    path = tmp_path_factory.mktemp("demo") / "payoff.duckdb"
    build_demo(path)
    assert analyse_and_store(lambda: opened(path), lambda: opened(path, write=True)).stored
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


# Small odd exports a user may load beside the sample, each with what makes it odd. Activity ids are new.
ODD_HEADER = "Activity ID,Activity Type,Date,Account ID\n"
ODD_EXPORTS = {
    # a brand-new type, three rows on three accounts in the last month: the within-account count fit drops it
    "new_type": ODD_HEADER + "".join(f"WEB-{i},Webinar,12/{i + 1}/2025,ACC-0000{i}\n" for i in (1, 2, 3)),
    "one_row": ODD_HEADER + "ONE-1,Call,6/10/2025,ACC-00004\n",
    # one account only, with many rows of the usual types
    "one_account": ODD_HEADER + "".join(f"ACC7-{i},{('Call', 'Email', 'Meeting')[i % 3]},{1 + i % 12}/{1 + i % 28}"
                                        "/2025,ACC-00007\n" for i in range(200)),
    "logged_once": ODD_HEADER + "ONCE-1,Site Visit,7/1/2025,ACC-00010\n",
    # a new outcome with three rows: too few to fit anything
    "tiny_outcome": "Account ID,Month,Upsell Revenue\nACC-00005,2025-03-01,1200\nACC-00002,2025-04-01,800\n"
                    "ACC-00006,2025-05-01,500\n",  # customers all along (ACC-00001 left in Feb 2025)
}
PERFECT_PREDICTOR_ROWS = 14  # webinars before renewals that all renewed: enough accounts, but no 'no' to compare


@pytest.fixture(scope="session")
def odd_export(demo_db):
    """Write one odd export into a folder: f(name, folder) -> path; names are ODD_EXPORTS' and 'perfect_predictor'
    (a new type logged in the window of each of 14 renewals spread over the span, every one a 'yes')."""
    def write(name: str, folder: Path) -> Path:
        if name == "perfect_predictor":
            con = duckdb.connect(str(demo_db), read_only=True)
            # one renewal from each 14th of the span's renewals, the webinar in the month the window opens: the
            # webinars are logged across the span (and one more in the last month, after every window, ends it)
            rows = con.execute("select account_id, strftime(occurred_on - interval 170 day, '%-m/%-d/%Y') from ("
                               "  select *, ntile(?) over (order by occurred_on, account_id) as part"
                               "  from outcome_events where outcome_key = 'renewed' and is_yes"
                               "    and occurred_on >= date '2024-03-01')"
                               "qualify row_number() over (partition by part order by occurred_on, account_id) = 1 "
                               "order by occurred_on, account_id",
                               [PERFECT_PREDICTOR_ROWS]).fetchall()
            con.close()
            rows.append((rows[0][0], "12/15/2025"))
            text = ODD_HEADER + "".join(f"SEP-{i},Webinar,{day},{account}\n" for i, (account, day) in enumerate(rows))
        else:
            text = ODD_EXPORTS[name]
        path = folder / f"{name}.csv"
        path.write_text(text, encoding="utf-8")
        return path

    return write


@pytest.fixture(scope="session", autouse=True)
def _default_database_untouched():
    """No test writes the default database (data/payoff.duckdb): `make run` builds the sample there only when
    no file is there yet."""
    from pipelines.config import DEFAULT_DB

    path = PROJECT_ROOT / DEFAULT_DB

    def stamp():
        return path.stat().st_mtime_ns if path.exists() else None

    before = stamp()
    yield
    assert stamp() == before, f"a test wrote {path}"


@pytest.fixture(autouse=True)
def _settled(monkeypatch):
    """No test leaves a background analysis running into the next (it would hold the server's one fit).

    It asks for monkeypatch so that it ends first: a background analysis still running when a test's PAYOFF_DB
    is undone would store into the default data/payoff.duckdb, and `make run` would then open that instead of
    building the sample."""
    yield
    settle()


def settle(timeout: float = 300) -> None:
    """Wait for the dashboard's background work started by a load (the new default analysis, refits of
    filtered views) to finish, as a person would by looking at the page a little later."""
    from dashboard.data import wait_for_background

    wait_for_background(timeout)


@pytest.fixture
def settled():
    """settle, for a test that reads pages after its load's analysis is stored."""
    return settle
