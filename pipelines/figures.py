"""Pure Plotly builders: a tidy frame in, a Figure out. Pages and reports draw the same charts."""

from __future__ import annotations

import textwrap

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

from pipelines.stats import verdicts
from pipelines.stats import sentences
from pipelines.stats.sentences import carry_over_text

PALETTE = ["#2563eb", "#f97316", "#16a34a", "#9333ea", "#dc2626", "#0891b2", "#ca8a04", "#db2777"]
FONT = "Inter, Segoe UI, Helvetica, Arial, sans-serif"
# Every figure starts from this template as its default: naming it on each figure costs a validated deep copy
# (about 20 ms a chart, on every page a server draws); Plotly Express costs 25-50 ms a chart, so none is used.
# The pages draw with Streamlit's theme whatever the template; a chart drawn outside them (the deck, the brief)
# names it, since Streamlit makes its own template the default once a page draws a chart.
TEMPLATE = "plotly_white"
pio.templates.default = TEMPLATE


def _style(fig: go.Figure, title: str | None = None, height: int = 380) -> go.Figure:
    fig.update_layout(
        title=title, height=height, font_family=FONT,
        margin=dict(l=10, r=10, t=50 if title else 20, b=10),
        legend=dict(orientation="h", yanchor="bottom", y=1.0, xanchor="right", x=1, title_text=""),
    )
    return fig


def _per_activity(frame: pd.DataFrame):
    """One trace's colour, rows and labels per activity of a (period, activity, activities) frame, in the
    frame's order: what Plotly Express's color= did, without its cost."""
    for i, (activity, rows) in enumerate(frame.groupby("activity", sort=False)):
        yield PALETTE[i % len(PALETTE)], rows, dict(
            name=str(activity), legendgroup=str(activity),
            hovertemplate=f"{activity}<br>%{{x|%b %Y}}: %{{y:,}}<extra></extra>")


def activity_by_month(frame: pd.DataFrame) -> go.Figure:
    """Stacked monthly activity volume by type: shows gaps and changes in logging."""
    if frame.empty:
        return _style(go.Figure(), "Activities logged per month")
    fig = go.Figure([go.Bar(x=rows["month_on"], y=rows["activities"], marker_color=color, **labels)
                     for color, rows, labels in _per_activity(frame)])
    fig.update_layout(barmode="relative", bargap=0.15)
    fig.update_xaxes(title="Month")
    fig.update_yaxes(title="Activities")
    return _style(fig, "Activities logged per month")


def accounts_by(frame: pd.DataFrame, attribute: str) -> go.Figure:
    """Horizontal bars: accounts per value of one attribute."""
    rows = frame.sort_values("accounts")
    fig = go.Figure(go.Bar(x=rows["accounts"], y=rows["value"].astype(str), orientation="h", marker_color=PALETTE[0],
                           hovertemplate="%{y}: %{x:,} accounts<extra></extra>"))
    fig.update_xaxes(title="Accounts")
    fig.update_yaxes(title=attribute.replace("_", " ").title(), type="category")
    return _style(fig, f"Accounts by {attribute.replace('_', ' ')}", height=max(220, 40 * len(frame) + 80))


VERDICT_COLORS = {
    "driver": "#16a34a", "saturated": "#65a30d", "negative": "#dc2626", "suspect reverse cause": "#9333ea",
    "confounded": "#f97316", "no evidence": "#94a3b8", "evidence of no effect": "#475569",
}


def verdict_color(verdict: str) -> str:
    """The badge colour of a verdict ('confounded by size' is 'confounded')."""
    return VERDICT_COLORS.get(verdicts.base(verdict), "#94a3b8")


def _unit_axis(unit: str) -> str:
    """A unit as an axis title: 'percentage points' -> 'Percentage points'."""
    return unit[:1].upper() + unit[1:]


RAW_MARGIN = 0.3  # the forest's room, as a share of its axis, for a raw effect beyond it: arrow and value


