"""Overview: per outcome, what pays off and what is only busy, and the trends."""

import streamlit as st

from dashboard import components as ui
from dashboard import data
from pipelines import figures
from pipelines.stats import verdicts

MAX_LISTED = 3  # findings written out per column; the rest are named

st.title("Which activities pay off")
version, view = data.current()
results = data.analysis(version, view)
if ui.no_analysis(results):
    st.stop()
st.caption(f"{view.filters.describe()} · by {view.grain}")

trends = data.trends(version, view)
for result in results:
    with st.container(border=True):
        st.subheader(ui.outcome_label(result.outcome))
        st.caption(ui.model_caption(result))
        left, right = st.columns(2)
        with left:
            st.markdown("**Pays off**")
            drivers = verdicts.drivers(result)
            for f in drivers[:MAX_LISTED]:
                st.markdown(f"{ui.badge(f.verdict)} **{f.label}** — {f.sentence}")
            if len(drivers) > MAX_LISTED:
                st.markdown(f"… and {len(drivers) - MAX_LISTED} more: "
                            f"{', '.join(f.label for f in drivers[MAX_LISTED:])} (see Drivers).")
            if not drivers and any(f.judged for f in result.findings):
                st.markdown("No activity shows a clear association with this outcome.")
            elif not drivers:
                st.markdown("Nothing to judge yet (see the reason beside).")
        with right:
            st.markdown("**Busy, but not paying off**")
            busy = verdicts.busy(result)
            for f in busy[:MAX_LISTED]:
                st.markdown(f"{ui.badge(f.verdict)} **{f.label}** ({f.volume:,.0f} logged) — {f.sentence}")
            if len(busy) > MAX_LISTED:
                st.markdown(f"… and {len(busy) - MAX_LISTED} more: "
                            f"{', '.join(f.label for f in busy[MAX_LISTED:])} (see Busy vs effective).")
            if not any(f.judged for f in result.findings):
                why = ui.why_none_judged(result) or "no rows were left to fit (the line above says why)"
                st.markdown(f"No activity could be judged: {why}.")
            else:
                if not busy:
                    st.markdown("Every activity judged is associated with this outcome.")
                ui.not_judged(result)
        if not trends["outcomes"].empty:
            ui.chart(figures.outcome_trend(trends["outcomes"], result.outcome), key=f"trend_{result.outcome}")

if not trends["activities"].empty:  # no activity loaded: no empty chart with made-up axes
    ui.chart(figures.activity_trend(trends["activities"]), key="activity_trend")

st.divider()
ui.report_downloads(version, view, key="overview_report")
