"""`make loadtest`: many people on the dashboard at once, on the 10M-event database, while data lands.

    python bench/loadtest.py [--keep DIR | --db PATH --month CSV] [--sessions 1,5,10,20] [--seconds 60]

What it does, against a real server (`payoff app`, a copy of the database):

1. Opens every page once with no filter and once per filter the sessions will use, one after the
   other (the first visit of a filtered view fits its models live; those times are reported as the
   cold column, not mixed into the warm ones).
2. For each number of sessions N: N sessions, each its own websocket speaking Streamlit's own
   protocol (what a browser tab sends: a rerun of a page with the sidebar's widget states), walk the
   eight pages in a loop for --seconds, waiting --think seconds (uniform) between pages like a person
   reading. A quarter of the sessions filter to one segment. A page's time is from asking for it to
   the server's "script finished": everything the person waits for before the page stops running.
   Any exception shown on a page, a dropped connection or a page over --timeout is an error.
3. During the largest N: one more session uploads half of a month's activity export through the
   Data page in headless Chromium (as an analyst would), and `payoff ingest` loads the other half
   from the command line. Both must land; every session must then see both loads (the Data page's
   "Active loads" count) on its next visit.

Server memory (resident, the server's process tree) is sampled every half second. The table goes
to bench/results/loadtest.md and .json. Browser sessions are not used for the readers: twenty
Chromium tabs would spend the machine's two cores drawing pages and measure the client, not Payoff.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
PAGES = ("", "drivers", "timing", "busy", "teams", "plan", "present", "data_page")  # url paths; "" is the Overview
FILTER_EVERY = 4  # every 4th session filters to one segment
BIN = Path(sys.executable).parent


class LoadTestError(RuntimeError):
    pass


# -- the server --------------------------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """`payoff app` on a port, with its process tree's resident memory sampled in the background."""

    def __init__(self, db: Path, log: Path):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {**os.environ, "PAYOFF_DB": str(db)}
        self.proc = subprocess.Popen([str(BIN / "payoff"), "--db", str(db), "app", "--port", str(self.port)],
                                     stdout=log.open("w"), stderr=subprocess.STDOUT, env=env, start_new_session=True)
        self.samples: list[tuple[float, float]] = []
        self._stop = threading.Event()
        deadline = time.time() + 120
        while time.time() < deadline:
            try:
                with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                time.sleep(0.5)
        else:
            self.stop()
            raise LoadTestError(f"the server did not start; see {log}")
        threading.Thread(target=self._sample, daemon=True).start()

    def rss_mb(self) -> float:
        """Resident memory of the server and its children (payoff app runs streamlit as a child)."""
        pids, total = [self.proc.pid], 0
        for pid in pids:
            try:
                pids += [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
            except OSError:
                continue
        return total / 1024

    def _sample(self) -> None:
        while not self._stop.wait(0.5):
            self.samples.append((time.time(), self.rss_mb()))

    def peak_mb(self, since: float, until: float | None = None) -> float:
        inside = [mb for t, mb in self.samples if t >= since and (until is None or t <= until)]
        return max(inside, default=0.0)

    def stop(self) -> None:
        self._stop.set()
        try:
            os.killpg(self.proc.pid, 15)
            self.proc.wait(30)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            os.killpg(self.proc.pid, 9)


# -- one session: Streamlit's websocket protocol ------------------------------------------------------------------
@dataclass
class PageView:
    session: int
    page: str
    started: float
    seconds: float
    error: str | None = None
    active_loads: int | None = None  # the Data page's "Active loads"


@dataclass
class Session:
    """One browser tab's worth of protocol: connect, then rerun pages with the sidebar's widget states."""

    number: int
    url: str
    segment: str | None = None  # filter to this segment (None: no filter)
    timeout: float = 600.0
    views: list[PageView] = field(default_factory=list)

    async def __aenter__(self):
        import websockets

        ws_url = self.url.replace("http", "ws", 1) + "/_stcore/stream"
        self.ws = await websockets.connect(ws_url, subprotocols=["streamlit"], max_size=None, origin=self.url,
                                           open_timeout=60, ping_interval=None)
        self.pages: dict[str, str] = {}
        self.widgets: dict[str, object] = {}  # sidebar widget ids by key suffix, with their options
        return self

    async def __aexit__(self, *exc):
        await self.ws.close()

    async def visit(self, page: str) -> PageView:
        from streamlit.proto.BackMsg_pb2 import BackMsg
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        back = BackMsg()
        back.rerun_script.query_string = ""
        back.rerun_script.page_script_hash = self.pages.get(page, "")
        back.rerun_script.page_name = page
        if self.segment is not None and "f_segment" in self.widgets:
            state = back.rerun_script.widget_states.widgets.add()
            state.id = self.widgets["f_segment"]
            state.string_array_value.data.append(self.segment)
        started, error, active = time.perf_counter(), None, None
        wall = time.time()
        await self.ws.send(back.SerializeToString())
        try:
            while True:
                raw = await asyncio.wait_for(self.ws.recv(), timeout=self.timeout)
                msg = ForwardMsg()
                msg.ParseFromString(raw)
                kind = msg.WhichOneof("type")
                if kind == "navigation":
                    self.pages = {p.url_pathname: p.page_script_hash for p in msg.navigation.app_pages}
                elif kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
                    element = msg.delta.new_element
                    which = element.WhichOneof("type")
                    if which == "exception":
                        error = f"exception: {element.exception.type}: {element.exception.message[:200]}"
                    elif which == "multiselect" and element.multiselect.id.endswith("-f_segment"):
                        self.widgets["f_segment"] = element.multiselect.id
                        self.widgets["segments"] = list(element.multiselect.options)
                    elif which == "metric" and element.metric.label == "Active loads":
                        active = int(element.metric.body.replace(",", ""))
                elif kind == "script_finished":
                    break
        except TimeoutError:
            error = f"no answer within {self.timeout:.0f} s"
        except Exception as exc:  # noqa: BLE001 - a dropped connection is an error of this view, reported
            error = f"{type(exc).__name__}: {exc}"
        view = PageView(self.number, page or "overview", wall, time.perf_counter() - started, error, active)
        self.views.append(view)
        return view


async def walk(url: str, number: int, segment: str | None, until: list[float], think: tuple[float, float],
               timeout: float, seed: int) -> list[PageView]:
    """One person: every page in turn, again and again, reading each for a while, until until[0] (which the
    writers may move on)."""
    rng = random.Random(seed)
    views = []
    try:
        async with Session(number, url, None, timeout) as s:
            await s.visit("")  # the landing page: learns the pages and the filter's widget id
            s.segment = segment
            i = rng.randrange(len(PAGES))
            while time.time() < until[0]:
                await asyncio.sleep(rng.uniform(*think))
                await s.visit(PAGES[i % len(PAGES)])
                i += 1
            views = s.views[1:]
    except Exception as exc:  # noqa: BLE001 - a session that could not connect is one error, reported
        views.append(PageView(number, "(connect)", time.time(), 0.0, f"{type(exc).__name__}: {exc}"))
    return views


async def first_visits(url: str, segments: list[str | None], timeout: float) -> dict[str, list[PageView]]:
    """Each page once per view the sessions use, one after another: the cold times."""
    out = {}
    for segment in segments:
        async with Session(0, url, None, timeout) as s:
            await s.visit("")
            s.segment = segment
            for page in PAGES:
                await s.visit(page)
            out[segment or "(no filter)"] = s.views[1:]
    return out


async def learn_segments(url: str) -> list[str]:
    async with Session(0, url) as s:
        await s.visit("")
        return list(s.widgets.get("segments", []))


# -- the writers --------------------------------------------------------------------------------------------------
def split_month(month: Path, folder: Path) -> tuple[Path, Path]:
    """The month's export in two halves (every other row), each a whole CSV file: one for each writer."""
    halves = [folder / f"{month.stem}_upload.csv", folder / f"{month.stem}_cli.csv"]
    with month.open(newline="", encoding="utf-8") as f, halves[0].open("w", newline="", encoding="utf-8") as a, \
            halves[1].open("w", newline="", encoding="utf-8") as b:
        rows = csv.reader(f)
        header = next(rows)
        writers = [csv.writer(a), csv.writer(b)]
        for w in writers:
            w.writerow(header)
        for i, row in enumerate(rows):
            writers[i % 2].writerow(row)
    return halves[0], halves[1]


def upload_in_browser(url: str, path: Path, result: dict) -> None:
    """Upload one file on the Data page in headless Chromium and press Load; record how long it took."""
    from playwright.sync_api import sync_playwright

    started = time.time()
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=shutil.which("chromium") or None,
                                        args=["--headless", "--no-sandbox", "--disable-gpu"])
            page = browser.new_page(viewport={"width": 1440, "height": 1200})
            page.goto(f"{url}/data_page")
            dropzone = page.locator('[data-testid="stFileUploaderDropzoneInput"]')
            dropzone.wait_for(state="attached", timeout=120_000)
            dropzone.set_input_files(str(path))
            load = page.get_by_role("button", name="Load", exact=True).first
            load.wait_for(timeout=300_000)
            clicked = time.time()
            load.click()
            page.get_by_text("Rows read").first.wait_for(timeout=900_000)
            result["landed"] = time.time()
            result["load_seconds"] = round(result["landed"] - clicked, 1)
            result["exceptions"] = page.locator('[data-testid="stException"]').count()
            browser.close()
    except Exception as exc:  # noqa: BLE001 - reported in the table as the upload's error
        result["error"] = f"{type(exc).__name__}: {str(exc).splitlines()[0]}"
    result["seconds"] = round(time.time() - started, 1)


