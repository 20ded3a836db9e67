"""The leadership deck: a 16:9 PowerPoint laid out by hand, readable from the back of a room.

Every shape is placed here for 13.333 × 7.5 in (the default template's placeholders sit at 4:3
positions). Body text is 14 pt or more, titles 28 pt or more; each text box gets the largest size
at which textfit's estimate says it fits, and long lists split onto a continuation slide rather
than shrink. Every slide carries the frozen stamp (as-of date, data hash, scope) in its footer.
The file is reproducible: core properties and zip entry times come from the as-of date, so the
same content gives the same bytes.
"""

from __future__ import annotations

import functools
import io
import zipfile
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.enum.shapes import MSO_CONNECTOR, MSO_SHAPE
from pptx.enum.text import MSO_ANCHOR, MSO_AUTO_SIZE, PP_ALIGN
from pptx.oxml.ns import qn
from pptx.util import Inches, Pt

from pipelines.report import charts
from pipelines.report.content import ReportContent
from pipelines.report.textfit import (INSET_X, INSET_Y, Para, fits, height_of, largest_fitting, line_count,
                                      text_width)
from pipelines.stats.sentences import plural

SLIDE_W, SLIDE_H = 13.333, 7.5  # inches: 16:9
MARGIN = 0.6  # left and right page margin
CONTENT_W = SLIDE_W - 2 * MARGIN
GUTTER = 0.3  # between two columns
TITLE_TOP, TITLE_H = 0.3, 1.05  # room for one title line at 32 pt or two at 28 pt
SUB_TOP, SUB_H = 1.35, 0.55  # an optional line under the title: 16 pt, or 14 pt when 16 would wrap
BODY_TOP, BODY_TOP_WITH_SUB = 1.5, 1.95  # where the body starts without and with a subtitle
BODY_BOTTOM = 6.8  # nothing but the footer below this
FOOTER_RULE, FOOTER_TOP, FOOTER_H = 6.92, 7.0, 0.34
TITLE_SIZES = (32, 30, 28)  # titles never below 28 pt
BODY_SIZES = (20, 18, 16, 14)  # body text never below 14 pt
SENTENCE_SIZES = (16, 14)
FOOTER_SIZE = 12  # the stamp and page number: small by design, not body text
FONT = "Arial"  # in every Office install; LibreOffice maps it to the metric-compatible Liberation Sans
INK, MUTED, ACCENT, RULE = "0F172A", "475569", "2563EB", "CBD5E1"
HEADER_FILL, ROW_FILL, ALT_FILL = "E2E8F0", "FFFFFF", "F8FAFC"
CAVEAT_FILL, CAVEAT_BAR, REC_FILL = "FEF3C7", "F59E0B", "EFF6FF"
VERDICT_TEXT = {"above expectation": "15803D", "below expectation": "B91C1C"}
TABLE_SIZES = (18, 16, 14)
FINDING_GAP_PT = 12  # space after each sentence, before the next finding's badge
AFTER_GAP = 0.3  # inches between a table and the text under it
REC_PAD = 0.15  # inches of padding inside the recommendation panel
SUMMARY_GAP = 0.3  # inches between the summary columns and the recommendation
WIDTH_STEP = 0.05  # inches: how finely a table column's width is searched
MAX_CELL_LINES = 12  # table rows are tried at 1 to this many lines; beyond it columns keep their minimum width
CHART_FONT_PT = 14  # chart type, as placed on the slide
TIMING_CHART_H = 3.6  # inches: the lag and curve charts; their captions get the rest of the slide
MIN_ZIP_YEAR = 1980  # zip timestamps start in 1980


@dataclass(frozen=True)
class _P:
    """A paragraph to set: its estimate, colour, and a bold lead-in (the first characters of para.text)."""

    para: Para
    color: str = INK
    lead: str = ""
    align: str = "left"


