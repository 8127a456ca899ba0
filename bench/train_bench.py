"""Benchmark tinycnn's training on the full MNIST: its loop against a typical tutorial's, and `tinycnn_train` end to end.

    python bench/train_bench.py            # speed: the loops (alternating, fresh processes), then `tinycnn_train --dataset mnist`
                                           # with and without bfloat16 (alternating), wall time, fixed cost and peak memory
    python bench/train_bench.py startup    # where the fixed cost goes: import torch, tinycnn, the data, the first optimizer
    python bench/train_bench.py versus --before REV  # the default tinycnn_train of commit REV against this tree's, alternating
    python bench/train_bench.py search     # choose the default recipe on the validation split (never looks at the test set)

Needs the real MNIST in $TINYCNN_DATA (torchvision layout: $TINYCNN_DATA/MNIST/raw). Every measurement runs in a fresh
Python process, so process start, imports and data loading are paid each time, and the machine's load average is
recorded beside it. Results: tinycnn/assets/results/train_bench.json and .md (speed, startup), train_versus.json (versus), recipe_search.json (search).
"""
import argparse, json, os, platform, resource, subprocess, sys, tempfile, time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

# The original notebook's code, exactly as written (sections 4 and "Training & evaluation helpers"); only the data
# folder differs (no download: the files are read from $TINYCNN_DATA) and one training epoch is timed.
ORIGINAL = r'''
import json, resource, sys, time
t0 = time.perf_counter()
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader
from torchvision import datasets, transforms

class TinyCNN(nn.Module):
    def __init__(self, in_channels=1, n_classes=10, n_filters1=16, n_filters2=32):
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels, n_filters1, kernel_size=3, padding=1)
        self.conv2 = nn.Conv2d(n_filters1, n_filters2, kernel_size=3, padding=1)
        self.fc = nn.Linear(n_filters2 * 7 * 7, n_classes)

    def forward(self, x):
        x = F.relu(self.conv1(x))
        x = F.max_pool2d(x, 2)
        x = F.relu(self.conv2(x))
        x = F.max_pool2d(x, 2)
        x = x.view(x.size(0), -1)
        x = self.fc(x)
        return x

def train_one_epoch(model, device, loader, optimizer, criterion):
    model.train()
    total_loss = 0.0
    correct = 0
    n = 0
    for x,y in loader:
        x, y = x.to(device), y.to(device)
        optimizer.zero_grad()
        out = model(x)
        loss = criterion(out, y)
        loss.backward()
        optimizer.step()
        total_loss += loss.item() * x.size(0)
        preds = out.argmax(dim=1)
        correct += (preds==y).sum().item()
        n += x.size(0)
    return total_loss/n, correct/n

if __name__ == '__main__':
    if len(sys.argv) > 2: torch.set_num_threads(int(sys.argv[2]))  # only for the "original, N threads" control row
    torch.manual_seed(42)
    transform = transforms.Compose([transforms.ToTensor(), transforms.Normalize((0.1307,), (0.3081,))])
    train_ds = datasets.MNIST(sys.argv[1], train=True, download=False, transform=transform)
    train_loader = DataLoader(train_ds, batch_size=128, shuffle=True, num_workers=2)
    device = torch.device('cuda' if torch.cuda.is_available() else 'cpu')
    model = TinyCNN().to(device)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    criterion = nn.CrossEntropyLoss()
    t1 = time.perf_counter()
    loss, acc = train_one_epoch(model, device, train_loader, optimizer, criterion)
    t2 = time.perf_counter()
    rss = max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
    print(json.dumps(dict(images=len(train_ds), epoch_seconds=t2 - t1, setup_seconds=t1 - t0, train_loss=loss,
                          train_accuracy=acc, threads=torch.get_num_threads(), peak_rss_mb=rss / 1024,
                          rss_self_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                          rss_workers_mb=resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)))
'''

# tinycnn's training with the same model, batch size, optimizer and learning rate: one epoch of `fit`.
TINYCNN = r'''
import json, resource, sys, time
t0 = time.perf_counter()
import torch
from tinycnn.data import load_data
from tinycnn.model import TinyCNN
from tinycnn.training import fit
from tinycnn.runtime import set_seed, default_threads
threads = int(sys.argv[1]) or default_threads()
amp = sys.argv[2] == 'amp'
data = load_data('mnist', verbose=False)
set_seed(42)
t1 = time.perf_counter()
h = fit(TinyCNN(), data, epochs=1, lr=1e-3, batch_size=128, seed=42, progress=False, threads=threads, amp=amp, recipe='tutorial')[0]
t2 = time.perf_counter()
print(json.dumps(dict(images=len(data.train), epoch_seconds=len(data.train) / h['images_per_second'], setup_seconds=t1 - t0,
                      train_loss=h['train_loss'], train_accuracy=h['train_accuracy'], threads=threads,
                      peak_rss_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)))
'''


