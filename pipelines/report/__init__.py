"""Leadership reports: one content builder, a 16:9 deck and an HTML/PDF brief (never imports streamlit).

    content = build_content(con, filters, outcome)   # analyse once: plain data
    write_report(content, "deck.pptx")                # or brief.html / brief.pdf, by extension
"""

from __future__ import annotations

from pathlib import Path

from pipelines.errors import PayoffError
from pipelines.report.content import ReportContent, build_content

FORMATS = {".pptx": "deck", ".html": "html brief", ".pdf": "pdf brief"}

__all__ = ["FORMATS", "ReportContent", "build_content", "report_format", "write_report"]


def report_format(path: str | Path) -> str:
    """The report kind a file name asks for ('.pptx' -> deck ...); an error naming the choices otherwise."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        shown = suffix or "no extension"
        raise PayoffError(f"{path.name}: cannot write a report as '{shown}'; use .pptx (deck), .html or .pdf (brief)")
    if not path.parent.exists():
        raise PayoffError(f"{path.parent}: no such folder to write the report into")
    return FORMATS[suffix]


def write_report(content: ReportContent, path: str | Path) -> str:
    """Write the deck or brief the extension names; returns one line saying what was written."""
    from pipelines.report import brief, deck

    kind = report_format(path)
    if kind == "deck":
        n = deck.write_deck(content, path)
        size = f"{n} slides"
    elif kind == "html brief":
        brief.write_html(content, path)
        size = f"{brief.section_count(content)} sections"
    else:
        n = brief.write_pdf(content, path)
        size = f"{n} pages"
    return f"wrote {path}: {kind}, {size}; {content.stamp}"
