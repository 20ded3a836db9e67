"""Presentation mode: one finding per screen in large type, stepping through the key findings."""

import streamlit as st

from dashboard import components as ui
from dashboard import data
from pipelines import figures
from pipelines.stats.story import key_findings

st.markdown("""<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], header {display: none !important;}
.payoff-kicker {font-size: 1.3rem; color: #64748b; text-transform: uppercase; letter-spacing: .08em;}
.payoff-headline {font-size: 3rem; font-weight: 700; line-height: 1.15; margin: .2rem 0 1rem 0;}
.payoff-body {font-size: 1.7rem; line-height: 1.45; color: #1e293b;}
</style>""", unsafe_allow_html=True)

version, view = data.current()
results = data.analysis(version, view)
if ui.no_analysis(results):
    st.stop()
slides = key_findings(results)
index = min(st.session_state.get("slide", 0), len(slides) - 1)
slide = slides[index]
result = next(r for r in results if r.outcome == slide.outcome)

st.markdown(f'<div class="payoff-kicker">{ui.outcome_label(slide.outcome)} · {index + 1} of {len(slides)}</div>'
            f'<div class="payoff-headline">{slide.headline}</div>'
            f'<div class="payoff-body">{slide.body}</div>', unsafe_allow_html=True)
CHARTS = {
    "forest": lambda: figures.driver_forest(result),
    "curve": lambda: figures.response_curve(result.finding(slide.activity)),
    "lag": lambda: figures.lag_profile(result.finding(slide.activity), result.periods.get("grain")),
    "busy": lambda: figures.busy_vs_effective(result),
}
if slide.chart in CHARTS:
    ui.chart(figures.for_projector(CHARTS[slide.chart]()), key="present_chart")

back, _, forward = st.columns([1, 6, 1])
if back.button("◀ Previous", disabled=index == 0, key="prev", width="stretch"):
    st.session_state["slide"] = index - 1
    st.rerun()
if forward.button("Next ▶", disabled=index >= len(slides) - 1, key="next", width="stretch"):
    st.session_state["slide"] = index + 1
    st.rerun()

with st.expander("Deck and brief for this review"):
    ui.report_downloads(version, view, key="present_report")
