"""Chart builders: the legend names every colour, close labels go apart, projector type is large."""

from __future__ import annotations

from pipelines import figures, snapshot
from pipelines.db import opened
from pipelines.stats import verdicts


def test_labels_of_points_close_together_take_different_sides():
    places = figures._label_places([(28.8, 0.1), (29.2, -0.3), (29.0, 0.0), (9.0, 4.7), (13.5, 0.2)])
    assert len(set(places[:3])) == 3  # the three crowded on the right
    assert places[3] == places[4] == "top center"  # alone: above the point


def test_busy_chart_has_a_trace_and_legend_entry_per_verdict_shown(demo_db):
    with opened(demo_db) as con:
        revenue = snapshot.stored(con).result("recognized_revenue")
    fig = figures.busy_vs_effective(revenue)
    names = [t.name for t in fig.data]
    shown = {verdicts.base(f.verdict) for f in revenue.findings if f.judged}
    assert set(names) == shown and names == [v for v in verdicts.ORDER if v in shown]
    assert fig.layout.showlegend
    assert fig.layout.xaxis.title.text and fig.layout.yaxis.title.text


def test_projector_charts_use_large_ticks():
    fig = figures.for_projector(figures.go.Figure(figures.go.Bar(x=[1, 2], y=[3, 4])), 380)
    assert fig.layout.xaxis.tickfont.size == fig.layout.yaxis.tickfont.size == figures.PROJECTOR_TICK_SIZE
    assert fig.layout.height == 380


def test_a_raw_effect_off_the_forests_axis_is_written_clear_of_every_interval(demo_db):
    with opened(demo_db) as con:
        revenue = snapshot.stored(con).result("recognized_revenue")
    fig = figures.driver_forest(revenue)
    judged = [f for f in revenue.findings if f.judged]
    top = max(f.effect.high for f in judged)
    bottom = min(min(f.effect.low for f in judged), 0.0)
    arrows = [t for t in fig.data if t.mode == "markers+text"]
    assert arrows, "the demo's size-confounded activities have raw effects far beyond the adjusted intervals"
    lo, hi = fig.layout.xaxis.range
    for x, text in zip(arrows[0].x, arrows[0].text):
        assert x in (lo, hi) and text.startswith("raw ")
        if x == hi:  # the value is written to the arrow's left, in the room kept past the highest interval
            assert hi - top >= figures.RAW_MARGIN * (top - bottom)
