"""The `payoff` command: thin wrappers that parse, call the library and print.

Every failure is one line on stderr and a non-zero exit: 1 for refused input or a failed
command, 2 for a wrong command line.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from datetime import date
from pathlib import Path

import duckdb

from pipelines.build import build
from pipelines.config import DEFAULT_GRAIN, GRAINS, PROJECT_ROOT, settings
from pipelines.db import opened, write_lock
from pipelines.errors import PayoffError
from pipelines.ingest import Mapping, list_loads
from pipelines.ingest.load import MAX_REJECT_SHARE, describe_reject, load_rejects
from pipelines.ingest.mapping import KINDS
from pipelines.audit import command_line
from pipelines.workflow import (Refusal, analyse_and_store, load_files, mend, propose, rebuild, reported,
                                undo_and_rebuild)

APP_PORT = 8501  # Streamlit's usual port; `payoff app --port` changes it
# Browser uploads are held in the server's memory whole before loading; 200 MB covers a year of a
# large team's CRM exports. Bigger files go through `payoff ingest`, which streams them from disk.
UPLOAD_LIMIT_MB = 200
UPLOAD_LIMIT_ENV = "PAYOFF_UPLOAD_LIMIT_MB"  # overrides UPLOAD_LIMIT_MB for `payoff app`


def main(argv: list[str] | None = None) -> int:
    """Entry point of the console script."""
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args) or 0
    except PayoffError as exc:
        print(f"payoff: {exc}", file=sys.stderr)
        return 1
    except duckdb.IOException as exc:
        print(f"payoff: the database is busy or unreadable ({str(exc).splitlines()[0]})", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("payoff: interrupted; nothing half-written was kept", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:  # the promise is one line, never a traceback
        print(f"payoff: unexpected error: {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}",
              file=sys.stderr)
        return 1


DB_HELP = "database file (default: $PAYOFF_DB or data/payoff.duckdb)"


class _Subcommands:
    """add_parser with the options every command shares (--db)."""

    def __init__(self, subparsers, common: argparse.ArgumentParser):
        self.subparsers, self.common = subparsers, common

    def add_parser(self, name: str, **kwargs) -> argparse.ArgumentParser:
        return self.subparsers.add_parser(name, parents=[self.common], **kwargs)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="payoff", description="See which sales and service activities pay off.")
    parser.add_argument("--db", help=DB_HELP)
    # --db is taken before or after the command, as people type it ('payoff ingest --db x.duckdb FILE')
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--db", default=argparse.SUPPRESS, help=DB_HELP)
    sub = _Subcommands(parser.add_subparsers(dest="command", required=True, metavar="COMMAND"), common)

    p = sub.add_parser("demo", help="create a fresh database from the bundled sample exports")
    p.add_argument("--force", action="store_true", help="replace a database that holds other loads")
    p.add_argument("--grain", choices=GRAINS, default=DEFAULT_GRAIN)
    p.add_argument("--no-analysis", action="store_true",
                   help="do not store the default analysis afterwards (pages then fit it when first opened)")
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("ingest", help="load export files (CSV, TSV, .csv.gz) and rebuild the panel")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("--kind", choices=KINDS, help="what the file holds, when recognition gets it wrong")
    p.add_argument("--mapping", metavar="M", help="a mapping JSON file (see 'payoff map')")
    p.add_argument("--max-rejects", type=float, default=MAX_REJECT_SHARE, metavar="SHARE",
                   help=f"refuse a file when more than this share of rows fail (default {MAX_REJECT_SHARE})")
    p.add_argument("--grain", choices=GRAINS, default=None, help="panel grain to rebuild at (default: as last built)")
    p.add_argument("--new-accounts", action="store_true",
                   help="create the accounts a file names that no load has yet (else their rows are set aside)")
    p.add_argument("--format", choices=("table", "json"), default="table")
    p.add_argument("--no-analysis", action="store_true",
                   help="do not store the default analysis afterwards (pages then fit it when first opened)")
    _engine_options(p)
    p.set_defaults(func=cmd_ingest)

    p = sub.add_parser("map", help="show the column mapping Payoff would use for a file, as editable JSON")
    p.add_argument("file", metavar="FILE")
    p.add_argument("--kind", choices=KINDS)
    p.add_argument("--out", metavar="M", help="write the mapping here instead of printing it")
    p.set_defaults(func=cmd_map)

    p = sub.add_parser("loads", help="list every load with its counts")
    p.add_argument("--format", choices=("table", "json"), default="table")
    p.set_defaults(func=cmd_loads)

    p = sub.add_parser("audit", help="who loaded, undid, rebuilt and reported, and from where (newest first)")
    p.add_argument("--format", choices=("table", "json"), default="table")
    p.set_defaults(func=cmd_audit)

    p = sub.add_parser("rejects", help="rejected rows with file, row, column and reason")
    p.add_argument("load_id", nargs="?", type=int, metavar="LOAD_ID")
    p.add_argument("--format", choices=("table", "csv", "json"), default="table")
    p.set_defaults(func=cmd_rejects)

    p = sub.add_parser("undo", help="remove everything one load added, and rebuild")
    p.add_argument("load_id", type=int, metavar="LOAD_ID")
    p.add_argument("--no-analysis", action="store_true",
                   help="do not store the default analysis afterwards (pages then fit it when first opened)")
    p.set_defaults(func=cmd_undo)

    p = sub.add_parser("build", help="rebuild the account × period panel")
    p.add_argument("--grain", choices=GRAINS, default=DEFAULT_GRAIN)
    p.add_argument("--no-analysis", action="store_true",
                   help="do not store the default analysis afterwards (pages then fit it when first opened)")
    _engine_options(p)
    p.set_defaults(func=cmd_build)

    p = sub.add_parser("analyse", help="compute and store the default analysis the dashboard opens on (done after "
                       "every ingest, undo and build; run it after an upgrade of Payoff)")
    p.set_defaults(func=cmd_analyse)

    p = sub.add_parser("drivers", help="which activities predict each outcome (table, JSON or CSV)")
    p.add_argument("--outcome", metavar="NAME", help="one outcome (default: all)")
    p.add_argument("--grain", choices=GRAINS, default=None, help="panel grain (rebuilds the panel if it differs)")
    p.add_argument("--format", choices=("table", "json", "csv"), default="table")
    p.add_argument("--no-validation", action="store_true", help="skip the holdout and stability checks (faster)")
    p.set_defaults(func=cmd_drivers)

    p = sub.add_parser("report", help="a leadership deck (.pptx) or brief (.html, .pdf) from the loaded data")
    p.add_argument("--out", required=True, metavar="FILE", help="deck.pptx, brief.html or brief.pdf (format from the "
                   "extension)")
    p.add_argument("--outcome", metavar="NAME", help="one outcome (default: all)")
    for attribute in ("segment", "region", "team"):
        p.add_argument(f"--{attribute}", nargs="+", action="extend", default=[], metavar=attribute[0].upper(),
                       help=f"only accounts of this {attribute} (several allowed)")
    p.add_argument("--start", type=date.fromisoformat, metavar="YYYY-MM-DD", help="first date covered")
    p.add_argument("--end", type=date.fromisoformat, metavar="YYYY-MM-DD", help="last date covered")
    p.set_defaults(func=cmd_report)

    p = sub.add_parser("app", help="open the dashboard (sign-in for a team: PAYOFF_AUTH, see README)")
    p.add_argument("--port", type=int, default=APP_PORT)
    p.add_argument("--address", default="127.0.0.1",
                   help="address to serve on (default 127.0.0.1); any other needs PAYOFF_AUTH=password or oidc")
    p.set_defaults(func=cmd_app)

    p = sub.add_parser("password", help="hash a password for the dashboard's sign-in (PAYOFF_AUTH=password)")
    p.add_argument("--stdin", action="store_true", help="read the password from standard input instead of asking")
    p.set_defaults(func=cmd_password)
    return parser


def _engine_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--engine", choices=("duckdb", "spark"), default="duckdb",
                   help="where the models run: here in DuckDB (default), or on Apache Spark (pip install -e '.[spark]')")
    p.add_argument("--warehouse", metavar="DIR",
                   help="Spark: the folder (or shared path) for its Parquet (default: PAYOFF_WAREHOUSE, else "
                        "<database>.warehouse beside the database)")
    p.add_argument("--spark-master", metavar="URL",
                   help="Spark: the cluster (spark.master; default PAYOFF_SPARK_MASTER, else local[*]; "
                        "SPARK_REMOTE selects Spark Connect)")


def _panel_builder(args):
    """None for the DuckDB build, else a Spark builder (pipelines/spark.py)."""
    if args.engine != "spark":
        return None
    from pipelines.spark import SparkBuilder

    return SparkBuilder(args.warehouse or settings(args.db).warehouse, args.spark_master)


def cmd_demo(args) -> int:
    from pipelines.demo import build_demo

    cfg = settings(args.db)
    with _exclusive(cfg.db_path, "building the sample database"):
        reports, result = build_demo(cfg.db_path, force=args.force, grain=args.grain, archive_dir=cfg.archive_dir)
    for report in reports:
        print(report.summary())
    print(f"built {cfg.db_path}: {result.n_accounts:,} accounts × {result.n_periods} {result.grain}s")
    _analyse(args, cfg.db_path)
    return 0


def cmd_ingest(args) -> int:
    cfg = settings(args.db)
    mapping = Mapping.load(args.mapping) if args.mapping else None
    builder = _panel_builder(args)
    with _writing(cfg.db_path, f"loading {', '.join(Path(f).name for f in args.files)}") as con:
        outcome = load_files(con, args.files, kind=args.kind, mapping=mapping, archive_dir=cfg.archive_dir,
                             max_reject_share=args.max_rejects, new_accounts=args.new_accounts, grain=args.grain,
                             actor=command_line(), build_panel=builder)
    snap = _analyse(args, cfg.db_path, announce=False) if outcome.panel is not None else None
    reports = [r.to_json() for r in outcome.loads]
    result = outcome.panel
    if args.format == "table":
        for r in outcome.loads:
            if isinstance(r, Refusal):
                print(f"refused {r.error}", file=sys.stderr)
            else:
                _print_report(r)
    if args.format == "json":
        panel = None if result is None else {"grain": result.grain, "accounts": result.n_accounts,
                                             "periods": result.n_periods, "appended": result.appended}
        analysis = None if snap is None else {"stored": snap.stored, "outcomes": len(snap.results),
                                              "seconds": round(snap.seconds, 2)}
        print(json.dumps({"loads": reports, "panel": panel, "analysis": analysis}, indent=2, default=str))
    elif result is not None:
        how = "updated with the new events" if result.appended else "rebuilt"
        if builder is not None:
            how = f"rebuilt on Spark ({builder.timings()})"
        print(f"panel {how}: {result.n_accounts:,} accounts × {result.n_periods} {result.grain}s")
        for check, n in result.failed_checks.items():
            print(f"check {check}: {n:,} row(s)")
        if snap is not None and snap.stored:
            _say_stored(snap)
    return 1 if outcome.refused else 0


def _analyse(args, db_path: Path, *, announce: bool = True):
    """Store the default analysis the pages open on (workflow.analyse_and_store), unless --no-analysis.

    Progress goes to a terminal's stderr as the fits go (not under --format json); a line on stdout says it
    was stored (announce=False: the caller says it), a warning on stderr that it was not.
    """
    if getattr(args, "no_analysis", False):
        return None
    quiet = getattr(args, "format", "table") == "json" or not sys.stderr.isatty()
    say = None if quiet else (lambda text: print(f"analysing: {text}", file=sys.stderr, flush=True))
    snap = analyse_and_store(lambda: _reading(db_path), lambda: _writing(db_path, "storing the analysis"), say,
                             db_path=db_path, on_wait=_say_waiting)
    if snap is not None and not snap.stored and _moved_on(db_path, snap):
        print("analysis not stored: another load or build landed while it was computed; the analysis of the newer "
              "data is stored after that one", file=sys.stderr)
    elif snap is None or not snap.stored:
        print("analysis not stored (see the log above): pages will fit it when first opened", file=sys.stderr)
    elif announce:
        _say_stored(snap)
    return snap


def _moved_on(db_path: Path, snap) -> bool:
    """Whether the panel moved on after this snapshot was computed (so it was rightly not stored)."""
    from pipelines.snapshot import panel_key

    try:
        with _reading(db_path) as con:
            return panel_key(con) != snap.key
    except PayoffError:
        return False


def _say_stored(snap) -> None:
    if snap.results:  # nothing said when no outcome is loaded yet: there was nothing to analyse
        print(f"analysis stored for the dashboard: {len(snap.results)} outcome(s) in {snap.seconds:.1f} s")


def _say_waiting(what: str) -> None:
    print(f"payoff: waiting for {what} to finish…", file=sys.stderr, flush=True)


def _writing(db_path: Path, purpose: str):
    """A read-write connection under the writer lock; waits (and says so) while another process writes."""
    return opened(db_path, write=True, purpose=purpose, on_wait=_say_waiting)


def _reading(db_path: Path):
    """A read-only connection; waits (and says so) while another process writes."""
    return opened(db_path, on_wait=_say_waiting)


def _private_panel_if_needed(con, grain: str | None = None) -> None:
    """Build a private panel for this reader (temporary tables: the database is left as it is) when it asks for
    another grain, or when the stored panel is behind the loads or was built by an earlier version's models."""
    from pipelines.build import built_grain, panel_is_current

    built = built_grain(con)
    if (grain and built != grain) or not panel_is_current(con):
        build(con, grain or built or DEFAULT_GRAIN, temporary=True)


