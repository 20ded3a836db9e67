"""Plotly figures as PNG bytes through kaleido (Chromium), sized so their type reads at a chosen point size.

The figures come from pipelines.figures, the same builders the pages use, as plain JSON in the
report content; here they only get a size, a type size, no title (the slide or heading says it)
and the legend on top. Kaleido's server starts once per process (about 2 s, then 0.2-0.3 s per
figure); the CLI stops it when done. Nothing is fetched from the network: MathJax is off and
plotly.js comes from the installed plotly package.
"""

from __future__ import annotations

import atexit
import copy
import textwrap
import threading

import kaleido
from kaleido.errors import ChromeNotFoundError

from pipelines.errors import PayoffError

CHART_FONT_PX = 16  # type size inside the chart canvas, in CSS pixels
TARGET_DPI = 200  # output resolution of the PNG at its placed size
AXIS_LABEL_ROOM_PX = 140  # tick labels beside an axis take about this much of the canvas
TITLE_CHAR_EM = 0.55  # a generous average character width for axis titles
_STARTED: list[bool] = []  # whether this process's kaleido server is running
_RENDER_LOCK = threading.Lock()  # kaleido's one sync server answers one caller at a time (the dashboard has many)


def png(figure: dict, width_in: float, height_in: float, font_pt: float) -> bytes:
    """The figure as a PNG that, placed at width_in × height_in, shows its text at about font_pt points."""
    px_per_in = 72.0 * CHART_FONT_PX / font_pt
    width, height = round(width_in * px_per_in), round(height_in * px_per_in)
    fig = copy.deepcopy(figure)
    layout = fig.setdefault("layout", {})
    layout.update(width=width, height=height, title=None,
                  font={**layout.get("font", {}), "size": CHART_FONT_PX},
                  margin={"l": 10, "r": 20, "t": 40, "b": 10, "pad": 2},
                  legend={**layout.get("legend", {}), "orientation": "h", "yanchor": "bottom", "y": 1.01,
                          "x": 0, "xanchor": "left", "font": {"size": CHART_FONT_PX}})
    _wrap_axis_titles(layout, width, height)
    for ann in layout.get("annotations", []) or []:
        ann.setdefault("font", {})["size"] = CHART_FONT_PX
    opts = {"format": "png", "width": width, "height": height, "scale": TARGET_DPI / px_per_in}
    with _RENDER_LOCK:
        try:
            if not _STARTED:
                kaleido.start_sync_server(mathjax=False, silence_warnings=True)
                _STARTED.append(True)
                atexit.register(stop)  # close the browser and its profile folder when the process ends
            return kaleido.calc_fig_sync(fig, opts=opts)
        except ChromeNotFoundError as exc:
            raise PayoffError("charts are drawn by Chromium, which is not installed: apt-get install chromium") from exc


def _wrap_axis_titles(layout: dict, width: int, height: int) -> None:
    """Break axis titles that would not fit along their axis onto more lines (plotly clips them otherwise)."""
    for key, length in (("xaxis", width), ("yaxis", height)):
        title = (layout.get(key) or {}).get("title")
        text = title.get("text") if isinstance(title, dict) else None
        if text and "<br>" not in text:
            room = max(int((length - AXIS_LABEL_ROOM_PX) / (CHART_FONT_PX * TITLE_CHAR_EM)), 10)
            title["text"] = "<br>".join(textwrap.wrap(text, room))


def stop() -> None:
    """Close kaleido's browser (call once a process has drawn its last chart)."""
    with _RENDER_LOCK:
        if _STARTED:
            kaleido.stop_sync_server(silence_warnings=True)
            _STARTED.clear()