def driver_forest(result) -> go.Figure:
    """Adjusted effect per one more activity with 95% intervals, raw effect beside it, coloured by verdict
    (activities not judged have no effect to draw: their rows say why).

    The axis spans the adjusted intervals: a raw effect far beyond them (between accounts, big accounts
    get more of everything: +180% beside adjusted effects of a few %) would squeeze every interval into a
    dot, so it is drawn at the edge as an arrow with its value written beside it, in a margin of the axis
    kept for it (RAW_MARGIN) so that the label never lies over an interval.
    """
    findings = [f for f in reversed(result.findings) if f.judged]
    fig = go.Figure()
    if not findings:  # no empty axes: a short figure that says so (the slide or section says why)
        fig.update_xaxes(visible=False)
        fig.update_yaxes(visible=False)
        return _style(fig, "No activities to compare", height=120)
    labels = [f.label for f in findings]
    ends = [v for f in findings for v in (f.effect.low, f.effect.high, f.effect.estimate) if np.isfinite(v)] + [0.0]
    lo, hi = min(ends), max(ends)
    pad = 0.12 * (hi - lo or 1.0)
    lo, hi = lo - pad, hi + pad
    raw = np.array([f.raw.estimate for f in findings], dtype=float)
    margin = RAW_MARGIN * (hi - lo)
    lo, hi = lo - margin * bool((raw < lo).any()), hi + margin * bool((raw > hi).any())
    inside = np.isfinite(raw) & (raw >= lo) & (raw <= hi)
    fig.add_trace(go.Scatter(
        x=np.where(inside, raw, np.nan), y=labels, mode="markers", name="Raw (between accounts, no controls)",
        marker=dict(symbol="circle-open", size=11, color="#64748b", line=dict(width=2)),
        hovertemplate="%{y}: raw %{x:.2f}<extra></extra>"))
    beyond = np.isfinite(raw) & ~inside
    if beyond.any():
        fig.add_trace(go.Scatter(
            x=np.where(raw[beyond] > hi, hi, lo), y=[lab for lab, b in zip(labels, beyond) if b], mode="markers+text",
            showlegend=False, text=[f"raw {v:,.0f}" for v in raw[beyond]],
            textposition=["middle left" if v > hi else "middle right" for v in raw[beyond]],
            marker=dict(symbol=["triangle-right" if v > hi else "triangle-left" for v in raw[beyond]], size=12,
                        color="#64748b"),
            textfont=dict(color="#64748b"), hovertemplate="%{y}: %{text}<extra></extra>", cliponaxis=False))
    for verdict in dict.fromkeys(verdicts.base(f.verdict) for f in findings):  # legend entries only: one per
        fig.add_trace(go.Scatter(x=[None], y=[None], mode="markers", name=f"Adjusted: {verdict}",  # colour shown
                                 marker=dict(size=13, color=verdict_color(verdict))))
    fig.add_trace(go.Scatter(
        x=[f.effect.estimate for f in findings], y=labels, mode="markers", showlegend=False,
        marker=dict(size=13, color=[verdict_color(f.verdict) for f in findings]),
        error_x=dict(type="data", symmetric=False, color="#334155", thickness=2,
                     array=[f.effect.high - f.effect.estimate for f in findings],
                     arrayminus=[f.effect.estimate - f.effect.low for f in findings]),
        customdata=[[f.verdict, f.effect.low, f.effect.high] for f in findings],
        hovertemplate="%{y}: %{x:.2f} (95% CI %{customdata[1]:.2f} to %{customdata[2]:.2f})<br>%{customdata[0]}"
                      "<extra></extra>"))
    fig.add_vline(x=0, line_color="#94a3b8", line_dash="dot")
    unit = findings[0].effect.unit
    when = f", {carry_over_text(result.frame)}" if result.design == "per_period" and result.frame is not None else ""
    fig.update_xaxes(title=f"{_unit_axis(unit)} per one more activity{when}", range=[lo, hi])
    return _style(fig, f"What goes with {result.outcome.replace('_', ' ')}", height=120 + 55 * len(findings))


