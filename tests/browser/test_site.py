"""Every page of the docs site built by `nbdev_docs` (all of `_docs/*.html`, so pages added later are checked too):
no page or console errors, every internal link and image resolves, saved widgets render, the search index covers the
site, and the layout holds at 1280 px (explorers inside the content column) and at a 390 px phone width."""
import json, re
from pathlib import Path
from urllib.parse import urlparse, unquote
import pytest
from conftest import DOCS, PAGES

WIDGET_VIEWS = 'script[type="application/vnd.jupyter.widget-view+json"]'
EXPLORERS = '.tinycnn-draw, .tinycnn-static-explorer, .tinycnn-live-explorer, .tinycnn-conv, .tinycnnWhy-root, .tinycnnScrub-root'
WIDE, PHONE = {'width': 1280, 'height': 900}, {'width': 390, 'height': 844}

def settle(page):
    "Wait until the saved widgets and the draw-a-digit explorers have rendered"
    if page.locator(WIDGET_VIEWS).count(): page.wait_for_selector('.jupyter-widgets', timeout=30_000)
    if page.locator('.tinycnn-draw').count(): page.wait_for_selector('.tinycnn-draw canvas.tinycnn-pad', timeout=30_000)
    page.wait_for_timeout(500)

@pytest.fixture(scope='module', params=PAGES or ['index.html'])
def loaded(request, open_page):
    page, log = open_page(request.param)
    settle(page)
    return request.param, page, log

def test_no_errors(loaded):
    name, _, log = loaded
    assert log.problems() == [], f'{name}: {log.problems()}'

def test_images_load(loaded):
    "Every image of the site itself (its files, data: URLs) loads; outside images (the Colab badge) are not needed offline"
    name, page, _ = loaded
    broken = page.evaluate("""() => [...document.images]
        .filter(i => i.src.startsWith('data:') || new URL(i.src).origin === location.origin)
        .filter(i => !i.complete || i.naturalWidth === 0).map(i => i.alt || i.src.slice(0, 80))""")
    assert broken == [], f'{name}: broken images {broken}'

_ids = {}
def ids_of(page_file:Path)->set:
    if page_file not in _ids: _ids[page_file] = set(re.findall(r'\bid="([^"]+)"', page_file.read_text(encoding='utf-8')))
    return _ids[page_file]

def test_internal_links_resolve(loaded):
    "Every link within the site points to a file of the site, and every #anchor to an element of its page"
    name, page, _ = loaded
    hrefs = page.evaluate("() => [...document.querySelectorAll('a[href]')].map(a => a.href)")
    origin, bad = urlparse(page.url)._replace(path='', query='', fragment='').geturl(), []
    for href in set(hrefs):
        u = urlparse(href)
        if u.scheme not in ('http', 'https') or not href.startswith(origin): continue
        path = unquote(u.path).lstrip('/') or 'index.html'
        target = DOCS/(path + 'index.html' if path.endswith('/') else path)
        if not target.is_file(): bad.append(f'{href} (no such file)')
        elif u.fragment and target.suffix == '.html' and unquote(u.fragment) not in ids_of(target): bad.append(f'{href} (no such anchor)')
    assert bad == [], f'{name}: broken links {sorted(bad)}'

def test_widgets_render(loaded):
    name, page, log = loaded
    views = page.locator(WIDGET_VIEWS).count()
    if not views: pytest.skip(f'{name} has no widgets')
    assert any('html-manager' in u for u in log.served_locally), 'the widget manager was not loaded'
    assert page.locator('script[type="application/vnd.jupyter.widget-state+json"]').count() == 1, 'no saved widget state'
    assert page.locator('.jupyter-widgets').count() >= views
    text = page.inner_text('body')
    assert 'Loading widget' not in text and 'Error displaying widget' not in text

def test_first_screen_says_what_the_page_is_for(loaded):
    "A title and a one-line description at the top, above the fold"
    name, page, _ = loaded
    title, desc = page.locator('#title-block-header h1.title'), page.locator('#title-block-header .description')
    assert title.count() == 1 and title.inner_text().strip(), f'{name}: no title'
    assert desc.count() == 1 and len(desc.inner_text().strip()) > 20, f'{name}: no description under the title'
    assert desc.bounding_box()['y'] < WIDE['height'] / 2, f'{name}: the description is not on the first screen'

