"""The channels explorer of `11_channels` (`tinycnn.channels.channel_explorer`) in headless Chromium.

The page is the explorer's own HTML (what the notebook cell displays) in a bare standalone page, so these tests
do not depend on the docs site build. Its JavaScript computes conv2's input maps and, for one output, the 16 partial
maps, their sum, the bias and the ReLU: checked against PyTorch for every digit and output it offers, and the numbers
it shows against PyTorch's at the chosen pixel; then choosing, the keyboard, its width at 1280 and 390 px, escaping.
"""
import json, sys
from pathlib import Path

import numpy as np
import pytest
import torch
import torch.nn.functional as F

sys.path.insert(0, str(Path(__file__).parent))
from harness import serve
from tinycnn.channels import channel_explorer
from tinycnn.checkpoints import load_trained
from tinycnn.data import ImageSet, load_data
from tinycnn.plots import spread_indices

EVIL = '</script><script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2"> & <b>co</b>'
HOSTILE = ['<img src=x onerror="window.__pwned = 3">', '</script><script>window.__pwned = 4</script>', 'a & b < c'] + list('3456789')
ROOT = '.tinycnn-channels'
HOOK = f'document.querySelector("{ROOT}").tinycnnChannels'
ATOL = 2e-5  # float32 rounding of sums of ~150 products of size ≤ 6 (the page computes in float64); the smallest bias is far larger
SHOWN = 0.0005 + ATOL  # the page shows 3 decimals

def _page(html:str)->str:
    return ('<!doctype html><html lang="en"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1"><title>channels explorer</title></head>'
            f'<body><main style="max-width:1280px;padding:0 18px">{html}</main></body></html>')  # padded like Quarto's column

@pytest.fixture(scope='module')
def made():
    "The shipped model, the explorer's ten digits, PyTorch's stages on them, and the explorer's HTML"
    model, _ = load_trained()
    test = load_data('sample', verbose=False).test
    idxs = spread_indices(test.y, 10)
    with torch.no_grad(): stages = dict(model.stages(test.x[idxs]))
    w = model.conv2.weight.detach()
    with torch.no_grad():  # every partial map at once: (digit, output, input channel, 14, 14)
        partials = F.conv2d(stages['pool1'], w.transpose(0, 1).reshape(-1, 1, 3, 3), padding=1, groups=w.shape[1])
    partials = partials.view(len(idxs), w.shape[1], w.shape[0], 14, 14).transpose(1, 2)
    evil = channel_explorer(images=ImageSet(test.images, test.labels, test.mean, test.std, HOSTILE), n=3, title=EVIL)
    return dict(model=model, test=test, idxs=idxs, stages=stages, w=w, b=model.conv2.bias.detach(), partials=partials,
                html=channel_explorer().data, evil=evil.data)

@pytest.fixture(scope='module')
def site(tmp_path_factory, made):
    folder = tmp_path_factory.mktemp('channels-explorer')
    (folder/'explorer.html').write_text(_page(made['html']), encoding='utf-8')
    (folder/'evil.html').write_text(_page(made['evil']), encoding='utf-8')
    with serve(folder) as url: yield url

@pytest.fixture
def explorer(browser, site):
    page, log = browser.open(f'{site}/explorer.html', wait_for=f'{ROOT} canvas.tcc-relu')
    yield page, log
    page.close()

def _state(page): return {k: int(page.get_attribute(ROOT, f'data-{k}')) for k in ('digit', 'output', 'row', 'col')}
def _number(text:str)->float: return float(text.replace('\u2212', '-').split(': ')[-1])
def _shown(page):
    "The numbers the page shows at the chosen pixel: the 16 partials, the sum, the bias, sum + bias, the ReLU"
    partials = [_number(t) for t in page.eval_on_selector_all(f'{ROOT} .tcc-partial-value', 'els => els.map(e => e.textContent)')]
    return partials, *[_number(page.text_content(f'{ROOT} .tcc-{k}-value')) for k in ('sum', 'bias', 'pre', 'relu')]
def _pictures(page, cls): return page.eval_on_selector_all(f'{ROOT} canvas.{cls}', 'cs => cs.map(c => c.toDataURL())')

