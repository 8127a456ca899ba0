"""A harness for testing tinycnn's rendered notebook pages in a real browser (headless Chromium).

- `render_notebooks(names)` renders notebooks the way the docs site sees them: `nbdev_proc_nbs` (nbdev's docs
  processing, into `_proc/`), then nbconvert's HTML exporter, which embeds the saved widget state as Quarto does.
- `serve(folder)` serves a folder on 127.0.0.1 at a free port, in a thread.
- `Browser` launches the system Chromium with Playwright (no browser download) and opens pages whose CDN scripts
  (require.js, jQuery, `@jupyter-widgets/html-manager`) are answered from local npm copies in `node_modules/`;
  every other outside request is blocked and recorded, as are page errors and console errors.

Used by `tests/browser/conftest.py`; run with `pytest tests/browser` or `bash .ci/checks/20-browser.sh`.
"""
from __future__ import annotations
import contextlib, functools, http.server, os, re, shutil, subprocess, sys, tempfile, threading
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parents[2]
NODE_MODULES = Path(os.environ.get('TINYCNN_NODE_MODULES', ROOT/'node_modules'))
CHROMIUM = os.environ.get('TINYCNN_CHROMIUM', '/usr/bin/chromium')
CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
                 '--disable-background-networking', '--disable-component-update', '--disable-sync']
LOCAL_HOSTS = ('127.0.0.1', 'localhost')

# ---- rendering ---------------------------------------------------------------------------------------
def _stage(names:list[str], stage:Path)->Path:
    "Copy the notebooks `names` and the docs config of `nbs/` into `stage`, so `nbdev_proc_nbs` works on a copy"
    nbs = stage/'nbs'
    nbs.mkdir(parents=True)
    for f in (ROOT/'nbs').iterdir():
        if f.suffix != '.ipynb' and f.is_file(): shutil.copy(f, nbs)
    for n in names: shutil.copy(ROOT/'nbs'/f'{n}.ipynb', nbs)
    shutil.copy(ROOT/'settings.ini', stage)
    return nbs

def _like_quarto(nb):
    "Show a processed notebook as Quarto would: front matter as the title, no source for `#| echo: false` cells"
    import nbformat, yaml
    cells = []
    for c in nb.cells:
        if c.cell_type == 'raw' and c.source.startswith('---'):
            meta = yaml.safe_load(c.source.strip().strip('-')) or {}
            c = nbformat.v4.new_markdown_cell(f"# {meta.get('title', '')}\n\n{meta.get('description', '')}")
        elif c.cell_type == 'code' and re.search(r'^#\|\s*echo:\s*false', c.source, re.M):
            c.metadata['transient'] = {'remove_source': True}
            for o in c.get('outputs', []):  # show_doc's Quarto link attributes, which only Quarto reads
                if 'text/markdown' in o.get('data', {}):
                    o['data']['text/markdown'] = re.sub(r'\{[^{}\n]*target="_blank"[^{}\n]*\}', '', o['data']['text/markdown'])
        cells.append(c)
    nb.cells = cells
    return nb

def render_notebooks(names:list[str], # notebook names in nbs/ without '.ipynb', e.g. ['05_visualization']
                     out:str|Path|None=None, # folder for the HTML pages (default: a new temporary folder)
                    )->dict[str, Path]: # name → the HTML page
    "Render notebooks to static HTML pages as the docs site shows them: `nbdev_proc_nbs`, then nbconvert"
    import nbformat
    from nbconvert import HTMLExporter
    out = Path(out or tempfile.mkdtemp(prefix='tinycnn-pages-'))
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix='tinycnn-proc-') as stage:
        _stage(names, Path(stage))
        env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get('PYTHONPATH', '')]))
        subprocess.run([shutil.which('nbdev_proc_nbs') or 'nbdev_proc_nbs', '--force', '--n_workers', '0'],
                       cwd=stage, env=env, check=True, capture_output=True)
        exporter, pages = HTMLExporter(template_name='lab', exclude_input_prompt=True, exclude_output_prompt=True), {}
        for n in names:
            nb = _like_quarto(nbformat.read(Path(stage)/'_proc'/f'{n}.ipynb', as_version=4))
            html, _ = exporter.from_notebook_node(nb)
            pages[n] = out/f'{n}.html'
            pages[n].write_text(html, encoding='utf-8')
    return pages

# ---- serving -----------------------------------------------------------------------------------------
class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args): pass