# -- public --------------------------------------------------------------------------------------
def build_deck(content: ReportContent) -> Presentation:
    """The deck as a python-pptx Presentation (slides in presentation order, footers stamped)."""
    prs = Presentation()
    prs.slide_width, prs.slide_height = Inches(SLIDE_W), Inches(SLIDE_H)
    _title_slide(prs, content)
    _summary_slide(prs, content)
    for section in content.outcomes:
        _outcome_slides(prs, section)
    _timing_slides(prs, content.timing)
    if content.teams is not None:
        _teams_slides(prs, content)
    _plan_slide(prs, content)
    _method_slide(prs, content)
    _lineage_slides(prs, content)
    total = len(prs.slides)
    for i, slide in enumerate(prs.slides, start=1):
        _footer(slide, content.stamp, f"{i} / {total}")
    _properties(prs, content)
    return prs


def deck_bytes(content: ReportContent) -> bytes:
    """The .pptx file's bytes, identical for identical content."""
    return _deck(content)[0]


def write_deck(content: ReportContent, path: str | Path) -> int:
    """Write the deck; returns the number of slides."""
    data, n_slides = _deck(content)
    Path(path).write_bytes(data)
    return n_slides


def _deck(content: ReportContent) -> tuple[bytes, int]:
    prs = build_deck(content)
    buffer = io.BytesIO()
    prs.save(buffer)
    return _normalised_zip(buffer.getvalue(), _as_of_datetime(content)), len(prs.slides)


# -- slides --------------------------------------------------------------------------------------
def _title_slide(prs, content: ReportContent) -> None:
    slide = _slide(prs, content.title, top=2.0, height=1.5, sizes=(44, 40, 36), indent=0.35)
    _rect(slide, MARGIN, 2.05, 0.12, 3.3, ACCENT)
    lines = [
        _P(Para(f"Data {content.period} · as of {content.as_of_text}" if content.as_of else
                "Undated records: activity and outcome in the same row", 24, True, 10)),
        _P(Para(f"{content.n_accounts:,} accounts · {content.n_activities:,} logged activities · "
                f"{len(content.outcomes)} outcome{'s' if len(content.outcomes) != 1 else ''}: "
                f"{', '.join(o.label.lower() for o in content.outcomes)}", 20, False, 10), MUTED),
        _P(Para(f"Scope: {content.scope}", 20, False, 0), MUTED),
    ]
    _box(slide, MARGIN + 0.35, 3.6, CONTENT_W - 0.35, 1.8, lines, "subtitle")


def _summary_slide(prs, content: ReportContent) -> None:
    """What pays off and what is busy-work side by side, the recommendation across the bottom, at one size."""
    slide = _slide(prs, "Executive summary")
    s = content.summary
    col_w = (CONTENT_W - GUTTER) / 2
    rec_w = CONTENT_W - 0.5
    blocks = [("Associated with better outcomes", s.drivers), ("Busy, but not paying off", s.busy)]

    def rec(size):
        return [_P(Para("The recommendation the data support best", size + 2, True, 6), ACCENT),
                _P(Para(s.recommendation, size), lead=s.recommendation.split(". ")[0] + ".")]

    def rec_height(size):
        return height_of([p.para for p in rec(size)], rec_w) + 2 * REC_PAD

    for size in BODY_SIZES:
        col_h = BODY_BOTTOM - rec_height(size) - SUMMARY_GAP - BODY_TOP
        columns = _columns(blocks, col_w, col_h, "more on the outcome slides", sizes=(size,))
        if columns is not None:
            break
    else:
        size = BODY_SIZES[-1]
        col_h = BODY_BOTTOM - rec_height(size) - SUMMARY_GAP - BODY_TOP
        columns = _columns(blocks, col_w, col_h, "more on the outcome slides")
    for i, (paras, name) in enumerate(zip(columns, ("summary_drivers", "summary_busy"))):
        _box(slide, MARGIN + i * (col_w + GUTTER), BODY_TOP, col_w, col_h, paras, name)
    rec_h = rec_height(size)
    rec_top = BODY_BOTTOM - rec_h
    _rect(slide, MARGIN, rec_top, CONTENT_W, rec_h, REC_FILL)
    _rect(slide, MARGIN, rec_top, 0.1, rec_h, ACCENT)
    _box(slide, MARGIN + 0.3, rec_top + REC_PAD, rec_w, rec_h - 2 * REC_PAD, rec(size), "recommendation",
         anchor="middle")


