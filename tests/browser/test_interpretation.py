"""The attribution explorer of 12_interpretation and the training slider of 10_visualization (both made by tinycnn.explorers) in
headless Chromium, on a standalone page with the same HTML the notebooks show: choosing a digit changes the panels, no panel
is blank (a map that is 0 everywhere says so in its caption), the slider changes the frame, both by keyboard too, with no
kernel, no page errors, and hostile class names shown as text."""
import pytest
import torch
from harness import serve

from tinycnn.data import ImageSet, load_data
from tinycnn.explorers import attribution_explorer, training_slider
from tinycnn.interpretation import predict, top_losses
from tinycnn.visualization import watch_training
from tinycnn.model import TinyCNN
from tinycnn.runtime import set_seed
from tinycnn.checkpoints import load_trained

HOSTILE = ['<img src=x onerror="window.__pwned=1">', '</script><script>window.__pwned=2</script>', 'a & b < c']
SRCS_JS = "root => [...root.querySelectorAll('.tinycnn-panels img')].map(i => i.src)"
PCTS_JS = "root => [...root.querySelectorAll('.tinycnn-pct')].map(e => e.textContent)"
COLOURS_JS = """async root => {
  const out = [];
  for (const img of root.querySelectorAll('.tinycnn-panels img')) {
    await img.decode();
    const c = document.createElement('canvas');
    c.width = img.naturalWidth; c.height = img.naturalHeight;
    const g = c.getContext('2d');
    g.drawImage(img, 0, 0);
    const d = g.getImageData(0, 0, c.width, c.height).data, seen = new Set();
    for (let i = 0; i < d.length; i += 4) seen.add((d[i] << 16) | (d[i + 1] << 8) | d[i + 2]);
    out.push([img.alt, seen.size, img.closest('figure').querySelector('figcaption').textContent]);
  }
  return out;
}"""  # each panel's picture as drawn: its name, how many colours it has, its caption

def same_percentages(shown:list, probs:torch.Tensor)->bool:
    "The shown percentages ('12.3%') are `probs` to the shown tenth of a percent (stored rounded to 4 decimals: 0.05 + 0.005)"
    return len(shown) == len(probs) and all(abs(float(s.rstrip('%')) - 100 * p) <= 0.056 for s, p in zip(shown, probs.tolist()))

@pytest.fixture(scope='module')
def made():
    "The explorers' HTML for the shipped model on the sample's test digits, and a short real training run"
    model, _ = load_trained()
    test = load_data('sample', verbose=False).test
    why = attribution_explorer(model, test, mistakes=8, digits=20)
    set_seed(0)
    frames, _ = watch_training(TinyCNN(), load_data('sample', verbose=False), at_batches=(0, 3, 10), epochs=1)
    slider = training_slider(frames, test)
    classes = HOSTILE + [str(i) for i in range(3, 10)]
    hostile = attribution_explorer(model, ImageSet(test.images, test.labels, test.mean, test.std, classes), mistakes=2, digits=3)
    flat = TinyCNN().eval()  # conv2 never fires: every attribution map is 0 everywhere
    with torch.no_grad(): flat.conv2.weight.zero_(); flat.conv2.bias.fill_(-1.)
    empty = attribution_explorer(flat, test, mistakes=0, digits=2)
    return dict(model=model, test=test, why=why, slider=slider, frames=frames, hostile=hostile, empty=empty)

@pytest.fixture(scope='module')
def page(made, browser, tmp_path_factory):
    folder = tmp_path_factory.mktemp('interpretation')
    body = '\n'.join(made[k].data for k in ('why', 'slider', 'hostile', 'empty'))
    (folder/'index.html').write_text(f'<!doctype html><html><head><meta charset="utf-8"></head><body>{body}</body></html>', encoding='utf-8')
    with serve(folder) as url:
        page, log = browser.open(f'{url}/index.html', wait_for='.tinycnnScrub-root input[type=range]')
        yield page, log
        page.close()

def test_no_errors(page):
    p, log = page
    assert log.problems() == [], log.problems()
    assert log.blocked == [] and log.failed == []
    assert p.evaluate('() => window.__pwned') is None

