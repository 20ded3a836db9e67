"""Server time of one dashboard page under Streamlit's AppTest: a cold run, then a warm one.

    PAYOFF_DB=path.duckdb python bench/pages.py app_pages/drivers.py [--timeout 600]

Run it in a fresh process per page (bench.py does): the first `run()` of the page pays the
imports of the page's code, the database reads and every model fit the page needs (the cold
start a user gets on the first visit after the server starts); the second `run()` in the same
process is a rerun with Streamlit's caches filled (what every later click costs). Prints JSON.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "dashboard" / "app.py")
PAGES = ("app_pages/overview.py", "app_pages/drivers.py", "app_pages/timing.py", "app_pages/busy.py",
         "app_pages/teams.py", "app_pages/plan.py", "app_pages/present.py", "app_pages/data_page.py")


def measure(page: str, timeout: float) -> dict:
    """Open the app straight on `page` and time two runs; report exceptions and what rendered."""
    sys.path.insert(0, str(ROOT))
    t0 = time.perf_counter()
    from streamlit.testing.v1 import AppTest

    imported = time.perf_counter() - t0
    at = AppTest.from_file(APP, default_timeout=timeout)
    at.switch_page(page)  # before the first run: pages registered by file name resolve by file name
    t0 = time.perf_counter()
    at.run()
    cold = time.perf_counter() - t0
    cold_errors = [str(e.value)[:300] for e in at.exception]
    t0 = time.perf_counter()
    at.run()
    warm = time.perf_counter() - t0
    titles = [t.value for t in at.title]
    headline = [m.value for m in at.markdown if 'class="payoff-headline"' in m.value]
    return {
        "page": page,
        "cold_seconds": round(cold, 3),
        "warm_seconds": round(warm, 3),
        "streamlit_import_seconds": round(imported, 3),
        "exceptions": cold_errors + [str(e.value)[:300] for e in at.exception],
        "title": titles[0] if titles else ("(presentation headline)" if headline else None),
        "n_charts": len(at.get("plotly_chart")),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("page", choices=PAGES)
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds one run may take before AppTest fails")
    args = parser.parse_args(argv)
    try:
        result = measure(args.page, args.timeout)
    except Exception as exc:  # report, do not crash: the table says the page could not be reached
        result = {"page": args.page, "error": f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"}
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
