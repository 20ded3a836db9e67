"""The leadership brief: the deck's content as one self-contained HTML page, and as PDF through WeasyPrint.

Self-contained means inline CSS, charts as base64 PNG data URIs, no scripts and no external URL
of any kind, so the file can be mailed or archived and opens the same anywhere. For print, each
section starts a page (A4) and every page carries the frozen stamp and its number; the PDF's
dates come from the as-of date (dcterms meta), so the same content gives the same bytes.
"""

from __future__ import annotations

import base64
from html import escape
from pathlib import Path

from pipelines.errors import PayoffError
from pipelines.report import charts
from pipelines.report.content import ReportContent

FOREST_W, FOREST_H = 7.0, 3.0  # inches: full text width of an A4 page; at most this tall
FOREST_BASE_H, FOREST_ROW_H = 1.2, 0.3  # inches: axis and legend, plus a row per activity
SMALL_W, SMALL_H = 3.4, 2.1  # timing and returns charts, two side by side
CHART_FONT_PT = 9  # chart type as printed
VERDICT_TEXT = {"above expectation": "#15803d", "below expectation": "#b91c1c"}

CSS = """
@page { size: A4; margin: 16mm 16mm 20mm 16mm;
        @bottom-left { content: string(stamp); font: 8pt 'Liberation Sans', Arial, sans-serif; color: #64748b; }
        @bottom-right { content: counter(page) " / " counter(pages);
                        font: 8pt 'Liberation Sans', Arial, sans-serif; color: #64748b; } }
html { font-family: 'Liberation Sans', Arial, Helvetica, sans-serif; font-size: 10pt; color: #0f172a;
       line-height: 1.35; }
body { margin: 0 auto; max-width: 190mm; }
.stamp { string-set: stamp content(); color: #64748b; font-size: 8.5pt; margin: 0 0 4mm 0; }
section.page { break-before: page; }
section.page.first { break-before: auto; }
h1 { font-size: 22pt; line-height: 1.15; margin: 2mm 0 2mm 0; }
h2 { font-size: 15pt; line-height: 1.2; margin: 0 0 1.5mm 0; }
h3 { font-size: 11pt; color: #2563eb; margin: 4mm 0 1.5mm 0; }
p { margin: 0 0 2mm 0; }
.meta { color: #475569; font-size: 10.5pt; }
.basis { color: #475569; font-size: 9pt; margin-bottom: 2mm; }
.cols { display: flex; gap: 6mm; }
.cols > div { flex: 1 1 0; }
ul.items { list-style: none; padding: 0; margin: 0; }
ul.items li { margin: 0 0 2mm 0; }
.rec { background: #eff6ff; border-left: 2mm solid #2563eb; padding: 3mm 4mm; margin-top: 4mm;
       break-inside: avoid; }
.rec h3 { margin-top: 0; }
.caveat { background: #fef3c7; border-left: 2mm solid #f59e0b; padding: 2.5mm 4mm; margin-top: 3mm;
          break-inside: avoid; }
img.chart { display: block; width: 100%; margin: 1mm 0 3mm 0; }
.finding { break-inside: avoid; margin: 0 0 2.5mm 0; }
.finding .badge { font-weight: bold; margin: 0 0 0.5mm 0; }
table.pair { table-layout: fixed; border-collapse: separate; border-spacing: 0; margin: 0 0 2mm 0; }
table.pair td { width: 50%; padding: 0 3mm 0 0; border: none; vertical-align: top; }
table.pair img { display: block; width: 100%; }
table.pair p { font-size: 9.5pt; margin-top: 1mm; }
.timing { break-inside: avoid; }
table { border-collapse: collapse; width: 100%; font-size: 9pt; margin: 1mm 0 2mm 0; break-inside: avoid; }
th { background: #e2e8f0; text-align: left; }
th, td { padding: 1.2mm 1.6mm; vertical-align: top; border-bottom: 0.3mm solid #e2e8f0; }
td.num { white-space: nowrap; }
code { font-family: 'Liberation Mono', 'Courier New', monospace; font-size: 8.5pt; }
@media screen { body { padding: 8mm; } section.page { margin-top: 10mm; border-top: 0.4mm solid #cbd5e1;
                padding-top: 6mm; } section.page.first { border-top: none; margin-top: 0; } }
"""


