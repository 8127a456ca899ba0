"""Fixtures for the browser tests: the docs site built by `nbdev_docs`, a local server, and headless Chromium (see `harness.py`)."""
import sys
from pathlib import Path
import pytest

sys.path.insert(0, str(Path(__file__).parent))
from harness import ROOT, DOCS, CHROMIUM, Browser, docs_pages, missing_node_modules, page_of, serve

SCREENSHOTS = Path(__file__).parent/'screenshots'  # kept by CI as artifacts: NAME-1280.png, NAME-390.png, ...
PAGES = docs_pages()  # every page of the built site, so that new pages are checked without a change here

@pytest.fixture(scope='session')
def pages():
    "page name ('visualization.html') → its file in the built site"
    if not (DOCS/'index.html').is_file():
        pytest.fail(f'no docs site in {DOCS}: build it with `nbdev_docs` (bash .ci/checks/10-docs.sh assembles Quarto and does)')
    return {p: DOCS/p for p in docs_pages()}

@pytest.fixture(scope='session')
def site(pages):
    "The base URL of the built site, served on 127.0.0.1"
    with serve(DOCS) as url: yield url

@pytest.fixture(scope='session')
def browser():
    if not Path(CHROMIUM).exists(): pytest.fail(f'no Chromium at {CHROMIUM}: apt-get install -y chromium')
    if missing := missing_node_modules(): pytest.fail(f'missing local CDN copies {missing}: run `npm ci` in {ROOT}')
    b = Browser()
    yield b
    b.close()

@pytest.fixture(scope='session')
def open_page(browser, site, pages):
    "`open_page(name, wait_for=None, viewport=None)` → `(page, log)`; `name` is a page ('visualization.html') or a notebook ('05_visualization')"
    opened = []
    def _open(name, wait_for=None, viewport=None):
        name = name if name.endswith('.html') else page_of(name)
        if name not in pages: pytest.fail(f'{name} is not a page of the site in {DOCS}')
        page, log = browser.open(f'{site}/{name}', wait_for=wait_for, viewport=viewport)
        opened.append(page)
        return page, log
    yield _open
    for p in opened: p.close()

@pytest.fixture(scope='session')
def screenshots():
    SCREENSHOTS.mkdir(exist_ok=True)
    return SCREENSHOTS
