"""Serving the real app and finding Debian's Chromium, for the browser tests."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest

from pipelines.config import PROJECT_ROOT

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
STARTUP_SECONDS = 60  # a cold Streamlit start imports pandas, plotly and duckdb


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def chromium_or_skip() -> str:
    """Debian's Chromium; a missing one fails under CI (which installs it) and skips elsewhere."""
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail("Chromium is missing; .ci/run installs it")
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    return CHROMIUM


@contextmanager
def serve_app(db: Path, folder: Path, env: dict | None = None, args: tuple[str, ...] = ()):
    """`payoff app` on a free loopback port; yields its URL once the health check answers."""
    port = free_port()
    log_path = folder / f"server-{port}.log"
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "pipelines.cli", "--db", str(db), "app", "--port", str(port), *args],
            stdout=log, stderr=subprocess.STDOUT, cwd=PROJECT_ROOT,
            env={**os.environ, "PYTHONWARNINGS": "ignore", **(env or {})},
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as resp:
                    if resp.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"the app did not start:\n{log_path.read_text(errors='replace')[-2000:]}")
            time.sleep(0.5)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


@contextmanager
def serve_copy(demo_db: Path, folder: Path, env: dict | None = None):
    """`payoff app` against a private copy of the demo database (uploads write to it); yields (url, db)."""
    chromium_or_skip()
    db = folder / "payoff.duckdb"
    shutil.copyfile(demo_db, db)
    with serve_app(db, folder, env) as url:
        yield url, db
