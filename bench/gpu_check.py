#!/usr/bin/env python
"""The CUDA path of tinycnn checked and measured in one command: `python bench/gpu_check.py --out FILE.json`.

On a CUDA device it asserts that the NumPy network equals PyTorch's there, trains with `tinycnn_train` in float16 and
float32, repeats a seed, moves a checkpoint from the GPU to the CPU, feeds CPU inputs to a model on the GPU, runs
`tinycnn_tune`, measures the "fast" recipe (model creation + one epoch + test evaluation, data already on the GPU)
and profiles the default training loop. With no CUDA device it runs the same code paths at small sizes on the CPU
(the CI check), and each CUDA-only part prints one line saying it was skipped and why.

The JSON is rewritten after every part, so a run stopped by a timeout still leaves what it measured. bench/GPU.md
says how to run it on the GPU machine and what each field means.
"""
import time
PROCESS_START = time.perf_counter()
import argparse, contextlib, gzip, json, math, os, platform, shutil, subprocess, sys, tempfile, traceback, warnings
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Deterministic cuBLAS for the `same_seed` part's deterministic runs (read when cuBLAS starts, so set before any CUDA
# work); the `tinycnn_train` and `tinycnn_tune` processes get the environment as it was.
_CUBLAS_WAS_SET = 'CUBLAS_WORKSPACE_CONFIG' in os.environ
os.environ.setdefault('CUBLAS_WORKSPACE_CONFIG', ':4096:8')
if str(ROOT) not in sys.path: sys.path.insert(0, str(ROOT))  # tinycnn from this source tree

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

import tinycnn
from tinycnn.data import load_data, Batches, Data, ImageSet
from tinycnn.model import TinyCNN
from tinycnn.numpy_forward import TinyCNNNumPy
import tinycnn.numpy_backward  # gives TinyCNNNumPy its backward pass, `loss_and_grads` (lesson 03)
from tinycnn.runs import train
from tinycnn.training import fit, evaluate, DEFAULTS
from tinycnn.runtime import set_seed, default_device, native_half_precision
from tinycnn.checkpoints import save_checkpoint, load_checkpoint

MNIST_FILES = ('train-images-idx3-ubyte', 'train-labels-idx1-ubyte', 't10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte')
# The tolerances 02_numpy_forward and 03_numpy_backward use on the CPU: the largest absolute difference of logits, loss and gradients.
NUMPY_TOLERANCES = {'float64': 1e-8, 'float32': 1e-4}
# Candidates for the fast recipe (one epoch), compared on the validation split: filters, batch size, peak lr, smoothing.
FAST_CANDIDATES = {
    'default': dict(n_filters1=16, n_filters2=32, **{k: DEFAULTS[k] for k in ('batch_size', 'lr', 'label_smoothing')}),
    'wide': dict(n_filters1=32, n_filters2=64, batch_size=128, lr=2e-2, label_smoothing=0.1),
    'wide_b64': dict(n_filters1=32, n_filters2=64, batch_size=64, lr=1e-2, label_smoothing=0.1),
    'wide_b256': dict(n_filters1=32, n_filters2=64, batch_size=256, lr=3e-2, label_smoothing=0.1),
    'wide_b512': dict(n_filters1=32, n_filters2=64, batch_size=512, lr=4e-2, label_smoothing=0.1),
    'wider': dict(n_filters1=64, n_filters2=128, batch_size=128, lr=2e-2, label_smoothing=0.1),
    'wider_b64': dict(n_filters1=64, n_filters2=128, batch_size=64, lr=1e-2, label_smoothing=0.1),
    'wide_b64_lr2': dict(n_filters1=32, n_filters2=64, batch_size=64, lr=2e-2, label_smoothing=0.1),
    'wide_b32': dict(n_filters1=32, n_filters2=64, batch_size=32, lr=5e-3, label_smoothing=0.1),
}
FAST_TARGET = dict(accuracy=0.990, seconds=0.76)  # the fastest public MNIST recipe we know: 99.04 % in 0.76 s (GTX 1660 Ti)
CLI_GOAL_IMAGES_PER_S = 100_000


# ---------------------------------------------------------------------------------------------------------------------
# Bookkeeping: the JSON written after every part, timed parts, skip lines

class Record:
    "The results, rewritten atomically to `path` whenever something is added"
    def __init__(self, path:Path, **fields):
        self.path, self.data = Path(path), dict(fields, failures=[], skipped=[], parts={})
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.write()

    current = None  # the part running now: `keep` records under its name
    def __setitem__(self, key, value): self.data[key] = value; self.write()
    def keep(self, value):
        "Record `value` as the running part's result now, so that a check failing after this leaves the figures in"
        self[self.current] = value
    def __getitem__(self, key): return self.data[key]

    def write(self):
        self.data['elapsed_s'] = round(time.perf_counter() - PROCESS_START, 2)
        tmp = self.path.with_name(f'.{self.path.name}.tmp')
        tmp.write_text(json.dumps(self.data, indent=2, default=_jsonable) + '\n')
        os.replace(tmp, self.path)

def _jsonable(o):
    if isinstance(o, (np.generic, torch.Tensor)): return o.item()
    if isinstance(o, Path): return str(o)
    return str(o)

def say(*args): print(*args, flush=True)

def skip(rec:Record, part:str, why:str):
    "Print and record one line: `part` was skipped because `why`"
    say(f'SKIPPED {part}: {why}')
    rec.data['skipped'].append(f'{part}: {why}'); rec.write()

def part(rec:Record, name:str, fn, *args, budget_s:float|None=None, needs_s:float=0, **kwargs):
    "Run one part: time it, record its result under `name`, and record (not raise) a failed assertion or error"
    left = None if budget_s is None else budget_s - (time.perf_counter() - PROCESS_START)
    if left is not None and left < needs_s: return skip(rec, name, f'the time budget has {left:.0f} s left, the part needs about {needs_s:.0f} s')
    say(f'\n=== {name} (at {time.perf_counter() - PROCESS_START:.1f} s)')
    start, rec.current = time.perf_counter(), name
    try:
        result = fn(rec, *args, **kwargs)
        if result is not None: rec[name] = result
        ok = True
    except Exception as e:
        ok = False
        msg = f'{name}: {type(e).__name__}: {e}'.splitlines()[0][:500]
        rec.data['failures'].append(msg)
        say(f'FAILED {msg}')
        traceback.print_exc(limit=4)
    seconds = time.perf_counter() - start
    rec.data['parts'][name] = dict(ok=ok, seconds=round(seconds, 2))
    rec.write()
    say(f'--- {name}: {"ok" if ok else "FAILED"} in {seconds:.1f} s')

def check(cond, msg:str):
    "`assert` that survives `python -O`"
    if not cond: raise AssertionError(msg)

def sync(device:torch.device):
    if device.type == 'cuda': torch.cuda.synchronize(device)

def max_abs(a, b)->float: return float(np.abs(np.asarray(a, np.float64) - np.asarray(b, np.float64)).max())


# ---------------------------------------------------------------------------------------------------------------------
# Data: the gzipped MNIST that travels with the check, unpacked where it runs