def _exclusive(db_path: Path, purpose: str):
    """The writer lock alone, for a command that replaces the database file itself."""
    return write_lock(db_path, purpose, on_wait=_say_waiting)


def _print_report(report) -> None:
    print(report.summary())
    for line in report.duplicate_detail:
        print(f"  duplicates: {line}")
    for note in report.notes:
        print(f"  note: {note}")
    for rej in report.rejects[:5]:
        print(f"  rejected row {rej['row_number']}, column '{rej['column_name']}': "
              f"{describe_reject(rej['value'], rej['reason'])}")
    if report.rows_rejected > 5:
        print(f"  ... all {report.rows_rejected:,} rejected rows: payoff rejects {report.load_id}")


def cmd_map(args) -> int:
    cfg = settings(args.db)
    if cfg.db_path.exists():
        with _reading(cfg.db_path) as con:
            proposal = propose(con, args.file, kind=args.kind)
    else:
        proposal = propose(None, args.file, kind=args.kind)
    mapping = proposal.mapping
    text = mapping.dumps()
    if args.out:
        Path(args.out).write_text(text + "\n", encoding="utf-8")
        print(f"wrote {args.out} ({mapping.kind}, {len(mapping.columns)} columns)")
    else:
        print(text)
    for note in proposal.source.notes + mapping.notes:
        print(f"note: {note}", file=sys.stderr)
    if proposal.problem:  # the same words `payoff ingest` refuses the file with
        print(f"payoff: {proposal.source.name}, row 1: {proposal.problem}", file=sys.stderr)
        return 1
    return 0


