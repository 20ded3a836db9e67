"""Busy vs effective: how much of the team's activity goes where it does not move the outcome."""

import pandas as pd
import streamlit as st

from dashboard import components as ui
from dashboard import data
from pipelines import figures
from pipelines.stats import verdicts

version, view, result = ui.outcome_page("Busy vs effective", key="busy_outcome")
judged = [f for f in result.findings if f.judged]
has_hours = any(f.hours for f in judged)
measure = st.radio("Size by", ["volume", "hours"] if has_hours else ["volume"], horizontal=True, key="busy_measure",
                   format_func=lambda m: "Activity count" if m == "volume" else "Hours logged")
ui.chart(figures.busy_vs_effective(result, measure), key="busy_chart")

total_volume = sum(f.volume for f in judged) or 1
total_hours = sum(f.hours or 0 for f in judged) or None
table = pd.DataFrame([{
    "activity": f.label, "verdict": f.verdict,
    "share_of_volume_pct": 100 * f.volume / total_volume,
    "share_of_hours_pct": 100 * (f.hours or 0) / total_hours if total_hours else None,
    "effect_per_typical_change": f.effect_typical.estimate, "typical_change": f.typical_change,
    "unit": f.effect.unit, "effect_per_hour": f.effect_per_hour,
} for f in judged]).sort_values("share_of_volume_pct", ascending=False)
busy = table[table["activity"].isin([f.label for f in verdicts.busy(result)])]
if len(busy):
    share = busy["share_of_volume_pct"].sum()
    st.warning(f"**{share:.0f}% of logged activity** ({', '.join(busy['activity'])}) shows no adjusted "
               f"association with {ui.outcome_label(result.outcome).lower()}.", icon=":material/hourglass_empty:")
st.dataframe(table, hide_index=True, width="stretch", column_config={
    "share_of_volume_pct": st.column_config.ProgressColumn("Share of volume", format="%.0f%%", min_value=0,
                                                           max_value=100),
    "share_of_hours_pct": st.column_config.ProgressColumn("Share of hours", format="%.0f%%", min_value=0,
                                                          max_value=100),
    "effect_per_typical_change": st.column_config.NumberColumn("Effect per typical change", format="%.2f"),
    "effect_per_hour": st.column_config.NumberColumn("Effect per hour", format="%.2f"),
})
ui.download_csv(table, f"busy_{result.outcome}.csv", key="dl_busy")
ui.not_judged(result)