def _outcome_slides(prs, section) -> None:
    """The forest chart and the first findings; the rest of the sentences on continuation slides.

    Each column is one text box whose paragraphs alternate: the verdict badge, then the engine's sentence.
    """
    chart_w, height = 6.3, BODY_BOTTOM - BODY_TOP_WITH_SUB
    right_x = MARGIN + chart_w + 0.25
    right_w = SLIDE_W - MARGIN - right_x
    wide_w = (CONTENT_W - GUTTER) / 2
    first_cols = [(right_x, right_w)]
    more_cols = [(MARGIN, wide_w), (MARGIN + wide_w + GUTTER, wide_w)]
    findings = list(section.findings)
    size, pages = None, None
    for candidate in SENTENCE_SIZES:  # the largest size that needs no more slides than the smallest
        packed = _pack(findings, candidate, first_cols, more_cols, height)
        if pages is None or len(packed) < len(pages):
            size, pages = candidate, packed
    for n, page in enumerate(pages):
        if n == 0:
            slide = _slide(prs, section.headline)
            if findings:
                _picture(slide, charts.png(section.chart, chart_w, height, CHART_FONT_PT), MARGIN, BODY_TOP_WITH_SUB,
                         chart_w, height, "driver_chart")
            else:  # nothing to chart: say why, across the slide
                notes = [_P(Para(note, 20, False, 8)) for note in section.notes] or \
                    [_P(Para("No activity could be analysed for this outcome.", 20))]
                _box(slide, MARGIN, BODY_TOP_WITH_SUB, CONTENT_W, height, notes, "notes")
        else:
            slide = _slide(prs, f"{section.label}: the other activities" + (" (cont.)" if n > 1 else ""))
        _subtitle(slide, section.basis)
        for column, (x, w) in zip(page, first_cols if n == 0 else more_cols):
            if column:
                _box(slide, x, BODY_TOP_WITH_SUB, w, height, _finding_paras(column, size), "findings")


def _finding_paras(findings, size: float) -> list[_P]:
    out = []
    for f in findings:
        out.append(_P(Para(f"{f.label} · {f.badge}", size, True, 2), f.color.lstrip("#").upper()))
        out.append(_P(Para(f.sentence, size, False, FINDING_GAP_PT)))
    return out


def _timing_slides(prs, timings) -> None:
    """Per top driver: lag profile and response curve side by side, captions at one size across these slides."""
    w = (CONTENT_W - GUTTER) / 2
    chart_top, chart_h = BODY_TOP, TIMING_CHART_H
    cap_top = chart_top + chart_h + 0.15
    cap_h = BODY_BOTTOM - cap_top
    blocks = [[("When it pays off", (t.timing,)), ("How much is enough", (t.returns,))] for t in timings]
    size = next((z for z in BODY_SIZES if all(_columns(b, w, cap_h, "", leads=False, sizes=(z,)) for b in blocks)),
                None)
    for t, block in zip(timings, blocks):
        slide = _slide(prs, f"{t.label}: timing and returns of {plural(t.activity_label)}")
        for i, (figure, name) in enumerate(((t.lag_chart, "lag_chart"), (t.curve_chart, "curve_chart"))):
            if figure is not None:
                _picture(slide, charts.png(figure, w, chart_h, CHART_FONT_PT), MARGIN + i * (w + GUTTER), chart_top,
                         w, chart_h, name)
        captions = _columns(block, w, cap_h, "", leads=False, sizes=(size,) if size else None)
        for i, (paras, figure) in enumerate(zip(captions, (t.lag_chart, t.curve_chart))):
            top = cap_top if figure is not None else chart_top  # no chart (undated data): the words move up
            _box(slide, MARGIN + i * (w + GUTTER), top, w, cap_h, paras, "caption")


