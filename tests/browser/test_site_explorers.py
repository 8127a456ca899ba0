"""The explorers of the convolution and interpretation pages on the real docs site (Quarto's build in `_docs/`), not
only on the standalone pages of `test_conv_explorer.py` and `test_interpretation.py`: they render, answer the keyboard and
the mouse, and the convolution explorer's arithmetic there equals `cross_correlate2d` on every setting it offers."""
import numpy as np

from tinycnn.conv_math import conv_out_size, cross_correlate2d

from tinycnn.explorers import explorer_inputs, explorer_kernels

CONV, WHY, SCRUB = '.tinycnn-conv', '.tinycnnWhy-root', '.tinycnnScrub-root'
SRCS_JS = "root => [...root.querySelectorAll('.tinycnn-panels img')].map(i => i.src)"

def test_convolution_explorer_on_the_math_page(open_page):
    page, log = open_page('00_conv_math', wait_for=f'{CONV} .tc-grid')
    root = page.locator(CONV).first
    # every setting it offers, computed by the page's own script, against the library
    settings = [dict(input=i, kernel=k, stride=s, padding=p, dilation=d) for i in range(len(explorer_inputs()))
                for k in range(len(explorer_kernels())) for s in (1, 2, 3) for p in (0, 1, 2) for d in (1, 2)]
    results = root.evaluate('(root, ss) => ss.map(s => root.tinycnnConv.compute(s))', settings)
    xs, ks, compared = list(explorer_inputs().values()), list(explorer_kernels().values()), 0
    for st, res in zip(settings, results):
        x, k, args = xs[st['input']], ks[st['kernel']], (st['stride'], st['padding'], st['dilation'])
        try: expected = cross_correlate2d(x, k, *args)
        except ValueError: assert res is None, st; continue
        assert (res['h'], res['w']) == (conv_out_size(x.shape[0], k.shape[0], *args), conv_out_size(x.shape[1], k.shape[1], *args)), st
        np.testing.assert_allclose(np.array(res['out']).reshape(res['h'], res['w']), expected, rtol=1e-6,
                                   atol=1e-6 * max(1., np.abs(expected).max()), err_msg=str(st))
        compared += 1
    assert compared == len(settings)
    # the keyboard steps the kernel and the output grows, cell by cell
    filled = lambda: page.locator(f'{CONV} .tc-filled').count()
    before = filled()
    page.focus(f'{CONV} button[name=step]')
    page.keyboard.press('ArrowRight'); page.keyboard.press('Enter')
    assert filled() == before + 2 and root.get_attribute('data-position') == '2'
    assert not log.problems(), log.problems()

def test_attribution_explorer_on_its_page(open_page):
    page, log = open_page('12_interpretation', wait_for=f'{WHY} select.tinycnn-pick')
    why = page.locator(WHY).first
    first = why.evaluate(SRCS_JS)
    assert len(first) == 4  # the digit, saliency, Grad-CAM, occlusion
    why.locator('select.tinycnn-pick').select_option('3')
    assert why.get_attribute('data-shown') == '3' and all(a != b for a, b in zip(first, why.evaluate(SRCS_JS)))
    assert not log.problems(), log.problems()

def test_training_slider_on_its_page(open_page):
    page, log = open_page('10_visualization', wait_for=f'{SCRUB} input[type=range]')
    scrub = page.locator(SCRUB).first
    label = scrub.locator('.tinycnn-frame-label').text_content()
    scrub.locator('input[type=range]').focus(); page.keyboard.press('End')
    assert scrub.locator('.tinycnn-frame-label').text_content() != label
    assert not log.problems(), log.problems()