MAP_HEADING_CHARS = 18  # a payoff-map column's 'when' line wraps here: narrow columns do not run into each other
PAYOFF_MAP_LIGHT = ("no evidence", "not judged")  # verdicts whose cells are light: dark text on them


def payoff_map(results) -> go.Figure:
    """Every activity against every outcome at a glance: one cell per pair, coloured by verdict (with a legend),
    holding the adjusted effect per one more activity and its 95% interval. Activities that pay off for the
    most outcomes come first, then the most logged."""
    results = [r for r in results if r.findings]
    fig = go.Figure()
    if not results:
        return _style(fig, "No outcome to show yet")
    found = {}
    for r in results:
        for f in r.findings:
            found.setdefault(f.activity, {"label": f.label, "drivers": 0, "volume": f.volume})
            found[f.activity]["drivers"] += f.is_driver
    rows = sorted(found, key=lambda a: (-found[a]["drivers"], -found[a]["volume"], found[a]["label"]))
    hover_x, hover_y, hover_text, seen = [], [], [], {}
    for i, r in enumerate(results):
        by_activity = {f.activity: f for f in r.findings}
        for j, activity in enumerate(rows):
            f = by_activity.get(activity)
            verdict = verdicts.base(f.verdict) if f is not None else verdicts.NOT_JUDGED
            color = verdict_color(verdict) if verdict != verdicts.NOT_JUDGED else "#e2e8f0"
            seen.setdefault(verdict, color)
            if f is not None and f.judged:  # the unit is in the column's heading
                digits = 2 if r.kind == "count" else 1
                text = (f"{sentences.short_effect(r.kind, f.effect.estimate, unit=False)} "
                        f"({sentences.fmt(f.effect.low, digits)} to {sentences.fmt(f.effect.high, digits)})")
            else:
                text = "not judged" if f is not None else "–"
            fig.add_shape(type="rect", x0=i - 0.47, x1=i + 0.47, y0=j - 0.42, y1=j + 0.42, fillcolor=color,
                          line_width=0, layer="below")
            fig.add_annotation(x=i, y=j, text=text, showarrow=False, font=dict(
                size=12 if len(results) <= 3 else 11, color="#0f172a" if verdict in PAYOFF_MAP_LIGHT else "#ffffff"))
            hover_x.append(i)
            hover_y.append(j)
            hover_text.append(f"{found[activity]['label']} → {sentences.outcome_label(r.outcome)}: "
                              f"{f.verdict if f is not None else 'not logged here'}")
    fig.add_trace(go.Scatter(x=hover_x, y=hover_y, mode="markers", marker=dict(size=40, opacity=0),
                             hovertext=hover_text, hoverinfo="text", showlegend=False))
    for verdict in verdicts.ORDER:  # legend entries only, in reading order: the colours the cells use
        if verdict in seen:
            fig.add_trace(go.Scatter(x=[None], y=[None], mode="markers", name=verdict,
                                     marker=dict(symbol="square", size=14, color=seen[verdict])))
    units = {"amount": "% change", "binary": "percentage points", "count": "per 100 accounts"}

    def heading(r) -> str:  # name, unit, when: a line each, so narrow columns do not collide
        when = carry_over_text(r.frame) if r.design == "per_period" and r.frame is not None else (
            "in the window before" if r.design == "events" else "")
        when = when.replace("in total over the ", "over the ").replace(", and lasting beyond them", ", lasting")
        return "<br>".join([f"<b>{sentences.outcome_label(r.outcome).capitalize()}</b>",
                            f"<span style='font-size:12px'>{units.get(r.kind, '')}</span>"]
                           + [f"<span style='font-size:12px'>{line}</span>"
                              for line in textwrap.wrap(when, MAP_HEADING_CHARS)])

    for i, r in enumerate(results):
        fig.add_annotation(x=i, y=1.0, yref="paper", yanchor="bottom", text=heading(r), showarrow=False,
                           font=dict(size=14, color="#334155"))
    fig.update_xaxes(range=[-0.5, len(results) - 0.5], showticklabels=False, showgrid=False, zeroline=False)
    fig.update_yaxes(tickvals=list(range(len(rows))), ticktext=[found[a]["label"] for a in rows],
                     range=[len(rows) - 0.5, -0.5], showgrid=False, zeroline=False, tickfont=dict(size=14))
    fig = _style(fig, "One more activity, and each outcome (adjusted effect, 95% CI)", height=170 + 44 * len(rows))
    fig.update_layout(legend=dict(orientation="h", yanchor="top", y=-0.02, xanchor="left", x=0),
                      margin=dict(l=10, r=10, t=120, b=40), title=dict(y=0.98, yanchor="top"))
    return fig


