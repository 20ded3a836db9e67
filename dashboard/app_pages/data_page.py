"""Data: upload exports, see and undo loads, what is loaded, and data quality."""

import pandas as pd
import streamlit as st

from dashboard import components as ui
from dashboard import data
from pipelines import figures
from pipelines.errors import PayoffError
from pipelines.ingest.load import mapping_problem
from pipelines.ingest.mapping import KINDS, OUTCOME_KINDS, ROLES, Mapping, mapping_from_table, mapping_table

HISTORY_COLUMNS = ("load_id", "file_name", "kind", "status", "rows_read", "rows_loaded", "rows_duplicate",
                   "rows_rejected", "rows_set_aside", "loaded_at", "loaded_by", "undone_at", "undone_by", "sha256")
AUDIT_ROWS = 200  # the latest lines of the audit trail shown (all of it downloads)
PREVIEW_ROWS = 10  # rows of an upload shown before loading it
HASH_CHARS = 12  # enough of a SHA-256 to tell files apart in a table
DELIMITERS = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}
NO_ACTIVITY = "No activities loaded yet: load an activity export (calls, emails, meetings...) to analyse drivers."
EMPTY_STATE = ("No data yet. Load the bundled sample with `payoff demo`, or upload your exports in the "
               "**Upload** tab (or `payoff ingest FILE...` on the command line).")


def _proposal(file_id: str, name: str, content: bytes, kind: str | None):
    """data.propose, remembered per upload and kind for this session (big files are hashed once)."""
    memo = st.session_state.setdefault("data_proposals", {})
    if (file_id, kind) not in memo:
        try:
            memo[(file_id, kind)] = data.propose(name, content, kind)
        except PayoffError as exc:
            memo[(file_id, kind)] = exc
    return memo[(file_id, kind)]


def _load(file_id: str, name: str, content: bytes, mapping: Mapping) -> None:
    """Button callback: load one upload and keep the report (or the refusal) for the next run."""
    new_accounts = bool(st.session_state.get(f"new_accounts_{file_id}"))
    try:
        st.session_state["data_results"][file_id] = data.ingest(name, content, mapping, new_accounts=new_accounts)
    except PayoffError as exc:
        st.session_state["data_results"][file_id] = exc


def _undo(load_id: int) -> None:
    """Button callback: undo one load and keep what it removed for the next run."""
    try:
        st.session_state["data_undone"] = data.undo(load_id)
    except PayoffError as exc:
        st.session_state["data_undone"] = exc
    st.session_state[f"undo_confirm_{load_id}"] = False


def show_report(report, version: str) -> None:
    """The load report: counts that add up, duplicates, notes and every rejected row."""
    if report.status == "skipped":
        st.info(f"**{report.file}** was already loaded as load {report.load_id}; nothing changed. "
                "Undo that load under **Load history** to load the file again.", icon=":material/info:")
        return
    st.success(f"**{report.file}** loaded as load {report.load_id} ({report.kind.replace('_', ' ')}).",
               icon=":material/check_circle:")
    cols = st.columns(5)
    cols[0].metric("Rows read", f"{report.rows_read:,}")
    cols[1].metric("Rows loaded", f"{report.rows_loaded:,}")
    cols[2].metric("Duplicate", f"{report.rows_duplicate:,}")
    cols[3].metric("Rejected", f"{report.rows_rejected:,}")
    cols[4].metric("Set aside", f"{report.rows_set_aside:,}", help="Rows that belong to no account (open deals, "
                   "internal tasks) or name an account not loaded yet; listed below with the rejected rows.")
    for line in report.duplicate_detail:
        st.markdown(f"- Duplicate rows: {line}")
    for note in report.notes:
        st.markdown(f"- {note}")
    if report.rows_rejected or report.rows_set_aside:
        st.markdown("**Rejected and set-aside rows** (not loaded; each with its reason)")
        rejected = data.rejects(version, report.load_id)
        st.dataframe(rejected, hide_index=True, width="stretch",
                     column_order=("row_number", "column_name", "value", "reason"), column_config={
                         "row_number": st.column_config.NumberColumn("Row", format="%d"),
                         "column_name": "Column", "value": "Value", "reason": "Reason"})
        ui.download_csv(rejected, f"rejects_load_{report.load_id}.csv", f"dl_rejects_{report.load_id}")