def unpack_mnist_gz(data_dir:Path)->list[str]:
    "Gunzip `data_dir/MNIST/raw/*.gz` beside themselves where the raw files are missing; return the files unpacked"
    raw, done = Path(data_dir)/'MNIST'/'raw', []
    for name in MNIST_FILES:
        gz, dest = raw/f'{name}.gz', raw/name
        if dest.exists() or not gz.exists(): continue
        tmp = dest.with_name(f'.{name}.tmp')
        with gzip.open(gz, 'rb') as src, open(tmp, 'wb') as out: shutil.copyfileobj(src, out)
        os.replace(tmp, dest)
        done.append(name)
    return done

def _write_idx(path:Path, a:np.ndarray):
    "`a` (uint8) as an IDX file, gzipped"
    header = bytes([0, 0, 0x08, a.ndim]) + np.asarray(a.shape, '>u4').tobytes()
    with gzip.open(path, 'wb') as f: f.write(header + np.ascontiguousarray(a, np.uint8).tobytes())

def part_gz_data_path(rec:Record, root:Path, n_train:int=1000, n_test:int=200):
    "The gzipped-MNIST path, tested on real images of the shipped sample: write IDX.gz files to `root`, unpack, read with `load_data`"
    sample = load_data('sample', verbose=False)
    raw = root/'MNIST'/'raw'; raw.mkdir(parents=True)
    arrays = {'train-images-idx3-ubyte': sample.train.images[:n_train, 0].numpy(), 'train-labels-idx1-ubyte': sample.train.labels[:n_train].numpy().astype(np.uint8),
              't10k-images-idx3-ubyte': sample.test.images[:n_test, 0].numpy(), 't10k-labels-idx1-ubyte': sample.test.labels[:n_test].numpy().astype(np.uint8)}
    for name, a in arrays.items(): _write_idx(raw/f'{name}.gz', a)
    unpacked = unpack_mnist_gz(root)
    check(sorted(unpacked) == sorted(MNIST_FILES), f'unpacked {unpacked}')
    data = load_data('mnist', root, download=False, verbose=False)
    check(torch.equal(data.test.images[:, 0], sample.test.images[:n_test, 0]) and torch.equal(data.test.labels, sample.test.labels[:n_test]), 'the test images read back differ')
    check(len(data.train) + len(data.valid) == n_train, f'{len(data.train)} + {len(data.valid)} training images, expected {n_train}')
    check(unpack_mnist_gz(root) == [], 'a second unpack redid work')
    say(f'gzipped IDX files unpacked and read by load_data: {data}')
    return dict(images_read=n_train + n_test, unpacked=unpacked)


# ---------------------------------------------------------------------------------------------------------------------
# 1. The NumPy network against PyTorch's on the device

@contextlib.contextmanager
def tf32(enabled:bool):
    "TensorFloat-32 in CUDA convolutions and matrix products on or off inside (no effect on the CPU)"
    old = torch.backends.cudnn.allow_tf32, torch.backends.cuda.matmul.allow_tf32
    torch.backends.cudnn.allow_tf32 = torch.backends.cuda.matmul.allow_tf32 = enabled
    try: yield
    finally: torch.backends.cudnn.allow_tf32, torch.backends.cuda.matmul.allow_tf32 = old

def _torch_loss_grads(model, x, y):
    model.zero_grad()
    logits = model(x)
    loss = F.cross_entropy(logits, y)
    loss.backward()
    return logits.detach().cpu().numpy(), loss.item(), {k: p.grad.detach().cpu().numpy() for k, p in model.named_parameters()}

def part_numpy_equals_torch(rec:Record, device:torch.device, data:Data):
    "Logits, loss and every gradient of `TinyCNNNumPy` against PyTorch's autograd on `device`, 16 real images"
    set_seed(0)
    base = TinyCNN()
    x, y = data.test.x[:16], data.test.y[:16]
    out = {}
    cases = [('float64', torch.float64, torch.contiguous_format, False), ('float32', torch.float32, torch.contiguous_format, False),
             ('float32_channels_last', torch.float32, torch.channels_last, False)]
    if device.type == 'cuda': cases.append(('float32_tf32', torch.float32, torch.channels_last, True))
    for name, dtype, fmt, allow_tf32 in cases:
        model = TinyCNN.from_config(base.config)
        model.load_state_dict(base.state_dict())
        model = model.to(device=device, dtype=dtype, memory_format=fmt)
        npm = TinyCNNNumPy.from_torch(model)
        with tf32(allow_tf32): ref_logits, ref_loss, ref_grads = _torch_loss_grads(model, x.to(device, dtype), y.to(device))
        logits = npm.forward(x.numpy())
        loss, grads = npm.loss_and_grads(x.numpy(), y.numpy())
        diffs = dict(logits=max_abs(logits, ref_logits), loss=abs(float(loss) - ref_loss), **{k: max_abs(grads[k], ref_grads[k]) for k in grads})
        worst = max(diffs.values())
        tol = NUMPY_TOLERANCES[str(dtype).split('.')[-1]]
        out[name] = dict(max_abs_diff={k: float(f'{v:.3g}') for k, v in diffs.items()}, worst=float(f'{worst:.3g}'), tolerance=tol,
                         within=worst < tol, tf32=allow_tf32, memory_format=str(fmt).split('.')[-1])
        say(f'{name:22s} on {device}: worst |NumPy - PyTorch| {worst:.2e} (logits {diffs["logits"]:.2e}), tolerance {tol:g}'
            + ('' if worst < tol or allow_tf32 else '  <-- OUT OF TOLERANCE'))
        rec.keep(out)
        if not allow_tf32: check(worst < tol, f'{name} on {device}: NumPy and PyTorch differ by {worst:.2e}, tolerance {tol:g}')
    if device.type == 'cuda':
        out['note'] = ('float32 with TF32 (the CUDA default for cuDNN convolutions) rounds conv inputs to 10-bit mantissas; '
                       'it is recorded, not held to the float32 tolerance; the float32 checks run with TF32 off')
    return out


# ---------------------------------------------------------------------------------------------------------------------
# 2. tinycnn_train: float16 and float32, wall time from process start to exit

def command(name:str, module:str, func:str)->list[str]:
    "The console script `name` beside this Python or on the PATH, else its entry point run by this Python"
    beside = Path(sys.executable).with_name(name)
    path = beside if beside.exists() else shutil.which(name)
    return [str(path)] if path else [sys.executable, '-c', f'from {module} import {func}; {func}()']

def _env()->dict:
    env = dict(os.environ, PYTHONUNBUFFERED='1')
    if not _CUBLAS_WAS_SET: env.pop('CUBLAS_WORKSPACE_CONFIG', None)
    env['PYTHONPATH'] = os.pathsep.join([str(ROOT)] + [p for p in env.get('PYTHONPATH', '').split(os.pathsep) if p])
    return env

def run_cli(args:list[str], timeout:float)->tuple[subprocess.CompletedProcess, float]:
    "Run a command; return it and its wall time, process start to exit"
    say('$ ' + ' '.join(args))
    start = time.perf_counter()
    p = subprocess.run(args, capture_output=True, text=True, timeout=timeout, env=_env(), cwd=ROOT)
    wall = time.perf_counter() - start
    for line in (p.stdout + p.stderr).strip().splitlines()[-12:]: say('  | ' + line)
    check(p.returncode == 0, f'{Path(args[0]).name} exited with {p.returncode}: {(p.stderr or p.stdout).strip().splitlines()[-1:]}')
    return p, wall