def _teams_slides(prs, content: ReportContent) -> None:
    teams = content.teams
    title = "Teams: better or worse than their own accounts predict?"
    sub = ("Actual minus expected, with 95% intervals: each team against what its accounts (size, segment, region) "
           "and activity mix predict.")
    header = ["Team", "Accounts"] + [h for _, h in teams.outcomes]
    rows = [[(r.team, INK, True), (f"{r.accounts:,}", INK, False)] +
            [(c.text, VERDICT_TEXT.get(c.verdict, INK), c.verdict != "as expected") if c else ("n/a", MUTED, False)
             for c in r.cells] for r in teams.rows]
    takeaways = [_P(Para(t, 16, False, 6)) for t in teams.takeaways]
    _table_slides(prs, title, sub, header, rows, "teams_table", takeaways, "takeaways")


def _plan_slide(prs, content: ReportContent) -> None:
    title = "Plan: a realistic target, and what a modest step takes"
    sub = "Targets from the last 12 months of history; the step is planned on each outcome's top driver."
    header = ["Outcome", "Last 12 months", "Realistic target", "A modest step", "Associated activity change"]
    rows = [[(p.label, INK, True), (p.last_12, INK, False), (p.target, INK, False), (p.step, INK, False),
             (p.change, INK, False)] for p in content.plan]
    _table_slides(prs, title, sub, header, rows, "plan_table", [_P(Para(content.caveat, 16))], "caveat",
                  fill=CAVEAT_FILL, bar=CAVEAT_BAR)


def _method_slide(prs, content: ReportContent) -> None:
    slide = _slide(prs, "Method and caveats")
    w = (CONTENT_W - GUTTER) / 2
    h = BODY_BOTTOM - BODY_TOP
    columns = _columns([("How the numbers were made", content.method), ("What they cannot tell you", content.caveats)],
                       w, h, "see the README's method section")
    for i, (paras, name) in enumerate(zip(columns, ("method", "caveats"))):
        _box(slide, MARGIN + i * (w + GUTTER), BODY_TOP, w, h, paras, name)


def _lineage_slides(prs, content: ReportContent) -> None:
    title = "Data lineage: where every number comes from"
    sub = f"{len(content.lineage)} active load{'s' if len(content.lineage) != 1 else ''}, in load order"
    header = ["Load", "File", "Kind", "Loaded by", "SHA-256", "Rows loaded / read", "Dates"]
    rows = [[(str(r.load_id), INK, False), (r.file_name, INK, False), (r.kind.replace("_", " "), INK, False),
             (r.loaded_by, INK, False), (r.short_hash, INK, False), (f"{r.rows_loaded:,} / {r.rows_read:,}", INK, False),
             (r.dates, INK, False)]
            for r in content.lineage]
    note = [_P(Para(f"Data hash {content.data_hash[:32]}…: sha256 over these files' hashes and the report's scope "
                    f"({content.scope}; {content.grain} panel). {content.as_of_note}", 14), MUTED)]
    _table_slides(prs, title, sub, header, rows, "lineage_table", note, "note")


# -- layout helpers ------------------------------------------------------------------------------
def _lead(item: str) -> str:
    """The bold lead-in of a summary line: up to the first colon."""
    return item.split(": ", 1)[0] + ":" if ": " in item else ""


def _columns(blocks, width: float, height: float, more: str, *, leads: bool = True,
             sizes: tuple[float, ...] | None = None) -> list[list[_P]] | None:
    """Side-by-side columns (heading + items) at one shared size: the largest at which every column fits.

    With leads, each item's text up to its first colon is bold. Given sizes, only those are tried
    (None when none fits); otherwise the last resort is 14 pt with items dropped from the end.
    """
    def make(size, heading, items):
        return [_P(Para(heading, size + 2, True, 8), ACCENT)] + [
            _P(Para(item, size, False, 8), lead=_lead(item) if leads else "") for item in items]

    for size in sizes or BODY_SIZES:
        if all(fits([p.para for p in make(size, h, items)], width, height) for h, items in blocks):
            return [make(size, h, items) for h, items in blocks]
    if sizes is not None:
        return None
    return [_shortened(lambda z, h=h, items=items: make(z, h, items), len(items), width, height, more)
            for h, items in blocks]