def lag_profile(finding, grain: str | None) -> go.Figure:
    """Effect by how long before the outcome the activity happened, with 95% intervals."""
    prof = pd.DataFrame(finding.lag_profile)
    fig = go.Figure()
    if prof.empty:
        return _style(fig, "No lag profile for this activity")
    fig.add_trace(go.Bar(
        x=prof["lag"], y=prof["estimate"], marker_color=[PALETTE[0] if lag == finding.best_lag else "#93c5fd"
                                                         for lag in prof["lag"]],
        error_y=dict(type="data", symmetric=False, array=prof["high"] - prof["estimate"],
                     arrayminus=prof["estimate"] - prof["low"], color="#334155"),
        hovertemplate="%{x} before: %{y:.2f}<extra></extra>"))
    fig.add_hline(y=0, line_color="#94a3b8")
    fig.update_xaxes(title=f"{(grain or 'period').capitalize()}s before the outcome", dtick=1)
    fig.update_yaxes(title=_unit_axis(finding.effect.unit))
    return _style(fig, f"When {finding.label.lower()} pays off")


def response_curve(finding) -> go.Figure:
    """Outcome at each activity level against none, with a band, and where returns flatten."""
    c = finding.curve
    fig = go.Figure()
    if c is None:
        return _style(fig, "No response curve for this activity")
    x = list(range(len(c.levels)))
    fig.add_trace(go.Scatter(x=x + x[::-1], y=list(c.high) + list(c.low)[::-1], fill="toself", mode="lines",
                             fillcolor="rgba(37,99,235,0.15)", line=dict(width=0), hoverinfo="skip",
                             showlegend=False))
    fig.add_trace(go.Scatter(x=x, y=c.estimate, mode="lines+markers", line=dict(color=PALETTE[0], width=3),
                             customdata=c.n_rows, name="Against none",
                             hovertemplate="level %{x}: %{y:.2f} (%{customdata} cases)<extra></extra>"))
    if c.knee is not None:
        fig.add_vline(x=c.knee, line_dash="dash", line_color="#f97316",
                      annotation_text=f"flattens past {c.knee}", annotation_position="top left")
    fig.update_xaxes(tickvals=x, ticktext=c.levels, title=f"{finding.label} (count in the window or period)")
    fig.update_yaxes(title=_unit_axis(c.unit))
    return _style(fig, f"Diminishing returns: {finding.label.lower()}")