def part_train_cli(rec:Record, device:torch.device, dataset:str, data_dir:Path, epochs:int, amp:str, out:Path, min_accuracy:float):
    "`tinycnn_train` with the default recipe and `--amp amp`; its accuracy, images/s, wall time, every loss finite"
    args = command('tinycnn_train', 'tinycnn.training', 'train_main') + [
        '--dataset', dataset, '--data-dir', str(data_dir), '--epochs', str(epochs), '--amp', amp, '--device', device.type,
        '--out', str(out), '--seed', '42', '--no-progress'] + ([] if device.type == 'cuda' else ['--threads', '1'])
    _, wall = run_cli(args, timeout=300)
    m = json.loads((out/'metrics.json').read_text())
    losses = [r[k] for r in m['history'] for k in ('train_loss', 'val_loss')] + [m['test_loss']]
    check(all(math.isfinite(v) for v in losses), f'non-finite losses {losses}')
    ips = [r['images_per_second'] for r in m['history']]
    res = dict(test_accuracy=m['test_accuracy'], test_loss=m['test_loss'],
               images_per_s=round(float(np.mean(ips[1:] if len(ips) > 1 else ips))),  # epoch 1 holds the warm-up
               images_per_s_by_epoch=[round(v) for v in ips], wall_s=round(wall, 2), train_seconds_total=round(m['seconds_total'], 2),
               autocast_dtype=(('float16' if device.type == 'cuda' else 'bfloat16') if m['config']['amp'] else None),
               epochs=epochs, dataset=m['config']['dataset'], config={k: m['config'][k] for k in ('batch_size', 'lr', 'schedule', 'label_smoothing', 'seed', 'device', 'amp')},
               command=' '.join(['tinycnn_train'] + args[args.index('--dataset'):]), all_losses_finite=True)
    say(f"test accuracy {m['test_accuracy']:.4f}, {res['images_per_s']:,} training images/s, wall {wall:.1f} s (process start to exit)")
    rec.keep(res)
    check(m['test_accuracy'] >= min_accuracy, f"test accuracy {m['test_accuracy']:.4f} < {min_accuracy}")
    return res


# ---------------------------------------------------------------------------------------------------------------------
# 3. The GradScaler path, seen from inside `fit`

def _subset(data:Data, n_train:int, n_valid:int)->Data:
    return Data(data.name, data.train.subset(torch.arange(min(n_train, len(data.train)))),
                data.valid.subset(torch.arange(min(n_valid, len(data.valid)))), data.test, data.source)

