"""`payoff report`: the format comes from the extension; every refusal is one line and exit 1."""

from __future__ import annotations

from pipelines.cli import main


def test_unknown_extension_is_one_line_and_exit_1(report_db, tmp_path, capsys):
    out = tmp_path / "review.docx"
    assert main(["--db", str(report_db), "report", "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and ".docx" in err and ".pptx" in err
    assert not out.exists()


def test_filter_matching_nothing_is_one_line_and_exit_1(report_db, tmp_path, capsys):
    assert main(["--db", str(report_db), "report", "--out", str(tmp_path / "b.html"), "--segment", "Nope"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "segment: Nope" in err


def test_brief_for_one_outcome_and_a_region(report_db, tmp_path, capsys):
    out = tmp_path / "brief.html"
    assert main(["--db", str(report_db), "report", "--out", str(out), "--outcome", "renewed",
                 "--region", "EMEA", "--start", "2024-07-01"]) == 0
    line = capsys.readouterr().out
    assert line.count("\n") == 1 and line.startswith(f"wrote {out}: html brief")
    text = out.read_text(encoding="utf-8")
    assert "region: EMEA · from 01 Jul 2024" in text
    assert "Business Review goes with renewed" in text or "No activity clearly moves renewed" in text
    assert "recognized revenue" not in text.lower().split("executive summary")[1].split("data lineage")[0]
