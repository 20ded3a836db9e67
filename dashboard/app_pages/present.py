"""Presentation mode: one finding per screen in large type, stepping through the key findings."""

import streamlit as st

from dashboard import components as ui
from dashboard import data
from pipelines import figures
from pipelines.stats.story import key_findings

PRESENT_CHART_HEIGHT = 380  # with the headline and the buttons, a slide fits 1280 x 720 without scrolling

st.markdown("""<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], header {display: none !important;}
[data-testid="stMainBlockContainer"] {padding-top: 1.2rem !important;}
.payoff-kicker {font-size: 1.1rem; color: #64748b; text-transform: uppercase; letter-spacing: .08em;}
.payoff-headline {font-size: 2.5rem; font-weight: 700; line-height: 1.15; margin: .1rem 0 .6rem 0;}
.payoff-body {font-size: 1.35rem; line-height: 1.4; color: #1e293b;}
/* the key handler's frame below: it runs, but takes no room (out of the flow, so no gap either) */
[data-testid="stElementContainer"]:has(> iframe[data-testid="stIFrame"]) {position: absolute; width: 0; height: 0;
  overflow: hidden;}
</style>""", unsafe_allow_html=True)

# What a clicker sends: arrows, Page Up/Down and Space step through the findings, Escape leaves; each new slide
# starts at the top. The buttons below stay the one way the page moves: the keys only press them.
KEYS = """<script>
const doc = window.parent.document;
(doc.querySelector('[data-testid="stMain"]') || {}).scrollTop = 0;
window.parent.scrollTo(0, 0);
if (!doc.getElementById("payoff-keys")) {  // in the app's own page, so it outlives this frame
  const script = doc.createElement("script");
  script.id = "payoff-keys";
  script.textContent = `document.addEventListener("keydown", (event) => {
    if (!document.querySelector(".payoff-kicker")) return;  // presentation mode only
    if (event.target && ["INPUT", "TEXTAREA", "SELECT"].includes(event.target.tagName)) return;
    const names = {ArrowRight: "Next ▶", ArrowDown: "Next ▶", PageDown: "Next ▶", " ": "Next ▶",
                   ArrowLeft: "◀ Previous", ArrowUp: "◀ Previous", PageUp: "◀ Previous", Escape: "✕ Exit"};
    const name = names[event.key];
    if (!name) return;
    const button = [...document.querySelectorAll("button")].find((b) => b.innerText.trim() === name);
    event.preventDefault();
    if (button && !button.disabled) button.click();
  });`;
  doc.head.appendChild(script);
}
</script>"""

version, view = data.current()
results = data.analysis(version, view)
if ui.no_analysis(results):
    st.stop()
slides = key_findings(results)
index = min(st.session_state.get("slide", 0), len(slides) - 1)
slide = slides[index]
result = next(r for r in results if r.outcome == slide.outcome)

back, kicker, forward, leave = st.columns([1, 5, 1, 1], vertical_alignment="center")
kicker.markdown(f'<div class="payoff-kicker">{ui.outcome_label(slide.outcome)} · {index + 1} of {len(slides)} · '
                '← → to move, Esc to leave</div>', unsafe_allow_html=True)
if back.button("◀ Previous", disabled=index == 0, key="prev", width="stretch"):
    st.session_state["slide"] = index - 1
    st.rerun()
if forward.button("Next ▶", disabled=index >= len(slides) - 1, key="next", width="stretch"):
    st.session_state["slide"] = index + 1
    st.rerun()
if leave.button("✕ Exit", key="exit", width="stretch"):
    st.switch_page("app_pages/overview.py")
st.markdown(f'<div class="payoff-headline">{slide.headline}</div>'
            f'<div class="payoff-body">{slide.body}</div>', unsafe_allow_html=True)
# our own script, no user text in it; new content on each slide, so the frame and its script run again
st.iframe(KEYS + f"<!-- slide {index} -->", height=1)
CHARTS = {
    "forest": lambda: figures.driver_forest(result),
    "curve": lambda: figures.response_curve(result.finding(slide.activity)),
    "lag": lambda: figures.lag_profile(result.finding(slide.activity), result.periods.get("grain")),
    "busy": lambda: figures.busy_vs_effective(result),
}
if slide.chart in CHARTS:
    ui.chart(figures.for_projector(CHARTS[slide.chart](), height=PRESENT_CHART_HEIGHT), key="present_chart")

with st.expander("Deck and brief for this review"):
    ui.report_downloads(version, view, key="present_report")
