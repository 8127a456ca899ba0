"""Benchmark tinycnn's NumPy convolution: `conv2d_loops` vs `conv2d` (im2col) vs `torch.nn.functional.conv2d`,
on TinyCNN's two convolution layers at batch 1 and 64, the whole TinyCNN forward pass per image, and one training
step (forward and backward, batch 64) of `TinyCNNNumPy` against PyTorch's autograd.

Usage, from the repository's root:  python bench/conv_bench.py [--threads 1 2] [--out tinycnn/assets/results/conv_bench.json]

Every timing is the median of repeated calls; the contenders take turns in short blocks of calls, so a change of
load on a shared machine hits them alike. Each thread setting runs in its own process, because NumPy's BLAS reads its
thread count when it is imported; `conv2d_loops` spends its time in Python, not in BLAS, so it is timed once.
The results, with the machine's load average before and after, go to a JSON file (read by nbs/04_numpy_training.ipynb).
"""
import argparse, json, os, subprocess, sys, time
from pathlib import Path

BATCHES = (1, 64)

def _load(): return os.getloadavg()

def _layers()->dict:
    "TinyCNN's two convolutions, from its settings: name → (C_in, H (= W), C_out); 3×3 kernels, padding 1"
    from tinycnn.shapes import TinyCNNConfig
    from tinycnn.conv_math import conv_out_size  # imported here: NumPy reads its threads when imported
    c = TinyCNNConfig()
    return {'conv1': (c.in_channels, c.input_size, c.n_filters1),
            'conv2': (c.n_filters1, conv_out_size(c.input_size, 2, stride=2), c.n_filters2)}

def _median_times(fns:dict, repeats:int, min_seconds:float=0., warm_up:bool=True, block_seconds:float=0.05)->dict:
    """Median seconds of a call of each function in `fns`. The functions take turns in blocks of consecutive calls
    (about `block_seconds` long), until each was called at least `repeats` times and `min_seconds` have passed:
    taking turns spreads changes of load over all of them, and blocks keep one library's idle worker threads
    from competing with the next one's on every single call."""
    import numpy as np
    times, start, per_block = {k: [] for k in fns}, time.perf_counter(), {k: 1 for k in fns}
    if warm_up:
        for k, f in fns.items():
            t = time.perf_counter()
            f()
            per_block[k] = max(1, int(block_seconds / max(time.perf_counter() - t, 1e-7)))
    while True:
        for k, f in fns.items():
            for _ in range(per_block[k]):
                t = time.perf_counter()
                f()
                times[k].append(time.perf_counter() - t)
        if min(len(v) for v in times.values()) >= repeats and time.perf_counter() - start >= min_seconds: break
    return {k: float(np.median(v)) for k, v in times.items()}

def run_one(threads:int, loops:bool, repeats:int, loop_repeats:int, rounds:int)->dict:
    "Time everything with `threads` BLAS/OpenMP threads (call in a fresh process with the environment set)"
    import torch
    torch.set_num_threads(threads)
    with torch.inference_mode():  # PyTorch as used for inference
        res = _run(threads, loops, repeats, loop_repeats, rounds)
    res['step'] = _training_step()
    return res

def _training_step()->list:
    "Median time of one training step (forward and backward, batch 64): `TinyCNNNumPy.loss_and_grads` vs autograd"
    import numpy as np, torch
    import torch.nn.functional as F
    from tinycnn.model import TinyCNN
    from tinycnn.numpy_forward import TinyCNNNumPy
    model = TinyCNN()
    rng = np.random.default_rng(1)
    x, y = rng.standard_normal((64, *model.input_shape)).astype(np.float32), rng.integers(0, 10, 64)
    xt, yt = torch.from_numpy(x), torch.from_numpy(y)
    numpy_model = TinyCNNNumPy.from_torch(model)
    def torch_step():
        model.zero_grad()
        F.cross_entropy(model(xt), yt).backward()
    t = _median_times({'vectorized': lambda: numpy_model.loss_and_grads(x, y), 'torch': torch_step}, 10, 3.)
    step = [dict(impl=k, batch=64, seconds=v) for k, v in t.items()]
    for r in step: print(r, flush=True)
    return step

