"""Every page under Streamlit's AppTest, on the demo database and on an empty one, plus interactions."""

from __future__ import annotations

import json
from datetime import date

import pytest
from streamlit.testing.v1 import AppTest

from pipelines.append import rebuild_if_behind
from pipelines.config import PROJECT_ROOT
from pipelines.db import opened
from pipelines.ingest import ingest_file

APP = str(PROJECT_ROOT / "dashboard" / "app.py")
PAGES = ["app_pages/overview.py", "app_pages/drivers.py", "app_pages/timing.py", "app_pages/busy.py",
         "app_pages/teams.py", "app_pages/plan.py", "app_pages/present.py", "app_pages/data_page.py"]
TIMEOUT = 120  # the first run fits every model on the demo data


def _run(page: str | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.run()
    if page:
        at.switch_page(page).run()
    return at


@pytest.fixture
def demo(demo_db, monkeypatch):
    monkeypatch.setenv("PAYOFF_DB", str(demo_db))
    return demo_db


@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders_without_exception(page, demo):
    at = _run(page)
    assert not at.exception, [e.value for e in at.exception]
    headline = [m for m in at.markdown if 'class="payoff-headline"' in m.value]  # presentation mode's own heading
    assert at.title or headline, "every page has a title"


@pytest.mark.parametrize("page", PAGES)
def test_every_page_has_a_friendly_empty_state(page, tmp_path, monkeypatch):
    monkeypatch.setenv("PAYOFF_DB", str(tmp_path / "missing.duckdb"))
    at = _run(page)
    assert not at.exception, [e.value for e in at.exception]
    text = " ".join(x.value for x in [*at.info, *at.markdown, *at.caption])
    assert "payoff demo" in text or "Data" in text


def test_overview_names_the_planted_drivers(demo):
    at = _run()
    text = " ".join(m.value for m in at.markdown)
    assert "Training" in text and "Business Review" in text and "Meeting" in text
    assert len(at.get("plotly_chart")) >= 4


def test_overview_opens_on_the_payoff_map_and_one_sentence_per_outcome_money_first(demo):
    at = _run()
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    legend = [t["name"] for t in spec["data"] if t.get("name")]
    assert legend == ["driver", "confounded", "no evidence"]  # every colour the cells use, in reading order
    headings = [a["text"] for a in spec["layout"]["annotations"] if a["text"].startswith("<b>")]
    assert [h.split("</b>")[0] for h in headings] == ["<b>Recognized revenue", "<b>Renewed", "<b>Referrals"]
    cells = {a["text"] for a in spec["layout"]["annotations"]}
    assert any(c.startswith("+4.") and "%" in c for c in cells)  # training and revenue, with its interval
    said = [m.value for m in at.markdown if m.value.startswith("**")][:3]
    assert [s.split("**")[1] for s in said] == ["Recognized revenue", "Renewed", "Referrals"]
    assert "Training goes with +" in said[0] and "Busy, not paying off" in said[0]
    assert not any("regression" in m.value for m in at.markdown)  # the method is in the expanders' captions


@pytest.mark.realdata
def test_an_unrelated_export_leaves_the_outcomes_their_rows_and_says_what_cannot_be_judged(demo_copy, datasets,
                                                                                          settled):
    # the telco export's attributes describe its own subscribers: they must not become controls that every
    # demo account lacks (that dropped every revenue row); its own outcomes have no activity to compare
    with opened(demo_copy, write=True) as con:
        ingest_file(con, datasets / "telco_churn_maven" / "telecom_customer_churn.csv")
        rebuild_if_behind(con)
    _run()  # the load stored no analysis: the first visit starts it in the background
    settled()
    at = _run()
    assert not at.exception, [e.value for e in at.exception]
    revenue = next(c.value for c in at.caption if c.value.startswith("log-linear regression within accounts"))
    assert " 0 used" not in revenue and "controls: region, segment, employees" in revenue
    text = " ".join(m.value for m in at.markdown)
    assert "No activity could be judged: no activity varies in the data, so there is nothing to compare." in text
    assert "Training" in text  # the planted revenue driver is still found
    timing = _run("app_pages/timing.py")
    timing.selectbox(key="timing_outcome").set_value("number_of_referrals").run()
    info = " ".join(i.value for i in timing.info)
    assert "Nothing to show for number of referrals: no activity varies in the data" in info
    assert "filters" not in info  # none are set: the filters are not what is missing


def test_filtering_a_segment_changes_the_numbers(demo):
    at = _run("app_pages/drivers.py")
    before = [c.value for c in at.caption]
    at.sidebar.multiselect(key="f_segment").set_value(["Enterprise"]).run()
    assert not at.exception
    after = [c.value for c in at.caption]
    assert before != after
    assert any("segment: Enterprise" in c for c in after)
    at.switch_page("app_pages/overview.py").run()
    assert at.sidebar.multiselect(key="f_segment").value == ["Enterprise"], "filters survive page changes"


def test_choosing_an_outcome_redraws_the_driver_chart(demo):
    at = _run("app_pages/drivers.py")
    first = json.loads(at.get("plotly_chart")[0].proto.spec)["layout"]["title"]["text"]
    at.selectbox(key="drivers_outcome").set_value("referrals").run()
    second = json.loads(at.get("plotly_chart")[0].proto.spec)["layout"]["title"]["text"]
    assert first != second and "referrals" in second


def test_what_if_slider_moves_the_prediction(demo):
    at = _run("app_pages/plan.py")
    at.selectbox(key="plan_outcome").set_value("renewed").run()
    assert not at.metric or all("Predicted" not in m.label for m in at.metric)
    at.slider(key="whatif_renewed_business_review").set_value(0.5).run()
    one = next(m for m in at.metric if m.label.startswith("Predicted"))
    at.slider(key="whatif_renewed_business_review").set_value(1.5).run()
    two = next(m for m in at.metric if m.label.startswith("Predicted"))
    assert float(one.value.split()[0]) > 0
    assert float(two.value.split()[0]) > float(one.value.split()[0])


def test_teams_page_compares_against_expectation_not_counts(demo):
    at = _run("app_pages/teams.py")
    table = at.dataframe[0].value
    assert {"actual", "expected", "difference", "shrunk"} <= set(table.columns)
    assert set(table["group"]) == {"Team Atlas", "Team Borealis", "Team Cirrus", "Team Delta"}
    # segment and region are controls: compared by them, every group is at zero by construction
    assert at.selectbox(key="teams_by").options == ["Team", "Owner"]
    assert any("Not offered: region, segment" in c.value for c in at.caption)


def test_presentation_steps_through_findings(demo):
    at = _run("app_pages/present.py")
    first = [m.value for m in at.markdown if 'class="payoff-headline"' in m.value]
    at.button(key="next").click().run()
    second = [m.value for m in at.markdown if 'class="payoff-headline"' in m.value]
    assert first and second and first != second
    assert any("2 of" in m.value for m in at.markdown if 'class="payoff-kicker"' in m.value)
    at.button(key="exit").click().run()  # back to the app
    assert any(m.value.startswith("**Recognized revenue**") for m in at.markdown)


@pytest.mark.parametrize("page", ["app_pages/drivers.py", "app_pages/timing.py", "app_pages/busy.py",
                                  "app_pages/teams.py", "app_pages/plan.py", "app_pages/overview.py",
                                  "app_pages/present.py"])
def test_a_filter_leaving_too_little_data_explains_itself(page, demo):
    at = _run(page)
    at.sidebar.date_input(key="f_dates").set_value((date(2025, 12, 1), date(2025, 12, 31))).run()
    assert not at.exception, [e.value for e in at.exception]
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]