def ingest_on_command_line(db: Path, path: Path, result: dict) -> None:
    started = time.time()
    done = subprocess.run([str(BIN / "payoff"), "--db", str(db), "ingest", str(path)], capture_output=True, text=True)
    result.update(seconds=round(time.time() - started, 1), landed=time.time(), returncode=done.returncode,
                  waited="wait" in done.stderr.lower(), stderr=done.stderr[-500:])


# -- the run ------------------------------------------------------------------------------------------------------
def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def summarise(views: list[PageView]) -> dict:
    ok = [v.seconds for v in views if v.error is None]
    return {"views": len(views), "errors": sum(v.error is not None for v in views),
            "p50": round(percentile(ok, 0.50), 2), "p95": round(percentile(ok, 0.95), 2),
            "max": round(max(ok, default=float("nan")), 2),
            "error_examples": sorted({v.error for v in views if v.error})[:5]}


def run(args) -> dict:
    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="payoff-loadtest-"))
    work.mkdir(parents=True, exist_ok=True)
    source, month = prepare(args, work)
    db = work / "loadtest.duckdb"
    shutil.copyfile(source, db)
    # the stored analysis must be this code's (an analysis by other code is not read), or the first visit fits it
    subprocess.run([str(BIN / "payoff"), "--db", str(db), "analyse"], check=True, capture_output=True)
    upload_half, cli_half = split_month(month, work)
    server = Server(db, work / "server.log")
    out: dict = {"started": datetime.now().isoformat(timespec="seconds"), "database": str(source),
                 "think_seconds": args.think, "seconds_per_level": args.seconds, "levels": []}
    try:
        segments = asyncio.run(learn_segments(server.url))
        segment = segments[0] if segments else None
        t0 = time.time()
        cold = asyncio.run(first_visits(server.url, [None, segment] if segment else [None], args.timeout))
        out["cold"] = {name: {v.page: round(v.seconds, 2) for v in views} for name, views in cold.items()}
        out["cold_errors"] = [v.error for views in cold.values() for v in views if v.error]
        out["cold_peak_mb"] = round(server.peak_mb(t0))
        say(f"first visits: {json.dumps(out['cold'])}")
        for n in args.sessions:
            out["levels"].append(level(server, db, n, segment, args, None))
            say(f"{n} sessions: {json.dumps(out['levels'][-1])}")
        n = max(args.sessions)  # then the largest number again, while an upload and a command-line load land
        out["levels"].append(level(server, db, n, segment, args, (upload_half, cli_half)))
        say(f"{n} sessions with writes: {json.dumps(out['levels'][-1])}")
    finally:
        server.stop()
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    return out