def html_text(content: ReportContent) -> str:
    """The brief as one self-contained HTML document."""
    sections = [_cover(content)]
    sections += [_outcome(o) for o in content.outcomes]
    if content.timing:
        sections.append(_timing(content))
    sections.append(_teams_and_plan(content))
    sections.append(_method_and_lineage(content))
    c = content
    # WeasyPrint writes these as the PDF's creation and modification dates: the data's date, never now
    dates = "".join(f'<meta name="dcterms.{k}" content="{c.as_of.isoformat()}">' for k in ("created", "modified")) \
        if c.as_of else ""
    head = (f'<meta charset="utf-8"><title>{_e(c.title)}</title>'
            f'<meta name="author" content="Payoff"><meta name="generator" content="Payoff">'
            f'<meta name="description" content="{_e(c.stamp)}">'
            f'<meta name="keywords" content="data {_e(c.data_hash)}">{dates}'
            f"<style>{CSS}</style>")
    body = f'<div class="stamp">{_e(c.stamp)}</div>' + "".join(sections)
    return f'<!DOCTYPE html>\n<html lang="en"><head>{head}</head><body>{body}</body></html>\n'


def write_html(content: ReportContent, path: str | Path) -> None:
    Path(path).write_text(html_text(content), encoding="utf-8")


def pdf_bytes(content: ReportContent) -> tuple[bytes, int]:
    """The brief as PDF (WeasyPrint, from the same HTML) and its number of pages."""
    try:
        from weasyprint import HTML
    except (ImportError, OSError) as exc:  # OSError: the system's Pango library is missing
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise PayoffError(f"the PDF brief needs WeasyPrint and Pango ({reason}); apt-get install libpango-1.0-0 "
                          "libpangoft2-1.0-0, or write the .html brief instead") from exc
    document = HTML(string=html_text(content)).render()
    return document.write_pdf(), len(document.pages)


def write_pdf(content: ReportContent, path: str | Path) -> int:
    """Write the PDF brief; returns the number of pages."""
    data, pages = pdf_bytes(content)
    Path(path).write_bytes(data)
    return pages


def section_count(content: ReportContent) -> int:
    """How many sections (each starting a page) the brief has."""
    return 1 + len(content.outcomes) + (1 if content.timing else 0) + 2


# -- sections ------------------------------------------------------------------------------------
def _cover(c: ReportContent) -> str:
    s = c.summary
    outcomes = ", ".join(o.label.lower() for o in c.outcomes)
    return (
        '<section class="page first">'
        f"<h1>{_e(c.title)}</h1>"
        f'<p class="meta"><b>{_e(f"Data {c.period} · as of {c.as_of_text}" if c.as_of else "Undated records")}</b></p>'
        f'<p class="meta">{c.n_accounts:,} accounts · {c.n_activities:,} logged activities · '
        f"{len(c.outcomes)} outcome{'s' if len(c.outcomes) != 1 else ''}: {_e(outcomes)} · scope: {_e(c.scope)}</p>"
        "<h2 style=\"margin-top:6mm\">Executive summary</h2>"
        '<div class="cols">'
        f'<div><h3>Associated with better outcomes</h3>{_items(s.drivers)}</div>'
        f'<div><h3>Busy, but not paying off</h3>{_items(s.busy)}</div>'
        "</div>"
        f'<div class="rec"><h3>The recommendation the data support best</h3><p>{_lead(s.recommendation, ". ")}</p>'
        "</div></section>")


def _outcome(o) -> str:
    findings = "".join(
        f'<div class="finding"><p class="badge" style="color:{_e(f.color)}">{_e(f.label)} · {_e(f.badge)}</p>'
        f'<p class="sentence">{_e(f.sentence)}</p></div>' for f in o.findings)
    notes = "".join(f"<p>{_e(n)}</p>" for n in o.notes)
    return (f'<section class="page outcome"><h2>{_e(o.headline)}</h2><p class="basis">{_e(o.basis)}</p>'
            f"{_forest(o)}"
            f"{findings}{notes}</section>")


def _forest(o) -> str:
    """The driver chart, as tall as its activities need (none when nothing was analysed)."""
    if not o.findings:
        return ""
    height = min(FOREST_H, FOREST_BASE_H + FOREST_ROW_H * len(o.findings))
    return _img(o.chart, FOREST_W, height, f"What goes with {o.label.lower()}", "chart")


def _timing(c: ReportContent) -> str:
    parts = ['<section class="page"><h2>Timing and diminishing returns</h2>'
             '<p class="basis">For each outcome\'s top driver: when it pays off, and where more stops adding.</p>']
    for t in c.timing:
        figures = []
        for figure, caption, alt in ((t.lag_chart, t.timing, "When it pays off"),
                                     (t.curve_chart, t.returns, "How much is enough")):
            image = _img(figure, SMALL_W, SMALL_H, alt) if figure is not None else ""
            figures.append(f"<td>{image}<p><b>{_e(alt)}:</b> {_e(caption)}</p></td>")
        parts.append(f'<div class="timing"><h3>{_e(t.label)}: {_e(t.activity_label.lower())}</h3>'
                     f'<table class="pair"><tr>{"".join(figures)}</tr></table></div>')
    return "".join(parts) + "</section>"


