"""The leadership deck read back with python-pptx: 16:9, titles in order, real PNG charts, the engine's own
sentences, type sizes a room can read, nothing overflowing its box, a stamped footer, and reproducible bytes."""

from __future__ import annotations

import io
import zipfile
from datetime import datetime

import pytest
from pptx import Presentation
from pptx.enum.shapes import MSO_SHAPE_TYPE
from pptx.util import Emu, Inches

from pipelines.db import connect
from pipelines.report import build_content
from pipelines.report.deck import FOOTER_RULE, FOOTER_SIZE, deck_bytes
from pipelines.report.textfit import INSET_Y, Para, height_of
from pipelines.stats.drivers import analyze
from pipelines.stats.sentences import plural

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
FOOTER_SHAPES = {"footer", "page_number", "footer_rule"}
MIN_BODY_PT, MIN_TITLE_PT = 14, 28
EMU_PER_INCH = 914400


@pytest.fixture(scope="module")
def deck_data(report_content) -> bytes:
    return deck_bytes(report_content)


@pytest.fixture(scope="module")
def deck(deck_data):
    return Presentation(io.BytesIO(deck_data))


@pytest.fixture(scope="module")
def engine_json(report_db) -> list[dict]:
    con = connect(report_db, read_only=True)
    try:
        return [r.to_json() for r in analyze(con)]
    finally:
        con.close()


def _title(slide) -> str:
    return slide.shapes.title.text_frame.text


def _inches(emu) -> float:
    return Emu(emu).inches


def _paras(text_frame) -> list[Para]:
    """The paragraphs of a text frame as the size estimate sees them."""
    out = []
    for p in text_frame.paragraphs:
        runs = [r for r in p.runs if r.text]
        if not runs:
            continue
        out.append(Para(p.text, max(r.font.size.pt for r in runs), all(r.font.bold for r in runs),
                        p.space_after.pt if p.space_after is not None else 0.0))
    return out


def test_slide_size_is_16_by_9(deck):
    assert deck.slide_width == Inches(13.333)
    assert deck.slide_height == Inches(7.5)
    assert deck.slide_width / deck.slide_height == pytest.approx(16 / 9, rel=1e-3)


def test_slides_are_the_review_in_order(deck, report_content):
    c = report_content
    expected = [c.title, "Executive summary"]
    for o in c.outcomes:  # six activities each: the chart slide and one slide for the other activities
        expected += [o.headline, f"{o.label}: the other activities"]
    expected += [f"{t.label}: timing and returns of {plural(t.activity_label)}" for t in c.timing]
    expected += ["Teams: better or worse than their own accounts predict?",
                 "Plan: a realistic target, and what a modest step takes",
                 "Method and caveats",
                 "Data lineage: where every number comes from"]
    assert [_title(s) for s in deck.slides] == expected
    assert len(deck.slides) == 15
    assert [o.outcome for o in c.outcomes] == ["recognized_revenue", "renewed", "referrals"]  # money, retention, counts
    assert [t.activity_label for t in c.timing] == ["Training", "Business Review", "Meeting"]


def test_every_picture_is_a_real_png(deck):
    pictures = [shape for slide in deck.slides for shape in slide.shapes if shape.shape_type == MSO_SHAPE_TYPE.PICTURE]
    assert len(pictures) == 3 + 3 * 2  # a driver chart per outcome, lag and curve per top driver
    for pic in pictures:
        blob = pic.image.blob
        assert blob[:8] == PNG_SIGNATURE
        assert pic.image.content_type == "image/png"
        width_px, _ = pic.image.size
        assert width_px / _inches(pic.width) >= 150  # sharp enough for a projector


def test_outcome_slides_say_exactly_the_engines_sentences(deck, report_content, engine_json):
    by_title = {}
    for o in report_content.outcomes:
        by_title[o.headline] = o.outcome
        by_title[f"{o.label}: the other activities"] = o.outcome
    shown: dict[str, list[str]] = {}
    for slide in deck.slides:
        boxes = [s for s in slide.shapes if s.name == "findings"]
        if not boxes:
            continue
        outcome = by_title[_title(slide)]
        for box in boxes:
            paragraphs = [p.text for p in box.text_frame.paragraphs]
            shown.setdefault(outcome, []).extend(paragraphs[1::2])  # badge, sentence, badge, sentence ...
    assert shown == {o["outcome"]: [a["sentence"] for a in o["activities"]] for o in engine_json}