def upload_one(uploaded, version: str, history: pd.DataFrame) -> None:
    """One uploaded file: recognised kind, editable mapping, preview, Load button and its report."""
    fid, name, content = uploaded.file_id, uploaded.name, uploaded.getvalue()
    st.subheader(name, divider="gray")
    result = st.session_state["data_results"].get(fid)
    if result is not None and not isinstance(result, PayoffError):
        show_report(result, version)
        return
    proposal = _proposal(fid, name, content, None)
    if isinstance(proposal, PayoffError):
        st.error(str(proposal), icon=":material/error:")
        return
    kind = st.selectbox("Kind of export", KINDS, index=KINDS.index(proposal.mapping.kind), key=f"kind_{fid}",
                        format_func=lambda k: k.replace("_", " ").capitalize())
    if kind != proposal.mapping.kind:
        proposal = _proposal(fid, name, content, kind)
        if isinstance(proposal, PayoffError):
            st.error(str(proposal), icon=":material/error:")
            return
    source, mapping = proposal.source, proposal.mapping
    earlier = history[(history["sha256"] == source.sha256) & history["undone_at"].isna()] \
        if not history.empty else history
    if not earlier.empty:
        st.info(f"This file is already loaded as load {earlier['load_id'].iloc[0]}; loading it again changes "
                "nothing.", icon=":material/info:")
    left, right = st.columns(2)
    with left:
        st.markdown("**Columns** · change a role or a name if the guess is wrong")
        edited = st.data_editor(mapping_table(mapping), key=f"map_{fid}_{kind}", hide_index=True,
                                width="stretch", num_rows="fixed", column_config={
                                    "column": st.column_config.TextColumn("Column", disabled=True),
                                    "role": st.column_config.SelectboxColumn("Role", options=ROLES, required=True),
                                    "name": st.column_config.TextColumn("Stored as"),
                                    "outcome_kind": st.column_config.SelectboxColumn("Outcome kind",
                                                                                     options=OUTCOME_KINDS),
                                })
        for note in source.notes + mapping.notes:
            st.caption(note)
    with right:
        st.markdown(f"**First rows** · {DELIMITERS.get(source.delimiter, repr(source.delimiter))}-separated, "
                    f"{source.encoding}")
        width = len(source.header)
        rows = [(list(r) + [""] * width)[:width] for r in source.sample[:PREVIEW_ROWS]]
        st.dataframe(pd.DataFrame(rows, columns=source.header), hide_index=True, width="stretch")
    chosen = mapping_from_table(mapping, edited)
    # the words `payoff map` and `payoff ingest` use: the proposal's own check while it is left as proposed
    problem = proposal.problem if chosen.to_json() == mapping.to_json() else mapping_problem(source, chosen)
    if problem:
        st.error(f"**{name}** cannot be loaded as mapped: {problem}", icon=":material/block:")
    if chosen.role("account_name"):
        st.checkbox("Add the accounts this file names for the first time", key=f"new_accounts_{fid}",
                    help="Without this, rows naming an account no load has yet are set aside and listed.")
    st.button("Load", key=f"load_{fid}", type="primary", icon=":material/upload:", on_click=_load,
              args=(fid, name, content, chosen), disabled=problem is not None)
    if isinstance(result, PayoffError):
        st.error(str(result), icon=":material/error:")


def upload_tab(version: str, history: pd.DataFrame) -> None:
    files = st.file_uploader("CRM exports", type=["csv", "tsv", "txt", "gz"], accept_multiple_files=True,
                             key="upload", help="Activities, accounts, outcomes: Payoff recognises the layout.")
    st.caption(f"The browser accepts files up to {st.get_option('server.maxUploadSize')} MB each. Load bigger "
               "exports on the command line with `payoff ingest FILE`: same checks, same load history.")
    current = {f.file_id for f in files or []}
    st.session_state["data_results"] = {k: v for k, v in st.session_state.get("data_results", {}).items()
                                        if k in current}
    st.session_state["data_proposals"] = {k: v for k, v in st.session_state.get("data_proposals", {}).items()
                                          if k[0] in current}
    for uploaded in files or []:
        with st.container(border=True):
            upload_one(uploaded, version, history)


