"""Drivers: every activity ranked by adjusted effect, raw beside it, verdicts and sentences."""

import streamlit as st

from dashboard import components as ui
from dashboard import data
from pipelines import figures
from pipelines.stats.report import to_frame
from pipelines.stats.validate import holdout_detail, holdout_sentence

version, view, result = ui.outcome_page("Drivers", key="drivers_outcome")
st.caption(ui.model_caption(result))

holdout = result.validation.get("holdout", {})
if (said := holdout_sentence(holdout, result.outcome)) is not None:
    st.info(said, icon=":material/verified:")
    st.caption(f"Holdout: {holdout_detail(holdout)}.")

ui.chart(figures.driver_forest(result), key="forest")

table = to_frame([result]).drop(columns=["outcome", "kind", "n_used", "n_dropped"])
st.dataframe(table, hide_index=True, width="stretch", column_config={
    "effect": st.column_config.NumberColumn("Adjusted", format="%.2f"),
    "low": st.column_config.NumberColumn("95% low", format="%.2f"),
    "high": st.column_config.NumberColumn("95% high", format="%.2f"),
    "raw_effect": st.column_config.NumberColumn("Raw (between accounts)", format="%.2f"),
    "within_account_effect": st.column_config.NumberColumn("Within account", format="%.2f"),
    "effect_per_typical_change": st.column_config.NumberColumn("Per typical change", format="%.2f"),
    "p_value": st.column_config.NumberColumn("p", format="%.2g"),
    "adjusted_p_value": st.column_config.NumberColumn("adjusted p (Holm)", format="%.2g"),
    "sentence": st.column_config.TextColumn("In words", width="large"),
})
ui.download_csv(table, f"drivers_{result.outcome}.csv", key="dl_drivers")

st.subheader("In plain words")
for f in result.findings:
    flags = f" · _{'; '.join(f.flags)}_" if f.flags else ""
    st.markdown(f"{ui.badge(f.verdict)} **{f.label}**: {f.sentence if f.judged else f.reason}{flags}")
for note in result.notes:
    st.warning(note)
