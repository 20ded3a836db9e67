"""Timing and returns: when each activity pays off, and where more of it stops adding."""

import streamlit as st

from dashboard import components as ui
from dashboard import data
from pipelines import figures
from pipelines.stats import sentences

st.title("Timing and returns")
version, view = data.current()
results = data.analysis(version, view)
if ui.no_analysis(results):
    st.stop()
left, right = st.columns(2)
with left:
    result = ui.pick_outcome(results, key="timing_outcome")
if ui.no_findings(result, view):
    st.stop()
with right:
    labels = {f.activity: f"{f.label} ({f.verdict})" for f in result.findings if f.judged}
    activity = st.selectbox("Activity", list(labels), format_func=labels.get, key="timing_activity")
finding = result.finding(activity)
grain = result.periods.get("grain") or view.grain

a, b = st.columns(2)
with a:
    ui.chart(figures.lag_profile(finding, grain), key="lag")
    if finding.best_lag:
        st.markdown(f"The association is strongest **{finding.best_lag} {grain}{'s' if finding.best_lag > 1 else ''} "
                    f"before** the outcome ({result.window}).")
    elif result.design == "undated":
        st.markdown(sentences.no_timing(result.outcome))
    if (note := sentences.carry_over_note(result)) is not None:
        st.caption(note)
with b:
    if finding.curve is None:
        st.info("A response curve is drawn for activities that predict the outcome; "
                f"{finding.label.lower()} is '{finding.verdict}'.")
    else:
        ui.chart(figures.response_curve(finding), key="curve")
        if finding.curve.knee is not None:
            st.markdown(f"Returns flatten past **{finding.curve.knee}**: "
                        f"{finding.curve.share_at_or_past_knee:.0%} of cases are already there.")
        else:
            st.markdown("No flattening found: within the range seen, more goes with more.")
st.markdown(f"{ui.badge(finding.verdict)} {finding.sentence}")
ui.not_judged(result)
