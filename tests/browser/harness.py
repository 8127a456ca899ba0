"""A harness for testing tinycnn's docs site in a real browser (headless Chromium).

- `DOCS` is the site `nbdev_docs` built with Quarto (`_docs/`, or `TINYCNN_DOCS`); `docs_pages()` lists its pages.
- `serve(folder)` serves a folder on 127.0.0.1 at a free port, in a thread.
- `Browser` launches the system Chromium with Playwright (no browser download) and opens pages whose CDN scripts
  (require.js, jQuery, `@jupyter-widgets/html-manager`) are answered from local npm copies in `node_modules/`
  (the pages' integrity hashes, made for the CDN's builds, are dropped); every other outside request is blocked
  and recorded, as are page errors and console errors.

Used by `tests/browser/conftest.py`; run with `bash .ci/checks/20-browser.sh` (which builds the site first).
"""
from __future__ import annotations
import contextlib, functools, http.server, os, re, shutil, tempfile, threading
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parents[2]
DOCS = Path(os.environ.get('TINYCNN_DOCS', ROOT/'_docs'))
NODE_MODULES = Path(os.environ.get('TINYCNN_NODE_MODULES', ROOT/'node_modules'))
CHROMIUM = os.environ.get('TINYCNN_CHROMIUM', '/usr/bin/chromium')
CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
                 '--disable-background-networking', '--disable-component-update', '--disable-sync']
LOCAL_HOSTS = ('127.0.0.1', 'localhost')
SRI = re.compile(r'''\s+integrity=("[^"]*"|'[^']*')''')

# ---- the site ----------------------------------------------------------------------------------------
def docs_pages(docs:str|Path=DOCS)->list[str]:
    "The HTML pages of the built site, e.g. ['api/checks.html', 'data.html', ...]: every page, including ones added later"
    docs = Path(docs)
    return sorted(p.relative_to(docs).as_posix() for p in docs.rglob('*.html') if 'site_libs' not in p.parts)

def page_of(notebook:str)->str:
    "The page nbdev makes of a notebook: '10_visualization' → 'visualization.html', 'api/06_checkpoints' → 'api/checkpoints.html'"
    path = Path(notebook)
    return (path.parent/(re.sub(r'^\d+_', '', path.stem) + '.html')).as_posix()

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
]
CONTENT_TYPES = {'.js': 'application/javascript', '.css': 'text/css', '.woff': 'font/woff', '.woff2': 'font/woff2',
                 '.ttf': 'font/ttf', '.svg': 'image/svg+xml', '.eot': 'application/vnd.ms-fontobject', '.json': 'application/json'}

def local_copy(url:str)->Path|None:
    "The local npm file that stands in for the CDN `url`, or `None`"
    path = urlparse(url).path
    for pattern, target in CDN_ROUTES:
        if m := pattern.search(path):
            f = NODE_MODULES/target.format(**m.groupdict())
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
    integrity_dropped:int = 0

    def problems(self)->list[str]:
        "Page errors and console errors (blocked optional extras, such as MathJax or the Colab badge, are not problems)"
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
        if url.startswith('data:'): return route.continue_()
        if host in LOCAL_HOSTS:
            if route.request.resource_type != 'document': return route.continue_()
            # Quarto pins its CDN scripts with Subresource Integrity hashes of the CDN's builds, which the local npm
            # copies cannot match: drop the hashes from our own pages (only ours; nothing from outside is loaded)
            response = route.fetch()
            body, n = SRI.subn('', response.text())
            log.integrity_dropped += n
            return route.fulfill(response=response, body=body)
        if (f := local_copy(url)) is not None:
            log.served_locally.append(url)
            return route.fulfill(path=str(f), headers={'Content-Type': CONTENT_TYPES.get(f.suffix, 'application/octet-stream'),
                                                       'Access-Control-Allow-Origin': '*'})
        log.blocked.append(url)
        return route.abort('blockedbyclient')

    def open(self, url:str, wait_for:str|None=None, timeout:float=30_000, viewport:dict|None=None):
        "Open `url` in a new page (at `viewport`, e.g. {'width': 390, 'height': 844}); returns `(page, log)` once loaded (and once `wait_for`, a CSS selector, appears)"
        page, log = self.context.new_page(), PageLog()
        if viewport: page.set_viewport_size(viewport)
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
    "Chromium's console message for a request we blocked on purpose (e.g. MathJax or the Colab badge from outside)"
    return 'ERR_BLOCKED_BY_CLIENT' in text