def cmd_loads(args) -> int:
    with _reading(settings(args.db).db_path) as con:
        frame = list_loads(con)
    shown = frame.assign(sha256=frame["sha256"].str[:12],
                         status=frame["undone_at"].isna().map({True: "active", False: "undone"})
                         ).drop(columns=["undone_at"]) if not frame.empty else frame
    return _print_frame(frame, args.format, "no loads yet: payoff ingest FILE...", shown)


def cmd_audit(args) -> int:
    from pipelines.audit import trail

    with _reading(settings(args.db).db_path) as con:
        frame = trail(con)
    return _print_frame(frame, args.format, "nothing recorded yet")


def _print_frame(frame, fmt: str, empty: str, shown=None) -> int:
    """A listing as JSON records (all columns), or as a table (`shown`, else the frame), or the empty line."""
    if fmt == "json":
        print(frame.to_json(orient="records", date_format="iso", indent=2))
    elif frame.empty:
        print(empty)
    else:
        print((frame if shown is None else shown).to_string(index=False))
    return 0


def cmd_rejects(args) -> int:
    with _reading(settings(args.db).db_path) as con:
        frame = load_rejects(con, args.load_id)
    if args.format == "csv":
        from pipelines.export import safe_csv

        sys.stdout.write(safe_csv(frame))
    elif args.format == "json":
        print(frame.to_json(orient="records", indent=2))
    else:
        print(frame.to_string(index=False) if not frame.empty else "no rejected rows")
    return 0