def level(server: Server, db: Path, n: int, segment: str | None, args, writes: tuple[Path, Path] | None) -> dict:
    started = time.time()
    until = [started + args.seconds]
    upload, cli, threads = {}, {}, []
    if writes:
        until[0] = float("inf")  # until both writes are over, and then long enough for everyone to see them

        def then_walk_on(write, *args_):
            try:
                write(*args_)
            finally:
                done.append(write)
                if len(done) == 2:
                    until[0] = time.time() + args.after

        done = []

        threads = [threading.Timer(args.write_after, then_walk_on, (upload_in_browser, server.url, writes[0], upload)),
                   threading.Timer(args.write_after + 2, then_walk_on, (ingest_on_command_line, db, writes[1], cli))]
        for t in threads:
            t.start()

    async def everyone():
        return await asyncio.gather(*(walk(server.url, i, segment if i % FILTER_EVERY == FILTER_EVERY - 1 else None,
                                           until, args.think, args.timeout, seed=1000 * n + i)
                                      for i in range(n)))

    per_session = asyncio.run(everyone())
    for t in threads:
        t.join()
    views = [v for s in per_session for v in s]
    result = {"sessions": n, "writes": bool(writes), **summarise(views), "peak_mb": round(server.peak_mb(started)),
              "seconds": round(time.time() - started),
              "slow": [{"session": v.session, "filtered": v.session % FILTER_EVERY == FILTER_EVERY - 1, "page": v.page,
                        "at": round(v.started - started, 1), "seconds": round(v.seconds, 1)}
                       for v in views if v.seconds > 3]}
    if writes:
        landed = max(upload.get("landed", time.time()), cli.get("landed", time.time()))
        after = [v for v in views if v.started > landed]
        during = [v for v in views if started + args.write_after <= v.started <= landed]
        result["during_writes"] = summarise(during)
        result["after_writes"] = summarise(after)
        result["upload"] = {k: v for k, v in upload.items() if k != "landed"}
        result["cli_ingest"] = {k: v for k, v in cli.items() if k != "landed"}
        expected = initial_loads(db) if "error" not in upload and cli.get("returncode") == 0 else None
        seen = {}
        for s in per_session:
            later = [v.active_loads for v in s if v.started > landed and v.active_loads is not None]
            if later:
                seen[s[0].session if s else -1] = later[0]
        result["sessions_seeing_both_loads"] = sum(1 for v in seen.values() if v == expected)
        result["sessions_visiting_data_after"] = len(seen)
        result["active_loads_after"] = expected
    return result