def _run(threads, loops, repeats, loop_repeats, rounds):
    import numpy as np, torch
    import torch.nn.functional as F
    from tinycnn.model import TinyCNN
    from tinycnn.numpy_forward import conv2d, conv2d_loops, TinyCNNNumPy
    rng, rows, configs = np.random.default_rng(0), [], []
    for layer, (c_in, h, c_out) in _layers().items():
        for n in BATCHES:
            x = rng.standard_normal((n, c_in, h, h)).astype(np.float32)
            w, b = rng.standard_normal((c_out, c_in, 3, 3)).astype(np.float32), rng.standard_normal(c_out).astype(np.float32)
            xt, wt, bt = map(torch.from_numpy, (x, w, b))
            ref = F.conv2d(xt, wt, bt, padding=1).numpy()
            assert np.allclose(conv2d(x, w, b, padding=1), ref, atol=1e-4)
            fns = {'vectorized': lambda x=x, w=w, b=b: conv2d(x, w, b, padding=1),
                   'torch': lambda xt=xt, wt=wt, bt=bt: F.conv2d(xt, wt, bt, padding=1)}
            configs.append((dict(layer=layer, batch=n, x_shape=list(x.shape), w_shape=list(w.shape)), fns, (x, w, b, ref)))
    by_round = [[] for _ in configs]
    for _ in range(rounds):  # the rounds of all configurations alternate, spreading each over the whole run
        for i, (row, fns, _) in enumerate(configs): by_round[i].append(_median_times(fns, repeats, 1.))
    for (row, fns, (x, w, b, ref)), times in zip(configs, by_round):
        for k in fns: row[f'{k}_s'] = float(np.median([t[k] for t in times]))
        row['ratio_by_round'] = [t['vectorized'] / t['torch'] for t in times]
        if loops:
            assert np.allclose(conv2d_loops(x[:1], w, b, padding=1), ref[:1], atol=1e-4)
            row['loops_s'] = _median_times({'loops': lambda: conv2d_loops(x, w, b, padding=1)}, loop_repeats, warm_up=False)['loops']
        rows.append(row)
        print(row, flush=True)
    forward = []
    torch.manual_seed(0)
    model = TinyCNN().eval()
    numpy_model = TinyCNNNumPy.from_torch(model)
    for n in BATCHES:
        x = rng.standard_normal((n, *model.input_shape)).astype(np.float32)
        xt = torch.from_numpy(x)
        assert np.allclose(numpy_model.forward(x), model(xt).numpy(), atol=1e-4)
        t = _median_times({'vectorized': lambda: numpy_model.forward(x), 'torch': lambda: model(xt)}, repeats, 2.)
        forward += [dict(impl=k, batch=n, filters='16/32', seconds=v, per_image_ms=v / n * 1e3) for k, v in t.items()]
    if loops:
        x = rng.standard_normal((1, *model.input_shape)).astype(np.float32)
        t = _median_times({'loops': lambda: numpy_model.forward(x, conv=conv2d_loops)}, loop_repeats, warm_up=False)['loops']
        forward.append(dict(impl='loops', batch=1, filters='16/32', seconds=t, per_image_ms=t * 1e3))
        small = TinyCNNNumPy.from_torch(TinyCNN(n_filters1=4, n_filters2=8))  # the original notebook's 4/8 filters
        t = _median_times({'loops': lambda: small.forward(x, conv=conv2d_loops)}, loop_repeats, warm_up=False)['loops']
        forward.append(dict(impl='loops', batch=1, filters='4/8', seconds=t, per_image_ms=t * 1e3))
    for r in forward: print(r, flush=True)
    return dict(threads=threads, conv=rows, forward=forward, numpy=np.__version__, torch=torch.__version__)

def _ms(s): return f'{s * 1e3:,.3f}' if s < 0.01 else f'{s * 1e3:,.1f}'

