"""The visualization page of the built docs site in headless Chromium: the static explorer, draw-your-own-digit and the
training slider work with no kernel, at desktop and phone widths; the browser's forward pass and preprocessing equal
PyTorch's and NumPy's."""
import numpy as np
import pytest
import torch
from conftest import SCREENSHOTS
from harness import page_of

NAME = '10_visualization'
MAPS_JS = "() => [...document.querySelectorAll('.tinycnn-draw .tinycnn-layer canvas')].map(c => c.toDataURL())"
PCTS_JS = "() => [...document.querySelectorAll('.tinycnn-draw .tinycnn-pct')].map(e => e.textContent)"

@pytest.fixture(scope='module')
def viz(open_page):
    page, log = open_page(NAME, wait_for='.tinycnn-static-explorer .lm-TabBar-tab')
    page.wait_for_selector('.tinycnn-draw canvas.tinycnn-pad')
    page.wait_for_timeout(500)  # let the widgets finish rendering
    return page, log

def visible_static_page(page)->str:
    "The images of the static explorer's shown digit"
    pages = page.locator('.tinycnn-static-explorer .tinycnn-page')
    shown = [pages.nth(i) for i in range(pages.count()) if pages.nth(i).is_visible()]
    assert len(shown) == 1, f'{len(shown)} digits shown at once'
    return ''.join(img.get_attribute('src') for img in shown[0].locator('img').all())

def test_explorers_rendered(viz):
    page, log = viz
    assert log.problems() == [], log.problems()
    assert page.locator('.tinycnn-static-explorer .lm-TabBar-tab').count() == 20
    # the live explorer needs a kernel to respond: the site leaves its output out rather than show dead controls
    assert page.locator('.tinycnn-live-explorer').count() == 0
    assert page.evaluate("() => document.images.length") > 10
    assert page.locator('.tinycnn-draw canvas').count() == 1 + 1 + 16 + 32  # pad, input, maps

def test_static_explorer_tabs_change_maps(viz, screenshots):
    page, _ = viz
    explorer = page.locator('.tinycnn-static-explorer')
    explorer.scroll_into_view_if_needed()
    tabs = explorer.locator('.lm-TabBar-tab')
    assert tabs.count() == 20
    before = visible_static_page(page)
    assert 'label 0' in explorer.inner_text()
    tabs.nth(3).click()
    page.wait_for_timeout(300)
    assert visible_static_page(page) != before
    assert 'label 3' in explorer.inner_text()
    explorer.screenshot(path=str(screenshots/'static_explorer.png'))

def test_training_slider_moves(viz):
    "The recorded run of 'Watching it learn': the keyboard moves the slider, and the frame's label and pictures change"
    page, log = viz
    scrub = page.locator('.tinycnnScrub-root').first
    scrub.scroll_into_view_if_needed()
    label, pictures = scrub.locator('.tinycnn-frame-label'), "root => [...root.querySelectorAll('.tinycnn-panels img')].map(i => i.src)"
    first, before = label.text_content(), scrub.evaluate(pictures)
    assert 'after 0 batches' in first
    scrub.locator('input[type=range]').focus()
    page.keyboard.press('End')
    assert label.text_content() != first and scrub.evaluate(pictures)[1:3] != before[1:3]  # new kernels and maps
    assert log.problems() == [], log.problems()

def draw(page, points):
    "Draw a stroke through `points` (fractions of the pad's width and height)"
    box = page.locator('.tinycnn-draw canvas.tinycnn-pad').bounding_box()
    xy = [(box['x'] + fx * box['width'], box['y'] + fy * box['height']) for fx, fy in points]
    page.mouse.move(*xy[0]); page.mouse.down()
    for (x0, y0), (x1, y1) in zip(xy, xy[1:]): page.mouse.move(x1, y1, steps=8)
    page.mouse.up()
    page.wait_for_timeout(200)

def test_drawing_changes_maps_and_probabilities(viz, screenshots):
    page, _ = viz
    page.locator('.tinycnn-draw button.tinycnn-clear').click()
    page.wait_for_timeout(100)
    maps, pcts = page.evaluate(MAPS_JS), page.evaluate(PCTS_JS)
    assert len(maps) == 16 + 32 and len(pcts) == 10
    draw(page, [(0.5, 0.15), (0.52, 0.5), (0.55, 0.85)])  # a one
    maps1, pcts1 = page.evaluate(MAPS_JS), page.evaluate(PCTS_JS)
    assert sum(a != b for a, b in zip(maps, maps1)) == 48, 'every feature map should change'
    assert pcts1 != pcts
    assert page.locator('.tinycnn-draw').get_attribute('data-prediction') == '1'
    page.locator('.tinycnn-draw button.tinycnn-clear').click()
    draw(page, [(0.25, 0.2), (0.75, 0.2), (0.45, 0.85)])  # a seven: a bar and a long diagonal
    assert page.evaluate(PCTS_JS) != pcts1
    assert page.locator('.tinycnn-draw').get_attribute('data-prediction') == '7'
    page.locator('.tinycnn-draw').screenshot(path=str(screenshots/'draw_digit.png'))