def busy_vs_effective(result, measure: str = "volume") -> go.Figure:
    """Share of activity volume (or hours) against effect: busy-work sits low and to the right (activities
    not judged have no effect to place). One trace per verdict, so the legend names every colour; labels of
    points close together go to different sides."""
    findings = [f for f in result.findings if f.judged]
    total = sum((f.hours if measure == "hours" else f.volume) or 0 for f in findings) or 1
    share = {f.activity: 100 * ((f.hours if measure == "hours" else f.volume) or 0) / total for f in findings}
    places = _label_places([(share[f.activity], f.effect_typical.estimate) for f in findings])
    place = {f.activity: p for f, p in zip(findings, places)}
    fig = go.Figure()
    for verdict in verdicts.ORDER:
        group = [f for f in findings if verdicts.base(f.verdict) == verdict]  # 'confounded by size': confounded
        if not group:
            continue
        fig.add_trace(go.Scatter(
            x=[share[f.activity] for f in group], y=[f.effect_typical.estimate for f in group], mode="markers+text",
            name=verdict, text=[f.label for f in group], textposition=[place[f.activity] for f in group],
            marker=dict(size=[14 + share[f.activity] / 2 for f in group], color=verdict_color(verdict),
                        line=dict(width=1, color="white")),
            error_y=dict(type="data", symmetric=False, color="#94a3b8",
                         array=[f.effect_typical.high - f.effect_typical.estimate for f in group],
                         arrayminus=[f.effect_typical.estimate - f.effect_typical.low for f in group]),
            customdata=[[f.verdict, f.typical_change] for f in group],
            hovertemplate="%{text}<br>%{x:.0f}% of " + measure + "<br>effect per %{customdata[1]:.0f}: %{y:.2f}"
                          "<br>%{customdata[0]}<extra></extra>"))
    fig.add_hline(y=0, line_color="#94a3b8", line_dash="dot")
    fig.update_xaxes(title=f"Share of all activity {'hours' if measure == 'hours' else 'volume'} (%)", rangemode="tozero")
    fig.update_yaxes(title=f"{_unit_axis(findings[0].effect.unit if findings else '')} per typical change")
    fig = _style(fig, f"Busy versus effective: {result.outcome.replace('_', ' ')}", height=460)
    fig.update_layout(showlegend=True, legend=dict(orientation="h", yanchor="bottom", y=1.0, xanchor="right", x=1))
    return fig


LABEL_SIDES = ("top center", "bottom center", "middle right", "middle left")
LABEL_NEAR = (0.08, 0.12)  # points closer than these shares of the x and y ranges have their labels apart


def _label_places(points: list[tuple[float, float]]) -> list[str]:
    """A text position per point: the first side no nearby point's label already took."""
    if not points:
        return []
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    width, height = (max(xs) - min(xs)) or 1.0, (max(ys) - min(ys)) or 1.0
    places: list[str] = [""] * len(points)
    for i in sorted(range(len(points)), key=lambda k: points[k]):
        taken = {places[j] for j in range(len(points)) if places[j] and
                 abs(points[j][0] - points[i][0]) < LABEL_NEAR[0] * width and
                 abs(points[j][1] - points[i][1]) < LABEL_NEAR[1] * height}
        places[i] = next((side for side in LABEL_SIDES if side not in taken), LABEL_SIDES[0])
    return places


def group_comparison(table: pd.DataFrame, attribute: str) -> go.Figure:
    """Actual minus expected per group with 95% intervals (raw), and the shrunk estimate."""
    t = table.sort_values("shrunk")
    fig = go.Figure()
    fig.add_trace(go.Scatter(
        x=t["difference"], y=t["group"], mode="markers", name="Actual − expected (95% CI)",
        marker=dict(size=11, color=[verdict_color("driver") if v == "above expectation" else
                                    verdict_color("negative") if v == "below expectation" else "#64748b"
                                    for v in t["verdict"]]),
        error_x=dict(type="data", symmetric=False, array=t["high"] - t["difference"],
                     arrayminus=t["difference"] - t["low"], color="#94a3b8"),
        customdata=t[["accounts", "verdict"]].to_numpy(),
        hovertemplate="%{y}: %{x:.2f} (%{customdata[0]} accounts)<br>%{customdata[1]}<extra></extra>"))
    fig.add_trace(go.Scatter(x=t["shrunk"], y=t["group"], mode="markers", name="Shrunk toward average",
                             marker=dict(symbol="diamond-open", size=10, color=PALETTE[0], line=dict(width=2))))
    fig.add_vline(x=0, line_color="#94a3b8", line_dash="dot")
    unit = t["unit"].iloc[0] if len(t) else ""
    fig.update_xaxes(title=f"Actual minus expected ({unit})")
    return _style(fig, f"By {attribute.replace('_', ' ')}: better or worse than their accounts predict",
                  height=140 + 32 * len(t))


