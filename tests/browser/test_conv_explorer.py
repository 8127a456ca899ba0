"""The convolution explorer of `00_conv_math` (`tinycnn.explorers.conv_explorer`) in headless Chromium.

The page is the explorer's own HTML (what the notebook cell displays) in a bare standalone page, so these
tests do not depend on the docs site build. They check its JavaScript arithmetic against `cross_correlate2d`
and `conv_out_size` on every setting it offers, stepping with the keyboard, escaping, and its width.
"""
import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).parent))
from harness import serve
from tinycnn.explorers import conv_explorer, explorer_inputs, explorer_kernels
from tinycnn.conv_math import conv_out_size, cross_correlate2d

EVIL = '</script><script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2"> & <b>co</b>'
ROOT = '.tinycnn-conv'

def _page(html:str)->str:
    return ('<!doctype html><html lang="en"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1"><title>convolution explorer</title></head>'
            f'<body><main style="max-width:1280px;padding:0 18px">{html}</main></body></html>')  # padded like Quarto's column

@pytest.fixture(scope='module')
def explorer_html():
    return conv_explorer().data

@pytest.fixture(scope='module')
def site(tmp_path_factory, explorer_html):
    folder = tmp_path_factory.mktemp('conv-explorer')
    (folder/'explorer.html').write_text(_page(explorer_html), encoding='utf-8')
    (folder/'evil.html').write_text(_page(conv_explorer({EVIL: np.arange(16).reshape(4, 4)}, {EVIL + '2': np.ones((2, 2))}).data), encoding='utf-8')
    with serve(folder) as url: yield url

@pytest.fixture
def explorer(browser, site):
    page, log = browser.open(f'{site}/explorer.html', wait_for=f'{ROOT} .tc-grid')
    yield page, log
    page.close()

def _options(page, name): return page.eval_on_selector_all(f'{ROOT} select[name={name}] option', 'os => os.map(o => o.value)')
def _position(page): return int(page.get_attribute(ROOT, 'data-position'))
def _filled(page): return page.locator(f'{ROOT} .tc-filled').count()
def _taps(page):
    "Indices of the highlighted taps among the input grid's cells"
    return page.eval_on_selector_all(f'{ROOT} .tc-tap', 'els => els.map(e => Array.from(e.parentNode.children).indexOf(e))')

def test_size(explorer_html):
    assert len(explorer_html.encode()) < 300_000

def test_arithmetic_equals_python_on_every_setting(explorer):
    "Every input × kernel × stride × padding × dilation the explorer offers, against `cross_correlate2d` and `conv_out_size`"
    page, log = explorer
    inputs, kernels = explorer_inputs(), explorer_kernels()
    assert page.evaluate(f'() => document.querySelector("{ROOT}").tinycnnConv.inputs') == list(inputs)
    assert page.evaluate(f'() => document.querySelector("{ROOT}").tinycnnConv.kernels') == list(kernels)
    offered = {n: [int(v) for v in _options(page, n)] for n in ('input', 'kernel', 'stride', 'padding', 'dilation')}
    assert offered == dict(input=list(range(len(inputs))), kernel=list(range(len(kernels))), stride=[1, 2, 3], padding=[0, 1, 2], dilation=[1, 2])
    settings = [dict(input=i, kernel=k, stride=s, padding=p, dilation=d) for i in offered['input'] for k in offered['kernel']
                for s in offered['stride'] for p in offered['padding'] for d in offered['dilation']]
    results = page.evaluate(f'ss => {{ const e = document.querySelector("{ROOT}").tinycnnConv; return ss.map(s => e.compute(s)); }}', settings)
    xs, ks, compared = list(inputs.values()), list(kernels.values()), 0
    for st, res in zip(settings, results):
        x, k, args = xs[st['input']], ks[st['kernel']], (st['stride'], st['padding'], st['dilation'])
        try: expected = cross_correlate2d(x, k, *args)
        except ValueError:
            assert res is None, st
            continue
        assert (res['h'], res['w']) == (conv_out_size(x.shape[0], k.shape[0], *args), conv_out_size(x.shape[1], k.shape[1], *args)), st
        got = np.array(res['out']).reshape(res['h'], res['w'])
        np.testing.assert_allclose(got, expected, rtol=1e-6, atol=1e-6 * max(1., np.abs(expected).max()), err_msg=str(st))
        compared += 1
    assert compared == len(settings) == 2 * 19 * 3 * 3 * 2, (compared, len(settings))
    assert not log.problems(), log.problems()