def initial_loads(db: Path) -> int:
    done = subprocess.run([str(BIN / "payoff"), "--db", str(db), "loads", "--format", "json"], capture_output=True,
                          text=True)
    try:
        return sum(1 for row in json.loads(done.stdout) if not row.get("undone_at"))
    except (ValueError, TypeError):
        return -1


def prepare(args, work: Path) -> tuple[Path, Path]:
    """The database (all exports loaded, analysis stored) and the month export the writers split."""
    if args.db:
        if not args.month:
            raise LoadTestError("--db needs --month (an activity export of one more month)")
        return Path(args.db), Path(args.month)
    data = work / "data"
    made = subprocess.run([sys.executable, str(BENCH / "generate.py"), "--scale", args.scale, "--out", str(data)],
                          capture_output=True, text=True, check=True)
    manifest = json.loads(made.stdout)
    exports = manifest["exports"]
    db = work / "source.duckdb"
    if not db.exists():
        say(f"loading the {args.scale} exports into {db} (once; kept with --keep)")
        files = [str(data / exports[k]) for k in ("accounts", "activities_a", "activities_b", "revenue", "renewals",
                                                   "referrals")]
        subprocess.run([str(BIN / "payoff"), "--db", str(db), "ingest", *files], check=True)
    return db, data / exports["append"]


def say(text: str) -> None:
    print(f"loadtest: {text}", file=sys.stderr, flush=True)