def _check_shown(page, made):
    "The numbers shown equal PyTorch's for the chosen digit, output and pixel"
    s = _state(page)
    d, o, i, j = s['digit'], s['output'], s['row'], s['col']
    partials, total, bias, pre, relu = _shown(page)
    np.testing.assert_allclose(partials, made['partials'][d, o, :, i, j].numpy(), atol=SHOWN, rtol=0)
    torch_pre = made['stages']['conv2'][d, o, i, j].item()
    np.testing.assert_allclose([total, bias, pre, relu], [torch_pre - made['b'][o].item(), made['b'][o].item(), torch_pre,
                                                          made['stages']['relu2'][d, o, i, j].item()], atol=SHOWN, rtol=0)

def test_size(made):
    assert len(made['html'].encode()) < 300_000

def test_numbers_equal_pytorch_for_every_choice(explorer, made):
    "Every digit × output: the input maps, kernel slices, partial maps, their sum, the bias, sum + bias and ReLU against PyTorch"
    page, log = explorer
    assert made['b'].abs().min() > 100 * ATOL  # a missing bias could not hide in the tolerance
    digits, outputs = len(made['idxs']), made['w'].shape[0]
    assert page.evaluate(f'() => {HOOK}.digits') == [f'#{i}: label {made["test"].y[i].item()}' for i in made['idxs']]
    assert page.eval_on_selector_all(f'{ROOT} select[name=digit] option', 'os => os.length') == digits
    assert page.eval_on_selector_all(f'{ROOT} select[name=output] option', 'os => os.length') == outputs
    got = page.evaluate(f'([n, m]) => {{ const out = []; for (let d = 0; d < n; d++) for (let o = 0; o < m; o++) out.push({HOOK}.compute(d, o)); return out; }}',
                        [digits, outputs])
    st = made['stages']
    for k, r in enumerate(got):
        d, o = divmod(k, outputs)
        close = lambda a, b, what: np.testing.assert_allclose(np.asarray(a).reshape(np.shape(b)), b, atol=ATOL, rtol=0, err_msg=f'{what}, digit {d}, output {o}')
        close(r['inputs'], st['pool1'][d].numpy(), 'input maps')
        close(r['kernels'], made['w'][o].numpy(), 'kernel slices')
        close(r['partials'], made['partials'][d, o].numpy(), 'partial maps')
        close(r['bias'], made['b'][o].item(), 'bias')
        close(r['sum'], (st['conv2'][d, o] - made['b'][o]).numpy(), 'sum of the partial maps')
        close(r['pre'], st['conv2'][d, o].numpy(), 'sum + bias (conv2)')
        close(r['relu'], st['relu2'][d, o].numpy(), 'ReLU (relu2)')
    assert not log.problems(), log.problems()

def test_first_view_and_numbers_shown(explorer, made):
    "It opens on the first digit, the output that fires most on it, and its strongest pixel; the numbers shown are PyTorch's"
    page, log = explorer
    st = made['stages']
    o = int(st['relu2'][0].amax((1, 2)).argmax())
    i, j = divmod(int(st['conv2'][0, o].argmax()), 14)
    assert _state(page) == dict(digit=0, output=o, row=i, col=j)
    _check_shown(page, made)
    # each output's option says how strongly it fires on the digit, as PyTorch computes it
    labels = page.eval_on_selector_all(f'{ROOT} select[name=output] option', 'os => os.map(o => o.textContent)')
    for k, (label, top) in enumerate(zip(labels, st['relu2'][0].amax((1, 2)).tolist())):
        assert label == f'output {k}: ' + (f'max {top:.3f}' if top > 0 else '0 everywhere'), (label, top)
    assert page.locator(f'{ROOT} .tcc-card').count() == 16
    assert not log.problems(), log.problems()

def test_choosing_changes_what_is_shown(explorer, made):
    page, log = explorer
    ins, parts, kernels, relu = (_pictures(page, c) for c in ('tcc-in', 'tcc-part', 'tcc-k', 'tcc-relu'))
    first = _state(page)
    other = (first['output'] + 5) % 32
    page.select_option(f'{ROOT} select[name=output]', str(other))  # another output: same inputs, new kernels and partials
    assert _state(page)['output'] == other
    assert all(a != b for a, b in zip(_pictures(page, 'tcc-k'), kernels))
    assert _pictures(page, 'tcc-part') != parts and _pictures(page, 'tcc-relu') != relu
    _check_shown(page, made)
    kernels = _pictures(page, 'tcc-k')
    page.select_option(f'{ROOT} select[name=digit]', '4')  # another digit: same kernels, new inputs
    assert _state(page)['digit'] == 4 and _state(page)['output'] == other
    assert _pictures(page, 'tcc-k') == kernels
    assert all(a != b for a, b in zip(_pictures(page, 'tcc-in'), ins))
    _check_shown(page, made)
    page.select_option(f'{ROOT} select[name=row]', '0')  # another pixel: the same maps, other numbers
    page.select_option(f'{ROOT} select[name=col]', '13')
    assert _state(page)['row'] == 0 and _state(page)['col'] == 13
    _check_shown(page, made)
    page.click(f'{ROOT} canvas.tcc-relu', position={'x': 2, 'y': 2})  # a click on a map picks its pixel
    assert (_state(page)['row'], _state(page)['col']) == (0, 0)
    _check_shown(page, made)
    assert not log.problems(), log.problems()