def _load_next_month(db, folder) -> None:
    export = folder / "activities_2026-01.csv"
    export.write_text("Activity ID,Activity Type,Date,Account ID\n"
                      + "".join(f"NEW{i},Call,1/{i + 1}/2026,ACC-{i + 1:05d}\n" for i in range(20)), encoding="utf-8")
    with opened(db, write=True) as con:
        ingest_file(con, export)
        rebuild_if_behind(con)


def test_a_load_that_widens_the_dates_widens_an_untouched_date_filter(demo_copy, tmp_path):
    at = _run()
    assert at.sidebar.date_input(key="f_dates").value == (date(2024, 1, 1), date(2025, 12, 31))
    _load_next_month(demo_copy, tmp_path)
    at.run()  # the same session, after the load
    assert not at.exception, [e.value for e in at.exception]
    assert at.sidebar.date_input(key="f_dates").value == (date(2024, 1, 1), date(2026, 1, 20))
    assert at.sidebar.caption[0].value == "all accounts and periods"  # no filter leaves the new month out


def test_a_load_keeps_a_narrowed_date_filter(demo_copy, tmp_path):
    at = _run()
    at.sidebar.date_input(key="f_dates").set_value((date(2025, 1, 1), date(2025, 6, 30))).run()
    _load_next_month(demo_copy, tmp_path)
    at.run()
    assert at.sidebar.date_input(key="f_dates").value == (date(2025, 1, 1), date(2025, 6, 30))
    assert at.sidebar.caption[0].value == "from 01 Jan 2025 · to 30 Jun 2025"