FIT_JS = """sel => { const main = document.querySelector('main#quarto-document-content').getBoundingClientRect();
    const out = [...document.querySelectorAll(sel)].map(e => { const r = e.getBoundingClientRect();
        return {cls: e.className.toString().slice(0, 40), left: r.left, right: r.right, width: r.width}; });
    return {main: {left: main.left, right: main.right}, els: out,
            scroll: document.scrollingElement.scrollWidth, inner: window.innerWidth}; }"""

def test_layout_wide(loaded, screenshots):
    "At 1280 px the explorers and every cell output fit the content column, and the page does not scroll sideways"
    name, page, _ = loaded
    fit = page.evaluate(FIT_JS, f'{EXPLORERS}, .cell-output-display')
    main = fit['main']
    over = [e for e in fit['els'] if e['width'] and (e['right'] > main['right'] + 1 or e['left'] < main['left'] - 1)]
    assert over == [], f'{name}: outside the content column {main}: {over[:5]}'
    assert fit['scroll'] <= fit['inner'], f'{name}: the page is {fit["scroll"]} px wide at {fit["inner"]} px'
    page.screenshot(path=str(screenshots/f"{Path(name).with_suffix('').as_posix().replace('/', '-')}-1280.png"), full_page=True)

def test_layout_phone(loaded, open_page, screenshots):
    "At a 390 px phone width the page does not scroll sideways and every explorer starts on screen and fits it"
    name, _, _ = loaded
    page, log = open_page(name, viewport=PHONE)
    settle(page)
    assert log.problems() == [], f'{name} at 390 px: {log.problems()}'
    fit = page.evaluate(FIT_JS, EXPLORERS)
    assert fit['scroll'] <= fit['inner'], f'{name}: the page is {fit["scroll"]} px wide at {fit["inner"]} px'
    off = [e for e in fit['els'] if e['width'] and (e['left'] < 0 or e['right'] > PHONE['width'])]
    assert off == [], f'{name}: explorers off screen at 390 px: {off}'
    page.screenshot(path=str(screenshots/f"{Path(name).with_suffix('').as_posix().replace('/', '-')}-390.png"), full_page=True)

def test_search_index_covers_every_page(pages):
    index = DOCS/'search.json'
    assert index.is_file(), 'no search.json: the site has no search'
    entries = json.loads(index.read_text(encoding='utf-8'))
    found = {e['href'].split('#')[0] for e in entries}
    assert set(pages) - {'404.html'} <= found, f'pages missing from the search index: {set(pages) - found}'

def test_draw_explorers_respond(loaded):
    "Wherever a page has a draw-a-digit explorer (home page, visualization), a stroke changes its probabilities"
    name, page, _ = loaded
    roots = page.locator('.tinycnn-draw')
    if not roots.count(): pytest.skip(f'{name} has no draw-a-digit explorer')
    for k in range(roots.count()):
        root = roots.nth(k)
        root.locator('button.tinycnn-clear').click()
        pcts = lambda: root.locator('.tinycnn-pct').all_inner_texts()
        before = pcts()
        root.locator('canvas.tinycnn-pad').scroll_into_view_if_needed()
        box = root.locator('canvas.tinycnn-pad').bounding_box()
        page.mouse.move(box['x'] + 0.5 * box['width'], box['y'] + 0.15 * box['height']); page.mouse.down()
        page.mouse.move(box['x'] + 0.55 * box['width'], box['y'] + 0.85 * box['height'], steps=12); page.mouse.up()
        page.wait_for_timeout(200)
        assert pcts() != before, f'{name}: drawing did not change the probabilities of explorer {k}'
        if name == 'train_in_browser.html': continue  # its model is the one being trained: untrained until Start (test_trainer.py)
        assert root.get_attribute('data-prediction') == '1', f'{name}: a vertical stroke was not read as a 1'