def _teams_and_plan(c: ReportContent) -> str:
    parts = ['<section class="page">']
    if c.teams is not None:
        t = c.teams
        head = "".join(f"<th>{_e(h)}</th>" for h in ["Team", "Accounts"] + [h for _, h in t.outcomes])
        rows = []
        for r in t.rows:
            cells = "".join(
                f'<td class="num" style="color:{VERDICT_TEXT.get(cell.verdict, "#0f172a")}">{_e(cell.text)}</td>'
                if cell else "<td>n/a</td>" for cell in r.cells)
            rows.append(f"<tr><td><b>{_e(r.team)}</b></td><td>{r.accounts:,}</td>{cells}</tr>")
        parts.append("<h2>Teams: better or worse than their own accounts predict?</h2>"
                     '<p class="basis">Actual minus expected, with 95% intervals: each team against what its accounts '
                     "(size, segment, region) and activity mix predict.</p>"
                     f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
                     + "".join(f"<p>{_e(x)}</p>" for x in t.takeaways))
    head = "".join(f"<th>{h}</th>" for h in ("Outcome", "Last 12 months", "Realistic target", "A modest step",
                                              "Associated activity change"))
    rows = "".join(f"<tr><td><b>{_e(p.label)}</b></td><td>{_e(p.last_12)}</td><td>{_e(p.target)}</td>"
                   f"<td>{_e(p.step)}</td><td>{_e(p.change)}</td></tr>" for p in c.plan)
    parts.append('<h2 style="margin-top:6mm">Plan: a realistic target, and what a modest step takes</h2>'
                 '<p class="basis">Targets from the last 12 months of history; the step is planned on each outcome\'s '
                 "top driver.</p>"
                 f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"
                 f'<p class="caveat">{_e(c.caveat)}</p></section>')
    return "".join(parts)


def _method_and_lineage(c: ReportContent) -> str:
    head = "".join(f"<th>{h}</th>" for h in ("Load", "File", "Kind", "Loaded by", "SHA-256", "Rows loaded / read",
                                             "Dates"))
    rows = "".join(f"<tr><td>{r.load_id}</td><td>{_e(r.file_name)}</td><td>{_e(r.kind.replace('_', ' '))}</td>"
                   f"<td>{_e(r.loaded_by)}</td>"
                   f"<td><code>{_e(r.short_hash)}</code></td><td class=\"num\">{r.rows_loaded:,} / {r.rows_read:,}</td>"
                   f'<td class="num">{_e(r.dates)}</td></tr>' for r in c.lineage)
    return ('<section class="page"><h2>Method and caveats</h2><div class="cols">'
            f"<div><h3>How the numbers were made</h3>{_items(c.method)}</div>"
            f"<div><h3>What they cannot tell you</h3>{_items(c.caveats)}</div></div>"
            '<h2 style="margin-top:6mm">Data lineage: where every number comes from</h2>'
            f'<p class="basis">{len(c.lineage)} active load{"s" if len(c.lineage) != 1 else ""}, in load order.</p>'
            f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"
            f"<p>Data hash <code>{_e(c.data_hash)}</code>: sha256 over these files' hashes and the report's scope "
            f"({_e(c.scope)}; {_e(c.grain)} panel). {_e(c.as_of_note)}</p></section>")


# -- helpers -------------------------------------------------------------------------------------
def _e(text) -> str:
    return escape(str(text), quote=True)


def _lead(text: str, sep: str = ": ") -> str:
    """Bold the text up to the first separator."""
    if sep not in text:
        return _e(text)
    head, rest = text.split(sep, 1)
    return f"<b>{_e(head + sep.rstrip())}</b> {_e(rest)}"


def _items(items) -> str:
    return '<ul class="items">' + "".join(f"<li>{_lead(i)}</li>" for i in items) + "</ul>"


def _img(figure: dict, width_in: float, height_in: float, alt: str, cls: str = "") -> str:
    data = base64.b64encode(charts.png(figure, width_in, height_in, CHART_FONT_PT)).decode("ascii")
    cls_attr = f' class="{cls}"' if cls else ""
    return f'<img{cls_attr} alt="{_e(alt)}" src="data:image/png;base64,{data}">'