def history_tab(history: pd.DataFrame) -> None:
    done = st.session_state.pop("data_undone", None)
    if isinstance(done, PayoffError):
        st.error(str(done), icon=":material/error:")
    elif done is not None:
        st.success(f"Undid load {done['load_id']} ({done['file']}): {done['facts_removed']:,} facts removed.",
                   icon=":material/undo:")
    if history.empty:
        st.info(EMPTY_STATE, icon=":material/upload_file:")
        return
    shown = history.assign(sha256=history["sha256"].str[:HASH_CHARS],
                           status=history["undone_at"].isna().map({True: "active", False: "undone"}))
    st.dataframe(shown, hide_index=True, width="stretch", column_order=HISTORY_COLUMNS, column_config={
        "load_id": st.column_config.NumberColumn("Load", format="%d"),
        "file_name": "File", "kind": "Kind", "status": "Status",
        "sha256": st.column_config.TextColumn("SHA-256", help=f"first {HASH_CHARS} characters"),
        "rows_read": st.column_config.NumberColumn("Read", format="localized"),
        "rows_loaded": st.column_config.NumberColumn("Loaded", format="localized"),
        "rows_duplicate": st.column_config.NumberColumn("Duplicate", format="localized"),
        "rows_rejected": st.column_config.NumberColumn("Rejected", format="localized"),
        "rows_set_aside": st.column_config.NumberColumn("Set aside", format="localized"),
        "loaded_at": st.column_config.DatetimeColumn("Loaded at", format="D MMM YYYY, HH:mm"),
        "undone_at": st.column_config.DatetimeColumn("Undone at", format="D MMM YYYY, HH:mm"),
        "loaded_by": st.column_config.TextColumn("Loaded by", help="who, and from where"),
        "undone_by": st.column_config.TextColumn("Undone by", help="who, and from where"),
    })
    ui.download_csv(history, "loads.csv", "dl_loads")
    trail = data.audit_trail(version)
    with st.expander(f"Audit trail: who loaded, undid, rebuilt and reported ({len(trail):,} entries)"):
        st.dataframe(trail.head(AUDIT_ROWS), hide_index=True, width="stretch", column_config={
            "happened_at": st.column_config.DatetimeColumn("When", format="D MMM YYYY, HH:mm:ss"),
            "who": "Who", "via": "From", "action": "What", "detail": "Detail",
            "load_id": st.column_config.NumberColumn("Load", format="%d"),
        })
        ui.download_csv(trail, "audit_trail.csv", "dl_audit")
    active = history[history["undone_at"].isna()]
    if active.empty:
        return
    st.subheader("Undo a load")
    files = dict(zip(active["load_id"], active["file_name"]))
    load_id = st.selectbox("Load", list(files), index=None, key="undo_load", placeholder="Choose a load to undo",
                           format_func=lambda i: f"{i} · {files[i]}")
    sure = load_id is not None and st.checkbox(  # one checkbox per load: choosing another asks again
        f"Yes, remove everything load {load_id} ({files[load_id]}) added", key=f"undo_confirm_{load_id}")
    st.button("Undo load", key="undo_button", icon=":material/undo:", disabled=not sure, on_click=_undo,
              args=(None if load_id is None else int(load_id),))


def customer_spans_section(version: str) -> None:
    """When each account was a customer: the rule counts, then every account (analyses use only these periods)."""
    spans = data.customer_spans(version)
    if spans.empty:
        return
    st.subheader("Customer spans")
    left = spans["ended_on"].notna().sum()
    st.caption(f"{len(spans):,} accounts: {len(spans) - left:,} still customers, {left:,} left. Drivers are judged "
               "only on the periods an account was a customer; the periods before and after are not zeros.")
    rules = spans.groupby(["start_rule", "end_rule"], dropna=False).size().reset_index(name="accounts")
    st.dataframe(rules, hide_index=True, width="stretch", column_config={
        "start_rule": "Start from", "end_rule": "End from",
        "accounts": st.column_config.NumberColumn("Accounts", format="localized")})
    with st.expander("Every account's span"):
        st.dataframe(spans, hide_index=True, width="stretch", column_config={
            "account": "Account", "start_rule": "Start from", "end_rule": "End from",
            "started_on": st.column_config.DateColumn("Customer from", format="D MMM YYYY"),
            "ended_on": st.column_config.DateColumn("Customer until", format="D MMM YYYY"),
            "first_seen_on": st.column_config.DateColumn("First sign", format="D MMM YYYY"),
            "last_seen_on": st.column_config.DateColumn("Last sign", format="D MMM YYYY")})
        ui.download_csv(spans, "customer_spans.csv", "dl_spans")


