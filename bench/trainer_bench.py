"""Benchmark the in-browser trainer (tinycnn/js/trainer.js) in headless Chromium on this machine.

    python bench/trainer_bench.py                 # the default controls: images/s, test accuracy at 60 s and 120 s,
                                                  # input latency while training, and a CPU profile of a step
    python bench/trainer_bench.py --sweep         # also other settings and shuffling seeds, each to its end (≤ 120 s)

Writes tinycnn/assets/results/trainer_bench.json (date, CPU, load averages before and after, Chromium's version, the
scripts' and the data's sizes). It waits (up to --wait minutes) for the 1-minute load average to fall below
--max-load first, and records the load either way. Training time is wall-clock time from Start, the page's own test
evaluations included (a benchmark's extra evaluation at 60 s is not subtracted).

Input latency: a real mouse click on the drawing pad (the page then reads the pad, preprocesses and classifies it with
the weights being trained) or a key typed into the learning-rate box, sent through Chromium's input pipeline; measured
from the event's timestamp to the first animation frame after the page's handlers and its redraw have run.
"""
from __future__ import annotations
import argparse, base64, datetime, gzip, json, os, platform, statistics, subprocess, sys, time
from collections import Counter
from pathlib import Path
from playwright.sync_api import TimeoutError as PlaywrightTimeout

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT/'tests'/'browser'))
from harness import CHROMIUM, Browser  # noqa: E402
from trainer_harness import ROOT_SEL, trainer_page, trainer_source  # noqa: E402

OUT = ROOT/'tinycnn'/'assets'/'results'/'trainer_bench.json'
JS = ROOT/'tinycnn'/'js'
SCRIPTS = ('draw_digit.js', 'trainer.js', 'trainer_ui.js')
DIGITS = ROOT/'tinycnn'/'assets'/'trainer_digits.bin'
GOAL = 0.97

# ---- the machine -------------------------------------------------------------------------------------------------
def cpu_model()->str:
    for line in Path('/proc/cpuinfo').read_text().splitlines():
        if line.startswith('model name'): return line.split(':', 1)[1].strip()
    return platform.processor()

def chromium_version()->str:
    out = subprocess.run([CHROMIUM, '--version'], capture_output=True, text=True).stdout.strip()
    return out.split(' built')[0]

def load()->list: return [round(v, 2) for v in os.getloadavg()]

def wait_for_quiet(max_load:float, minutes:float)->dict:
    "Wait until the 1-minute load average is below `max_load` (checking every 30 s, up to `minutes`)"
    start, seen = time.time(), [load()]
    while seen[-1][0] >= max_load and time.time() - start < 60 * minutes:
        time.sleep(30); seen.append(load())
    return dict(waited_s=round(time.time() - start), quiet=seen[-1][0] < max_load, loads_seen=seen)

def sizes(page_html:str|None)->dict:
    "Bytes of each script, of all three (what the page loads), gzipped too, of the digits, and of the whole page"
    s = {name: (JS/name).stat().st_size for name in SCRIPTS}
    js = b''.join((JS/name).read_bytes() for name in SCRIPTS)
    out = dict(scripts=s, scripts_total=len(js), scripts_total_gzip=len(gzip.compress(js, 9)), digits_bin=DIGITS.stat().st_size,
               digits_base64=len(base64.b64encode(DIGITS.read_bytes())))
    if page_html: out['page_html'] = len(page_html.encode())
    return out

# ---- driving the page --------------------------------------------------------------------------------------------
def state(p): return p.evaluate('tinycnnTrainer.state()')

def set_controls(p, lr=None, batch=None, epochs=None, seed=None):
    "Set the controls as a reader would (each change resets the page while nothing is trained), then Reset"
    r = p.locator(ROOT_SEL).first
    if lr is not None: r.locator('.tinycnn-lr').fill(str(lr)); r.locator('.tinycnn-lr').dispatch_event('change')
    if batch is not None: r.locator('.tinycnn-batch').select_option(str(batch))
    if epochs is not None: r.locator('.tinycnn-epochs').select_option(str(epochs))
    if seed is not None: p.evaluate(f'tinycnnTrainer.setSeed({int(seed)})')
    r.locator('.tinycnn-reset').click()
    p.wait_for_function('tinycnnTrainer.state().state === "ready"')

LATENCY_JS = """() => {
  const root = document.querySelector('.tinycnn-trainer'); window.__lat = [];
  for (const type of ['pointerdown', 'keydown']) root.addEventListener(type, e => {
    const t0 = e.timeStamp;  // our listener runs after the target's; our frame callback after the page's redraw
    requestAnimationFrame(() => window.__lat.push({type, ms: performance.now() - t0}));
  });
  window.__inp = [];
  try { new PerformanceObserver(l => l.getEntries().forEach(e => window.__inp.push({name: e.name, ms: e.duration})))
          .observe({type: 'event', durationThreshold: 16, buffered: false}); } catch (e) {}
}"""