def cmd_undo(args) -> int:
    with _writing(settings(args.db).db_path, f"undoing load {args.load_id}") as con:
        done, result = undo_and_rebuild(con, args.load_id, command_line())
    print(f"undid load {done['load_id']} ({done['file']}): {done['facts_removed']:,} facts removed; "
          f"panel rebuilt ({result.n_accounts:,} accounts × {result.n_periods} {result.grain}s)")
    _analyse(args, settings(args.db).db_path)
    return 0


def cmd_build(args) -> int:
    builder = _panel_builder(args)
    with _writing(settings(args.db).db_path, f"building the panel by {args.grain}") as con:
        result = rebuild(con, args.grain, actor=command_line(), build_panel=builder)
    print(f"built: {result.n_accounts:,} accounts × {result.n_periods} {result.grain}s, {result.n_panel_rows:,} rows")
    if builder is not None:
        print(f"on Spark: {builder.timings()}")
    for check, n in result.failed_checks.items():
        print(f"check {check}: {n:,} row(s)")
    _analyse(args, settings(args.db).db_path)
    return 0


def cmd_analyse(args) -> int:
    db_path = settings(args.db).db_path
    with _writing(db_path, "bringing the panel in line") as con:
        mend(con, actor=command_line())  # behind the loads, or built by an earlier version: rebuilt first
    snap = _analyse(args, db_path)
    return 0 if snap is not None and snap.stored else 1


