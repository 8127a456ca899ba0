"""A manual check (not run by CI; needs `pip install jupyterlab` and Debian's chromium): the convolution explorer of
00_conv_math and the attribution explorer of 12_interpretation work in a live JupyterLab, run in its kernel (so trusted).

    python tests/browser/jupyterlab_check.py   # prints what it saw and writes a screenshot to tests/browser/screenshots/
"""
import subprocess, tempfile, time, sys, os, json, urllib.request
from pathlib import Path
DIR = Path(tempfile.mkdtemp())
SHOT = Path(__file__).parent/'screenshots'/'jupyterlab.png'
from playwright.sync_api import sync_playwright
env = dict(os.environ)
srv = subprocess.Popen([sys.executable, '-m', 'jupyter', 'lab', '--no-browser', '--ip=127.0.0.1', '--port=8899', '--IdentityProvider.token=', '--ServerApp.password=',
                        '--ServerApp.disable_check_xsrf=True', '--allow-root', f'--notebook-dir={DIR}'], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
try:
    for _ in range(60):
        try: urllib.request.urlopen('http://127.0.0.1:8899/lab'); break
        except Exception: time.sleep(1)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path='/usr/bin/chromium', args=['--no-sandbox', '--disable-gpu', '--disable-background-networking'])
        page = b.new_page(viewport={'width': 1400, 'height': 1000})
        errors = []; page.on('pageerror', lambda e: errors.append(str(e)))
        # a scratch notebook: the same calls the pages make, run in the kernel
        code = ["from tinycnn.explorers import conv_explorer\nconv_explorer()",
                "from tinycnn.explorers import attribution_explorer\nfrom tinycnn.checkpoints import load_trained\nfrom tinycnn.data import load_data\n"
                "m,_ = load_trained(); attribution_explorer(m, load_data('sample', verbose=False).test, mistakes=4, digits=6)"]
        nb = dict(cells=[dict(cell_type='code', source=c, metadata={}, outputs=[], execution_count=None, id=f'c{i}') for i, c in enumerate(code)],
                  metadata=dict(kernelspec=dict(name='python3', display_name='Python 3', language='python')), nbformat=4, nbformat_minor=5)
        json.dump(nb, open(DIR/'live.ipynb', 'w'))
        page.goto('http://127.0.0.1:8899/lab/tree/live.ipynb', timeout=120000)
        page.wait_for_selector('.jp-Notebook', timeout=120000); time.sleep(5)
        page.locator('.jp-Cell').first.click()
        for _ in code: page.keyboard.press('Shift+Enter'); time.sleep(1)
        page.wait_for_selector('.tinycnn-conv .tc-grid', timeout=120000)
        conv = page.locator('.tinycnn-conv').first
        before = page.locator('.tinycnn-conv .tc-filled').count()
        conv.locator('button[name=step]').click(); conv.locator('button[name=step]').click()
        after = page.locator('.tinycnn-conv .tc-filled').count()
        page.wait_for_selector('.tinycnnWhy-root .tinycnn-panels img', timeout=120000)
        why = page.locator('.tinycnnWhy-root').first
        srcs = lambda: why.evaluate("r => [...r.querySelectorAll('.tinycnn-panels img')].map(i => i.src)")
        s0 = srcs(); why.locator('select.tinycnn-pick').select_option('3'); s1 = srcs()
        SHOT.parent.mkdir(exist_ok=True); page.screenshot(path=str(SHOT))
        seen = dict(conv_filled=(before, after), why_panels=len(s0), why_changed=all(a != c for a, c in zip(s0, s1)), page_errors=errors)
        print(seen)
        assert seen == dict(conv_filled=(1, 3), why_panels=4, why_changed=True, page_errors=[]), seen
        b.close()
finally: srv.terminate()