def table(runs:list)->str:
    "Markdown tables of the times (medians over the rounds for conv2d vs torch) and their ratios"
    loops = {(r['layer'], r['batch']): r['loops_s'] for r in runs[0]['conv']}
    out = ['| threads | layer | batch | loops ms | vectorized ms | torch ms | loops / vectorized | vectorized / torch | its range over rounds |',
           '|---:|---|---:|---:|---:|---:|---:|---:|---:|']
    for run in runs:
        for r in run['conv']:
            l = loops[r['layer'], r['batch']]
            out.append(f"| {run['threads']} | {r['layer']} {tuple(r['x_shape'][1:])}→{r['w_shape'][0]} | {r['batch']} | {_ms(l)} "
                       f"| {_ms(r['vectorized_s'])} | {_ms(r['torch_s'])} | {l / r['vectorized_s']:,.0f}× | {r['vectorized_s'] / r['torch_s']:.2f}× "
                       f"| {min(r['ratio_by_round']):.2f}–{max(r['ratio_by_round']):.2f}× |")
    out += ['', '| threads | TinyCNN forward | filters | batch | ms per image |', '|---:|---|---|---:|---:|']
    for run in runs:
        for r in run['forward']:
            out.append(f"| {run['threads']} | {r['impl']} | {r['filters']} | {r['batch']} | {_ms(r['per_image_ms'] / 1e3)} |")
    out += ['', '| threads | TinyCNN training step (forward + backward, batch 64) | ms |', '|---:|---|---:|']
    for run in runs:
        for r in run['step']: out.append(f"| {run['threads']} | {'NumPy `loss_and_grads`' if r['impl'] == 'vectorized' else 'PyTorch autograd'} | {_ms(r['seconds'])} |")
    return '\n'.join(out)

def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--threads', type=int, nargs='+', default=[1, 2], help='BLAS/OpenMP thread counts to time, each in its own process')
    p.add_argument('--repeats', type=int, default=30, help='calls of the fast contenders (at least; and at least 1 s)')
    p.add_argument('--loop-repeats', type=int, default=3, help='calls of the loops')
    p.add_argument('--rounds', type=int, default=5, help='rounds of conv2d vs torch timings (each at least 1 s), spread over the run')
    p.add_argument('--out', default='tinycnn/assets/results/conv_bench.json')
    p.add_argument('--worker', type=int, help=argparse.SUPPRESS)
    p.add_argument('--loops', action='store_true', help=argparse.SUPPRESS)
    a = p.parse_args()
    if a.worker is not None:
        print('RESULT ' + json.dumps(run_one(a.worker, a.loops, a.repeats, a.loop_repeats, a.rounds)))
        return
    root = Path(__file__).resolve().parent.parent
    start, load_before, runs = time.strftime('%Y-%m-%d %H:%M:%S UTC', time.gmtime()), _load(), []
    for i, th in enumerate(a.threads):
        env = dict(os.environ, OMP_NUM_THREADS=str(th), OPENBLAS_NUM_THREADS=str(th), MKL_NUM_THREADS=str(th),
                   PYTHONPATH=str(root) + os.pathsep + os.environ.get('PYTHONPATH', ''))
        cmd = [sys.executable, __file__, '--worker', str(th), '--repeats', str(a.repeats), '--loop-repeats', str(a.loop_repeats), '--rounds', str(a.rounds)]
        out = subprocess.run(cmd + (['--loops'] if i == 0 else []), env=env, capture_output=True, text=True)
        if out.returncode: sys.exit(out.stderr)
        print(out.stdout, end='')
        runs.append(json.loads(out.stdout.split('RESULT ', 1)[1]))
    res = dict(started=start, load_before=[round(l, 2) for l in load_before], load_after=[round(l, 2) for l in _load()],
               cpus=os.cpu_count(), command='python bench/conv_bench.py ' + ' '.join(sys.argv[1:]),
               note='medians of repeated calls, contenders taking turns in blocks of about 50 ms; the machine was shared with other busy jobs',
               runs=runs)
    res['table'] = table(runs)
    Path(a.out).write_text(json.dumps(res, indent=1))
    print(res['table'])
    print(f"load average before {res['load_before']}, after {res['load_after']}; written to {a.out}")

if __name__ == '__main__': main()
