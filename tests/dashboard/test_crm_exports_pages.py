"""Every page, the drivers command and the deck after the whole CRM export corpus is loaded beside
the sample: new activity types (Support ticket, CTA, LinkedIn...), new outcomes (won deals),
measures and subscriptions must leave every page working."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from pipelines.config import PROJECT_ROOT
from pipelines.db import connect
from pipelines.workflow import Refusal, load_files

sys.path.insert(0, str(PROJECT_ROOT / "tests" / "pipelines" / "ingest"))
from crm_corpus import CASES  # noqa: E402  (the corpus lives beside the ingest tests)

APP = str(PROJECT_ROOT / "dashboard" / "app.py")
PAGES = ["app_pages/overview.py", "app_pages/drivers.py", "app_pages/timing.py", "app_pages/busy.py",
         "app_pages/teams.py", "app_pages/plan.py", "app_pages/present.py", "app_pages/data_page.py"]
TIMEOUT = 240  # the first page fits every model of the sample and the corpus


@pytest.fixture(scope="module")
def corpus_db(demo_db, tmp_path_factory) -> Path:
    """The sample with every corpus export loaded on top, in one database."""
    folder = tmp_path_factory.mktemp("corpus")
    db = folder / "payoff.duckdb"
    shutil.copyfile(demo_db, db)
    paths = []
    for case in CASES:
        path = folder / f"{case.name}.csv"
        path.write_text(case.text(), encoding="utf-8", newline="")
        paths.append(path)
    con = connect(db)
    try:
        outcome = load_files(con, paths)
    finally:
        con.close()
    assert not [r for r in outcome.loads if isinstance(r, Refusal)]
    return db


@pytest.mark.parametrize("page", PAGES)
def test_every_page_opens_after_the_corpus_is_loaded(page, corpus_db, monkeypatch):
    monkeypatch.setenv("PAYOFF_DB", str(corpus_db))
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.run()
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]


def test_the_drivers_command_reads_the_corpus(corpus_db, capsys):
    from pipelines.cli import main

    assert main(["drivers", "--db", str(corpus_db), "--format", "json", "--no-validation"]) == 0
    assert '"outcome"' in capsys.readouterr().out