def _shortened(make, n_items: int, width: float, height: float, more: str) -> list[_P]:
    """At 14 pt, drop items from the end until heading + items + '… and N more' fit."""
    full = make(14)
    if fits([p.para for p in full], width, height):
        return full
    for keep in range(n_items - 1, -1, -1):
        extra = _P(Para(f"… and {n_items - keep} more: {more}.", 14), MUTED)
        paras = full[:1 + keep] + [extra]
        if fits([p.para for p in paras], width, height):
            return paras
    return full[:1]


def _pack(findings, size: float, first_cols, more_cols, height: float) -> list[list[list]]:
    """Findings into columns, in order: page 1 has the columns beside the chart, later pages two wide ones."""
    pages: list[list[list]] = []
    queue = list(findings)
    while queue or not pages:
        page = []
        for _, w in (first_cols if not pages else more_cols):
            column: list = []
            while queue and (not column or fits([p.para for p in _finding_paras(column + queue[:1], size)], w,
                                                 height)):
                column.append(queue.pop(0))  # an empty column always takes one finding
            page.append(column)
        pages.append(page)
    return pages


def _column_widths(header: list[str], rows: list, size: float, total: float) -> list[float]:
    """Widths that make the table shortest: try every number of lines for the header and for the body rows,
    make each column just wide enough for its cells to take no more, keep the shortest table that fits the
    total width; the slack is shared in proportion."""
    n = len(header)
    heads = [[(header[j], True)] for j in range(n)]
    bodies = [[(r[j][0], r[j][2]) for r in rows] for j in range(n)]
    minimum = [max(text_width(w, size, bold) for text, bold in heads[j] + bodies[j] for w in (text.split() or [""]))
               for j in range(n)]

    @functools.cache
    def width_for(part: str, j: int, lines: int) -> float:
        """The narrowest width (bisected to WIDTH_STEP) at which the column's cells take at most `lines` lines."""
        cells = heads[j] if part == "head" else bodies[j]
        lo, hi = minimum[j], max([minimum[j]] + [text_width(t, size, b) for t, b in cells])
        while hi - lo > WIDTH_STEP:
            mid = (lo + hi) / 2
            if any(line_count(t, mid, size, b) > lines for t, b in cells):
                lo = mid
            else:
                hi = mid
        return hi

    def table_height(widths) -> float:
        return sum(max(height_of([Para(t, size, b)], widths[j]) for j, (t, b) in enumerate(row))
                   for row in [[(h, True) for h in header]] + [[(c[0], c[2]) for c in r] for r in rows])

    best = None
    for body_lines in range(1, MAX_CELL_LINES + 1):
        for head_lines in (1, 2, 3):
            widths = [max(width_for("body", j, body_lines), width_for("head", j, head_lines)) for j in range(n)]
            if sum(widths) <= total:
                key = table_height(widths)
                if best is None or key < best[0] - 1e-9:
                    best = (key, widths)
    widths = best[1] if best else minimum
    return [w * total / sum(widths) for w in widths]