def cmd_drivers(args) -> int:
    from pipelines.build import built_grain
    from pipelines.stats import report
    from pipelines.stats.drivers import analyze

    cfg = settings(args.db)
    with _reading(cfg.db_path) as con:
        _private_panel_if_needed(con, args.grain)
        results = analyze(con, args.outcome, validate=not args.no_validation)
        meta = {"database": str(cfg.db_path), "grain": built_grain(con) if not args.grain else args.grain,
                "loads": int(con.execute("select count(*) from loads where undone_at is null").fetchone()[0])}
    if args.format == "json":
        print(report.to_json(results, meta))
    elif args.format == "csv":
        from pipelines.export import safe_csv

        sys.stdout.write(safe_csv(report.to_frame(results)))
    else:
        sys.stdout.write(report.to_text(results))
    return 0


def cmd_report(args) -> int:
    from pipelines.filters import Filters
    from pipelines.report import build_content, charts, report_format, write_report

    report_format(args.out)  # a wrong extension fails here, before any work
    filters = Filters(args.start, args.end, tuple((name, tuple(getattr(args, name))) for name in
                                                  ("segment", "region", "team") if getattr(args, name)))
    db_path = settings(args.db).db_path
    with _reading(db_path) as con:
        _private_panel_if_needed(con)
        content = build_content(con, filters, args.outcome)
    try:
        print(write_report(content, args.out))
    finally:
        charts.stop()
    reported(db_path, f"{Path(args.out).name} ({filters.describe()})", command_line(),
             writing=lambda: _writing(db_path, "recording the report"))
    return 0


