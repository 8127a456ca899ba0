"""Time the browser's forward pass and preprocessing on the built visualization page (run `nbdev_docs` first):
`python bench/draw_bench.py`. It opens the page with the browser tests' harness (tests/browser/harness.py)."""
import sys; sys.path.insert(0, str(__import__('pathlib').Path(__file__).resolve().parents[1]/'tests'/'browser'))
from harness import DOCS, Browser, serve
with serve(DOCS) as url:
    b = Browser()
    try:
        page, log = b.open(f'{url}/visualization.html', wait_for='.tinycnn-draw canvas.tinycnn-pad')
        ms = page.evaluate("""() => { const x = Array.from({length: 784}, () => Math.random());
            const g = Array.from({length: 280 * 280}, (_, k) => (k % 7 == 0) ? 255 : 0);
            let t = performance.now(); for (let i = 0; i < 50; i++) window.tinycnnForward(x); const f = (performance.now() - t) / 50;
            t = performance.now(); for (let i = 0; i < 50; i++) window.tinycnnPreprocess(g, 280, 280); const q = (performance.now() - t) / 50;
            return [f, q]; }""")
        print(f'browser forward pass {ms[0]:.2f} ms, preprocessing of a 280×280 drawing {ms[1]:.2f} ms; problems: {log.problems()}')
    finally: b.close()
