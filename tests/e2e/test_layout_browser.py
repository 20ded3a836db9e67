"""The app as a leader's screen shows it: nothing overflows, the Overview's answer needs no scrolling, every
numeric chart axis says its unit (1280×720 and 1440×900, real headless Chromium)."""

from __future__ import annotations

import pytest
from serving import serve_copy

pytestmark = pytest.mark.browser
SCREENS = [(1280, 720), (1440, 900)]
PAGES = {"": "Which activities pay off", "drivers": "Drivers", "timing": "Timing and returns",
         "busy": "Busy vs effective", "teams": "Teams", "plan": "Plan", "data_page": "Data"}
# every Plotly axis drawn with numbers on it (not one labelled by category names): its title, as the user set it
NUMERIC_AXES = """() => Array.from(document.querySelectorAll('.js-plotly-plot')).flatMap(el => {
  const full = el._fullLayout, own = el.layout || {};
  if (!full) return [];
  return Object.keys(full).filter(k => /^[xy]axis\\d*$/.test(k))
    .filter(k => full[k].visible && full[k].showticklabels && ['linear', 'log'].includes(full[k].type)
                 && !(full[k].ticktext && full[k].ticktext.length))
    .map(k => ({chart: ((full.title || {}).text || '').replace(/<[^>]+>/g, ''), axis: k,
                title: ((own[k] || {}).title || {}).text || ''}));
})"""
MAIN_OVERFLOW = """() => { const main = document.querySelector('[data-testid="stMain"]');
  return main.scrollWidth - main.clientWidth; }"""


@pytest.fixture(scope="module")
def app_url(demo_db, tmp_path_factory):
    with serve_copy(demo_db, tmp_path_factory.mktemp("layout")) as (url, _):
        yield url


@pytest.mark.parametrize("width,height", SCREENS)
def test_the_overview_answers_without_scrolling(app_url, browser, tmp_path, width, height):
    page = browser.new_page(viewport={"width": width, "height": height})
    page.goto(app_url)
    page.get_by_role("heading", name=PAGES[""]).wait_for(timeout=60_000)
    chart = page.locator('[data-testid="stPlotlyChart"]').first
    chart.wait_for(timeout=60_000)
    page.wait_for_timeout(1000)
    box = chart.bounding_box()
    assert box["y"] + box["height"] <= height, f"the payoff map runs below a {width}x{height} screen: {box}"
    first = page.locator('[data-testid="stMarkdownContainer"]').filter(has_text="Recognized revenue —").first
    # the first outcome's one sentence, beside the map
    sentence = first.bounding_box()
    assert sentence["y"] + sentence["height"] <= height and "Training goes with +" in first.inner_text()
    legend = page.locator(".js-plotly-plot .legend").first.text_content()
    assert "driver" in legend and "no evidence" in legend  # the colours are named
    page.screenshot(path=str(tmp_path / f"overview_{width}.png"))
    page.close()


@pytest.mark.parametrize("width,height", SCREENS)
@pytest.mark.parametrize("path", PAGES)
def test_no_page_overflows_and_every_numeric_axis_has_its_unit(app_url, browser, width, height, path):
    page = browser.new_page(viewport={"width": width, "height": height})
    page.goto(f"{app_url}/{path}")
    page.get_by_role("heading", name=PAGES[path]).first.wait_for(timeout=60_000)
    if path == "data_page":
        page.get_by_role("tab", name="What's loaded").click()
    page.locator('[data-testid="stPlotlyChart"]').first.wait_for(timeout=60_000)
    page.wait_for_timeout(1500)
    assert page.locator('[data-testid="stException"]').count() == 0
    assert page.evaluate(MAIN_OVERFLOW) <= 0, "the page scrolls sideways"
    axes = page.evaluate(NUMERIC_AXES)
    assert axes, "at least one chart with a numeric axis"
    untitled = [a for a in axes if not a["title"].strip()]
    assert not untitled, f"numeric axes without a title (unit): {untitled}"
    page.close()