def part_grad_scaler(rec:Record, device:torch.device, data:Data, n_train:int):
    "`fit(amp=True)` with a counting `GradScaler` and a hook on conv1: autocast's dtype, scaler steps, skipped steps, scales"
    made, dtypes = [], set()
    Base = torch.amp.GradScaler
    class CountingScaler(Base):
        def __init__(self, *a, **k):
            super().__init__(*a, **k); self.steps, self.skipped, self.scales = 0, 0, [self.get_scale() if self.is_enabled() else None]
            made.append(self)
        def step(self, optimizer, *a, **k): self.steps += 1; return super().step(optimizer, *a, **k)
        def update(self, new_scale=None):
            before = self.get_scale(); super().update(new_scale); after = self.get_scale()
            if after < before: self.skipped += 1  # the scale halves when a step found inf/NaN gradients and was skipped
            self.scales.append(after)
    small = _subset(data, n_train, 1024)
    set_seed(0)
    model = TinyCNN()
    hook = model.conv1.register_forward_hook(lambda m, i, o: dtypes.add(str(o.dtype).split('.')[-1]) if m.training else None)
    torch.amp.GradScaler = CountingScaler
    try: history = fit(model, small, 1, DEFAULTS['lr'], DEFAULTS['batch_size'], str(device), 0, progress=False, schedule='onecycle', recipe='tutorial', amp=True)
    finally: torch.amp.GradScaler = Base; hook.remove()
    steps = len(Batches(small.train, DEFAULTS['batch_size']))
    check(math.isfinite(history[-1]['train_loss']), f"train loss {history[-1]['train_loss']}")
    if device.type != 'cuda':
        check(not made, 'fit made a GradScaler on the CPU')
        check(dtypes == {'bfloat16'}, f'conv1 computed in {dtypes} under amp on the CPU, expected bfloat16')
        say(f'CPU: autocast computes conv1 in bfloat16 and fit makes no GradScaler ({steps} steps)')
        return dict(device='cpu', scaler_made=False, conv1_dtype=sorted(dtypes), steps=steps)
    check(len(made) == 1, f'fit made {len(made)} GradScalers on CUDA, expected 1')
    s = made[0]
    res = dict(device=str(device), scaler_made=True, conv1_dtype=sorted(dtypes), steps=steps, scaler_steps=s.steps, skipped_steps=s.skipped,
               scale_first=s.scales[0], scale_last=s.scales[-1], scale_min=min(s.scales),
               how_we_know=('GradScaler replaced by a counting subclass while fit ran: fit made exactly one, its step() ran once a batch, '
                            'its scale moved as recorded (each halving is a step skipped for inf/NaN gradients), '
                            'and a hook saw conv1 compute in float16'))
    say(f'GradScaler: {s.steps} steps, {s.skipped} skipped (inf/NaN), scale {s.scales[0]:g} -> {s.scales[-1]:g}; conv1 in {sorted(dtypes)}')
    rec.keep(res)
    check(s.steps == steps, f'the scaler stepped {s.steps} times for {steps} batches')
    check(dtypes == {'float16'}, f'conv1 computed in {dtypes} under amp on CUDA, expected float16')
    check(s.skipped < steps // 4, f'{s.skipped} of {steps} steps skipped for inf/NaN gradients')
    return res


# ---------------------------------------------------------------------------------------------------------------------
# 4. The same seed twice

def _state(model)->dict: return {k: v.detach().cpu().double() for k, v in model.state_dict().items()}
def _state_diff(a:dict, b:dict)->float: return max(float((a[k] - b[k]).abs().max()) for k in a)

@contextlib.contextmanager
def deterministic(on:bool):
    "cuDNN's deterministic algorithms (and PyTorch's, warning where none exists) on inside"
    old = torch.backends.cudnn.deterministic, torch.backends.cudnn.benchmark, torch.are_deterministic_algorithms_enabled()
    torch.backends.cudnn.deterministic, torch.backends.cudnn.benchmark = on, False if on else old[1]
    torch.use_deterministic_algorithms(on, warn_only=True)
    try: yield
    finally:
        torch.backends.cudnn.deterministic, torch.backends.cudnn.benchmark = old[0], old[1]
        torch.use_deterministic_algorithms(old[2])

def part_same_seed(rec:Record, device:torch.device, data:Data, n_train:int, cli_runs:tuple[Path, Path]|None):
    "Train twice with one seed (`fit`, default and deterministic settings; and the two same-seed CLI runs): identical?"
    small, res = _subset(data, n_train, 2048), {}
    amp = device.type == 'cuda'
    for mode in ('default', 'deterministic'):
        runs = []
        with deterministic(mode == 'deterministic'), warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter('always')
            for _ in range(2):
                set_seed(0)
                model = TinyCNN()
                h = fit(model, small, 1, DEFAULTS['lr'], DEFAULTS['batch_size'], str(device), 0, progress=False, schedule='onecycle', recipe='tutorial', amp=amp,
                        label_smoothing=DEFAULTS['label_smoothing'])
                runs.append((_state(model), h[-1]['train_loss'], h[-1]['val_accuracy']))
        diff = _state_diff(runs[0][0], runs[1][0])
        res[mode] = dict(identical=diff == 0, max_weight_diff=diff, train_loss_diff=abs(runs[0][1] - runs[1][1]),
                         val_accuracy=[runs[0][2], runs[1][2]],
                         nondeterministic_warnings=sorted({str(w.message).split('.')[0][:160] for w in caught if 'determinis' in str(w.message)}))
        say(f'fit twice, seed 0, {mode} settings, {len(small.train)} images, amp={amp}: '
            + ('identical weights' if diff == 0 else f'weights differ by up to {diff:.2e}, train loss by {res[mode]["train_loss_diff"]:.2e}'))
    if device.type == 'cuda' and not res['default']['identical']:
        res['why'] = ('cuDNN picks convolution algorithms by heuristics, and some of those it picks (the weight and input gradients '
                      'of the 3x3 convolutions) add partial sums with atomics, in an order that changes from run to run; float '
                      'addition is not associative, so the last bits differ and grow over the steps. '
                      + ('With torch.backends.cudnn.deterministic=True and torch.use_deterministic_algorithms(True) the runs were identical.'
                         if res['deterministic']['identical'] else 'Even with deterministic settings the runs differed: see nondeterministic_warnings.'))
    if cli_runs:
        (a, b) = cli_runs
        ma, mb = (json.loads((p/'metrics.json').read_text()) for p in (a, b))
        sa, sb = (load_checkpoint(p/'model.pt', device='cpu')[0].state_dict() for p in (a, b))
        diff = max(float((sa[k].double() - sb[k].double()).abs().max()) for k in sa)
        res['cli'] = dict(identical=diff == 0, max_weight_diff=diff, test_accuracy=[ma['test_accuracy'], mb['test_accuracy']],
                          test_loss_diff=abs(ma['test_loss'] - mb['test_loss']))
        say(f"tinycnn_train twice, seed 42: test accuracy {ma['test_accuracy']:.4f} and {mb['test_accuracy']:.4f}, "
            + ('identical weights' if diff == 0 else f'weights differ by up to {diff:.2e}'))
    else: skip(rec, 'same seed through tinycnn_train', 'a second full CLI run is made on CUDA only (on the CPU fit is repeated above)')
    rec.keep(res)
    if device.type == 'cpu': check(res['default']['identical'], 'the same seed gave different weights on the CPU')
    return res


# ---------------------------------------------------------------------------------------------------------------------
# 5. A checkpoint written on the device, loaded on the CPU

@torch.inference_mode()
def logits_of(model:nn.Module, images:ImageSet, device:torch.device, batch_size:int=2000)->np.ndarray:
    "float32 logits of `model` (already on `device`) for all of `images`"
    return torch.cat([model(x.to(device)).float().cpu() for x, _ in Batches(images, batch_size)]).numpy()

def part_checkpoint(rec:Record, device:torch.device, data:Data, run_dir:Path, artifacts:Path):
    "The model `tinycnn_train` wrote on `device`, loaded with `load_checkpoint(device='cpu')`: same class for every test image"
    ckpt = run_dir/'model.pt'
    on_dev, _ = load_checkpoint(ckpt, device=str(device))
    on_cpu, meta = load_checkpoint(ckpt, device='cpu')
    check(next(on_cpu.parameters()).device.type == 'cpu', 'load_checkpoint(device="cpu") left the model off the CPU')
    with tf32(False): ref = logits_of(on_dev, data.test, device)
    with tf32(True): ref_tf32 = logits_of(on_dev, data.test, device)
    cpu = logits_of(on_cpu, data.test, torch.device('cpu'))
    same = int((cpu.argmax(1) == ref.argmax(1)).sum())
    diff, diff_tf32 = max_abs(cpu, ref), max_abs(cpu, ref_tf32)
    tol = 1e-3
    res = dict(written_on=meta['config']['device'], images=len(data.test), same_class=same, same_class_tf32=int((cpu.argmax(1) == ref_tf32.argmax(1)).sum()),
               max_abs_logit_diff=float(f'{diff:.3g}'), max_abs_logit_diff_tf32=float(f'{diff_tf32:.3g}'), logit_tolerance=tol,
               test_accuracy_cpu=float((cpu.argmax(1) == data.test.y.numpy()).mean()))
    say(f"checkpoint written on {meta['config']['device']}, loaded on the CPU: same class for {same}/{len(data.test)} test images, "
        f'logits within {diff:.2e} (TF32 on the device: {diff_tf32:.2e}, same class {res["same_class_tf32"]})')
    if device.type == 'cuda':  # saved before the checks, so that they come back to be looked at even if a check fails
        shutil.copy(ckpt, artifacts/'gpu_model.pt')
        np.savez_compressed(artifacts/'gpu_predictions.npz', logits=ref.astype(np.float32), classes=ref.argmax(1).astype(np.uint8),
                            device=np.array(torch.cuda.get_device_name(device)), tf32=np.array(False))
        res['saved'] = ['gpu_model.pt', 'gpu_predictions.npz']
        say(f'saved {artifacts/"gpu_model.pt"} and {artifacts/"gpu_predictions.npz"}')
    rec.keep(res)
    check(same == len(data.test), f'{len(data.test) - same} test images change class between {device} and the CPU')
    check(diff < tol, f'logits differ by {diff:.2e} between {device} and the CPU, tolerance {tol:g}')
    return res

def part_verify_gpu_checkpoint(rec:Record, folder:Path, data:Data):
    "The committed checkpoint written on a GPU and its recorded predictions: the CPU here still gives the same classes"
    model, meta = load_checkpoint(folder/'gpu_model.pt', device='cpu')
    with np.load(folder/'gpu_predictions.npz') as f: logits, classes, gpu = f['logits'], f['classes'], str(f['device'])
    check(len(classes) == len(data.test), f'{len(classes)} recorded predictions for {len(data.test)} test images')
    cpu = logits_of(model, data.test, torch.device('cpu'))
    same, diff = int((cpu.argmax(1) == classes).sum()), max_abs(cpu, logits)
    say(f'checkpoint from {gpu} ({folder}): the CPU here gives the same class for {same}/{len(classes)} test images, logits within {diff:.2e}')
    check(same == len(classes), f'{len(classes) - same} test images change class between {gpu} and this CPU')
    check(diff < 1e-3, f'logits differ by {diff:.2e} from those recorded on {gpu}, tolerance 1e-3')
    return dict(recorded_on=gpu, written_with=meta['config']['device'], same_class=same, images=len(classes), max_abs_logit_diff=float(f'{diff:.3g}'))


# ---------------------------------------------------------------------------------------------------------------------
# 6. Feature maps with the model on the device and the input on the CPU

def part_feature_maps(rec:Record, device:torch.device, data:Data):
    "`get_feature_maps` and `get_feature_map` with a model on `device` and images on the CPU (and the reverse)"
    from tinycnn.visualization import get_feature_maps, get_feature_map
    from tinycnn.checkpoints import load_trained
    cpu_model, _ = load_trained()
    dev_model = TinyCNN.from_config(cpu_model.config)
    dev_model.load_state_dict(cpu_model.state_dict())
    dev_model = dev_model.to(device).eval()
    x = data.test.x[:4]
    ref = get_feature_maps(cpu_model, x)
    res = {}
    for name, call in [('get_feature_maps(model on device, x on cpu)', lambda: get_feature_maps(dev_model, x)),
                       ('get_feature_map(model on device, x on cpu)', lambda: {'conv2': get_feature_map(dev_model, x, 'conv2')}),
                       ('get_feature_maps(model on cpu, x on device)', lambda: get_feature_maps(cpu_model, x.to(device)))]:
        try:
            with tf32(False): maps = call()  # TF32 would move the maps by ~1e-3: the point here is where tensors live
        except Exception as e:
            msg = str(e).strip().splitlines()
            one_line = len(msg) == 1 and ('device' in msg[0].lower())
            res[name] = dict(works=False, error=f'{type(e).__name__}: {msg[0][:300] if msg else ""}', one_line_error_naming_device=one_line)
            say(f'{name}: raises {res[name]["error"]}')
            rec.keep(res)
            check(one_line, f'{name} raised a raw error, not a one-line message saying how to fix it')
            continue
        devices = sorted({v.device.type for v in maps.values()})
        diff = max(max_abs(maps[k].float(), ref[k].float()) for k in maps)
        res[name] = dict(works=True, output_device=devices, max_abs_diff_vs_cpu=float(f'{diff:.3g}'))
        say(f'{name}: works, maps on {devices}, within {diff:.1e} of the CPU model\'s')
        rec.keep(res)
        check(diff < 1e-3, f'{name}: maps differ from the CPU model\'s by {diff:.2e}')
    if device.type == 'cuda':  # the model called directly: recorded, not checked (TinyCNN leaves it to PyTorch)
        try:
            with torch.no_grad(): dev_model(x)
            res['model(x), model on device, x on cpu'] = dict(works=True)
        except Exception as e:
            msg = str(e).strip().splitlines()
            res['model(x), model on device, x on cpu'] = dict(works=False, error=f'{type(e).__name__}: {msg[0][:300] if msg else ""}', lines=len(msg))
            say(f"model(x) with the model on {device} and x on the CPU raises {res['model(x), model on device, x on cpu']['error']}")
    return res


# ---------------------------------------------------------------------------------------------------------------------
# 7. tinycnn_tune: a few trials, journal storage, median pruning, the summary

def part_tune(rec:Record, device:torch.device, dataset:str, data_dir:Path, trials:int, epochs:int, tmp:Path, final:bool=True):
    "A short `tinycnn_tune` study in a journal file with the median pruner, finishing with its summary line"
    journal, out = tmp/'study.log', tmp/'tune.json'
    args = command('tinycnn_tune', 'tinycnn.tuning', 'tune_main') + [
        '--trials', str(trials), '--epochs', str(epochs), '--storage', str(journal), '--pruner', 'median',
        '--dataset', dataset, '--data-dir', str(data_dir), '--out', str(out), '--seed', '0'] + ([] if final else ['--no-final', '--threads', '1'])
    p, wall = run_cli(args, timeout=300)
    summary = [l for l in p.stdout.splitlines() if 'finished trials; best' in l]
    check(summary, 'tinycnn_tune printed no summary line')
    r = json.loads(out.read_text())
    check(r['finished_trials'] >= trials, f"{r['finished_trials']} finished trials, expected {trials}")
    res = dict(summary=summary[-1], finished_trials=r['finished_trials'], best_params=r['best_params'], best_val_accuracy=r['best_val_accuracy'],
               final_test_accuracy=r.get('final', {}).get('test_accuracy'), wall_s=round(wall, 2), journal_bytes=journal.stat().st_size,
               command=' '.join(['tinycnn_tune'] + args[args.index('--trials'):]))
    try:
        import optuna
        from tinycnn.studies import open_storage
        study = optuna.load_study(study_name='tinycnn', storage=open_storage(str(journal)))
        states = [t.state.name for t in study.trials]
        res['trial_states'] = {s: states.count(s) for s in sorted(set(states))}
        res['pruner'] = type(study.pruner).__name__ if hasattr(study, 'pruner') else 'MedianPruner'
    except Exception as e: res['trial_states'] = f'not read: {type(e).__name__}: {e}'
    say(f"{res['summary']} ({res.get('trial_states')}), wall {wall:.1f} s")
    return res


# ---------------------------------------------------------------------------------------------------------------------
# 8. The fast measure: model creation + one epoch + test evaluation, data already on the device

def one_cycle_lrs(lr:float, steps:int)->list[float]:
    "The learning rate of every step of `OneCycleLR(max_lr=lr)` over `steps` steps, momentum left alone"
    opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=lr)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, lr, total_steps=steps, cycle_momentum=False)
    lrs = []
    for _ in range(steps):
        lrs.append(opt.param_groups[0]['lr']); opt.step(); sched.step()
    return lrs