def load(): return os.getloadavg()[0]

def env(root=ROOT): return dict(os.environ, PYTHONPATH=str(root) + os.pathsep + os.environ.get('PYTHONPATH', ''))

def run_child(cmd, root=ROOT):
    "Run `cmd` with `root`'s tinycnn; return (wall s, start and end wall-clock times, peak RSS MB, stdout, stderr, exit code)"
    with tempfile.TemporaryFile('w+') as out, tempfile.TemporaryFile('w+') as err:
        start, t0 = time.time(), time.perf_counter()
        p = subprocess.Popen(cmd, stdout=out, stderr=err, text=True, env=env(root), cwd=root)  # `python -c` puts the cwd first on sys.path
        _, status, usage = os.wait4(p.pid, 0)  # this child's own rusage: its peak RSS
        wall, end = time.perf_counter() - t0, time.time()
        p.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0); err.seek(0)
        return wall, start, end, usage.ru_maxrss / 1024, out.read(), err.read(), p.returncode

def run_worker(name, code, *args):
    "Run `code` in a fresh Python; return its JSON line with the process's wall time, peak RSS and the load average"
    before = load()
    wall, _, _, rss, out, err, rc = run_child([sys.executable, '-c', code, *map(str, args)])
    if rc: sys.exit(f'{name} failed:\n{err}')
    res = json.loads(out.strip().splitlines()[-1])
    res.update(name=name, process_seconds=wall, images_per_second=res['images'] / res['epoch_seconds'],
               peak_rss_mb=max(res['peak_rss_mb'], rss), load_before=before, load_after=load())
    print(f"  {name:28s} {res['images_per_second']:8,.0f} img/s  epoch {res['epoch_seconds']:6.1f} s  process {wall:6.1f} s  "
          f"RSS {res['peak_rss_mb']:6.0f} MB  threads {res['threads']}  load {before:.1f}", flush=True)
    return res

# `tinycnn_train` itself (`train_main`, what the console script calls), with two time stamps printed to stderr: when the
# first training batch is handed to the model, and when the last one is done. Nothing else is changed.
CLI = r"""
import sys, time
import tinycnn.training as tr
one_epoch = tr.train_one_epoch
def stamped(model, device, loader, *args, **kwargs):
    def batches():
        for i, b in enumerate(loader):
            if i == 0 and not hasattr(tr, '_first'): tr._first = time.time(); print(f'FIRST_BATCH {tr._first}', file=sys.stderr, flush=True)
            yield b
    result = one_epoch(model, device, batches(), *args, **kwargs)
    print(f'LAST_BATCH_DONE {time.time()}', file=sys.stderr, flush=True)
    return result
tr.train_one_epoch = stamped
sys.argv = ['tinycnn_train', *sys.argv[1:]]
tr.train_main()
"""

def run_cli(args, out, root=ROOT):
    "Run `tinycnn_train` as a user would; return its metrics, the wall time of the whole process, its fixed cost and RSS"
    before = load()
    wall, start, end, rss, stdout, stderr, rc = run_child([sys.executable, '-c', CLI, *args, '--out', out], root)
    if rc: sys.exit(f'tinycnn_train failed:\n{stderr}')
    stamps = dict(l.split() for l in stderr.splitlines() if l.startswith(('FIRST_BATCH', 'LAST_BATCH_DONE')))
    first, last = float(stamps['FIRST_BATCH']), float(stamps['LAST_BATCH_DONE'])
    m = json.loads((Path(out)/'metrics.json').read_text())
    res = dict(command=' '.join(['tinycnn_train', *args]), wall_seconds=wall, test_accuracy=m['test_accuracy'],
               seconds_total=m['seconds_total'], config=m['config'], val_accuracy=m['history'][-1]['val_accuracy'],
               start_to_first_batch=first - start, last_batch_to_exit=end - last, peak_rss_mb=rss,
               images_per_second=[e['images_per_second'] for e in m['history']],
               load_before=before, load_after=load(), stdout=stdout)
    res['fixed_seconds'] = res['start_to_first_batch'] + res['last_batch_to_exit']
    print(f"  {res['command']}: test accuracy {res['test_accuracy']:.4f} in {wall:.1f} s wall, fixed cost "
          f"{res['fixed_seconds']:.2f} s ({res['start_to_first_batch']:.2f} + {res['last_batch_to_exit']:.2f}), "
          f"RSS {rss:.0f} MB (threads {m['config']['threads']}, load {before:.1f})", flush=True)
    return res

