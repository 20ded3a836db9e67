"""The real app in headless Debian Chromium: every page loads, renders charts, shows no exception."""

from __future__ import annotations

import re

import pytest
from serving import serve_copy

pytestmark = pytest.mark.browser
PAGES = {"": "Which activities pay off", "drivers": "Drivers", "timing": "Timing and returns",
         "busy": "Busy vs effective", "teams": "Teams", "plan": "Plan", "data_page": "Data"}
NEW_EXPORT = (b"Activity ID,Activity Type,Date,Account ID,Assigned To\r\n"
              b"ZZ-1,Meeting,12/1/2025,ACC-00001,Nadia Haddad\r\nZZ-2,Call,12/2/2025,ACC-00001,Nadia Haddad\r\n"
              b"ZZ-3,Email,12/3/2025,ACC-00002,Nadia Haddad\r\n")


@pytest.fixture(scope="module")
def app_url(demo_db, tmp_path_factory):
    """`payoff app` on a free loopback port against a copy of the demo database (uploads write to it)."""
    with serve_copy(demo_db, tmp_path_factory.mktemp("app")) as (url, _):
        yield url


@pytest.mark.parametrize("path,title", PAGES.items())
def test_page_renders_in_a_real_browser(app_url, browser, path, title, tmp_path):
    page = browser.new_page(viewport={"width": 1400, "height": 2200})
    page.goto(f"{app_url}/{path}")
    page.get_by_role("heading", name=title).first.wait_for(timeout=60_000)
    if path == "data_page":  # its charts are on the "What's loaded" tab, as a user would open it
        page.get_by_role("tab", name="What's loaded").click()
    page.locator('[data-testid="stPlotlyChart"]').first.wait_for(timeout=60_000)
    page.wait_for_timeout(1500)
    assert page.locator('[data-testid="stException"]').count() == 0
    assert page.locator(".js-plotly-plot .main-svg").count() >= 1, "plotly drew its SVG"
    page.screenshot(path=str(tmp_path / f"{path or 'home'}.png"))
    page.close()


@pytest.mark.parametrize("width,height", [(1280, 720), (1920, 1080)])
def test_presentation_mode_is_driven_by_the_keyboard_alone(app_url, browser, tmp_path, width, height):
    """What a clicker sends (arrows, Page Down, Space) walks from the first finding to the last, each one with its
    headline at the top and its chart whole on the screen; Left goes back, Escape returns to the Overview."""
    page = browser.new_page(viewport={"width": width, "height": height})
    page.goto(f"{app_url}/present")
    page.locator(".payoff-headline").wait_for(timeout=60_000)
    assert page.locator('[data-testid="stSidebar"]').is_hidden(), "no controls on a projector"
    page.wait_for_function("document.getElementById('payoff-keys') !== null", timeout=30_000)  # keys listened to
    total = int(re.search(r"of (\d+)", page.inner_text(".payoff-kicker"), re.I).group(1))
    assert total >= 6
    for i in range(1, total + 1):
        if i > 1:
            page.keyboard.press(("ArrowRight", "PageDown", "Space")[i % 3])
            _wait_for_slide(page, i)
        assert page.locator(".payoff-headline").bounding_box()["y"] < 150, "the headline is at the top"
        chart = page.locator('[data-testid="stPlotlyChart"]')
        if chart.count():
            box = chart.bounding_box()
            assert box["y"] + box["height"] <= height, f"slide {i}: the chart runs off a {width}x{height} screen"
        assert page.locator('[data-testid="stException"]').count() == 0
    page.screenshot(path=str(tmp_path / "present_last.png"))
    page.keyboard.press("ArrowLeft")
    _wait_for_slide(page, total - 1)
    page.keyboard.press("Escape")
    page.get_by_role("heading", name="Which activities pay off").wait_for(timeout=60_000)
    page.close()


def _wait_for_slide(page, n: int) -> None:
    page.wait_for_function("n => (document.querySelector('.payoff-kicker') || {innerText: ''}).innerText"
                           ".toLowerCase().includes(n + ' of')", arg=str(n), timeout=30_000)
    page.wait_for_timeout(800)  # the chart of the new slide


def _upload(page, app_url, path, tmp_path, shot):
    page.goto(f"{app_url}/data_page")
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').wait_for(state="attached", timeout=60_000)
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(path))
    page.get_by_role("button", name="Load", exact=True).first.wait_for(timeout=60_000)
    page.get_by_role("button", name="Load", exact=True).first.click()
    page.get_by_text("Rows read").first.wait_for(timeout=120_000)
    page.wait_for_timeout(1000)
    assert page.locator('[data-testid="stException"]').count() == 0
    page.screenshot(path=str(tmp_path / shot))
    return page.inner_text("body")


def test_upload_through_the_data_page(app_url, browser, tmp_path):
    export = tmp_path / "new_activities.csv"
    export.write_bytes(NEW_EXPORT)
    page = browser.new_page(viewport={"width": 1400, "height": 2200})
    body = _upload(page, app_url, export, tmp_path, "upload.png")
    assert "new_activities.csv" in body
    page.close()


@pytest.mark.realdata
def test_upload_a_public_dataset_through_the_data_page(app_url, browser, tmp_path, datasets):
    page = browser.new_page(viewport={"width": 1400, "height": 2200})
    body = _upload(page, app_url, datasets / "telco_churn_maven" / "telecom_customer_churn.csv", tmp_path,
                   "upload_telco.png")
    assert "7,043" in body or "7043" in body
    page.close()