@contextlib.contextmanager
def serve(folder:str|Path):
    "Serve `folder` on 127.0.0.1 at a free port; yields the base URL, and stops the server after"
    server = http.server.ThreadingHTTPServer(('127.0.0.1', 0), functools.partial(_QuietHandler, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try: yield f'http://127.0.0.1:{server.server_address[1]}'
    finally:
        server.shutdown(); server.server_close(); thread.join()

# ---- CDN scripts from local npm copies ---------------------------------------------------------------
# URL path patterns (any CDN host: unpkg, cdnjs, jsdelivr) → file in node_modules
CDN_ROUTES = [
    (re.compile(r'/@jupyter-widgets/html-manager@[^/]*/dist/(?P<file>.+)$'), '@jupyter-widgets/html-manager/dist/{file}'),
    (re.compile(r'/require(\.min)?\.js$'), 'requirejs/require.js'),
    (re.compile(r'/jquery(\.min)?\.js$'), 'jquery/dist/jquery.min.js'),
    # the "Open in Colab" badge every notebook starts with: a local stand-in, so the page's images all load offline
    (re.compile(r'^/assets/colab-badge\.svg$'), str(Path(__file__).parent/'colab-badge.svg')),
]
CONTENT_TYPES = {'.js': 'application/javascript', '.css': 'text/css', '.woff': 'font/woff', '.woff2': 'font/woff2',
                 '.ttf': 'font/ttf', '.svg': 'image/svg+xml', '.eot': 'application/vnd.ms-fontobject', '.json': 'application/json'}

def local_copy(url:str)->Path|None:
    "The local npm file that stands in for the CDN `url`, or `None`"
    path = urlparse(url).path
    for pattern, target in CDN_ROUTES:
        if m := pattern.search(path):
            f = NODE_MODULES/target.format(**m.groupdict()) # an absolute target stays as it is
            return f if f.is_file() else None
    return None

def missing_node_modules()->list[str]:
    "The npm packages the CDN routes need that are not installed (run `npm ci` at the repository root)"
    return [p for p in ('@jupyter-widgets/html-manager/dist/embed-amd.js', 'requirejs/require.js', 'jquery/dist/jquery.min.js')
            if not (NODE_MODULES/p).is_file()]

# ---- the browser -------------------------------------------------------------------------------------
@dataclass
class PageLog:
    "What went wrong on a page: uncaught errors, console errors, blocked outside requests, failed requests"
    page_errors:list = field(default_factory=list)
    console_errors:list = field(default_factory=list)
    blocked:list = field(default_factory=list)
    failed:list = field(default_factory=list)
    served_locally:list = field(default_factory=list)

    def problems(self)->list[str]:
        "Page errors and console errors (blocked optional extras such as MathJax are not problems)"
        return [f'page error: {e}' for e in self.page_errors] + [f'console error: {e}' for e in self.console_errors]

class Browser:
    "Headless system Chromium via Playwright; `open(url)` gives a page with CDN scripts served locally and a `PageLog`"
    def __init__(self, executable:str=CHROMIUM, viewport:dict|None=None):
        from playwright.sync_api import sync_playwright
        self.user_data = tempfile.mkdtemp(prefix='tinycnn-chromium-')
        self._pw = sync_playwright().start()
        self.context = self._pw.chromium.launch_persistent_context(
            self.user_data, executable_path=executable, headless=True, args=CHROMIUM_ARGS,
            viewport=viewport or {'width': 1280, 'height': 900})

    def _route(self, route, log:PageLog):
        url = route.request.url
        host = urlparse(url).hostname or ''
        if url.startswith('data:') or host in LOCAL_HOSTS: return route.continue_()
        if (f := local_copy(url)) is not None:
            log.served_locally.append(url)
            return route.fulfill(path=str(f), headers={'Content-Type': CONTENT_TYPES.get(f.suffix, 'application/octet-stream'),
                                                       'Access-Control-Allow-Origin': '*'})
        log.blocked.append(url)
        return route.abort('blockedbyclient')

    def open(self, url:str, wait_for:str|None=None, timeout:float=30_000):
        "Open `url` in a new page; returns `(page, log)` once loaded (and once `wait_for`, a CSS selector, appears)"
        page, log = self.context.new_page(), PageLog()
        page.on('pageerror', lambda e: log.page_errors.append(str(e)))
        page.on('console', lambda m: m.type == 'error' and not _is_blocked_message(m.text, log) and log.console_errors.append(m.text))
        page.on('requestfailed', lambda r: log.failed.append(f'{r.url} ({r.failure})'))
        page.route('**/*', lambda route: self._route(route, log))
        page.goto(url, wait_until='load', timeout=timeout)
        if wait_for: page.wait_for_selector(wait_for, timeout=timeout)
        return page, log

    def close(self):
        with contextlib.suppress(Exception): self.context.close()
        with contextlib.suppress(Exception): self._pw.stop()
        shutil.rmtree(self.user_data, ignore_errors=True)

def _is_blocked_message(text:str, log:PageLog)->bool:
    "Chromium's console message for a request we blocked on purpose (e.g. MathJax from a CDN)"
    return 'ERR_BLOCKED_BY_CLIENT' in text