def machine():
    cpu = next((l.split(':', 1)[1].strip() for l in open('/proc/cpuinfo') if l.startswith('model name')), platform.processor())
    import torch
    return dict(cpu=cpu, cores=len(os.sched_getaffinity(0)), python=platform.python_version(), torch=torch.__version__,
                when=time.strftime('%Y-%m-%d %H:%M:%S UTC', time.gmtime()))

CLI_ARGS = {'default': ['--dataset', 'mnist', '--no-progress'], 'float32': ['--dataset', 'mnist', '--no-progress', '--amp', 'off']}

def speed(a):
    data_dir = os.environ.get('TINYCNN_DATA') or sys.exit('set TINYCNN_DATA to a folder holding the real MNIST')
    workers = [('original notebook', ORIGINAL, data_dir), ('tinycnn fit', TINYCNN, a.threads, 'fp32')]
    if a.amp: workers.append(('tinycnn fit, bfloat16 (amp)', TINYCNN, a.threads, 'amp'))
    if a.original_threads:  # a control: the original loop with fewer PyTorch threads, which helps it on a busy machine
        workers.insert(1, (f'original notebook, {a.original_threads} thread(s)', ORIGINAL, data_dir, a.original_threads))
    results = dict(machine=machine(), speed=[], cli=[], startup=[])
    print(f"speed: one epoch, batch 128, Adam 0.001, TinyCNN 16/32, {a.rounds} alternating rounds")
    for _ in range(a.rounds):
        for name, code, *args in workers: results['speed'].append(run_worker(name, code, *args))
    print(f'tinycnn_train --dataset mnist, with and without bfloat16, {a.cli_runs} alternating rounds:')
    with tempfile.TemporaryDirectory() as d:
        for i in range(a.cli_runs):
            for name, args in CLI_ARGS.items():
                if name == 'float32' and not a.amp: continue
                results['cli'].append(run_cli(args, str(Path(d)/f'{name}{i}')))
    print('startup, in fresh processes:')
    results['startup'] = [run_startup() for _ in range(a.rounds)]
    summarize(results, a.out)

# Where the fixed cost goes: each step of what `tinycnn_train` does before its first batch, timed in a fresh process.
STARTUP = r"""
import json, time
t0 = time.perf_counter(); marks = {}
def mark(name): marks[name] = time.perf_counter() - t0 - sum(marks.values())
import torch; mark('import torch')
import tinycnn.training as tr; mark('import tinycnn (the rest)')
from tinycnn.data import load_data
data = load_data('mnist', verbose=False); mark('load_data: the full MNIST')
model = tr.model_for(data); mark('build the model')
import sys; had_dynamo = 'torch._dynamo' in sys.modules
torch.optim.Adam(model.parameters()); mark('the first torch.optim.Adam (imports torch._dynamo)')
marks['dynamo imported before'] = had_dynamo
print(json.dumps(marks))
"""

def run_startup():
    before = load()
    wall, _, _, _, out, err, rc = run_child([sys.executable, '-c', STARTUP])
    if rc: sys.exit(f'startup failed:\n{err}')
    res = json.loads(out.strip().splitlines()[-1]); res['process_seconds'] = wall; res['load_before'] = before
    print('  ' + ', '.join(f'{k} {v:.2f} s' for k, v in res.items() if isinstance(v, float) and k != 'load_before'), flush=True)
    return res

def startup_summary(runs):
    "The median seconds of each startup step (and of the whole process) over `runs`"
    keys = [k for k, v in runs[0].items() if isinstance(v, float) and k != 'load_before']
    return {k: median([r[k] for r in runs]) for k in keys}

