"""The real app in headless Debian Chromium: every page loads, renders charts, shows no exception."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from pipelines.config import PROJECT_ROOT

pytestmark = pytest.mark.browser
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
STARTUP_SECONDS = 60  # a cold Streamlit start imports pandas, plotly and duckdb
PAGES = {"": "What's loaded"}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def app_url(demo_db, tmp_path_factory):
    """`payoff app` on a free loopback port against the demo database."""
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail("Chromium is missing; .ci/run installs it")
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    port = _free_port()
    log_path = tmp_path_factory.mktemp("app") / "server.log"
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "pipelines.cli", "--db", str(demo_db), "app", "--port", str(port)],
            stdout=log, stderr=subprocess.STDOUT, cwd=PROJECT_ROOT,
            env={**os.environ, "PYTHONWARNINGS": "ignore"},
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


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.mark.parametrize("path,title", PAGES.items())
def test_page_renders_in_a_real_browser(app_url, browser, path, title, tmp_path):
    page = browser.new_page(viewport={"width": 1400, "height": 2000})
    page.goto(f"{app_url}/{path}")
    page.get_by_role("heading", name=title).wait_for(timeout=30_000)
    page.locator('[data-testid="stPlotlyChart"]').first.wait_for(timeout=30_000)
    page.wait_for_timeout(1500)
    assert page.locator('[data-testid="stException"]').count() == 0
    assert page.locator('[data-testid="stPlotlyChart"]').count() >= 2
    assert page.locator(".js-plotly-plot .main-svg").count() >= 2, "plotly drew its SVG"
    assert "46,950" in page.inner_text("body")
    page.screenshot(path=str(tmp_path / f"{path or 'home'}.png"))
    page.close()
