"""Every page under Streamlit's AppTest, on the demo database and on an empty one."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from pipelines.config import PROJECT_ROOT

APP = str(PROJECT_ROOT / "dashboard" / "app.py")
PAGES = ["app_pages/loaded.py"]


def _run(page: str | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    if page:
        at.switch_page(page).run()
    return at


@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders_without_exception(page, demo_db, monkeypatch):
    monkeypatch.setenv("PAYOFF_DB", str(demo_db))
    at = _run(page)
    assert not at.exception, [e.value for e in at.exception]
    assert at.title, "every page has a title"


@pytest.mark.parametrize("page", PAGES)
def test_every_page_has_a_friendly_empty_state(page, tmp_path, monkeypatch):
    monkeypatch.setenv("PAYOFF_DB", str(tmp_path / "missing.duckdb"))
    at = _run(page)
    assert not at.exception
    assert any("payoff demo" in info.value for info in at.info)


def test_loaded_page_shows_the_sample_counts(demo_db, monkeypatch, sample_truth):
    monkeypatch.setenv("PAYOFF_DB", str(demo_db))
    at = _run()
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Accounts"] == "600"
    assert metrics["Activities"] == f"{sample_truth['activities']['unique_activities']:,}"
    assert metrics["Activity types"] == "6"
    assert metrics["Outcomes"] == "3"
    assert metrics["Active loads"] == "7"
    assert len(at.get("plotly_chart")) == 2


def test_changing_the_grouping_redraws_the_accounts_chart(demo_db, monkeypatch):
    import json

    monkeypatch.setenv("PAYOFF_DB", str(demo_db))
    at = _run()

    def bar_labels():
        spec = json.loads(at.get("plotly_chart")[1].proto.spec)
        return sorted(spec["data"][0]["y"])

    assert bar_labels() == ["Enterprise", "Mid-Market", "SMB"]
    at.selectbox[0].set_value("region").run()
    assert not at.exception
    assert bar_labels() == ["APAC", "EMEA", "LATAM", "North America"]
