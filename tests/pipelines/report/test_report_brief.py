"""The HTML brief is self-contained (inline CSS, charts as data URIs, no URL, no script); the PDF made from it
has one page per section and the data's dates; the same data always gives the same brief."""

from __future__ import annotations

import base64
import html
import re
import zlib

import pytest

from pipelines.db import connect
from pipelines.demo import build_demo
from pipelines.filters import Filters
from pipelines.report import build_content
from pipelines.report.brief import html_text, pdf_bytes, section_count
from pipelines.report.content import data_hash

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def brief_html(report_content) -> str:
    return html_text(report_content)


@pytest.fixture(scope="module")
def brief_pdf(report_content) -> tuple[bytes, int]:
    return pdf_bytes(report_content)


def pdf_text(data: bytes) -> bytes:
    """The PDF's bytes with every Flate stream inflated beside them (object streams hide page objects)."""
    parts = [data]
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", data, re.S):
        try:
            parts.append(zlib.decompress(match.group(1)))
        except zlib.error:
            continue
    return b"\n".join(parts)


def pdf_page_count(data: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf_text(data)))


def test_html_is_self_contained(brief_html):
    lowered = brief_html.lower()
    assert "http://" not in lowered and "https://" not in lowered
    assert not re.search(r"""(src|href)\s*=\s*["']?//""", lowered)
    assert "<script" not in lowered and "<link" not in lowered and "url(" not in lowered
    images = re.findall(r'<img[^>]*\ssrc="([^"]+)"', brief_html)
    assert len(images) == 3 + 3 * 2
    for src in images:
        assert src.startswith("data:image/png;base64,")
        assert base64.b64decode(src.split(",", 1)[1])[:8] == PNG_SIGNATURE


def test_html_says_what_the_deck_says(brief_html, report_content):
    c = report_content
    for o in c.outcomes:
        assert html.escape(o.headline) in brief_html
        for f in o.findings:
            assert html.escape(f.sentence) in brief_html
    assert html.escape(c.summary.recommendation.split(". ", 1)[1]) in brief_html
    assert html.escape(c.caveat) in brief_html
    assert c.data_hash in brief_html
    for load in c.lineage:
        assert html.escape(load.file_name) in brief_html and load.short_hash in brief_html
    assert html.escape(c.stamp) in brief_html


def test_pdf_has_one_page_per_section(brief_pdf, report_content):
    data, rendered_pages = brief_pdf
    assert data.startswith(b"%PDF")
    assert pdf_page_count(data) == rendered_pages == section_count(report_content) == 7


def test_pdf_is_dated_from_the_data(brief_pdf):
    text = pdf_text(brief_pdf[0])
    assert b"/CreationDate (D:20251231" in text and b"/ModDate (D:20251231" in text


def test_same_database_same_brief(report_db, brief_html):
    con = connect(report_db, read_only=True)
    try:
        assert html_text(build_content(con)) == brief_html
    finally:
        con.close()


def test_stamp_and_lineage_do_not_depend_on_when_files_were_loaded(report_content, tmp_path):
    """The same exports loaded again (new load times) give the same data hash, as-of date and lineage.

    Only the stamp and lineage are compared: the engine reads account attributes in storage order, so a
    database built anew may list its controls in another order (see the report's notes for the owner).
    """
    fresh = tmp_path / "again.duckdb"
    build_demo(fresh)
    con = connect(fresh, read_only=True)
    try:
        again = build_content(con, outcome="renewed")
    finally:
        con.close()
    c = report_content
    assert again.lineage == c.lineage
    assert (again.as_of, again.period_first, again.period_last) == (c.as_of, c.period_first, c.period_last)
    assert again.data_hash != c.data_hash  # one outcome is another scope ...
    assert again.data_hash == data_hash([load.sha256 for load in c.lineage], Filters(), "renewed", c.grain)