def markdown(res: dict) -> str:
    lines = [f"# Payoff load test ({res['started'][:10]})", "",
             f"Database: {res['database']}. Each session walks the eight pages in turn, {res['think_seconds'][0]:g}–"
             f"{res['think_seconds'][1]:g} s between pages, for {res['seconds_per_level']} s per level; every "
             f"{FILTER_EVERY}th session filters to one segment. Times are the server's, from asking for a page to "
             "its last element (warm: after the first visits below).", "",
             "| sessions | page views | p50 s | p95 s | max s | errors | server peak MB |",
             "|---:|---:|---:|---:|---:|---:|---:|"]
    for lv in res["levels"]:
        lines.append(f"| {lv['sessions']}{' + upload + `payoff ingest`' if lv['writes'] else ''} | {lv['views']:,} | {lv['p50']:.2f} | {lv['p95']:.2f} | {lv['max']:.2f} | "
                     f"{lv['errors']} | {lv['peak_mb']:,} |")
    for lv in res["levels"]:
        if "upload" not in lv:
            continue
        up, cli = lv["upload"], lv["cli_ingest"]
        lines += ["", f"With {lv['sessions']} sessions, a browser upload and `payoff ingest` of a month's halves:", "",
                  f"- upload through the Data page: {up.get('error') or 'landed'}, {up.get('load_seconds', '?')} s "
                  f"from pressing Load to the report ({up.get('seconds', '?')} s with choosing the file); "
                  f"exceptions on the page: {up.get('exceptions', '?')}",
                  f"- `payoff ingest`: exit {cli.get('returncode')}, {cli.get('seconds')} s"
                  f"{' (waited for the other write)' if cli.get('waited') else ''}",
                  f"- page views while the writes ran: p50 {lv['during_writes']['p50']:.2f} s, p95 "
                  f"{lv['during_writes']['p95']:.2f} s, max {lv['during_writes']['max']:.2f} s, "
                  f"{lv['during_writes']['errors']} errors ({lv['during_writes']['views']} views)",
                  f"- after both landed: p50 {lv['after_writes']['p50']:.2f} s, p95 {lv['after_writes']['p95']:.2f} s, "
                  f"{lv['after_writes']['errors']} errors; {lv['sessions_seeing_both_loads']} of "
                  f"{lv['sessions_visiting_data_after']} sessions that opened the Data page afterwards saw "
                  f"{lv['active_loads_after']} active loads on their first visit"]
    lines += ["", "First visits (one session, one page after another; a filtered view fits its models live):", ""]
    for name, pages in res["cold"].items():
        lines.append(f"- {name}: " + ", ".join(f"{p} {s:.1f} s" for p, s in pages.items()))
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="10m", help="bench/generate.py scale when no --db is given")
    parser.add_argument("--keep", metavar="DIR", help="keep the exports and the loaded database here, and reuse them")
    parser.add_argument("--db", help="an existing loaded database to copy (with --month)")
    parser.add_argument("--month", help="an activity export of one more month, split between the two writers")
    parser.add_argument("--sessions", default="1,5,10,20")
    parser.add_argument("--seconds", type=float, default=60.0, help="how long each level runs")
    parser.add_argument("--think", default="2-5", help="seconds between one session's pages (uniform range)")
    parser.add_argument("--write-after", type=float, default=15.0, help="seconds into the largest level the writes start")
    parser.add_argument("--after", type=float, default=45.0,
                        help="seconds the largest level goes on after both writes landed")
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds a page may take before it is an error")
    parser.add_argument("--out", default=str(BENCH / "results"))
    args = parser.parse_args(argv)
    args.sessions = sorted(int(n) for n in args.sessions.split(","))
    low, high = (float(x) for x in args.think.split("-"))
    args.think = (low, high)
    res = run(args)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "loadtest.json").write_text(json.dumps(res, indent=2) + "\n")
    text = markdown(res)
    (out / "loadtest.md").write_text(text)
    print(text)
    bad = [lv for lv in res["levels"] if lv["errors"]] + [e for e in res["cold_errors"]]
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