def poke(p, k:int):
    "One input: a click on the drawing pad (even k) or a key in the learning-rate box (odd k)"
    r = p.locator(ROOT_SEL).first
    if k % 2 == 0:
        box = r.locator('.tinycnn-pad').bounding_box()
        p.mouse.click(box['x'] + box['width'] * (0.3 + 0.04 * (k % 10)), box['y'] + box['height'] * 0.5)
    else:
        r.locator('.tinycnn-lr').focus()
        p.keyboard.press('5' if k % 4 == 1 else 'Backspace')

def latencies(p)->dict:
    got = p.evaluate('window.__lat')
    ms = [g['ms'] for g in got]
    by = {t: [round(g['ms'], 1) for g in got if g['type'] == t] for t in ('pointerdown', 'keydown')}
    inp = p.evaluate('window.__inp')
    slow = [e['ms'] for e in inp if e['name'] in ('pointerdown', 'keydown')]
    return dict(tries=len(ms), median_ms=round(statistics.median(ms), 1), max_ms=round(max(ms), 1), each_ms=by,
                event_timing=dict(what="Chromium's Event Timing entries of the tries' pointerdown/keydown (input to next "
                                       "paint, in 8 ms steps; only those of 16 ms or more are reported)",
                                  reported=len(slow), max_ms=max(slow, default=None)))

def accuracy_at(p, t0:float, mark:float)->dict:
    "Test accuracy at `mark` seconds after Start: asked of the worker then if it is training, else its last"
    time.sleep(max(0, t0 + mark - time.time()))
    s = state(p)
    if s['state'] == 'running':
        n = len(s['tests'])
        p.evaluate('tinycnnTrainer.evaluate()')
        p.wait_for_function(f'tinycnnTrainer.state().tests.length > {n}', timeout=30_000)
        s = state(p)
    t = s['tests'][-1] if s['tests'] else None
    return dict(at_s=mark, state=s['state'], step=s['step'], test_accuracy=t and t['accuracy'], evaluated_at_step=t and t['step'],
                images=s['last'] and s['last']['images'])

def train(p, settings:dict, limit:float=120, marks=(), latency_tries:int=0)->dict:
    "Start a run with `settings`, measure while it trains, and wait for its end (or `limit` seconds)"
    set_controls(p, **settings)
    p.locator(f'{ROOT_SEL} .tinycnn-start').click()
    if latency_tries: p.evaluate(LATENCY_JS)  # after Start, so that only the tries count
    t0, out = time.time(), dict(settings=settings, load_start=load())
    for k in range(latency_tries):  # one input every second while it trains
        time.sleep(1.0); poke(p, k)
    if latency_tries: time.sleep(0.5); out['latency'] = latencies(p)
    out['marks'] = [accuracy_at(p, t0, m) for m in marks]
    if time.time() < t0 + limit and state(p)['state'] == 'running':
        try: p.wait_for_function('["done", "diverged"].includes(tinycnnTrainer.state().state)', timeout=(t0 + limit - time.time()) * 1000)
        except PlaywrightTimeout: pass  # still training at `limit`: measured as it is
    s, wall = state(p), time.time() - t0
    last = s['last'] or {}
    tests = s['tests']
    reach = next((t for t in tests if t['accuracy'] >= GOAL), None)
    out.update(state=s['state'], steps=s['step'], total_steps=s['totalSteps'], seconds=round(s['elapsedMs'] / 1000 if s['state'] != 'running' else wall, 1),
               images=last.get('images'), images_per_s_steps=last.get('images') and round(last['images'] / (last['trainMs'] / 1000)),
               final_test_accuracy=tests[-1]['accuracy'] if tests else None,
               first_at_goal=reach and dict(seconds=round(reach['seconds'], 1), step=reach['step'], accuracy=reach['accuracy']),
               tests=[dict(step=t['step'], s=round(t['seconds'], 1), acc=t['accuracy']) for t in tests])
    out['images_per_s_wall'] = out['images'] and round(out['images'] / out['seconds'])
    out['load_end'] = load()
    if s['state'] == 'running': p.locator(f'{ROOT_SEL} .tinycnn-pause').click()
    return out