def test_overview_prepares_a_deck_for_download(demo):
    at = _run()
    at.button(key="overview_report_deck_prepare").click().run()
    assert not at.exception, [e.value for e in at.exception]
    download = [b for b in at.get("download_button") if "Deck" in b.proto.label]
    assert download, "a download button for the deck appears"


@pytest.mark.parametrize("page", ["app_pages/overview.py", "app_pages/drivers.py", "app_pages/present.py"])
def test_weeks_leave_a_monthly_outcome_unanalysed_and_say_why(page, demo):
    # the sample's revenue is one value per month: by week it would sit in the week of each month's first day
    at = _run(page)
    at.sidebar.selectbox(key="f_grain").set_value("week").run()
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    if page.endswith("present.py"):  # the review opens on what can be judged; the revenue slide comes last
        assert "no activity could be judged" not in " ".join(m.value for m in at.markdown).lower()
        for _ in range(30):
            if at.button(key="next").disabled:
                break
            at.button(key="next").click().run()
        assert not at.exception, [e.value for e in at.exception]
    shown = " ".join(str(getattr(el, "value", "")) for el in (*at.markdown, *at.caption, *at.info, *at.warning))
    assert "recognized revenue is recorded per month: it cannot be analysed by week" in shown.lower()


def test_every_page_opens_on_the_stored_analysis_without_fitting_a_model(demo, monkeypatch):
    import pipelines.stats.drivers as drivers
    import pipelines.stats.teams as teams

    def no_fit(*args, **kwargs):
        raise AssertionError("a page fitted the models on its first visit")

    import pipelines.summary as summary

    monkeypatch.setattr(drivers, "analyze", no_fit)
    monkeypatch.setattr(teams, "compare_groups", no_fit)
    monkeypatch.setattr(summary, "trends", no_fit)  # the Overview's trends read the whole panel: stored too
    for page in PAGES:
        at = _run(page)
        assert not at.exception, (page, [e.value for e in at.exception])
    at = _run("app_pages/plan.py")
    assert any("more of each" in s.value for s in at.success)  # the default plan, stored
    assert [m.label for m in at.metric][:3] == ["Prior 12 months", "Last 12 months", "Target"]


def test_a_database_without_a_stored_analysis_gets_one_on_the_first_visit(demo_copy):
    from pipelines import snapshot

    with opened(demo_copy, write=True) as con:
        con.execute("delete from analysis_snapshot")
    at = _run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("Training goes with +" in m.value for m in at.markdown)
    with opened(demo_copy) as con:
        assert snapshot.stored(con) is not None  # the next server start reads it


def test_a_filtered_view_fits_live_saying_which_outcome_and_step(demo, monkeypatch):
    import pipelines.stats.drivers as drivers

    said, real = [], drivers.analyze

    def spy(*args, progress=None, **kwargs):
        assert progress is not None
        return real(*args, progress=lambda text: (said.append(text), progress(text)), **kwargs)

    monkeypatch.setattr(drivers, "analyze", spy)
    at = _run()
    assert said == []  # the default view: stored
    at.sidebar.multiselect(key="f_region").set_value(["APAC"]).run()
    assert not at.exception
    assert "Recognized revenue (1 of 3): fitting the models with and without controls" in said
    assert "Referrals (3 of 3): checking the model on accounts it was not fitted on" in said