def test_type_is_readable_from_the_back_of_the_room(deck):
    for slide in deck.slides:
        for shape in slide.shapes:
            if shape == slide.shapes.title:
                assert all(r.font.size.pt >= MIN_TITLE_PT for p in shape.text_frame.paragraphs for r in p.runs)
            elif shape.name in FOOTER_SHAPES and shape.has_text_frame:
                assert all(r.font.size.pt == FOOTER_SIZE for p in shape.text_frame.paragraphs for r in p.runs)
            elif shape.has_text_frame and shape.name not in FOOTER_SHAPES:
                assert all(r.font.size.pt >= MIN_BODY_PT for p in shape.text_frame.paragraphs for r in p.runs), \
                    (_title(slide), shape.name)
            elif shape.has_table:
                for row in shape.table.rows:
                    for cell in row.cells:
                        assert all(r.font.size.pt >= MIN_BODY_PT for p in cell.text_frame.paragraphs for r in p.runs)


def test_no_text_overflows_its_box(deck):
    for slide in deck.slides:
        for shape in slide.shapes:
            where = (_title(slide), shape.name)
            assert shape.left >= 0 and shape.top >= 0, where
            assert shape.left + shape.width <= deck.slide_width and shape.top + shape.height <= deck.slide_height
            if shape.name not in FOOTER_SHAPES:  # nothing runs into the footer
                assert _inches(shape.top + shape.height) <= FOOTER_RULE + 1e-6, where
            if shape.has_text_frame:
                paras = _paras(shape.text_frame)
                if paras:
                    assert height_of(paras, _inches(shape.width)) <= _inches(shape.height) + 1e-4, where
            if shape.has_table:
                table = shape.table
                for row in table.rows:
                    for j, cell in enumerate(row.cells):
                        paras = _paras(cell.text_frame)
                        assert height_of(paras, _inches(table.columns[j].width)) <= _inches(row.height) + 1e-4, \
                            (where, cell.text)
                assert sum(r.height for r in table.rows) == shape.height


def test_every_slide_carries_the_frozen_stamp(deck, report_content):
    stamp = f"As of {report_content.as_of:%d %b %Y} · data {report_content.short_hash}"
    n = len(deck.slides)
    for i, slide in enumerate(deck.slides, start=1):
        names = {s.name: s for s in slide.shapes}
        assert names["footer"].text_frame.text.startswith(stamp)
        assert names["page_number"].text_frame.text == f"{i} / {n}"
    assert report_content.as_of.isoformat() == "2025-12-31"  # the latest date in the sample data, not today
    assert INSET_Y > 0


def test_document_dates_come_from_the_data(deck, report_content):
    cp = deck.core_properties
    as_of = datetime(2025, 12, 31)
    assert cp.created == cp.modified == cp.last_printed == as_of
    assert report_content.data_hash in cp.keywords


def test_same_database_same_deck(report_db, report_content, deck_data):
    con = connect(report_db, read_only=True)
    try:
        again = build_content(con)
    finally:
        con.close()
    assert again == report_content
    second = deck_bytes(again)
    first_zip, second_zip = zipfile.ZipFile(io.BytesIO(deck_data)), zipfile.ZipFile(io.BytesIO(second))
    assert first_zip.namelist() == second_zip.namelist()
    for name in first_zip.namelist():  # slide XML, charts and document properties alike
        assert first_zip.read(name) == second_zip.read(name), name
    assert second == deck_data  # zip entries are dated from the data too: the very same bytes


def test_the_summary_names_every_driver_and_never_calls_one_busy_work(report_content, engine_json):
    """The deck's summary and the engine agree: each outcome's drivers are written out or named ('and N more'),
    and an activity that pays off for any outcome is not listed as busy-work."""
    text = " ".join(report_content.summary.drivers).lower()
    busy = " ".join(report_content.summary.busy).lower()
    drivers = {a["label"] for o in engine_json for a in o["activities"] if a["verdict"] in ("driver", "saturated")}
    assert drivers  # the sample has planted drivers
    for label in drivers:
        stem = label.lower().rstrip("s")
        assert stem in text, label
        assert stem not in busy, label
