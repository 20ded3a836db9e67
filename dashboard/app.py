"""Payoff dashboard entry point: page config, the sign-in gate, navigation and the shared filters; nothing else."""

from pathlib import Path

import streamlit as st

from dashboard import access, data
from pipelines.config import GRAINS
from pipelines.errors import PayoffError
from pipelines.filters import Filters

PAGES = Path(__file__).parent / "app_pages"
FILTER_ATTRIBUTES = ("segment", "region", "team")  # account attributes offered as shared filters


def _keep_whole_span(span: tuple) -> None:
    """The date filter's value: the whole span at first, and still the whole span after a load widens it.

    A load that adds a month moves the span on; a filter left on the old span would quietly leave that
    month out. A narrowed filter stays as set, unless the span no longer holds it (after an undo).
    """
    shown, chosen = st.session_state.get("f_dates_span"), st.session_state.get("f_dates")
    inside = isinstance(chosen, (tuple, list)) and all(span[0] <= d <= span[1] for d in chosen)
    if chosen is None or not inside or (shown != span and tuple(chosen) == shown):
        st.session_state["f_dates"] = span
    st.session_state["f_dates_span"] = span


st.set_page_config(page_title="Payoff", page_icon=":material/insights:", layout="wide")
access.require_sign_in()  # returns only for a session allowed to see the data; runs before any query

navigation = st.navigation({
    "Explore": [
        st.Page(PAGES / "overview.py", title="Overview", icon=":material/dashboard:", default=True),
        st.Page(PAGES / "drivers.py", title="Drivers", icon=":material/leaderboard:"),
        st.Page(PAGES / "timing.py", title="Timing and returns", icon=":material/timeline:"),
        st.Page(PAGES / "busy.py", title="Busy vs effective", icon=":material/bubble_chart:"),
        st.Page(PAGES / "teams.py", title="Teams", icon=":material/groups:"),
        st.Page(PAGES / "plan.py", title="Plan", icon=":material/flag:"),
    ],
    "Share": [st.Page(PAGES / "present.py", title="Presentation mode", icon=":material/slideshow:")],
    "Data": [st.Page(PAGES / "data_page.py", title="Data", icon=":material/database:")],
})

version = data.db_version()
writing = data.write_in_progress()
if writing:
    st.info(f"Now {writing}. Pages show the data as it was before it; they update once it lands.",
            icon=":material/hourglass_top:")
elif data.panel_behind(version):
    try:
        with st.spinner("The panel is behind the loads (an interrupted load, or built by an earlier version); "
                        "rebuilding it…"):
            data.rebuild_panel()
    except PayoffError as exc:
        st.warning(f"The panel is behind the loads and could not be rebuilt here ({exc}). "
                   "Run `payoff build`.", icon=":material/warning:")
    version = data.db_version()
if pending := data.analysis_pending(version):
    st.info(pending, icon=":material/hourglass_top:")
info = data.overview(version)
view = data.View()

if info is not None and not info.empty:
    with st.sidebar:
        st.markdown("**Filters** · apply to every page")
        grain = st.selectbox("Periods", GRAINS, index=GRAINS.index(info.grain or "month"), key="f_grain",
                             format_func=lambda g: {"week": "Weeks", "month": "Months", "quarter": "Quarters"}[g])
        span = data.default_dates(info)
        if span:
            _keep_whole_span(span)
        dates = st.date_input("Dates", min_value=span[0], max_value=span[1], key="f_dates") if span else ()
        chosen = []
        values = data.attribute_values(version)
        for attribute in FILTER_ATTRIBUTES:
            if attribute in values:
                picked = st.multiselect(attribute.capitalize(), values[attribute], key=f"f_{attribute}",
                                        placeholder="All")
                chosen.append((attribute, tuple(picked)))
        start, end = (dates[0], dates[1]) if isinstance(dates, (tuple, list)) and len(dates) == 2 else (None, None)
        if span and (start, end) == span:
            start = end = None  # the full span is no filter
        view = data.View(grain, Filters(start, end, tuple(chosen)))
        st.caption(view.filters.describe())
st.session_state["view"] = view
navigation.run()
