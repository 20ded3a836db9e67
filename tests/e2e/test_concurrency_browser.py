"""Several users at once in real browsers: two sessions upload together while a third reads pages,
and the command line loads a file while the dashboard is open."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pipelines.config import PROJECT_ROOT
from pipelines.db import current_writer
from serving import serve_copy

pytestmark = pytest.mark.browser
UPLOAD_ROWS = 120_000  # a few MB each: the two loads overlap
CLI_ROWS = 600_000  # long enough to open a page while it loads
READ_PAGES = {"": "Which activities pay off", "drivers": "Drivers", "teams": "Teams", "data_page": "Data"}


@pytest.fixture(scope="module")
def served(demo_db, tmp_path_factory):
    with serve_copy(demo_db, tmp_path_factory.mktemp("concurrent")) as served_app:
        yield served_app


def _loads(db: Path) -> list[dict]:
    out = subprocess.run([sys.executable, "-m", "pipelines.cli", "--db", str(db), "loads", "--format", "json"],
                         cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120, check=True).stdout
    return json.loads(out)


def _undo_choices(page) -> list[str]:
    """The loads offered for undo (the history table is drawn on a canvas; this list is text)."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    box = page.get_by_placeholder("Choose a load to undo")
    box.wait_for(timeout=60_000)
    for _ in range(3):  # a rerun finishing just after the click closes the list again
        box.click()
        try:
            page.get_by_role("option").first.wait_for(timeout=10_000)
            return page.get_by_role("option").all_inner_texts()
        except PlaywrightTimeout:
            page.keyboard.press("Escape")
    raise AssertionError("the undo list never opened")


def _no_error_shown(page) -> None:
    assert page.locator('[data-testid="stException"]').count() == 0
    body = page.inner_text("body").lower()
    for phrase in ("cannot open the database", "lock", "traceback"):
        assert phrase not in body, phrase


def test_two_sessions_upload_at_once_while_a_third_reads(served, browser, activity_export, tmp_path):
    url, db = served
    exports = [activity_export(tmp_path / f"{name}.csv", f"{name}-", UPLOAD_ROWS) for name in ("alpha", "beta")]
    uploaders = [browser.new_context().new_page() for _ in exports]
    reader = browser.new_context().new_page()
    for page, export in zip(uploaders, exports):
        page.set_viewport_size({"width": 1400, "height": 1800})
        page.goto(f"{url}/data_page")
        page.locator('[data-testid="stFileUploaderDropzoneInput"]').wait_for(state="attached", timeout=60_000)
        page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(export))
        page.get_by_role("button", name="Load", exact=True).first.wait_for(timeout=60_000)

    for page in uploaders:  # both presses land within a moment of each other
        page.get_by_role("button", name="Load", exact=True).first.click(no_wait_after=True)
    for path, title in READ_PAGES.items():  # the third user reads while both loads run
        reader.goto(f"{url}/{path}")
        reader.get_by_role("heading", name=title).first.wait_for(timeout=120_000)
        reader.wait_for_timeout(500)
        _no_error_shown(reader)

    for page, export in zip(uploaders, exports):
        page.get_by_text("Rows read").first.wait_for(timeout=180_000)
        page.wait_for_timeout(500)
        _no_error_shown(page)
        assert export.name in page.inner_text("body")
        page.screenshot(path=str(tmp_path / f"{export.stem}.png"))
    landed = {row["file_name"]: row for row in _loads(db)}
    for export in exports:
        assert landed[export.name]["rows_loaded"] == UPLOAD_ROWS, "every row of both uploads landed"
    reader.goto(f"{url}/data_page")
    reader.get_by_role("heading", name="Data").first.wait_for(timeout=60_000)
    reader.get_by_role("tab", name="Load history").click()
    history = " ".join(_undo_choices(reader))
    assert all(export.name in history for export in exports), "the reader sees both loads after they land"
    for page in [*uploaders, reader]:
        page.context.close()


def test_pages_keep_the_last_data_while_the_command_line_loads(served, browser, activity_export, tmp_path):
    url, db = served
    page = browser.new_context().new_page()
    page.set_viewport_size({"width": 1400, "height": 1800})
    page.goto(url)
    page.get_by_role("heading", name="Which activities pay off").first.wait_for(timeout=120_000)
    page.locator('[data-testid="stPlotlyChart"]').first.wait_for(timeout=120_000)

    export = activity_export(tmp_path / "bulk.csv", "bulk-", CLI_ROWS)
    load = subprocess.Popen([sys.executable, "-m", "pipelines.cli", "--db", str(db), "ingest", str(export)],
                            cwd=PROJECT_ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONWARNINGS": "ignore"})
    deadline = time.monotonic() + 60
    while current_writer(db) is None:
        assert load.poll() is None and time.monotonic() < deadline, "the load never started writing"
        time.sleep(0.02)
    page.reload()
    page.get_by_text("Now loading bulk.csv from the command line").wait_for(timeout=30_000)
    page.locator('[data-testid="stPlotlyChart"]').first.wait_for(timeout=30_000)
    assert load.poll() is None, "the page rendered from the last committed data while the load still ran"
    _no_error_shown(page)
    page.screenshot(path=str(tmp_path / "during_load.png"))

    _, err = load.communicate(timeout=300)
    assert load.returncode == 0, err
    page.goto(f"{url}/data_page")
    page.get_by_role("tab", name="Load history").wait_for(timeout=60_000)
    assert page.get_by_text("Now loading").count() == 0
    page.get_by_role("tab", name="Load history").click()
    assert any("bulk.csv" in choice for choice in _undo_choices(page))
    _no_error_shown(page)
    page.context.close()