def loaded_tab(version: str, info) -> None:
    if info.first_on is not None:
        st.caption(f"Activity from {info.first_on:%d %b %Y} to {info.last_on:%d %b %Y} · "
                   f"panel built by {info.grain or 'month'} · database `{data.env_db_label()}`")
    cols = st.columns(5)
    cols[0].metric("Accounts", f"{info.n_accounts:,}")
    cols[1].metric("Activities", f"{info.n_activities:,}")
    cols[2].metric("Activity types", info.n_activity_types)
    cols[3].metric("Outcomes", info.n_outcomes)
    cols[4].metric("Active loads", info.n_loads)
    if info.n_activities:
        st.plotly_chart(figures.activity_by_month(data.activity_by_month(version)), width="stretch",
                        key="loaded_activity_chart")
    else:
        st.warning(NO_ACTIVITY)
    left, right = st.columns([3, 2])
    with left:
        st.subheader("Activity types")
        types = data.activity_types(version)
        if types.empty:
            st.caption("None loaded yet.")
        else:
            st.dataframe(types, hide_index=True, width="stretch", column_config={
                "activity": "Activity", "accounts": st.column_config.NumberColumn("Accounts", format="localized"),
                "first_logged": st.column_config.DateColumn("First logged", format="D MMM YYYY"),
                "last_logged": st.column_config.DateColumn("Last logged", format="D MMM YYYY"),
                "activities": st.column_config.NumberColumn("Activities", format="localized"),
                "hours_logged": st.column_config.NumberColumn("Hours logged", format="localized"),
                "activities_with_duration": st.column_config.NumberColumn("With duration", format="localized"),
            })
            ui.download_csv(types, "activity_types.csv", "dl_types")
    with right:
        attributes = data.attribute_names(version)
        if attributes:
            default = attributes.index("segment") if "segment" in attributes else 0
            attribute = st.selectbox("Accounts by", attributes, index=default, key="loaded_attribute")
            accounts = data.accounts_by(version, attribute)
            st.plotly_chart(figures.accounts_by(accounts, attribute), width="stretch", key="loaded_accounts_chart")
            ui.download_csv(accounts, f"accounts_by_{attribute}.csv", "dl_accounts_by")
    customer_spans_section(version)
    st.subheader("Outcomes")
    outcomes = data.outcome_types(version)
    if outcomes.empty:
        st.warning("No outcomes loaded yet: load renewals, revenue or referrals exports to analyse drivers.")
        return
    st.dataframe(outcomes, hide_index=True, width="stretch", column_config={
        "outcome": "Outcome", "kind": "Kind", "records": st.column_config.NumberColumn("Records", format="localized"),
        "accounts": st.column_config.NumberColumn("Accounts", format="localized"),
        "first_on": st.column_config.DateColumn("First", format="D MMM YYYY"),
        "last_on": st.column_config.DateColumn("Last", format="D MMM YYYY"),
        "yes_percent": st.column_config.NumberColumn("Yes %", format="%.1f%%"),
        "total": st.column_config.NumberColumn("Total", format="localized"),
    })
    ui.download_csv(outcomes, "outcomes.csv", "dl_outcomes")


def quality_tab(version: str) -> None:
    quality = data.data_quality(version)
    st.subheader("Activity logging")
    activity = data.activity_by_month(version)
    if activity.empty:
        st.warning(NO_ACTIVITY)
    else:
        st.plotly_chart(figures.activity_by_month(activity), width="stretch", key="quality_activity_chart")
        st.caption("Months with much less activity than their neighbours are usually gaps in the export, not "
                   "quiet months.")
    st.subheader("Accounts with no activity")
    quiet = quality.get("accounts_without_activity", pd.DataFrame())
    if quiet.empty:
        st.success("Every account has logged activity.", icon=":material/check_circle:")
    else:
        st.markdown(f"{len(quiet):,} accounts appear in outcome or account exports but have no activity logged.")
        st.dataframe(quiet, hide_index=True, width="stretch")
        ui.download_csv(quiet, "accounts_without_activity.csv", "dl_quiet")
    st.subheader("Outcome coverage")
    coverage = quality.get("outcome_coverage", pd.DataFrame())
    if coverage.empty:
        st.warning("No dated outcome records loaded yet.")
    else:
        st.caption("Each outcome on its own scale: a month without a bar is a month its export does not cover.")
        st.plotly_chart(figures.outcome_coverage(coverage), width="stretch", key="quality_coverage_chart")
        ui.download_csv(coverage, "outcome_coverage.csv", "dl_coverage")
    st.subheader("Checks")
    failing = {k.removeprefix("check:"): v for k, v in quality.items() if k.startswith("check:")}
    if not failing:
        st.success("Every data check passes.", icon=":material/check_circle:")
    for name, rows in failing.items():
        with st.expander(f":material/warning: {name.replace('_', ' ').capitalize()} · {len(rows):,} rows"):
            st.dataframe(rows, hide_index=True, width="stretch")
            ui.download_csv(rows, f"check_{name}.csv", f"dl_check_{name}")


st.title("Data")
version = data.db_version()
info = data.overview(version)
history = data.loads(version) if info is not None else pd.DataFrame()

upload, loads_, loaded, quality = st.tabs(["Upload", "Load history", "What's loaded", "Data quality"])
with upload:
    upload_tab(version, history)
with loads_:
    history_tab(history)
with loaded:
    if info is None or info.empty:
        st.info(EMPTY_STATE, icon=":material/upload_file:")
    else:
        loaded_tab(version, info)
with quality:
    if info is None or info.empty:
        st.info(EMPTY_STATE, icon=":material/upload_file:")
    else:
        quality_tab(version)