def outcome_trend(frame: pd.DataFrame, outcome: str, currency: str | None = None) -> go.Figure:
    """One outcome per period (amounts with their currency on the axis)."""
    data = frame[frame["outcome"] == outcome]
    fig = go.Figure(go.Scatter(x=data["period_on"], y=data["value"], mode="lines+markers",
                               line=dict(color=PALETTE[0], width=3), connectgaps=False))
    unit = data["unit"].iloc[0] if len(data) else ""
    fig.update_yaxes(title=f"{unit} ({currency})" if currency else unit,
                     tickprefix=currency if currency and len(currency) == 1 else None)
    return _style(fig, outcome.replace("_", " ").capitalize(), height=300)


def activity_trend(frame: pd.DataFrame) -> go.Figure:
    """Each activity's total per period."""
    if frame.empty:
        return _style(go.Figure(), "Activity over time")
    fig = go.Figure([go.Scatter(x=rows["period_on"], y=rows["activities"], mode="lines", line=dict(color=color),
                                **labels)
                     for color, rows, labels in _per_activity(frame)])
    fig.update_yaxes(title="Activities")
    return _style(fig, "Activity over time", height=340)


def target_history(target: dict, currency: str | None = None) -> go.Figure:
    """Monthly history of an outcome with last year's level and the target."""
    h = target["history"]
    fig = go.Figure(go.Bar(x=h.iloc[:, 0], y=h["value"], marker_color="#93c5fd", name="History"))
    if target["kind"] == "binary":
        fig.add_hline(y=target["target"], line_color="#16a34a", line_dash="dash",
                      annotation_text=f"target {target['target']:.1f}%")
    fig.update_yaxes(title=f"{target['unit']} per month" + (f" ({currency})" if currency else ""),
                     tickprefix=currency if currency and len(currency) == 1 else None)
    return _style(fig, f"{target['outcome'].replace('_', ' ').capitalize()}: history", height=300)


def outcome_coverage(frame: pd.DataFrame) -> go.Figure:
    """Outcome records per month, one small row per outcome on its own scale: gaps show months not covered."""
    from plotly.subplots import make_subplots

    if frame.empty:
        return _style(go.Figure(), "Outcome records per month", height=220)
    outcomes = sorted(frame["outcome"].unique())
    fig = make_subplots(rows=len(outcomes), cols=1, shared_xaxes=True, vertical_spacing=0.3 / len(outcomes),
                        subplot_titles=[o.replace("_", " ").capitalize() for o in outcomes])
    for i, outcome in enumerate(outcomes):
        rows = frame[frame["outcome"] == outcome]
        fig.add_trace(go.Bar(x=rows["month_on"], y=rows["records"], name=outcome, customdata=rows[["accounts"]],
                             marker_color=PALETTE[i % len(PALETTE)],
                             hovertemplate="%{x|%b %Y}: %{y:,} records, %{customdata[0]:,} accounts<extra></extra>"),
                      row=i + 1, col=1)
    fig.update_yaxes(rangemode="tozero", nticks=3, title="records", title_font_size=12)
    fig.update_annotations(x=0, xanchor="left", font_size=13)  # subplot titles flush left, above each row
    fig.update_layout(showlegend=False, bargap=0.15)
    return _style(fig, "Outcome records per month", height=80 + 120 * len(outcomes))


PROJECTOR_TICK_SIZE = 18  # px: tick labels and legends readable from the back of a room


def for_projector(fig: go.Figure, height: int | None = None) -> go.Figure:
    """The same chart readable from the back of a room: larger type, and a taller canvas (or the height given,
    where it must share a screen with a headline)."""
    fig.update_layout(font_size=20, height=height or max(fig.layout.height or 0, 560), title_font_size=24,
                      margin=dict(l=20, r=20, t=70, b=20), legend_font_size=PROJECTOR_TICK_SIZE)
    fig.update_xaxes(tickfont_size=PROJECTOR_TICK_SIZE, title_font_size=PROJECTOR_TICK_SIZE + 2)  # the styles set
    fig.update_yaxes(tickfont_size=PROJECTOR_TICK_SIZE, title_font_size=PROJECTOR_TICK_SIZE + 2)  # 12 px: too small
    return fig