def _loss(model, x, y, amp_dtype, ls):
    # cache_enabled=False: autocast's cache of cast weights must not outlive a CUDA-graph capture (each weight is used once anyway)
    with torch.autocast(x.device.type, dtype=amp_dtype or torch.bfloat16, enabled=amp_dtype is not None, cache_enabled=False):
        return F.cross_entropy(model(x), y, label_smoothing=ls)

def fast_run(xtr, ytr, xte, yte, recipe:dict, seed:int, variant:dict)->dict:
    """Create a model, train it one epoch over `xtr` (drop_last) and test it on `xte`, all on their device; timed whole.
    `variant`: amp ('float16' with a GradScaler, 'bfloat16', None), fused (Adam), graph (capture the whole step), compile."""
    dev = xtr.device
    bs, n = recipe['batch_size'], len(xtr)
    steps = n // bs
    amp = {'float16': torch.float16, 'bfloat16': torch.bfloat16, None: None}[variant.get('amp')]
    fused = variant.get('fused', False) and dev.type == 'cuda'
    old_benchmark = torch.backends.cudnn.benchmark
    torch.backends.cudnn.benchmark = variant.get('cudnn_benchmark', old_benchmark)
    try: return _fast_run(xtr, ytr, xte, yte, recipe, seed, variant, dev, bs, n, steps, amp, fused)
    finally: torch.backends.cudnn.benchmark = old_benchmark

