"""The report's scope hash and format choice: small, exact rules."""

from __future__ import annotations

from datetime import date

import pytest

from pipelines.errors import PayoffError
from pipelines.filters import Filters
from pipelines.report import report_format
from pipelines.report.content import data_hash, span_text

LOADS = ["a" * 64, "b" * 64]


def test_data_hash_is_the_scope_not_its_spelling():
    dashboard = Filters(None, None, (("segment", ("SMB", "Enterprise")), ("region", ()), ("team", ())))
    cli = Filters(None, None, (("segment", ("Enterprise", "SMB")),))
    assert data_hash(LOADS, dashboard, None, "month") == data_hash(LOADS, cli, None, "month")
    assert data_hash(LOADS, Filters(), None, "month") == data_hash(LOADS, Filters(None, None, (("team", ()),)),
                                                                   None, "month")


@pytest.mark.parametrize("other", [
    (LOADS[::-1], Filters(), None, "month"),
    (LOADS[:1], Filters(), None, "month"),
    (LOADS, Filters(start=date(2025, 1, 1)), None, "month"),
    (LOADS, Filters(), "renewed", "month"),
    (LOADS, Filters(), None, "quarter"),
])
def test_data_hash_changes_with_loads_filters_outcome_and_grain(other):
    assert data_hash(*other) != data_hash(LOADS, Filters(), None, "month")
    assert len(data_hash(*other)) == 64


def test_span_text():
    assert span_text(date(2024, 1, 1), date(2025, 12, 31)) == "Jan 2024 – Dec 2025"
    assert span_text(date(2025, 3, 1), date(2025, 3, 31)) == "Mar 2025"
    assert span_text(None, None) == "n/a"


def test_report_format_comes_from_the_extension(tmp_path):
    assert report_format(tmp_path / "Deck.PPTX") == "deck"
    assert report_format(tmp_path / "b.html") == "html brief"
    assert report_format(tmp_path / "b.pdf") == "pdf brief"
    with pytest.raises(PayoffError, match=r"'\.docx'.*\.pptx"):
        report_format(tmp_path / "b.docx")
    with pytest.raises(PayoffError, match="no such folder"):
        report_format(tmp_path / "missing" / "b.pdf")


def test_charts_keep_their_look_whatever_template_the_process_defaults_to(report_db, report_content):
    """A page that draws a chart makes Streamlit's template the process's default: a deck built after it (the
    Present page) had the axis labels cut off. The report's charts name their template."""
    import plotly.io as pio

    from pipelines.db import connect
    from pipelines.report import build_content

    default = pio.templates.default
    pio.templates.default = "plotly_dark"
    try:
        con = connect(report_db, read_only=True)
        try:
            again = build_content(con)
        finally:
            con.close()
    finally:
        pio.templates.default = default
    assert again == report_content
    assert again.outcomes[0].chart["layout"]["template"]["layout"]["plot_bgcolor"] == "white"
