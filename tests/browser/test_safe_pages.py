"""Class names and example labels are text, never markup: every explorer of `tinycnn.visualization` (draw a digit,
the static explorer, the live explorer in its saved state) on a page made with hostile class names, in Chromium.
Nothing they contain runs, and each shows literally."""
import contextlib, re
import pytest
from ipywidgets.embed import embed_snippet
from harness import serve

HOSTILE = ['</script><script>window.pwned = (window.pwned || 0) + 1</script>',
           '<img src=x onerror="window.pwned = (window.pwned || 0) + 1">',
           '"><svg onload="window.pwned = 1">', 'a&amp;b', 'line\u2028sep\u2029'] + list('56789')

@pytest.fixture(scope='module')
def hostile_pages(browser, tmp_path_factory):
    "name → (page, log, dialogs) for a page with the draw explorer and one with the widget explorers, hostile names in both"
    from tinycnn.data import ImageSet, load_data
    from tinycnn.visualization import FeatureMapExplorer
    from tinycnn.explorers import draw_digit_explorer, static_explorer
    sample = load_data('sample', verbose=False).test
    evil = ImageSet(sample.images[:60], sample.y[:60], sample.mean, sample.std, HOSTILE)
    widgets = embed_snippet([static_explorer(evil, n=10), FeatureMapExplorer(evil)])
    bodies = {'draw': (draw_digit_explorer(classes=HOSTILE, examples=evil).data, '.tinycnn-draw canvas.tinycnn-pad'),
              'widgets': (re.sub(r' integrity="[^"]*"', '', widgets),  # the local require.js is another build than the CDN's
                          '.tinycnn-static-explorer .lm-TabBar-tab')}
    folder, opened = tmp_path_factory.mktemp('hostile'), {}
    with serve(folder) as url:
        for name, (body, ready) in bodies.items():
            (folder/f'{name}.html').write_text(f'<!doctype html><html><head><meta charset="utf-8"></head><body>{body}</body></html>', encoding='utf-8')
            page, log = browser.open(f'{url}/{name}.html')
            dialogs = []
            page.on('dialog', lambda d: (dialogs.append(d.message), d.dismiss()))
            with contextlib.suppress(Exception): page.wait_for_selector(ready, timeout=15_000)  # the tests say what is missing
            page.wait_for_timeout(300)
            opened[name] = page, log, dialogs
        yield opened
        for page, _, _ in opened.values(): page.close()

@pytest.mark.parametrize('name', ['draw', 'widgets'])
def test_nothing_runs(hostile_pages, name):
    page, log, dialogs = hostile_pages[name]
    assert page.evaluate('() => window.pwned') is None, f'{name}: a class name ran as script'
    assert dialogs == []
    assert page.locator('img[src="x"], svg[onload]').count() == 0, f'{name}: a class name became an element'
    assert log.problems() == [], f'{name}: {log.problems()}'

def test_the_draw_explorer_shows_names_as_text(hostile_pages):
    page, _, _ = hostile_pages['draw']
    labels = page.locator('.tinycnn-draw .tinycnn-probs span:not(.tinycnn-pct)').all_inner_texts()
    assert labels[:4] == HOSTILE[:4]
    examples = page.locator('.tinycnn-draw button.tinycnn-example')
    assert HOSTILE[0] in examples.all_inner_texts()
    examples.nth(0).click()  # the example's label reads back from its attribute unchanged
    assert examples.nth(0).get_attribute('data-label') in HOSTILE

def test_the_widget_explorers_show_names_as_text(hostile_pages):
    page, _, _ = hostile_pages['widgets']
    static = page.locator('.tinycnn-static-explorer').inner_text()
    live = page.locator('.tinycnn-live-explorer').inner_text()
    for name in HOSTILE[:3]: assert name in static, name  # in the probability bars of every digit
    assert HOSTILE[1] in live
    tabs = page.locator('.tinycnn-static-explorer .lm-TabBar-tab').all_inner_texts()
    assert HOSTILE[0] in tabs  # tab titles too