def test_real_examples_are_read_right(viz):
    page, _ = viz
    buttons = page.locator('.tinycnn-draw button.tinycnn-example')
    assert buttons.count() == 10
    for k in range(10):
        buttons.nth(k).click()
        page.wait_for_timeout(50)
        assert page.locator('.tinycnn-draw').get_attribute('data-prediction') == buttons.nth(k).get_attribute('data-label')

@pytest.fixture(scope='module')
def trained_and_sample():
    from tinycnn.data import load_data
    from tinycnn.checkpoints import load_trained
    return load_trained()[0], load_data('sample', verbose=False).test

def test_logits_match_pytorch(viz, trained_and_sample):
    page, _ = viz
    model, sample = trained_and_sample
    x = torch.cat([sample.x[:24], torch.randn(4, 1, 28, 28)])  # real digits and noise
    with torch.no_grad(): expected = model(x).numpy()
    got = np.array(page.evaluate("xs => xs.map(x => window.tinycnnForward(x))", x.flatten(1).tolist()))
    assert got.shape == expected.shape
    assert np.abs(got - expected).max() < 1e-4, np.abs(got - expected).max()

def test_preprocessing_matches_python(viz, trained_and_sample):
    from tinycnn.explorers import mnist_preprocess
    page, _ = viz
    _, sample = trained_and_sample
    for k, (scale, top, left) in enumerate([(4, 10, 60), (7, 0, 0), (1, 50, 20), (3, 30, 5)]):
        img = np.zeros((200, 220))
        digit = np.kron(sample.images[k, 0].double().numpy(), np.ones((scale, scale)))
        img[top:top + digit.shape[0], left:left + digit.shape[1]] = digit
        got = np.array(page.evaluate("([g, h, w]) => window.tinycnnPreprocess(g, h, w)", [img.ravel().tolist(), *img.shape]))
        np.testing.assert_allclose(got.reshape(28, 28), mnist_preprocess(img), atol=1e-6)

def test_drawing_works_at_phone_width(open_page, screenshots):
    "At 390 px the pad is on screen whole, and a stroke drawn with a touch-sized pointer still changes the prediction"
    page, log = open_page(NAME, wait_for='.tinycnn-draw canvas.tinycnn-pad', viewport={'width': 390, 'height': 844})
    pad = page.locator('.tinycnn-draw canvas.tinycnn-pad')
    pad.scroll_into_view_if_needed()
    box = pad.bounding_box()
    assert box['x'] >= 0 and box['x'] + box['width'] <= 390 and box['width'] >= 200, box
    page.locator('.tinycnn-draw button.tinycnn-clear').click()
    before = page.evaluate(PCTS_JS)
    draw(page, [(0.5, 0.15), (0.52, 0.5), (0.55, 0.85)])
    assert page.evaluate(PCTS_JS) != before
    assert page.locator('.tinycnn-draw').get_attribute('data-prediction') == '1'
    assert log.problems() == [], log.problems()
    page.locator('.tinycnn-draw').screenshot(path=str(screenshots/'draw_digit-390.png'))

def test_page_weight(pages):
    "The whole page, explorers, figures and saved widget state included (scripts from the CDN not counted)"
    size = pages[page_of(NAME)].stat().st_size
    assert size <= 2_000_000, f'{NAME}.html is {size / 1e6:.2f} MB'

def test_live_explorer_shows_class_names_as_text():
    "The live explorer needs a kernel, so it is checked in Python: class names that are markup go into its HTML escaped"
    from tinycnn.data import ImageSet, load_data
    from tinycnn.visualization import FeatureMapExplorer
    sample = load_data('sample', verbose=False).test
    hostile = ['</script><script>window.pwned = 1</script>', '<img src=x onerror="window.pwned = 1">', 'a&b'] + list('3456789')
    live = FeatureMapExplorer(ImageSet(sample.images[:30], sample.y[:30], sample.mean, sample.std, hostile))
    live.label.value = 0; live.index.value = 1
    for bad in ('<script', '<img src=x'): assert bad not in live.input.value + live.probs.value, bad

@pytest.mark.parametrize('notebook', ['10_visualization.ipynb', 'api/11_explorers.ipynb'])
def test_saved_widget_state_cannot_end_a_script(notebook):
    "A page embeds the notebook's saved widget state inside a <script>: no widget the notebook made may hold '</script'"
    import json
    from harness import ROOT
    meta = json.loads((ROOT/'nbs'/notebook).read_text(encoding='utf-8'))['metadata']
    state = json.dumps(meta.get('widgets', {}), ensure_ascii=False)
    assert '</script' not in state.lower() and '<!--' not in state
