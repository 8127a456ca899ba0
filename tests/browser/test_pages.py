"""Checks every rendered notebook page should pass (the pages in `conftest.NOTEBOOKS`, set by TINYCNN_BROWSER_NOTEBOOKS):
no page or console errors, every image loaded, and saved widgets rendered by the widget manager."""
import pytest
from conftest import NOTEBOOKS

WIDGET_VIEWS = 'script[type="application/vnd.jupyter.widget-view+json"]'

@pytest.fixture(scope='module', params=NOTEBOOKS)
def loaded(request, open_page):
    page, log = open_page(request.param)
    if page.locator(WIDGET_VIEWS).count(): page.wait_for_selector('.jupyter-widgets', timeout=30_000)
    page.wait_for_timeout(500)
    return request.param, page, log

def test_no_errors(loaded):
    name, _, log = loaded
    assert log.problems() == [], f'{name}: {log.problems()}'

def test_images_load(loaded):
    name, page, _ = loaded
    broken = page.evaluate("() => [...document.images].filter(i => !i.complete || i.naturalWidth === 0).map(i => i.alt || i.src.slice(0, 80))")
    assert broken == [], f'{name}: broken images {broken}'

def test_widgets_render(loaded):
    name, page, log = loaded
    views = page.locator(WIDGET_VIEWS).count()
    if not views: pytest.skip(f'{name} has no widgets')
    assert any('html-manager' in u for u in log.served_locally), 'the widget manager was not loaded'
    assert page.locator('script[type="application/vnd.jupyter.widget-state+json"]').count() == 1, 'no saved widget state'
    assert page.locator('.jupyter-widgets').count() >= views
    text = page.inner_text('body')
    assert 'Loading widget' not in text and 'Error displaying widget' not in text

def test_screenshot(loaded, screenshots):
    "A full-page screenshot of every page, to look at (tests/browser/screenshots/NAME.png)"
    name, page, _ = loaded
    path = screenshots/f'{name}.png'
    page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 10_000