def _table_slides(prs, title: str, sub: str, header: list[str], rows: list, name: str, after: list[_P],
                  after_name: str, *, fill: str | None = None, bar: str | None = None) -> None:
    """A table under the subtitle and a text block under it; the largest size that fits, rows split over slides
    when even 14 pt does not."""
    after_w = CONTENT_W - (0.5 if fill else 0.0)
    after_h = height_of([p.para for p in after], after_w) + (0.2 if fill else 0.0)
    avail = BODY_BOTTOM - BODY_TOP_WITH_SUB - after_h - AFTER_GAP

    def layout(size):
        widths = _column_widths(header, rows, size, CONTENT_W)
        head = _row_height([(h, INK, True) for h in header], widths, size)
        return widths, head, [_row_height(r, widths, size) for r in rows]

    for size in TABLE_SIZES:
        widths, head, body = layout(size)
        if head + sum(body) <= avail:
            chunks = [list(range(len(rows)))]
            break
    else:
        chunks, current, used = [], [], head
        for i, h in enumerate(body):
            if current and used + h > avail:
                chunks.append(current)
                current, used = [], head
            current.append(i)
            used += h
        chunks.append(current)
    for n, chunk in enumerate(chunks):
        slide = _slide(prs, title + (" (cont.)" if n else ""))
        _subtitle(slide, sub)
        total_h = head + sum(body[i] for i in chunk)
        frame = slide.shapes.add_table(len(chunk) + 1, len(header), Inches(MARGIN), Inches(BODY_TOP_WITH_SUB),
                                       Inches(sum(widths)), Inches(total_h))
        frame.name = name
        table = frame.table
        table.first_row = True
        table.horz_banding = False
        for j, w in enumerate(widths):
            table.columns[j].width = Inches(w)
        table.rows[0].height = Inches(head)
        for j, text in enumerate(header):
            _cell(table.cell(0, j), text, size, INK, True, HEADER_FILL)
        for k, i in enumerate(chunk, start=1):
            table.rows[k].height = Inches(body[i])
            for j, (text, color, bold) in enumerate(rows[i]):
                _cell(table.cell(k, j), text, size, color, bold, ALT_FILL if k % 2 == 0 else ROW_FILL)
        top = BODY_TOP_WITH_SUB + total_h + AFTER_GAP
        if fill:
            _rect(slide, MARGIN, top, CONTENT_W, after_h, fill)
            _rect(slide, MARGIN, top, 0.1, after_h, bar or fill)
            _box(slide, MARGIN + 0.3, top + 0.1, after_w, after_h - 0.2, after, after_name, anchor="middle")
        else:
            _box(slide, MARGIN, top, after_w, after_h, after, after_name)


def _row_height(cells, widths, size) -> float:
    return max(height_of([Para(text, size, bold)], w) for (text, _, bold), w in zip(cells, widths))


def _cell(cell, text: str, size: float, color: str, bold: bool, fill: str) -> None:
    cell.margin_left = cell.margin_right = Inches(INSET_X)
    cell.margin_top = cell.margin_bottom = Inches(INSET_Y)
    cell.vertical_anchor = MSO_ANCHOR.TOP
    cell.fill.solid()
    cell.fill.fore_color.rgb = RGBColor.from_string(fill)
    tf = cell.text_frame
    tf.word_wrap = True
    p = tf.paragraphs[0]
    run = p.add_run()
    run.text = text
    _font(run, size, bold, color)


def _slide(prs, title: str, *, top: float = TITLE_TOP, height: float = TITLE_H, sizes=TITLE_SIZES,
           indent: float = 0.0):
    """A 'Title Only' slide with its title placed for 16:9 at the largest size that fits."""
    slide = prs.slides.add_slide(prs.slide_layouts[5])
    shape = slide.shapes.title
    width = CONTENT_W - indent
    shape.left, shape.top, shape.width, shape.height = (Inches(MARGIN + indent), Inches(top), Inches(width),
                                                        Inches(height))
    size = largest_fitting(lambda z: [Para(title, z, True)], width, height, sizes) or sizes[-1]
    tf = shape.text_frame
    _frame(tf, anchor="bottom")
    tf.text = ""
    p = tf.paragraphs[0]
    p.alignment = PP_ALIGN.LEFT
    run = p.add_run()
    run.text = title
    _font(run, size, True, INK)
    return slide


def _subtitle(slide, text: str) -> None:
    size = largest_fitting(lambda z: [Para(text, z)], CONTENT_W, SUB_H, (16, 14)) or 14
    _box(slide, MARGIN, SUB_TOP, CONTENT_W, SUB_H, [_P(Para(text, size), MUTED)], "subtitle")


def _box(slide, left: float, top: float, width: float, height: float, paras: list[_P], name: str,
         anchor: str = "top"):
    shape = slide.shapes.add_textbox(Inches(left), Inches(top), Inches(width), Inches(height))
    shape.name = name
    tf = shape.text_frame
    _frame(tf, anchor)
    for i, item in enumerate(paras):
        p = tf.paragraphs[0] if i == 0 else tf.add_paragraph()
        p.alignment = {"left": PP_ALIGN.LEFT, "right": PP_ALIGN.RIGHT}[item.align]
        if item.para.space_after:
            p.space_after = Pt(item.para.space_after)
        text, lead = item.para.text, item.lead
        if lead and text.startswith(lead):
            _font(_run(p, lead), item.para.size, True, item.color)
            text = text[len(lead):]
        if text:
            _font(_run(p, text), item.para.size, item.para.bold, item.color)
    return shape


