"""Overview: the executive summary. Every activity against every outcome on one chart, one sentence per outcome,
and behind each outcome's expander the findings in full and how they were worked out."""

import streamlit as st

from dashboard import components as ui
from dashboard import data
from pipelines import figures
from pipelines.stats import sentences, verdicts
from pipelines.stats.validate import holdout_sentence

MAX_LISTED = 3  # findings written out per column; the rest are named
MAP_BESIDE = 3  # up to this many outcomes, the payoff map sits beside the sentences

st.title("Which activities pay off")
version, view = data.current()
results = data.analysis(version, view)
if ui.no_analysis(results):
    st.stop()
st.caption(f"{view.filters.describe()} · by {view.grain} · effects adjusted for account attributes, time and the "
           "other activities: associations, not proof of cause")

mapped = [r for r in results if r.findings]  # the outcomes the map has a column for
# three outcomes fit beside their sentences; more need the page's width, the sentences below
chart, said = st.columns([3, 2]) if len(mapped) <= MAP_BESIDE else (st.container(), st.container())
with chart:
    ui.chart(figures.payoff_map(results), key="payoff_map")
with said:
    for result in sorted(results, key=lambda r: not any(f.judged for f in r.findings)):  # unanalysed last
        st.markdown(f"**{ui.outcome_label(result.outcome)}** — {sentences.outcome_headline(result)}")

trends = data.trends(version, view)
for result in results:
    with st.expander(f"{ui.outcome_label(result.outcome)}: every finding, and how it was worked out"):
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
        if (holdout := holdout_sentence(result.validation.get("holdout", {}), result.outcome)) is not None:
            st.markdown(holdout)
        st.caption(ui.model_caption(result))
        if not trends["outcomes"].empty:
            ui.chart(figures.outcome_trend(trends["outcomes"], result.outcome, result.currency),
                     key=f"trend_{result.outcome}")

if not trends["activities"].empty:  # no activity loaded: no empty chart with made-up axes
    ui.chart(figures.activity_trend(trends["activities"]), key="activity_trend")

st.divider()
ui.report_downloads(version, view, key="overview_report")