def test_choosing_a_digit_changes_the_panels(page, made):
    p, _ = page
    root = p.locator('.tinycnnWhy-root').first
    select = root.locator('select.tinycnn-pick')
    assert select.locator('option').count() == 8 + 20
    top = top_losses(made['model'], made['test'], 8)
    first = root.evaluate(SRCS_JS)
    assert len(first) == 4  # the digit, saliency, Grad-CAM, occlusion
    assert f"#{top.idxs[0].item()}: label" in root.inner_text()
    probs = predict(made['model'], made['test'])[top.idxs[0]].softmax(0)
    assert same_percentages(root.evaluate(PCTS_JS), probs)
    select.select_option('9')
    assert root.get_attribute('data-shown') == '9'
    ninth = root.evaluate(SRCS_JS)
    assert all(a != b for a, b in zip(first, ninth)), 'every panel should change'
    root.locator('button.tinycnn-next').click()
    assert root.get_attribute('data-shown') == '10' and root.evaluate(SRCS_JS) != ninth
    root.locator('button.tinycnn-prev').click()
    assert root.evaluate(SRCS_JS) == ninth
    select.focus(); p.keyboard.press('ArrowDown')  # keyboard-usable
    assert root.get_attribute('data-shown') == '10'

def test_no_panel_is_blank(page):
    "Every picture of every digit has more than one colour: a map drawn in one flat colour looks like a broken panel"
    p, _ = page
    root = p.locator('.tinycnnWhy-root').first
    n = root.locator('select.tinycnn-pick option').count()
    for k in range(n):
        root.locator('select.tinycnn-pick').select_option(str(k))
        panels = root.evaluate(COLOURS_JS)
        assert [name for name, _, _ in panels] == ['the digit', 'saliency', 'grad_cam', 'occlusion']
        flat = [(name, caption) for name, colours, caption in panels if colours < 2]
        assert flat == [], f'digit {k} ({root.locator("select.tinycnn-pick").input_value()}): blank panels {flat}'
        assert not any('0 everywhere' in caption for _, _, caption in panels)
    root.locator('select.tinycnn-pick').select_option('0')

def test_a_map_that_is_zero_everywhere_says_so(page):
    "A model whose maps are all 0: each map is one flat colour, and its caption says it is 0 everywhere"
    p, _ = page
    root = p.locator('.tinycnnWhy-root').nth(2)
    panels = root.evaluate(COLOURS_JS)
    assert [(name, colours) for name, colours, _ in panels[1:]] == [('saliency', 1), ('grad_cam', 1), ('occlusion', 1)]
    assert all(caption.endswith(': 0 everywhere') for _, _, caption in panels[1:])
    assert not panels[0][2].endswith('0 everywhere')

def test_slider_changes_the_frame(page, made):
    p, _ = page
    root = p.locator('.tinycnnScrub-root')
    frames, label = made['frames'], root.locator('.tinycnn-frame-label')
    assert root.locator('input[type=range]').get_attribute('max') == str(len(frames) - 1)
    assert label.text_content() == frames[0]['label']
    before = root.evaluate(SRCS_JS)
    root.locator('input[type=range]').focus()
    p.keyboard.press('ArrowRight')
    assert label.text_content() == frames[1]['label'] and root.get_attribute('data-shown') == '1'
    after = root.evaluate(SRCS_JS)
    assert after[0] == before[0] and after[1] != before[1] and after[2] != before[2]  # same digit; new kernels and maps
    p.keyboard.press('End')
    assert label.text_content() == frames[-1]['label']
    assert same_percentages(root.evaluate(PCTS_JS), frames[-1]['probs'])
    assert not same_percentages(root.evaluate(PCTS_JS), frames[0]['probs'])

def test_hostile_text_is_shown_literally(page):
    p, _ = page
    root = p.locator('.tinycnnWhy-root').nth(1)
    names = root.evaluate("root => [...root.querySelectorAll('.tinycnn-probs span:first-child')].map(e => e.textContent)")
    assert names[:3] == HOSTILE
    assert root.locator('.tinycnn-probs img').count() == 0 and p.locator('script', has_text='window.__pwned=2').count() == 0
    assert p.evaluate('() => window.__pwned') is None