def _fast_run(xtr, ytr, xte, yte, recipe, seed, variant, dev, bs, n, steps, amp, fused):
    sync(dev); start = time.perf_counter()
    lrs = one_cycle_lrs(recipe['lr'], steps)  # the schedule, worked out on the host (a scheduler would do the same work)
    torch.manual_seed(seed)
    model = TinyCNN(n_filters1=recipe['n_filters1'], n_filters2=recipe['n_filters2']).to(dev, memory_format=torch.channels_last)
    fwd = torch.compile(model) if variant.get('compile') else model
    gen = torch.Generator(device=dev).manual_seed(seed)
    order = torch.randperm(n, device=dev, generator=gen)
    ls = recipe['label_smoothing']
    if variant.get('graph'):
        lr_t = torch.tensor(lrs[0], device=dev)
        opt = torch.optim.Adam(model.parameters(), lr=lr_t, fused=True, capturable=True)
        sx, sy = xtr[:bs].clone(), ytr[:bs].clone()
        params0 = [p.detach().clone() for p in model.parameters()]
        side = torch.cuda.Stream(dev); side.wait_stream(torch.cuda.current_stream(dev))
        with torch.cuda.stream(side):  # warm-up steps, undone below, so the captured step starts from the fresh model
            for _ in range(3):
                opt.zero_grad(set_to_none=True); _loss(model, sx, sy, amp, ls).backward(); opt.step()
        torch.cuda.current_stream(dev).wait_stream(side)
        with torch.no_grad():
            for p, p0 in zip(model.parameters(), params0): p.copy_(p0)
            for st in opt.state.values():
                for k in ('exp_avg', 'exp_avg_sq', 'step'): st[k].zero_()
        graph = torch.cuda.CUDAGraph()
        opt.zero_grad(set_to_none=True)
        with torch.cuda.graph(graph):
            _loss(model, sx, sy, amp, ls).backward(); opt.step()
        for i in range(steps):
            idx = order[i*bs:(i+1)*bs]
            torch.index_select(xtr, 0, idx, out=sx); torch.index_select(ytr, 0, idx, out=sy)
            lr_t.fill_(lrs[i])
            graph.replay()
    else:
        opt = torch.optim.Adam(model.parameters(), lr=lrs[0], **({'fused': True} if fused else {}))
        scaler = torch.amp.GradScaler(dev.type) if amp == torch.float16 else None
        for i in range(steps):
            idx = order[i*bs:(i+1)*bs]
            x, y = xtr.index_select(0, idx), ytr.index_select(0, idx)
            for g in opt.param_groups: g['lr'] = lrs[i]
            loss = _loss(fwd, x, y, amp, ls)
            opt.zero_grad(set_to_none=True)
            if scaler is None: loss.backward(); opt.step()
            else: scaler.scale(loss).backward(); scaler.step(opt); scaler.update()
    model.eval()
    with torch.inference_mode(), torch.autocast(dev.type, dtype=amp or torch.bfloat16, enabled=amp is not None):
        correct = sum(int((model(xte[i:i+10000]).argmax(1) == yte[i:i+10000]).sum()) for i in range(0, len(xte), 10000))
    sync(dev)
    return dict(seconds=time.perf_counter() - start, accuracy=correct / len(xte))

def _on(device, ds:ImageSet): return ds.x.to(device).contiguous(), ds.y.to(device)

def part_fast(rec:Record, device:torch.device, data:Data, seeds:int, search:bool, variants:dict, time_budget:float):
    "Choose the one-epoch recipe on the validation split, then time it (5 seeds) in several variants"
    out = dict(definition='model creation + one epoch of training (drop_last) + test evaluation, data already on the device, '
                          'timed with the device synchronised; one-cycle learning rate, Adam, label smoothing')
    tr, va = _on(device, data.train), _on(device, data.valid)
    full_train = (torch.cat([tr[0], va[0]]), torch.cat([tr[1], va[1]]))
    te = _on(device, data.test)
    base_variant = variants.get('fused_bf16') or next(iter(variants.values()))
    fast_run(*tr, *va, FAST_CANDIDATES['default'], 0, base_variant)  # warm-up: cuDNN/cuBLAS handles, allocator
    if search:
        cands = {}
        for name, recipe in FAST_CANDIDATES.items():
            rs = [fast_run(*tr, *va, recipe, s, base_variant) for s in range(2)]
            cands[name] = dict(recipe, val_accuracy=float(np.mean([r['accuracy'] for r in rs])), seconds=float(np.mean([r['seconds'] for r in rs])))
            say(f"candidate {name:10s} {recipe}: validation accuracy {cands[name]['val_accuracy']:.4f}, {cands[name]['seconds']:.3f} s")
        good = [k for k, c in cands.items() if c['val_accuracy'] >= FAST_TARGET['accuracy']]
        chosen = min(good, key=lambda k: cands[k]['seconds']) if good else max(cands, key=lambda k: cands[k]['val_accuracy'])
        out.update(candidates=cands, chosen=chosen, rule='the fastest candidate with validation accuracy >= 0.990 (mean of 2 seeds), else the most accurate')
    else: chosen = 'default'
    recipe = FAST_CANDIDATES[chosen]
    out['recipe'] = dict(recipe, name=chosen)
    say(f'recipe: {chosen} {recipe}')
    results = {}
    for vname, variant in variants.items():
        left, needs = time_budget - (time.perf_counter() - PROCESS_START), 60 if variant.get('compile') else 15
        if left < needs: skip(rec, f'fast variant {vname}', f'the time budget has {left:.0f} s left, the variant needs about {needs} s'); continue
        try:
            n_seeds = min(seeds, 2) if variant.get('compile') else seeds
            rs = [fast_run(*full_train, *te, recipe, s, variant) for s in range(n_seeds)]
        except Exception as e:
            results[vname] = dict(variant, error=f'{type(e).__name__}: {str(e).splitlines()[0][:300] if str(e) else ""}')
            say(f'fast variant {vname}: error {results[vname]["error"]}'); continue
        secs, accs = [r['seconds'] for r in rs], [r['accuracy'] for r in rs]
        steady = secs[1:] if variant.get('compile') and len(secs) > 1 else secs
        results[vname] = dict(variant, seconds=[round(s, 4) for s in secs], accuracies=accs, seconds_mean=float(np.mean(steady)),
                              accuracy_mean=float(np.mean(accs)), seeds=len(rs), **({'seconds_mean_excludes_the_first_run_which_compiles': True} if steady is not secs else {}))
        say(f"fast {vname:14s}: {np.mean(accs):.4f} mean test accuracy, {np.mean(steady):.3f} s mean ({', '.join(f'{s:.3f}' for s in secs)})")
        out['variants'] = results; rec['fast'] = out
    ok = {k: v for k, v in results.items() if 'seconds_mean' in v}
    if ok:
        full = [k for k in ok if ok[k]['seeds'] == seeds] or list(ok)  # the headline figure is over all the seeds
        best = min(full, key=lambda k: ok[k]['seconds_mean'])
        out.update(best_variant=best, seconds_mean=ok[best]['seconds_mean'], accuracy_mean=ok[best]['accuracy_mean'], seeds=ok[best]['seeds'],
                   goal=dict(FAST_TARGET, met=ok[best]['seconds_mean'] <= FAST_TARGET['seconds'] and ok[best]['accuracy_mean'] >= FAST_TARGET['accuracy']))
        if 'eager_fp16' in ok:
            out['speedup_vs_eager_fp16'] = {k: round(ok['eager_fp16']['seconds_mean'] / v['seconds_mean'], 2) for k, v in ok.items()}
    return out


# ---------------------------------------------------------------------------------------------------------------------
# 9. A profile of the default training loop

def _attr(e, *names):
    for n in names:
        v = getattr(e, n, None)
        if v is not None: return v
    return 0

