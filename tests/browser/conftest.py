"""Fixtures for the browser tests: rendered pages, a local server, and headless Chromium (see `harness.py`)."""
import os, shutil, sys
from pathlib import Path
import pytest

sys.path.insert(0, str(Path(__file__).parent))
from harness import ROOT, CHROMIUM, Browser, missing_node_modules, render_notebooks, serve

# The notebooks whose pages the tests open; a test module asks for a page with `open_page(name)`.
NOTEBOOKS = os.environ.get('TINYCNN_BROWSER_NOTEBOOKS', '05_visualization').split(',')
SCREENSHOTS = Path(__file__).parent/'screenshots'

@pytest.fixture(scope='session')
def pages(tmp_path_factory):
    "name → HTML page of every notebook in `NOTEBOOKS`, rendered once a session"
    return render_notebooks(NOTEBOOKS, tmp_path_factory.mktemp('pages'))

@pytest.fixture(scope='session')
def site(pages):
    "The base URL of the rendered pages, served on 127.0.0.1"
    with serve(next(iter(pages.values())).parent) as url: yield url

@pytest.fixture(scope='session')
def browser():
    if not Path(CHROMIUM).exists(): pytest.fail(f'no Chromium at {CHROMIUM}: apt-get install -y chromium')
    if missing := missing_node_modules(): pytest.fail(f'missing local CDN copies {missing}: run `npm ci` in {ROOT}')
    b = Browser()
    yield b
    b.close()

@pytest.fixture(scope='session')
def open_page(browser, site, pages):
    "`open_page(name, wait_for=None)` → `(page, log)` for a rendered notebook; pages are closed at the end"
    opened = []
    def _open(name, wait_for=None):
        if name not in pages: pytest.fail(f'{name} is not rendered; add it to TINYCNN_BROWSER_NOTEBOOKS')
        page, log = browser.open(f'{site}/{pages[name].name}', wait_for=wait_for)
        opened.append(page)
        return page, log
    yield _open
    for p in opened: p.close()

@pytest.fixture(scope='session')
def screenshots():
    SCREENSHOTS.mkdir(exist_ok=True)
    return SCREENSHOTS
