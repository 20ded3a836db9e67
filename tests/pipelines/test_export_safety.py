"""What leaves Payoff is safe to open: CSV cells never run as spreadsheet formulas, HTML never runs
markup from an export, and an uploaded file's name never becomes a path outside the data folder."""

from __future__ import annotations

import csv
import io
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipelines import cli
from pipelines.config import PROJECT_ROOT
from pipelines.export import FORMULA_PREFIXES, safe_csv
from pipelines.ingest.source import safe_file_name

HOSTILE_TYPES = ("=HYPERLINK(\"http://evil.example\",\"x\")", "<script>alert('x')</script>", "@SUM(1+1)")


def _cells(text: str) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(text)) for cell in row]


def _is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def _assert_no_live_formula(text: str) -> None:
    live = [c for c in _cells(text) if c.startswith(FORMULA_PREFIXES) and not _is_number(c)]
    assert live == [], f"cells a spreadsheet would run: {live[:5]}"


def test_safe_csv_quotes_formula_text_and_leaves_numbers_alone():
    frame = pd.DataFrame({"=cmd": ["=SUM(A1)", "+1", "-2+3", "@x", "\tx", "\rx", "plain", None],
                          "value": [-0.34, 1.0, -2.0, 0.0, 3.0, 4.0, 5.0, 6.0]})
    rows = list(csv.reader(io.StringIO(safe_csv(frame))))
    assert rows[0] == ["'=cmd", "value"]
    assert [r[0] for r in rows[1:]] == ["'=SUM(A1)", "'+1", "'-2+3", "'@x", "'\tx", "'\rx", "plain", ""]
    assert [float(r[1]) for r in rows[1:]] == frame["value"].tolist()


@given(st.lists(st.text(max_size=12), min_size=1, max_size=8))
@settings(max_examples=80, deadline=None)
def test_no_text_cell_of_a_safe_csv_starts_like_a_formula(values):
    _assert_no_live_formula(safe_csv(pd.DataFrame({"text": values})))


@given(st.text(max_size=300))
@settings(max_examples=200, deadline=None)
def test_an_uploaded_name_always_lands_inside_the_folder(name):
    folder = Path("/srv/payoff/archive/abc")
    safe = safe_file_name(name)
    assert safe and "/" not in safe and "\\" not in safe and "\x00" not in safe
    assert not safe.startswith(".") and len(safe) <= 120
    assert (folder / safe).resolve().parent == folder.resolve()


@pytest.mark.parametrize("name", ["../../../../tmp/evil.csv", "/etc/passwd", "..\\..\\windows\\x.csv", "..",
                                  ".hidden.csv", "a/../../b.csv", "C:\\Users\\x\\export.csv", ""])
def test_path_like_upload_names_are_cut_to_a_plain_name(name):
    safe = safe_file_name(name)
    assert safe in {"evil.csv", "passwd", "x.csv", "export.csv", "hidden.csv", "b.csv"}


@pytest.fixture(scope="module")
def hostile_db(demo_db, tmp_path_factory, activity_export):
    """The demo database plus an export whose activity types and file name are hostile text."""
    folder = tmp_path_factory.mktemp("hostile")
    db = folder / "payoff.duckdb"
    shutil.copyfile(demo_db, db)
    source = activity_export(folder / "plain.csv", "h-", 30_000)
    frame = pd.read_csv(source, dtype=str)
    frame["Activity Type"] = [HOSTILE_TYPES[i % len(HOSTILE_TYPES)] for i in range(len(frame))]
    named = folder / "<b>=cmd|' calc'!A0.csv"
    frame.to_csv(named, index=False)
    assert cli.main(["--db", str(db), "ingest", str(named)]) == 0
    return db


def test_every_command_line_csv_neutralises_hostile_text(hostile_db, capsys):
    for command in (["drivers", "--no-validation", "--format", "csv"], ["rejects", "--format", "csv"]):
        assert cli.main(["--db", str(hostile_db), *command]) == 0
        out = capsys.readouterr().out
        _assert_no_live_formula(out)
    assert cli.main(["--db", str(hostile_db), "drivers", "--no-validation", "--format", "csv"]) == 0
    out = capsys.readouterr().out
    assert "'=HYPERLINK" in out or "'@SUM" in out, "the hostile activity types are in the table, neutralised"


def test_the_html_brief_escapes_names_from_exports(hostile_db, tmp_path, capsys):
    out = tmp_path / "brief.html"
    assert cli.main(["--db", str(hostile_db), "report", "--out", str(out)]) == 0
    html = out.read_text(encoding="utf-8")
    assert "<script>alert" not in html and "<b>=cmd" not in html
    assert "&lt;b&gt;=cmd" in html, "the file name shows in the lineage, as text"


def test_every_dashboard_download_goes_through_the_safe_writers():
    """A structural guard: a new download button must write through safe_csv (components.download_csv) or the
    report builder."""
    calls = []
    for path in (PROJECT_ROOT / "dashboard").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        calls += [(path.name, m) for m in re.findall(r"st\.download_button\(([^\n]*)", text)]
    assert calls, "the dashboard offers downloads"
    for file_name, args in calls:
        assert "safe_csv(" in args or "data.report_file(" in args, f"{file_name}: {args[:80]}"


def test_a_table_download_is_written_when_clicked_and_neutralises_formulas(monkeypatch):
    import pandas as pd

    from dashboard import components

    offered = {}
    monkeypatch.setattr(components.st, "download_button", lambda label, data, file_name, *a, **k: offered.update(
        data=data, file_name=file_name))
    components.download_csv(pd.DataFrame({"account": ["=HYPERLINK(1)", "Acme"], "n": [1, 2]}), "t.csv", key="k")
    assert callable(offered["data"]), "not written at every rerun"
    assert offered["data"]().decode("utf-8").splitlines() == ["account,n", "'=HYPERLINK(1),1", "Acme,2"]