def part_profile(rec:Record, device:torch.device, data:Data, n_train:int):
    "`torch.profiler` over one short epoch of `fit`'s default loop (amp where the CLI would use it): top ops, launches and syncs a step"
    from torch.profiler import profile, ProfilerActivity
    small = _subset(data, n_train, 1024)
    steps = len(Batches(small.train, DEFAULTS['batch_size']))
    amp = device.type == 'cuda' or native_half_precision(device)
    set_seed(0)
    model = TinyCNN()
    fit(model, _subset(data, (8 if device.type == 'cuda' else 1) * DEFAULTS['batch_size'], 1024), 1, DEFAULTS['lr'], DEFAULTS['batch_size'], str(device), 0, progress=False, schedule='onecycle', recipe='tutorial', amp=amp)  # warm-up
    acts = [ProfilerActivity.CPU] + ([ProfilerActivity.CUDA] if device.type == 'cuda' else [])
    sync(device); start = time.perf_counter()
    with profile(activities=acts) as prof:
        fit(model, small, 1, DEFAULTS['lr'], DEFAULTS['batch_size'], str(device), 0, progress=False, schedule='onecycle', recipe='tutorial', amp=amp)
        sync(device)
    wall = time.perf_counter() - start
    from torch.autograd import DeviceType
    avgs = prof.key_averages()
    dev_time = lambda e: _attr(e, 'device_time_total', 'cuda_time_total')  # inclusive: an op's kernels
    launch_names = ('cudaLaunchKernel', 'cuLaunchKernel', 'cudaLaunchKernelExC', 'cuLaunchKernelEx', 'cudaGraphLaunch')
    launches = sum(e.count for e in avgs if e.key in launch_names)
    syncs = sum(e.count for e in avgs if 'Synchronize' in e.key)
    d2h = sum(e.count for e in avgs if e.key in ('cudaMemcpyAsync', 'cudaMemcpy'))
    kernels = sorted((e for e in avgs if getattr(e, 'device_type', None) == DeviceType.CUDA), key=lambda e: -dev_time(e))
    kernel_us = sum(dev_time(e) for e in kernels)
    ops = sorted((e for e in avgs if e.key.startswith('aten::')), key=lambda e: -(dev_time(e) if device.type == 'cuda' else e.self_cpu_time_total))
    top = [dict(op=e.key, calls=e.count, self_cpu_us=round(e.self_cpu_time_total), device_us=round(dev_time(e))) for e in ops[:12]]
    res = dict(steps=steps, amp=amp, wall_us_per_step=round(wall / steps * 1e6, 1), images_per_s=round(steps * DEFAULTS['batch_size'] / wall),
               top_ops=top, note='the profiled epoch includes fit\'s validation pass; the profiler itself slows the host side')
    if device.type == 'cuda':
        res.update(kernel_launches_per_step=round(launches / steps, 1), syncs_per_step=round(syncs / steps, 2), memcpy_per_step=round(d2h / steps, 2),
                   gpu_kernel_us_per_step=round(kernel_us / steps, 1), gpu_busy_fraction=round(kernel_us / (wall * 1e6), 3),
                   top_kernels=[dict(kernel=e.key[:120], calls=e.count, device_us=round(dev_time(e))) for e in kernels[:10]])
        say(f"{steps} steps: {res['wall_us_per_step']} us a step, {res['kernel_launches_per_step']} kernel launches and "
            f"{res['syncs_per_step']} syncs a step, GPU busy {res['gpu_busy_fraction']:.0%} of the time")
    else: say(f"{steps} steps on the CPU: {res['wall_us_per_step']} us a step; top op {top[0]['op'] if top else '-'}")
    for key in (('self_device_time_total', 'self_cuda_time_total') if device.type == 'cuda' else ('self_cpu_time_total',)):
        try: say(avgs.table(sort_by=key, row_limit=12, max_name_column_width=50)); break
        except Exception: continue
    return res


# ---------------------------------------------------------------------------------------------------------------------

def environment(device:torch.device)->dict:
    env = dict(when=datetime.now(timezone.utc).strftime('%Y-%m-%d %H:%M UTC'), python=platform.python_version(), torch=torch.__version__,
               numpy=np.__version__, tinycnn=tinycnn.__version__, cpu_cores=os.cpu_count(), platform=platform.platform(), command=' '.join(sys.argv),
               load_average=[round(v, 1) for v in os.getloadavg()] if hasattr(os, 'getloadavg') else None)
    if device.type == 'cuda':
        p = torch.cuda.get_device_properties(device)
        env.update(cuda=torch.version.cuda, cudnn=torch.backends.cudnn.version(), gpu_memory_gib=round(p.total_memory / 2**30, 1),
                   compute_capability=f'{p.major}.{p.minor}', multiprocessors=p.multi_processor_count)
    try: env['git_commit'] = subprocess.run(['git', 'rev-parse', 'HEAD'], capture_output=True, text=True, cwd=ROOT, timeout=5).stdout.strip() or None
    except Exception: env['git_commit'] = None
    return env

