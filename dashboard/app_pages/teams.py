"""Teams: each team and rep against what their own accounts and activity mix predict."""

import streamlit as st

from dashboard import components as ui
from dashboard import data
from pipelines import figures
from pipelines.errors import PayoffError
from pipelines.stats.teams import comparable as comparable_groups
from pipelines.stats.teams import group_attributes

st.title("Teams")
version, view = data.current()
results = data.analysis(version, view)
if ui.no_analysis(results):
    st.stop()
groups = group_attributes(data.attribute_values(version))
if not groups:
    st.info("Load an accounts export with a team or owner column to compare teams fairly.")
    st.stop()
left, right = st.columns(2)
with left:
    result = ui.pick_outcome(results, key="teams_outcome")
if ui.no_findings(result, view):
    st.stop()
comparable = comparable_groups(result, groups)
if not comparable:
    st.info(f"{', '.join(g.capitalize() for g in groups)}: the expectation already holds "
            f"{'it' if len(groups) == 1 else 'them'} fixed, so every group would come out as expected. Load an "
            "accounts export with a team or owner column to compare teams fairly.")
    st.stop()
with right:
    attribute = st.selectbox("Compare by", comparable, key="teams_by", format_func=str.capitalize)
left_out = [g for g in groups if g not in comparable]
st.caption("Each group is compared with the outcome its own accounts (size, segment, region) and activity mix "
           "predict — not ranked by activity counts. Small groups are shrunk toward the average; a group is above "
           "or below expectation only when that survives Holm's correction at 5% over the groups compared."
           + (f" Not offered: {', '.join(left_out)} (the expectation holds {'it' if len(left_out) == 1 else 'them'} "
              "fixed, so every group would come out at zero)." if left_out else ""))
try:
    table = data.team_table(version, view, result.outcome, attribute)
except PayoffError as exc:
    st.warning(str(exc))
    st.stop()
ui.chart(figures.group_comparison(table, attribute), key="groups")
unit = table["unit"].iloc[0] if len(table) else ""
level = {"amount": f"{result.currency or ''}%.0f", "binary": "%.1f%%"}.get(result.kind, "%.2f")  # per row
per = {"amount": " (typical per account-month)", "binary": " (% yes)"}.get(result.kind, " (per account-period)")
st.dataframe(table, hide_index=True, width="stretch", column_config={
    "group": st.column_config.TextColumn(attribute.replace("_", " ").capitalize()),
    "difference": st.column_config.NumberColumn(f"Actual − expected ({unit})", format="%+.2f"),
    "low": st.column_config.NumberColumn("95% low", format="%+.2f"),
    "high": st.column_config.NumberColumn("95% high", format="%+.2f"),
    "shrunk": st.column_config.NumberColumn(f"Shrunk ({unit})", format="%+.2f"),
    "shrunk_low": None, "shrunk_high": None, "unit": None, "adjusted_p": None,
    "actual": st.column_config.NumberColumn("Actual" + per, format=level),
    "expected": st.column_config.NumberColumn("Expected" + per, format=level),
    "small_group": st.column_config.CheckboxColumn("Small group"),
    "accounts": st.column_config.NumberColumn("Accounts", format="%d"),
    "rows": None,
})
ui.download_csv(table, f"{attribute}_{result.outcome}.csv", key="dl_groups")
above = table[table["verdict"] != "as expected"]
if above.empty:
    st.markdown("No group differs from what its accounts and activity predict by more than chance would explain.")
for row in above.itertuples():
    st.markdown(f"**{row.group}** is {row.verdict}: {row.difference:+.1f} {row.unit} "
                f"(95% CI {row.low:+.1f} to {row.high:+.1f}) across {row.accounts} accounts.")
