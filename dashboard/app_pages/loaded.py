"""What's loaded: accounts, activities by type and month, outcomes, and the load history."""

import streamlit as st

from dashboard import data
from pipelines import figures

st.title("What's loaded")
version = data.db_version()
info = data.overview(version)

if info is None or info.empty:
    st.info(
        "No data yet. Load the bundled sample with `payoff demo`, or your own exports with "
        "`payoff ingest FILE...`, then reload this page.",
        icon=":material/upload_file:",
    )
    st.stop()

if info.first_on is not None:
    st.caption(f"Activity from {info.first_on:%d %b %Y} to {info.last_on:%d %b %Y} · "
               f"panel built by {info.grain or 'month'} · database `{data.env_db_label()}`")

cols = st.columns(5)
cols[0].metric("Accounts", f"{info.n_accounts:,}")
cols[1].metric("Activities", f"{info.n_activities:,}")
cols[2].metric("Activity types", info.n_activity_types)
cols[3].metric("Outcomes", info.n_outcomes)
cols[4].metric("Active loads", info.n_loads)

st.plotly_chart(figures.activity_by_month(data.activity_by_month(version)), width="stretch")

left, right = st.columns([3, 2])
with left:
    st.subheader("Activity types")
    types = data.activity_types(version)
    st.dataframe(types, hide_index=True, width="stretch", column_config={
        "first_logged": st.column_config.DateColumn("First logged", format="D MMM YYYY"),
        "last_logged": st.column_config.DateColumn("Last logged", format="D MMM YYYY"),
        "activities": st.column_config.NumberColumn("Activities", format="localized"),
        "hours_logged": st.column_config.NumberColumn("Hours logged", format="localized"),
        "activities_with_duration": st.column_config.NumberColumn("With duration", format="localized"),
    })
    st.download_button("Download CSV", data.csv_bytes(types), "activity_types.csv", "text/csv", key="dl_types")
with right:
    attributes = data.attribute_names(version)
    if attributes:
        default = attributes.index("segment") if "segment" in attributes else 0
        attribute = st.selectbox("Accounts by", attributes, index=default)
        st.plotly_chart(figures.accounts_by(data.accounts_by(version, attribute), attribute), width="stretch")

st.subheader("Outcomes")
outcomes = data.outcome_types(version)
if outcomes.empty:
    st.warning("No outcomes loaded yet: load renewals, revenue or referrals exports to analyse drivers.")
else:
    st.dataframe(outcomes, hide_index=True, width="stretch", column_config={
        "first_on": st.column_config.DateColumn("First", format="D MMM YYYY"),
        "last_on": st.column_config.DateColumn("Last", format="D MMM YYYY"),
        "yes_percent": st.column_config.NumberColumn("Yes %", format="%.1f%%"),
        "total": st.column_config.NumberColumn("Total", format="localized"),
    })
    st.download_button("Download CSV", data.csv_bytes(outcomes), "outcomes.csv", "text/csv", key="dl_outcomes")

st.subheader("Load history")
history = data.loads(version)
st.dataframe(history, hide_index=True, width="stretch", column_config={
    "sha256": st.column_config.TextColumn("SHA-256", width="small"),
    "loaded_at": st.column_config.DatetimeColumn("Loaded", format="D MMM YYYY, HH:mm"),
    "undone_at": st.column_config.DatetimeColumn("Undone", format="D MMM YYYY, HH:mm"),
})
st.download_button("Download CSV", data.csv_bytes(history), "loads.csv", "text/csv", key="dl_loads")