def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--out', required=True, help='the JSON file to write (rewritten after every part)')
    p.add_argument('--artifacts', help='folder for the checkpoint and predictions made on a GPU (default: beside --out)')
    p.add_argument('--data-dir', help='folder with MNIST/raw (the IDX files or their .gz); default $TINYCNN_DATA, else .gpu/data')
    p.add_argument('--device', help='cuda or cpu (default: cuda if there is one); cpu runs the quick CPU mode')
    p.add_argument('--budget', type=float, default=225, help='seconds the whole CUDA run may take; later parts are skipped past it')
    p.add_argument('--seeds', type=int, default=5, help='seeds of the fast measure')
    p.add_argument('--variants', default='eager_fp16,fused_fp16,fused_bf16,fused_bf16_benchmark,graph_bf16,compile_bf16',
                   help='fast-measure variants to try, comma-separated (see VARIANTS)')
    p.add_argument('--no-search', action='store_true', help='skip choosing the fast recipe on the validation split; use the default')
    p.add_argument('--verify', help='folder with gpu_model.pt and gpu_predictions.npz from a GPU run: check them on this CPU too')
    a = p.parse_args(argv)
    names = [v for v in a.variants.split(',') if v]
    if unknown := [v for v in names if v not in VARIANTS]: p.error(f'--variants has unknown {unknown}; known: {list(VARIANTS)}')

    device = torch.device(a.device) if a.device else default_device()
    if device.type == 'mps': device = torch.device('cpu')
    cuda = device.type == 'cuda'
    out = Path(a.out).resolve()
    artifacts = Path(a.artifacts).resolve() if a.artifacts else out.parent
    artifacts.mkdir(parents=True, exist_ok=True)
    rec = Record(out, mode='cuda' if cuda else 'cpu', device=torch.cuda.get_device_name(device) if cuda else f'cpu ({platform.processor() or platform.machine()})',
                 environment=environment(device))
    say(f"gpu_check: {rec['mode']} mode on {rec['device']}, torch {torch.__version__}; writing {out}")
    tmp = Path(tempfile.mkdtemp(prefix='tinycnn-gpu-check-'))
    budget = a.budget if cuda else None
    if not cuda: torch.set_num_threads(1)  # the CPU mode's sizes are too small for more threads to pay, and CI machines are shared
    try:
        # Data: the real MNIST on a GPU (from the gzipped copy that travels with the check).
        data_dir = Path(a.data_dir or os.environ.get('TINYCNN_DATA') or ROOT/'.gpu'/'data').expanduser().resolve()
        # The CPU mode trains on a small MNIST (1,000 + 200 images of the shipped sample) written as gzipped IDX files
        # and unpacked by the same code that unpacks the real, gzipped MNIST on the GPU machine.
        part(rec, 'gz_data_path', part_gz_data_path, tmp/'gz_data')
        if cuda:
            rec['data'] = dict(dir=str(data_dir), unpacked=unpack_mnist_gz(data_dir)) if data_dir.exists() else dict(dir=str(data_dir))
            epochs, min_acc = DEFAULTS['epochs'], 0.990
        else: data_dir, epochs, min_acc = tmp/'gz_data', 1, 0.2
        dataset = 'mnist'
        data = load_data(dataset, data_dir, download=False)
        n_small = 20_000 if cuda else 256

        part(rec, 'numpy_equals_torch', part_numpy_equals_torch, device, data)
        if not cuda: skip(rec, 'NumPy against PyTorch on CUDA', 'no CUDA device (checked on the CPU above)')

        runs = {k: tmp/f'run_{k}' for k in ('fp16', 'fp32', 'fp16_again')}
        part(rec, 'train_fp16', part_train_cli, device, dataset, data_dir, epochs, 'on', runs['fp16'], min_acc, budget_s=budget, needs_s=30)
        part(rec, 'train_fp32', part_train_cli, device, dataset, data_dir, epochs, 'off', runs['fp32'], min_acc, budget_s=budget, needs_s=30)
        if not cuda: skip(rec, 'train_fp16/train_fp32 in float16 on CUDA', 'no CUDA device: on the CPU, --amp on is bfloat16 autocast, 1 epoch of 900 images')
        if cuda: part(rec, 'train_fp16_again', part_train_cli, device, dataset, data_dir, epochs, 'on', runs['fp16_again'], min_acc, budget_s=budget, needs_s=30)
        part(rec, 'grad_scaler', part_grad_scaler, device, data, n_small, budget_s=budget, needs_s=10)
        if not cuda: skip(rec, 'GradScaler path', 'CUDA only: float16 needs loss scaling, bfloat16 autocast on the CPU does not')
        cli_pair = (runs['fp16'], runs['fp16_again']) if cuda and all((r/'model.pt').exists() for r in (runs['fp16'], runs['fp16_again'])) else None
        part(rec, 'same_seed', part_same_seed, device, data, n_small, cli_pair, budget_s=budget, needs_s=10)

        part(rec, 'profile', part_profile, device, data, (40 if cuda else 2) * DEFAULTS['batch_size'], budget_s=budget, needs_s=10)
        ckpt_run = runs['fp16'] if (runs['fp16']/'model.pt').exists() else runs['fp32']
        if (ckpt_run/'model.pt').exists(): part(rec, 'checkpoint', part_checkpoint, device, data, ckpt_run, artifacts)
        else: skip(rec, 'checkpoint', 'no training run wrote model.pt')
        if not cuda: skip(rec, 'checkpoint written on CUDA, loaded on the CPU', 'no CUDA device (the same path ran with a CPU-written checkpoint)')
        if a.verify:
            folder = Path(a.verify)
            if (folder/'gpu_model.pt').exists() and (folder/'gpu_predictions.npz').exists():
                try: full = load_data('mnist', os.environ.get('TINYCNN_DATA') or a.data_dir, download=False, verbose=False)
                except Exception as e: skip(rec, 'committed GPU checkpoint on this CPU', f'the real MNIST test set is not here ({type(e).__name__})')
                else: part(rec, 'verify_gpu_checkpoint', part_verify_gpu_checkpoint, folder, full)
            else: skip(rec, 'committed GPU checkpoint on this CPU', f'no gpu_model.pt and gpu_predictions.npz in {folder} yet (made by a CUDA run)')

        part(rec, 'feature_maps', part_feature_maps, device, data, budget_s=budget, needs_s=5)
        if not cuda: skip(rec, 'feature maps with the model on CUDA and the input on the CPU', 'no CUDA device (the same calls ran with the model on the CPU)')

        part(rec, 'tune', part_tune, device, dataset, data_dir, 4 if cuda else 2, 2 if cuda else 1, tmp, cuda, budget_s=budget, needs_s=40)

        if cuda: variants = {k: VARIANTS[k] for k in names}
        else:
            cuda_only = ('graph', 'compile', 'cudnn_benchmark')
            variants = {k: VARIANTS[k] for k in names if not any(VARIANTS[k].get(c) for c in cuda_only) and VARIANTS[k].get('amp') != 'float16'}
            for k in names:
                if k not in variants: skip(rec, f'fast variant {k}', 'CUDA only (a CUDA graph, float16 with a GradScaler, cuDNN, or torch.compile of a GPU step)')
        fast_data = data if cuda else _subset(data, 512, 100)
        part(rec, 'fast', part_fast, device, fast_data, a.seeds if cuda else 1, cuda and not a.no_search, variants, budget if cuda else 1e9,
             budget_s=budget, needs_s=30)
        if not cuda: skip(rec, 'fast measure on the GPU', 'no CUDA device (the same code ran on 512 images, 1 seed)')
        if 'train_fp16' in rec.data:
            v = rec['train_fp16']['images_per_s']
            rec['cli_fp16_images_per_s'] = dict(value=v, goal=CLI_GOAL_IMAGES_PER_S, met=bool(cuda and v >= CLI_GOAL_IMAGES_PER_S))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        rec['total_s'] = round(time.perf_counter() - PROCESS_START, 1)
        if hasattr(os, 'getloadavg'): rec['load_average_at_end'] = [round(v, 1) for v in os.getloadavg()]
        try:
            import resource
            rec['cpu_user_s'] = round(sum(resource.getrusage(w).ru_utime for w in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)), 1)
        except ImportError: pass
    say(f"\n=== summary ({rec['mode']} mode, {rec['device']}, {rec['total_s']} s)")
    for k in ('train_fp16', 'train_fp32'):
        if k in rec.data: say(f"{k}: test accuracy {rec[k]['test_accuracy']:.4f}, {rec[k]['images_per_s']:,} img/s, wall {rec[k]['wall_s']} s")
    if 'fast' in rec.data and 'seconds_mean' in rec['fast']:
        f = rec['fast']; say(f"fast: {f['accuracy_mean']:.4f} in {f['seconds_mean']:.3f} s ({f['best_variant']}, {f['seeds']} seeds, recipe {f['recipe']['name']})")
    for s in rec['skipped']: say(f'skipped: {s}')
    for f in rec['failures']: say(f'FAILED: {f}')
    say(f"{len(rec['failures'])} failed, {sum(v['ok'] for v in rec['parts'].values())} passed, {len(rec['skipped'])} skipped; wrote {out}")
    return 1 if rec['failures'] else 0

VARIANTS = {
    'eager_fp16': dict(amp='float16', fused=False),  # fit's loop: float16 autocast, GradScaler, Adam (foreach)
    'fused_fp16': dict(amp='float16', fused=True),   # the same with Adam(fused=True): the scaler's check needs no host sync
    'fused_bf16': dict(amp='bfloat16', fused=True),  # bfloat16 autocast: no GradScaler at all
    'fused_bf16_benchmark': dict(amp='bfloat16', fused=True, cudnn_benchmark=True),  # cuDNN times its algorithms first
    'eager_fp32': dict(amp=None, fused=False),
    'graph_bf16': dict(amp='bfloat16', graph=True),  # the whole step (forward, backward, Adam) captured in one CUDA graph
    'compile_bf16': dict(amp='bfloat16', fused=True, compile=True),  # torch.compile of the model; the first seed pays the compilation
}

if __name__ == '__main__': sys.exit(main())