PROFILE_JS = """async steps => {
  const T = tinycnnTrainer, core = T.core, d = T.digits(), bs = 128;
  const tr = core.makeTrainer(16, 32, Float32Array.from(T.initial()), {lr: 0.02, schedule: 'onecycle', totalSteps: steps, labelSmoothing: 0.05});
  const x = core.normalize(d.train.images.subarray(0, steps * bs * 784), 0.1307, 0.3081), t0 = performance.now();
  for (let s = 0; s < steps; s++) core.trainStep(tr, x.subarray(s * bs * 784), d.train.labels.subarray(s * bs), bs);
  const train = performance.now() - t0, t1 = performance.now();
  core.evaluate(tr, core.normalize(d.test.images, 0.1307, 0.3081), d.test.labels, d.test.labels.length);
  return {train_ms_per_image: train / (steps * bs), eval_ms_per_image: (performance.now() - t1) / d.test.labels.length};
}"""

def profile(p, steps:int=20)->dict:
    "Chromium's sampling profiler over `steps` training steps run on the page's thread: self time by function"
    cdp = p.context.new_cdp_session(p)
    cdp.send('Profiler.enable'); cdp.send('Profiler.setSamplingInterval', {'interval': 200})
    cdp.send('Profiler.start')
    before = load()
    timing = p.evaluate(PROFILE_JS, steps)
    prof = cdp.send('Profiler.stop')['profile']
    nodes = {n['id']: n['callFrame']['functionName'] or n['callFrame']['url'][-20:] or '(anonymous)' for n in prof['nodes']}
    self_us = Counter()
    for sample, dt in zip(prof['samples'], prof['timeDeltas']): self_us[nodes[sample]] += dt
    total = sum(self_us.values())
    return dict(timing, steps=steps, batch=128, load_start=before, load_end=load(),
                self_time_percent={k: round(100 * v / total, 1) for k, v in self_us.most_common(10)})

SWEEP = [dict(epochs=4), dict(epochs=12), dict(epochs=16), dict(batch=64), dict(batch=256), dict(lr=0.01), dict(lr=0.03),
         dict(seed=1), dict(seed=2)]

def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--sweep', action='store_true', help='also train with other settings and seeds (about 8 minutes)')
    ap.add_argument('--max-load', type=float, default=1.5); ap.add_argument('--wait', type=float, default=10)
    ap.add_argument('--out', type=Path, default=OUT)
    a = ap.parse_args()
    quiet = wait_for_quiet(a.max_load, a.wait)
    with trainer_source() as source: run(a, quiet, source)

def run(a, quiet, source):
    rec = dict(what='tinycnn in-browser trainer, headless Chromium', date=datetime.datetime.now(datetime.timezone.utc).isoformat(timespec='seconds'),
               cpu=cpu_model(), cores=os.cpu_count(), chromium=chromium_version(), python=platform.python_version(),
               load_before=load(), wait=quiet, sizes=sizes(source if source.lstrip().startswith('<') else None),
               source='standalone page of train_explorer()' if source.lstrip().startswith('<') else source, goal=GOAL)
    browser = Browser()
    try:
        with trainer_page(browser, source) as (p, log):
            rec['defaults'] = p.evaluate("""() => { const r = document.querySelector('.tinycnn-trainer'), v = s => r.querySelector(s).value;
                return {lr: v('.tinycnn-lr'), batch: v('.tinycnn-batch'), epochs: v('.tinycnn-epochs'), f1: v('.tinycnn-f1'),
                        f2: v('.tinycnn-f2'), schedule: v('.tinycnn-schedule')}; }""")
            print('defaults', rec['defaults'], 'load', rec['load_before'], flush=True)
            rec['default_run'] = train(p, dict(lr=rec['defaults']['lr']), limit=125, marks=(60, 120), latency_tries=20)
            print(json.dumps(rec['default_run'], indent=1), flush=True)
            rec['load_after_default_run'] = load()
            rec['profile'] = profile(p)
            print('profile', rec['profile'], flush=True)
            if a.sweep:
                rec['sweep'] = []
                for s in SWEEP:
                    base = dict(lr=rec['defaults']['lr'], batch=int(rec['defaults']['batch']), epochs=int(rec['defaults']['epochs']), seed=0)
                    r = train(p, {**base, **s}, limit=120)
                    r.pop('tests'); rec['sweep'].append(r)
                    print('sweep', s, r['final_test_accuracy'], r['seconds'], r['first_at_goal'], flush=True)
            rec['page_problems'] = log.problems()
    finally: browser.close()
    rec['load_after'] = load()
    a.out.parent.mkdir(parents=True, exist_ok=True)
    a.out.write_text(json.dumps(rec, indent=1) + '\n')
    print(f'wrote {a.out}')

if __name__ == '__main__': main()