def best(rows, name): return max((r for r in rows if r['name'] == name), key=lambda r: r['images_per_second'])
def median(xs): xs = sorted(xs); return xs[len(xs) // 2] if len(xs) % 2 else (xs[len(xs) // 2 - 1] + xs[len(xs) // 2]) / 2

def summarize(results, out):
    rows, names = results['speed'], list(dict.fromkeys(r['name'] for r in results['speed']))
    ref = best(rows, 'original notebook')['images_per_second']
    ref_median = median([r['images_per_second'] for r in rows if r['name'] == 'original notebook'])
    def of(n, k): return [r[k] for r in rows if r['name'] == n]
    results['summary'] = {n: dict(best_images_per_second=max(of(n, 'images_per_second')), ratio_to_original=max(of(n, 'images_per_second')) / ref,
                                  median_images_per_second=median(of(n, 'images_per_second')),
                                  median_ratio=median(of(n, 'images_per_second')) / ref_median,
                                  peak_rss_mb=max(of(n, 'peak_rss_mb'))) for n in names}
    cli = results['cli']
    results['cli_summary'] = {c: {k: median([r[k] for r in cli if r['command'] == c]) for k in
                                  ('wall_seconds', 'test_accuracy', 'fixed_seconds', 'start_to_first_batch', 'last_batch_to_exit', 'peak_rss_mb')}
                              | dict(runs=sum(r['command'] == c for r in cli), min_test_accuracy=min(r['test_accuracy'] for r in cli if r['command'] == c),
                                     max_wall_seconds=max(r['wall_seconds'] for r in cli if r['command'] == c))
                              for c in dict.fromkeys(r['command'] for r in cli)}
    if results.get('startup'): results['startup_summary'] = startup_summary(results['startup'])
    Path(out).write_text(json.dumps(results, indent=2))
    md = [f"# Training benchmark\n\n{results['machine']}\n",
          '| run | images/s (median) | × original (median) | images/s (best) | × original (best) | peak RSS MB | load |', '|---|---|---|---|---|---|---|']
    for n, s in results['summary'].items():
        loads = [r['load_before'] for r in rows if r['name'] == n]
        md.append(f"| {n} | {s['median_images_per_second']:,.0f} | {s['median_ratio']:.2f} | {s['best_images_per_second']:,.0f} | {s['ratio_to_original']:.2f} | {s['peak_rss_mb']:.0f} | {min(loads):.1f}–{max(loads):.1f} |")
    md += ['', '| command | runs | test accuracy (median, min) | wall s (median, max) | fixed cost s (start → first batch + last batch → exit) | peak RSS MB | load |', '|---|---|---|---|---|---|---|']
    for c, s in results['cli_summary'].items():
        loads = [r['load_before'] for r in cli if r['command'] == c]
        md.append(f"| `{c}` | {s['runs']} | {s['test_accuracy']:.4f}, {s['min_test_accuracy']:.4f} | {s['wall_seconds']:.1f}, {s['max_wall_seconds']:.1f} | "
                  f"{s['fixed_seconds']:.2f} ({s['start_to_first_batch']:.2f} + {s['last_batch_to_exit']:.2f}) | {s['peak_rss_mb']:.0f} | {min(loads):.1f}–{max(loads):.1f} |")
    if results.get('startup_summary'):
        md += ['', '| startup step (median, fresh process) | seconds |', '|---|---|'] + [f'| {k} | {v:.2f} |' for k, v in results['startup_summary'].items()]
    Path(out).with_suffix('.md').write_text('\n'.join(md) + '\n')
    print('\n'.join(md))

def versus(a):
    "The default `tinycnn_train --dataset mnist` of commit `a.before` against this tree's, alternating, on this machine"
    results = dict(machine=machine(), before=a.before, runs=[])
    with tempfile.TemporaryDirectory() as d:
        old = Path(d)/'before'
        subprocess.run(['git', '-C', str(ROOT), 'worktree', 'add', '--detach', str(old), a.before], check=True, capture_output=True)
        try:
            for i in range(a.cli_runs):
                for name, root in (('before', old), ('after', ROOT)):
                    r = run_cli(CLI_ARGS['default'], str(Path(d)/f'{name}{i}'), root); r['version'] = name
                    results['runs'].append(r)
        finally: subprocess.run(['git', '-C', str(ROOT), 'worktree', 'remove', '--force', str(old)], capture_output=True)
    results['summary'] = {v: {k: median([r[k] for r in results['runs'] if r['version'] == v])
                              for k in ('wall_seconds', 'test_accuracy', 'fixed_seconds', 'peak_rss_mb')}
                          | dict(epochs=next(r['config']['epochs'] for r in results['runs'] if r['version'] == v))
                          for v in ('before', 'after')}
    out = Path(a.out).with_name('train_versus.json'); out.write_text(json.dumps(results, indent=2))
    print(json.dumps(results['summary'], indent=1))

SEARCH = r'''
import json, sys
from tinycnn.data import load_data
from tinycnn.model import TinyCNN
from tinycnn.training import fit
from tinycnn.runtime import set_seed
epochs, bs, lr, seed, threads, amp, ls = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), sys.argv[6] == 'amp', float(sys.argv[7])
data = load_data('mnist', verbose=False)   # the test split is loaded but never used here
set_seed(seed)
h = fit(TinyCNN(), data, epochs=epochs, lr=lr, batch_size=bs, seed=seed, progress=False, schedule='onecycle', threads=threads, amp=amp, label_smoothing=ls)
print(json.dumps(dict(epochs=epochs, batch_size=bs, lr=lr, seed=seed, threads=threads, amp=amp, label_smoothing=ls, history=h)))
'''

def search(a):
    "Grid over epochs × batch size × peak learning rate (one-cycle), scored on the validation split only"
    out = Path(a.out).with_name('recipe_search.json')
    done = json.loads(out.read_text()) if out.exists() else []
    key = lambda r: (r['epochs'], r['batch_size'], r['lr'], r['seed'], r.get('amp', False), r.get('label_smoothing', 0.))
    seen = {key(r) for r in done}
    for epochs in a.epochs:
        for bs in a.batch_sizes:
            for lr in a.lrs:
                for seed in a.seeds:
                    if (epochs, bs, lr, seed, a.amp, a.label_smoothing) in seen: continue
                    before = load()
                    r = subprocess.run([sys.executable, '-c', SEARCH, *map(str, (epochs, bs, lr, seed, a.threads or 1, 'amp' if a.amp else 'fp32', a.label_smoothing))],
                                       capture_output=True, text=True, env=env())
                    if r.returncode: print(r.stderr); continue
                    res = json.loads(r.stdout.strip().splitlines()[-1]); res['load_before'] = before
                    res['train_seconds'] = sum(54000 / e['images_per_second'] for e in res['history'])
                    done = (json.loads(out.read_text()) if out.exists() else []) + [res]  # re-read: searches may run in parallel
                    out.write_text(json.dumps(done, indent=1))
                    print(f"epochs {epochs} bs {bs:4d} lr {lr:g} seed {seed} amp {a.amp} label smoothing {a.label_smoothing}: val accuracy {res['history'][-1]['val_accuracy']:.4f} "
                          f"({res['train_seconds']:.1f} s training, load {before:.1f})", flush=True)

if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('mode', nargs='?', default='speed', choices=('speed', 'startup', 'versus', 'search'))
    p.add_argument('--before', default='HEAD', help='versus: the commit to compare this tree with')
    p.add_argument('--rounds', type=int, default=3, help='alternating rounds of the speed comparison')
    p.add_argument('--cli-runs', type=int, default=3, help='alternating rounds of tinycnn_train --dataset mnist (with --amp: and --amp off)')
    p.add_argument('--threads', type=int, default=0, help="tinycnn's CPU threads (0: default_threads(), as tinycnn_train)")
    p.add_argument('--amp', action='store_true', help='speed: also time bfloat16 mixed precision; search: train with it')
    p.add_argument('--original-threads', type=int, default=0, help='speed: also time the original loop with this many PyTorch threads (a control)')
    p.add_argument('--label-smoothing', type=float, default=0., help='search: label smoothing of the training loss')
    p.add_argument('--epochs', type=int, nargs='+', default=[3, 4]); p.add_argument('--batch-sizes', type=int, nargs='+', default=[128, 256])
    p.add_argument('--lrs', type=float, nargs='+', default=[3e-3, 5e-3, 1e-2]); p.add_argument('--seeds', type=int, nargs='+', default=[42])
    p.add_argument('--out', default=str(HERE.parent/'tinycnn'/'assets'/'results'/'train_bench.json'))
    a = p.parse_args()
    if a.mode == 'speed': speed(a)
    elif a.mode == 'versus': versus(a)
    elif a.mode == 'startup':
        print(json.dumps(startup_summary([run_startup() for _ in range(a.rounds)]), indent=1))
    else: search(a)
