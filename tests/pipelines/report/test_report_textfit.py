"""The text-size estimate the deck lays out with: never narrower than the real font, and not wildly wider."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipelines.report.textfit import Para, em_width, height_of, largest_fitting, wrap

FONTS = Path("/usr/share/fonts/truetype/liberation")  # Liberation Sans: Arial's metrics (fonts-liberation)


def _texts(content) -> list[str]:
    c = content
    return ([f.sentence for o in c.outcomes for f in o.findings] + list(c.summary.drivers) + list(c.summary.busy)
            + [c.summary.recommendation, c.caveat, c.stamp] + [r.file_name for r in c.lineage]
            + [r.short_hash for r in c.lineage] + [p.change for p in c.plan])


@pytest.mark.parametrize("bold", [False, True])
def test_estimate_holds_the_real_font(report_content, bold):
    ImageFont = pytest.importorskip("PIL.ImageFont")
    path = FONTS / ("LiberationSans-Bold.ttf" if bold else "LiberationSans-Regular.ttf")
    if not path.exists():
        pytest.skip("Liberation Sans is not installed")
    font = ImageFont.truetype(str(path), 100)
    for text in _texts(report_content):
        measured = font.getlength(text) / 100
        assert measured <= em_width(text, bold) <= 1.2 * measured, text
        for line in wrap(text, 5.0, 16, bold):  # every wrapped line fits the box it was wrapped for
            assert font.getlength(line) / 100 * 16 <= (5.0 - 0.1) * 72, line


def test_height_grows_with_text_and_size():
    short, long_ = Para("one two three", 16), Para("one two three " * 30, 16)
    assert height_of([short], 4.0) < height_of([long_], 4.0)
    assert height_of([long_], 4.0) > height_of([long_], 8.0)
    assert height_of([Para("x", 20)], 4.0) > height_of([Para("x", 14)], 4.0)
    assert largest_fitting(lambda z: [Para("one two three " * 10, z)], 4.0, 1.0, (20, 16, 14)) == 14
    assert largest_fitting(lambda z: [Para("one two three " * 50, z)], 4.0, 1.0, (20, 16, 14)) is None
    assert wrap("a " * 3 + "\n" + "b", 4.0, 14) == ["a a a", "b"]