def test_keyboard_steps_the_kernel(explorer):
    page, log = explorer
    # the worked example: the ramp and the vertical-edge kernel, 9 positions, every output −6
    assert (_position(page), _filled(page), _taps(page)) == (0, 1, [0, 1, 2, 5, 6, 7, 10, 11, 12])
    page.focus(f'{ROOT} button[name=step]')
    assert page.evaluate('() => getComputedStyle(document.activeElement).outlineStyle') != 'none'
    page.keyboard.press('ArrowRight')
    assert (_position(page), _filled(page), _taps(page)) == (1, 2, [1, 2, 3, 6, 7, 8, 11, 12, 13])
    page.keyboard.press('Enter')   # the focused Step button
    page.keyboard.press('Space')
    assert (_position(page), _filled(page)) == (3, 4)
    assert _taps(page) == [5, 6, 7, 10, 11, 12, 15, 16, 17]  # the second row of positions
    assert '−6' in page.text_content(f'{ROOT} .tc-sum')
    page.keyboard.press('ArrowLeft')
    assert (_position(page), _filled(page)) == (2, 3)
    page.keyboard.press('End')
    assert (_position(page), _filled(page)) == (8, 9)
    assert page.eval_on_selector_all(f'{ROOT} .tc-filled', 'els => els.map(e => e.textContent)') == ['−6'] * 9
    page.keyboard.press('Home')
    assert (_position(page), _filled(page)) == (0, 1)
    # dilation 2 on the ramp: one position, taps two apart, output −12
    page.focus(f'{ROOT} select[name=dilation]')
    page.select_option(f'{ROOT} select[name=dilation]', '2')
    assert page.text_content(f'{ROOT} .tc-filled') == '−12' and _taps(page) == [0, 2, 4, 10, 12, 14, 20, 22, 24]
    assert 'rows = ⌊(5 + 2·0 − 2·(3 − 1) − 1) / 1⌋ + 1 = 1' in page.text_content(ROOT)
    # Play steps on its own
    page.select_option(f'{ROOT} select[name=dilation]', '1')
    page.click(f'{ROOT} button[name=play]')
    page.wait_for_function(f'() => +document.querySelector("{ROOT}").dataset.position >= 1', timeout=5000)
    assert page.get_attribute(f'{ROOT} button[name=play]', 'aria-pressed') == 'true'
    assert not log.problems(), log.problems()

@pytest.mark.parametrize('width', [1280, 390])
def test_fits_the_column(explorer, width):
    "The widest setting (the digit with padding 2) fits a 1280 px column and a 390 px phone without scrolling sideways"
    page, log = explorer
    page.select_option(f'{ROOT} select[name=input]', '1')
    page.select_option(f'{ROOT} select[name=padding]', '2')
    page.select_option(f'{ROOT} select[name=kernel]', str(len(explorer_kernels()) - 1))
    page.click(f'{ROOT} button[name=step]')
    page.click(f'{ROOT} button[name=step]')
    page.set_viewport_size({'width': width, 'height': 900})  # the grids are redrawn to fit, at the same position
    page.wait_for_timeout(100)
    assert (_position(page), _filled(page)) == (2, 3)
    assert page.evaluate('() => document.documentElement.scrollWidth') <= width
    right = page.evaluate(f'() => Math.max(...Array.from(document.querySelectorAll("{ROOT} *"), e => e.getBoundingClientRect().right))')
    assert right <= page.locator(ROOT).bounding_box()['x'] + page.locator(ROOT).bounding_box()['width'] + 1 <= width, right
    assert not log.problems(), log.problems()

def test_names_are_escaped(browser, site):
    page, log = browser.open(f'{site}/evil.html', wait_for=f'{ROOT} .tc-grid')
    try:
        assert page.evaluate('() => window.__pwned') is None
        assert page.eval_on_selector_all(f'{ROOT} select[name=input] option', 'os => os.map(o => o.textContent)') == [f'{EVIL} (4×4)']
        assert page.locator(f'{ROOT} img, {ROOT} b').count() == 0
        assert not log.problems(), log.problems()
    finally: page.close()

def test_notebook_keeps_the_current_explorer():
    "The docs page shows the output saved in `nbs/00_conv_math.ipynb`: it must embed the current script (re-execute the notebook after changing it)"
    import json, tinycnn
    nb = json.loads((Path(__file__).parents[2]/'nbs'/'00_conv_math.ipynb').read_text(encoding='utf-8'))
    saved = [''.join(o['data']['text/html']) for c in nb['cells'] if c['cell_type'] == 'code' for o in c.get('outputs', [])
             if 'tinycnnConvExplorer(root' in ''.join(o.get('data', {}).get('text/html', ''))]
    assert len(saved) == 1, len(saved)
    assert (Path(tinycnn.__file__).parent/'js'/'conv_explorer.js').read_text(encoding='utf-8') in saved[0]