def cmd_app(args) -> int:
    from pipelines.access import (access_config, check_bind, hash_is_current, read_secrets, secrets_files,
                                  server_environment)

    cfg = settings(args.db)
    secrets = read_secrets(secrets_files())
    access = access_config(server_environment(os.environ, secrets), secrets)  # a misconfiguration stops here
    check_bind(args.address, access)
    if access.mode == "password" and not hash_is_current(access.password_hash or ""):
        print("payoff: note: the password hash is cheaper than the ones 'payoff password' makes now (scrypt "
              "N=2^17, OWASP's minimum); it still works, but make a new one and replace it", file=sys.stderr)
    upload_mb = _upload_limit_mb()
    env = {**os.environ, "PAYOFF_DB": str(cfg.db_path.resolve())}
    command = [sys.executable, "-m", "streamlit", "run", str(PROJECT_ROOT / "dashboard" / "app.py"),
               "--server.address", args.address, "--server.port", str(args.port),
               "--browser.gatherUsageStats", "false", "--server.headless", "true",
               "--server.maxUploadSize", str(upload_mb), "--client.toolbarMode", "viewer",
               # Streamlit's defaults, stated so a stray config.toml cannot turn them off (flags win):
               "--server.enableXsrfProtection", "true", "--server.enableCORS", "true",
               "--theme.base", "light", "--theme.primaryColor", "#2563eb",
               # A server, not a development loop: no full garbage collection after every page (with twenty
               # people on the 10M-event database it held the interpreter for two thirds of the server's time;
               # Python's own collection still runs) and no re-scan of the source files at every run.
               "--runner.postScriptGC", "false", "--server.fileWatcherType", "none", "--server.runOnSave", "false"]
    print(f"payoff: {access.describe()}; uploads up to {upload_mb} MB", file=sys.stderr, flush=True)
    sys.stdout.flush()
    # Become the server (no child): a stop signal then reaches Streamlit instead of orphaning it.
    os.execve(sys.executable, command, env)


def _upload_limit_mb() -> int:
    """The browser upload limit in MB: $PAYOFF_UPLOAD_LIMIT_MB, else UPLOAD_LIMIT_MB."""
    raw = os.environ.get(UPLOAD_LIMIT_ENV, "").strip()
    if not raw:
        return UPLOAD_LIMIT_MB
    try:
        megabytes = int(raw)
    except ValueError:
        megabytes = 0
    if megabytes < 1:
        raise PayoffError(f"{UPLOAD_LIMIT_ENV}={raw!r} is not a whole number of megabytes (e.g. {UPLOAD_LIMIT_MB})")
    return megabytes


def cmd_password(args) -> int:
    import getpass

    from pipelines.access import check_new_password, hash_password

    if args.stdin:
        password = sys.stdin.readline().rstrip("\r\n")
        check_new_password(password)
    else:
        password = getpass.getpass("New dashboard password: ")
        check_new_password(password)  # before asking twice
        if getpass.getpass("Same again: ") != password:
            raise PayoffError("the two passwords differ; nothing was printed")
    print(f'password_hash = "{hash_password(password)}"')
    print('payoff: paste that line under [payoff] (with auth = "password") in .streamlit/secrets.toml, '
          "or set PAYOFF_PASSWORD_HASH to the quoted value", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
