"""Open the in-browser trainer (tinycnn/js/trainer.js, trainer_ui.js) in headless Chromium, from a URL or from HTML.

- `trainer_source()`: what the tests open: `TINYCNN_TRAINER_URL` if set; else the trainer's page of the built docs site
  (`_docs/train_in_browser.html`, served on 127.0.0.1) where the site is built; else a standalone page holding
  `tinycnn.train_in_browser.train_explorer()`.
- `trainer_page(browser, source, viewport)`: a context manager yielding `(page, log)` once the trainer says it is ready.
Used by tests/browser/test_trainer.py and bench/trainer_bench.py.
"""
from __future__ import annotations
import contextlib, html, os, tempfile
from pathlib import Path
from harness import DOCS, serve
from tinycnn.train_in_browser import train_explorer

ROOT_SEL = '.tinycnn-trainer'
BUILT = DOCS/'train_in_browser.html'

def trainer_html(**kwargs)->str:
    "A whole HTML document holding `train_explorer(**kwargs)`"
    return ('<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" '
            'content="width=device-width, initial-scale=1"><title>Train TinyCNN in your browser</title></head>'
            f'<body style="margin:8px">{train_explorer(**kwargs).data}</body></html>')

@contextlib.contextmanager
def trainer_source():
    "Yield what to open: `TINYCNN_TRAINER_URL`, else the built site's page (served here), else the standalone page's HTML"
    if os.environ.get('TINYCNN_TRAINER_URL'): yield os.environ['TINYCNN_TRAINER_URL']
    elif BUILT.is_file():
        with serve(DOCS) as url: yield f'{url}/{BUILT.name}'
    else: yield trainer_html()

def wait_ready(page, timeout:float=60_000):
    "Wait until the trainer has decoded its digits and shows its starting weights"
    page.wait_for_selector(f'{ROOT_SEL}[data-state=ready]', timeout=timeout)

@contextlib.contextmanager
def trainer_page(browser, # a `harness.Browser`
                 source:str, # a URL (http://, file://) or an HTML document, served from 127.0.0.1
                 viewport:dict|None=None, # e.g. {'width': 390, 'height': 844}
                ):
    "Yield `(page, log)` with the trainer ready; the page is closed after"
    with contextlib.ExitStack() as stack:
        if source.lstrip().startswith('<'):
            folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix='tinycnn-trainer-')))
            (folder/'index.html').write_text(source, encoding='utf-8')
            url = f'{stack.enter_context(serve(folder))}/index.html'
        else: url = source
        page, log = browser.open(url, viewport=viewport)
        stack.callback(page.close)
        wait_ready(page)
        yield page, log