def test_keyboard(explorer, made):
    page, log = explorer
    start = _state(page)['output']
    page.focus(f'{ROOT} select[name=output]')
    assert page.evaluate('() => getComputedStyle(document.activeElement).outlineStyle') != 'none'
    page.keyboard.press('ArrowDown')
    assert _state(page)['output'] == (start + 1) % 32
    page.keyboard.press('Tab')   # the ◀ button
    page.keyboard.press('Enter')
    assert _state(page)['output'] == start
    page.keyboard.press('Tab')   # the ▶ button
    page.keyboard.press('Space')
    page.keyboard.press('Space')
    assert _state(page)['output'] == (start + 2) % 32
    _check_shown(page, made)
    page.focus(f'{ROOT} select[name=digit]')
    page.keyboard.press('ArrowDown')
    assert _state(page)['digit'] == 1
    page.focus(f'{ROOT} select[name=row]')
    page.keyboard.press('Home')
    assert _state(page)['row'] == 0
    _check_shown(page, made)
    page.focus(f'{ROOT} button[name=strongest]')
    page.keyboard.press('Enter')
    s = _state(page)
    assert divmod(int(made['stages']['conv2'][s['digit'], s['output']].argmax()), 14) == (s['row'], s['col'])
    assert not log.problems(), log.problems()

@pytest.mark.parametrize('width', [1280, 390])
def test_fits_the_column(explorer, made, width):
    "No sideways scrolling at 1280 px or on a 390 px phone; the explorer is redrawn to fit, at the same choice"
    page, log = explorer
    page.select_option(f'{ROOT} select[name=output]', '31')
    page.set_viewport_size({'width': width, 'height': 900})
    page.wait_for_timeout(100)
    assert _state(page)['output'] == 31
    assert page.evaluate('() => document.documentElement.scrollWidth') <= width
    box = page.locator(ROOT).bounding_box()
    right = page.evaluate(f'() => Math.max(...Array.from(document.querySelectorAll("{ROOT} *"), e => e.getBoundingClientRect().right))')
    assert right <= box['x'] + box['width'] + 1 <= width, right
    _check_shown(page, made)
    assert not log.problems(), log.problems()

def test_names_are_escaped(browser, site):
    page, log = browser.open(f'{site}/evil.html', wait_for=f'{ROOT} canvas.tcc-relu')
    try:
        assert page.evaluate('() => window.__pwned') is None
        assert page.text_content(f'{ROOT} .tcc-title') == EVIL
        titles = page.eval_on_selector_all(f'{ROOT} select[name=digit] option', 'os => os.map(o => o.textContent)')
        assert [t.split(': label ', 1)[1] for t in titles] == HOSTILE[:3]
        assert page.locator(f'{ROOT} img, {ROOT} b, {ROOT} script').count() == 0
        assert not log.problems(), log.problems()
    finally: page.close()

def test_notebook_keeps_the_current_explorer():
    "The docs page shows the output saved in `nbs/11_channels.ipynb`: it must embed the current script (re-execute the notebook after changing it)"
    import tinycnn
    nb = json.loads((Path(__file__).parents[2]/'nbs'/'11_channels.ipynb').read_text(encoding='utf-8'))
    saved = [''.join(o['data']['text/html']) for c in nb['cells'] if c['cell_type'] == 'code' for o in c.get('outputs', [])
             if 'tinycnnChannels(root' in ''.join(o.get('data', {}).get('text/html', ''))]
    assert len(saved) == 1, len(saved)
    assert (Path(tinycnn.__file__).parent/'js'/'channels.js').read_text(encoding='utf-8') in saved[0]