def _run(paragraph, text: str):
    run = paragraph.add_run()
    run.text = text
    return run


def _frame(tf, anchor: str = "top") -> None:
    tf.word_wrap = True
    tf.auto_size = MSO_AUTO_SIZE.NONE
    tf.margin_left = tf.margin_right = Inches(INSET_X)
    tf.margin_top = tf.margin_bottom = Inches(INSET_Y)
    tf.vertical_anchor = {"top": MSO_ANCHOR.TOP, "middle": MSO_ANCHOR.MIDDLE, "bottom": MSO_ANCHOR.BOTTOM}[anchor]


def _font(run, size: float, bold: bool, color: str) -> None:
    run.font.name = FONT
    run.font.size = Pt(size)
    run.font.bold = bold
    run.font.color.rgb = RGBColor.from_string(color)


def _rect(slide, left: float, top: float, width: float, height: float, fill: str):
    shape = slide.shapes.add_shape(MSO_SHAPE.RECTANGLE, Inches(left), Inches(top), Inches(width), Inches(height))
    shape.fill.solid()
    shape.fill.fore_color.rgb = RGBColor.from_string(fill)
    shape.line.fill.background()
    style = shape._element.find(qn("p:style"))  # the theme's style would add a shadow and an outline
    if style is not None:
        shape._element.remove(style)
    shape.name = "decoration"
    return shape


def _picture(slide, png: bytes, left: float, top: float, width: float, height: float, name: str) -> None:
    pic = slide.shapes.add_picture(io.BytesIO(png), Inches(left), Inches(top), Inches(width), Inches(height))
    pic.name = name


def _footer(slide, stamp: str, page: str) -> None:
    line = slide.shapes.add_connector(MSO_CONNECTOR.STRAIGHT, Inches(MARGIN), Inches(FOOTER_RULE),
                                      Inches(SLIDE_W - MARGIN), Inches(FOOTER_RULE))
    line.line.color.rgb = RGBColor.from_string(RULE)
    line.line.width = Pt(0.75)
    line.name = "footer_rule"
    page_w = 1.3
    stamp_w = CONTENT_W - page_w
    text = stamp
    while line_count(text, stamp_w, FOOTER_SIZE) > 1:  # a long scope is cut; the title slide shows it whole
        text = text[:-2].rstrip() + "…"
    _box(slide, MARGIN, FOOTER_TOP, stamp_w, FOOTER_H, [_P(Para(text, FOOTER_SIZE), MUTED)], "footer")
    _box(slide, SLIDE_W - MARGIN - page_w, FOOTER_TOP, page_w, FOOTER_H,
         [_P(Para(page, FOOTER_SIZE), MUTED, align="right")], "page_number")


def _as_of_datetime(content: ReportContent) -> datetime:
    d = content.as_of or date(MIN_ZIP_YEAR, 1, 1)  # undated data: a fixed date, still never 'now'
    return datetime(max(d.year, MIN_ZIP_YEAR), d.month, d.day)


def _properties(prs, content: ReportContent) -> None:
    """Document properties from the content, dated at the as-of date (never 'now')."""
    cp = prs.core_properties
    when = _as_of_datetime(content)
    cp.title = content.title
    cp.subject = f"Data {content.period}, as of {content.as_of_text}"
    cp.author = cp.last_modified_by = "Payoff"
    cp.keywords = f"data {content.data_hash}"
    cp.comments = content.stamp
    cp.category = "Leadership review"
    cp.created = cp.modified = cp.last_printed = when
    cp.revision = 1


def _normalised_zip(data: bytes, when: datetime) -> bytes:
    """Re-pack the .pptx with every entry dated `when`, so equal content gives equal bytes."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    stamp = (when.year, when.month, when.day, 0, 0, 0)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=stamp)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = info.external_attr
            dst.writestr(entry, src.read(info.filename))
    return out.getvalue()
