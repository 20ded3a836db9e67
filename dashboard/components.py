"""Small UI pieces the pages share: pickers, verdict badges, empty states. No caching, no data access."""

from __future__ import annotations

import streamlit as st

from pipelines.figures import verdict_color
from pipelines.stats import verdicts
from pipelines.stats.story import judged_first

BADGE_COLORS = {"driver": "green", "saturated": "green", "negative": "red", "suspect reverse cause": "violet",
                "confounded": "orange", "no evidence": "gray", "evidence of no effect": "blue"}
PLOTLY_CONFIG = {"displaylogo": False, "toImageButtonOptions": {"format": "png", "scale": 2}}


def download_csv(frame, file_name: str, key: str) -> None:
    """A CSV download button under a table; the file is written when it is clicked, not at every rerun
    (a 50,000-row table would cost each page view its CSV). Spreadsheet formulas are neutralised."""
    from pipelines.export import safe_csv

    st.download_button("Download CSV", lambda: safe_csv(frame).encode("utf-8"), file_name, "text/csv", key=key,
                       icon=":material/download:")


def outcome_label(key: str) -> str:
    return key.replace("_", " ").capitalize()


def pick_outcome(results, key: str = "outcome"):
    """A select box over outcomes, remembered across pages (shared session key); it opens on the first outcome
    an activity could be judged for (story.judged_first), not on one too small to fit."""
    names = [r.outcome for r in judged_first(results)]
    remembered = st.session_state.get("shared_outcome")
    index = names.index(remembered) if remembered in names else 0
    chosen = st.selectbox("Outcome", names, index=index, format_func=outcome_label, key=key)
    st.session_state["shared_outcome"] = chosen
    return next(r for r in results if r.outcome == chosen)


def badge(verdict: str) -> str:
    """Markdown for a coloured verdict badge."""
    color = BADGE_COLORS.get(verdicts.base(verdict), "gray")
    return f":{color}-badge[{verdict}]"


def no_analysis(results) -> bool:
    """Show the friendly empty state when there is nothing to analyse; True if the page should stop."""
    if results:
        return False
    st.info("No outcomes to analyse yet. Load activity and outcome exports on the **Data** page "
            "(or run `payoff demo` for the bundled sample).", icon=":material/upload_file:")
    st.page_link("app_pages/data_page.py", label="Go to Data", icon=":material/database:")
    return True


def no_findings(result, view) -> bool:
    """Explain why an outcome has no judged findings; True if the page should stop. Filters are named as the
    cause only when some are set: an outcome with no activity to compare has nothing to show unfiltered too."""
    if any(f.judged for f in result.findings):
        return False
    reason = why_none_judged(result) or "no activity varies for these accounts and dates"
    name = outcome_label(result.outcome).lower()
    if view.filters.active:
        st.info(f"Nothing to show for {name} with these filters: {reason}. Widen the filters in the sidebar.",
                icon=":material/filter_alt_off:")
    else:
        st.info(f"Nothing to show for {name}: {reason}.", icon=":material/info:")
    return True


def outcome_page(title: str, key: str):
    """The opening every per-outcome page shares: title, the analysis under the shared filters, the
    outcome picker, and the empty states (which stop the page). Returns (version, view, result)."""
    from dashboard import data

    st.title(title)
    version, view = data.current()
    results = data.analysis(version, view)
    if no_analysis(results):
        st.stop()
    result = pick_outcome(results, key=key)
    if no_findings(result, view):
        st.stop()
    return version, view, result


def why_none_judged(result) -> str:
    """Why an outcome has no judged activity: its notes, then each activity's reason ('' if none is known)."""
    return "; ".join(result.notes + [f"{f.label}: {f.reason}" for f in result.findings if not f.judged])


def not_judged(result) -> None:
    """A caption naming the activities no model could judge for this outcome, and why (nothing if none)."""
    rows = [f.sentence for f in result.findings if not f.judged]  # 'Webinar: too rare to judge: 3 logged, …'
    if rows:
        st.caption("Not judged: " + " ".join(rows))


def chart(fig, key: str) -> None:
    """A Plotly chart at full width with a PNG download in its toolbar."""
    st.plotly_chart(fig, width="stretch", config=PLOTLY_CONFIG, key=key)


def model_caption(result) -> str:
    """How the outcome was modelled, with n used and dropped."""
    dropped = f", {result.n_dropped:,} dropped ({'; '.join(f'{k}: {v:,}' for k, v in result.dropped.items())})" \
        if result.n_dropped else ""
    periods = result.periods
    span = f" · {periods['first']} to {periods['last']}" if periods.get("first") else ""
    return f"{result.model} · {result.n_used:,} used{dropped}{span} · controls: {', '.join(result.controls) or 'none'}"


__all__ = ["badge", "chart", "model_caption", "no_analysis", "no_findings", "not_judged", "outcome_label",
           "outcome_page", "pick_outcome", "report_downloads", "verdict_color", "why_none_judged"]


def report_downloads(version: str, view, key: str) -> None:
    """'Take it to a leadership review': prepare, then download the deck (PPTX) or the brief (PDF, HTML)."""
    from dashboard import data

    st.markdown("**Take it to a leadership review** — the same findings, charts and caveats, for these filters.")
    columns = st.columns(3)
    for column, (kind, label) in zip(columns, (("deck", "Deck (PPTX)"), ("pdf", "Brief (PDF)"),
                                              ("html", "Brief (HTML)"))):
        with column:
            ready = st.session_state.get(f"{key}_{kind}_ready")
            if not ready:
                if st.button(f"Prepare {label}", key=f"{key}_{kind}_prepare", width="stretch",
                             icon=":material/description:"):
                    st.session_state[f"{key}_{kind}_ready"] = True
                    data.record_report(view, kind)
                    st.rerun()
            else:
                name, mime = data.REPORT_FILES[kind]
                st.download_button(f"Download {label}", data.report_file(version, view, kind), name, mime,
                                   key=f"{key}_{kind}_download", width="stretch", type="primary",
                                   icon=":material/download:")
