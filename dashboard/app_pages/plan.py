"""Plan: a realistic target from history, what-if activity changes, and the plan for a target."""

import streamlit as st

from dashboard import components as ui
from dashboard import data
from pipelines import figures
from pipelines.errors import PayoffError
from pipelines.money import money
from pipelines.stats.plan import CAVEAT, DEFAULT_GOAL, default_activities

version, view, result = ui.outcome_page("Plan", key="plan_outcome")
st.warning(CAVEAT, icon=":material/info:")
judged = [f for f in result.findings if f.judged]  # what-ifs and plans move the activities the model holds
unit = judged[0].effect.unit if judged else ""

st.subheader("Realistic target")
try:
    continued = data.target(version, view, result.outcome, None)["growth"]  # last year's own change
except PayoffError:
    continued = 0.0
default_growth = float(min(30.0, max(-30.0, round(100 * continued, 1))))
growth = st.slider("Growth on last year" + (" (points)" if result.kind == "binary" else " (%)"), -30.0, 30.0,
                   default_growth, 0.5, key=f"plan_growth_{result.outcome}",
                   help="Starts at last year's own change: an outcome that fell is not given growth it has not shown.")
target = None
try:  # at the slider's start, last year's change itself (not its rounding to the slider's step)
    target = data.target(version, view, result.outcome, None if growth == default_growth else growth / 100)
    cols = st.columns(3)
    fmt = (lambda v: f"{v:.1f}%") if result.kind == "binary" else (
        lambda v: money(v, result.currency, compact=True))
    cols[0].metric("Prior 12 months", fmt(target["prior_12_months"]))
    cols[1].metric("Last 12 months", fmt(target["last_12_months"]),
                   f"{target['trend']:+.1f}{' pts' if result.kind == 'binary' else '%'}")
    cols[2].metric("Target", fmt(target["target"]))
    st.caption(f"Target basis: {target['basis']}")
    ui.chart(figures.target_history(target, result.currency), key="target_chart")
except PayoffError as exc:
    st.info(str(exc))

st.subheader("What if")
st.caption("Change each activity by this much per account per month; the prediction holds everything else as it was.")
changes = {}
sliders = st.columns(3)
for i, f in enumerate(judged):
    with sliders[i % 3]:
        changes[f.activity] = st.slider(f.label, -2.0, 5.0, 0.0, 0.1, key=f"whatif_{result.outcome}_{f.activity}")
moved = {k: v for k, v in changes.items() if v}
if moved:
    outcome = data.what_if(version, view, result.outcome, moved)
    e = outcome.effect
    name = ui.outcome_label(result.outcome).lower()
    per_month = (target["last_12_months"] / 12) if target is not None and result.kind != "binary" else None
    if result.kind == "amount" and per_month:  # a % of what the filtered accounts bring in a month, in money
        in_money = lambda pct: money(per_month * pct / 100, result.currency, signed=True)  # noqa: E731
        st.metric(f"Predicted change in {name}", f"{in_money(e.estimate)} per month", f"{e.estimate:+.2f}%",
                  help="95% interval below")
        st.markdown(f"95% interval **{in_money(e.low)} to {in_money(e.high)}** per month "
                    f"({e.low:+.2f}% to {e.high:+.2f}% of the last 12 months' monthly {name}).")
    elif result.kind == "count":  # per 100 accounts per period: across the accounts analysed, per month
        accounts = result.n_accounts
        across = lambda v: f"{v * accounts / 100:+,.1f}"  # noqa: E731
        st.metric(f"Predicted change in {name}", f"{across(e.estimate)} a month",
                  f"{e.estimate:+.2f} per 100 accounts", help="95% interval below")
        st.markdown(f"95% interval **{across(e.low)} to {across(e.high)}** {name} a month across the "
                    f"{accounts:,} accounts analysed.")
    else:
        st.metric(f"Predicted change in {name}", f"{e.estimate:+.2f} {e.unit}", help="95% interval below")
        st.markdown(f"95% interval **{e.low:+.2f} to {e.high:+.2f}** {e.unit}.")
else:
    st.markdown("Move a slider to see the predicted change.")

st.subheader("From a target to a plan")
labels = {f.activity: f.label for f in judged}
chosen = st.multiselect("Activities to plan with", list(labels), default=default_activities(result),
                        format_func=labels.get, key="plan_activities")
goal = st.number_input(f"Outcome change wanted ({unit})", value=DEFAULT_GOAL, step=0.5, key="plan_goal")
if chosen and goal:
    plan = data.plan_for(version, view, result.outcome, goal, chosen)
    if plan["reachable"]:
        lo, hi = plan["range"]
        rng = f"{lo:.2f} to {hi:.2f}" if lo is not None and hi is not None else "an open-ended range"
        st.success(f"About **{plan['change_per_account_per_period']:.2f} more of each** of "
                   f"{', '.join(labels[a].lower() for a in chosen)} per account per month "
                   f"(range {rng}) is associated with {goal:+.1f} {unit}.", icon=":material/flag:")
        if plan["hours_per_account_per_period"]:
            hours = sum(plan["hours_per_account_per_period"].values())
            st.markdown(f"That is about **{hours:.2f} hours** per account per month.")
    else:
        st.error("The chosen activities are not associated strongly enough with this outcome to reach that "
                 "target within a plausible change (up to 50 more per account per month).")
