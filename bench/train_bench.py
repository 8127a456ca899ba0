"""Benchmark tinycnn's training against the original notebook's loop, on the full MNIST.

    python bench/train_bench.py            # speed (alternating, fresh processes) + the default `tinycnn_train --dataset mnist`
    python bench/train_bench.py search     # choose the default recipe on the validation split (never looks at the test set)

Needs the real MNIST in $TINYCNN_DATA (torchvision layout: $TINYCNN_DATA/MNIST/raw). Every measurement runs in a fresh
Python process, so process start, imports and data loading are paid each time, and the machine's load average is
recorded beside it. Results: bench/results/train_bench.json and .md (speed), bench/results/recipe_search.json (search).
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
from tinycnn.training import fit, set_seed, default_threads
threads = int(sys.argv[1]) or default_threads()
amp = sys.argv[2] == 'amp'
data = load_data('mnist', verbose=False)
set_seed(42)
t1 = time.perf_counter()
h = fit(TinyCNN(), data, epochs=1, lr=1e-3, batch_size=128, seed=42, progress=False, threads=threads, amp=amp)[0]
t2 = time.perf_counter()
print(json.dumps(dict(images=len(data.train), epoch_seconds=len(data.train) / h['images_per_second'], setup_seconds=t1 - t0,
                      train_loss=h['train_loss'], train_accuracy=h['train_accuracy'], threads=threads,
                      peak_rss_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)))
'''


def load(): return os.getloadavg()[0]

def env(): return dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get('PYTHONPATH', ''))

def run_worker(name, code, *args):
    "Run `code` in a fresh Python; return its JSON line with the process's wall time and the load average"
    before, start = load(), time.perf_counter()
    r = subprocess.run([sys.executable, '-c', code, *map(str, args)], capture_output=True, text=True, env=env())
    wall = time.perf_counter() - start
    if r.returncode: sys.exit(f'{name} failed:\n{r.stderr}')
    res = json.loads(r.stdout.strip().splitlines()[-1])
    res.update(name=name, process_seconds=wall, images_per_second=res['images'] / res['epoch_seconds'],
               load_before=before, load_after=load())
    print(f"  {name:28s} {res['images_per_second']:8,.0f} img/s  epoch {res['epoch_seconds']:6.1f} s  process {wall:6.1f} s  "
          f"RSS {res['peak_rss_mb']:6.0f} MB  threads {res['threads']}  load {before:.1f}", flush=True)
    return res

def run_cli(args, out):
    "Run `tinycnn_train` as a user would; return its metrics with the wall time of the whole process"
    cmd = [str(Path(sys.executable).with_name('tinycnn_train')), *args, '--out', out]
    before, start = load(), time.perf_counter()
    r = subprocess.run(cmd, capture_output=True, text=True, env=env())
    wall = time.perf_counter() - start
    if r.returncode: sys.exit(f'tinycnn_train failed:\n{r.stderr}')
    m = json.loads((Path(out)/'metrics.json').read_text())
    res = dict(command=' '.join(['tinycnn_train', *args]), wall_seconds=wall, test_accuracy=m['test_accuracy'],
               seconds_total=m['seconds_total'], config=m['config'], val_accuracy=m['history'][-1]['val_accuracy'],
               load_before=before, load_after=load(), stdout=r.stdout)
    print(f"  {res['command']}: test accuracy {res['test_accuracy']:.4f} in {wall:.1f} s wall (threads {m['config']['threads']}, load {before:.1f})", flush=True)
    return res

def machine():
    cpu = next((l.split(':', 1)[1].strip() for l in open('/proc/cpuinfo') if l.startswith('model name')), platform.processor())
    import torch
    return dict(cpu=cpu, cores=len(os.sched_getaffinity(0)), python=platform.python_version(), torch=torch.__version__,
                when=time.strftime('%Y-%m-%d %H:%M:%S UTC', time.gmtime()))

def speed(a):
    data_dir = os.environ.get('TINYCNN_DATA') or sys.exit('set TINYCNN_DATA to a folder holding the real MNIST')
    workers = [('original notebook', ORIGINAL, data_dir), ('tinycnn fit', TINYCNN, a.threads, 'fp32')]
    if a.amp: workers.append(('tinycnn fit, bfloat16 (amp)', TINYCNN, a.threads, 'amp'))
    if a.original_threads:  # a control: the original loop with fewer PyTorch threads, which helps it on a busy machine
        workers.insert(1, (f'original notebook, {a.original_threads} thread(s)', ORIGINAL, data_dir, a.original_threads))
    results = dict(machine=machine(), speed=[], cli=[])
    print(f"speed: one epoch, batch 128, Adam 0.001, TinyCNN 16/32, {a.rounds} alternating rounds")
    for _ in range(a.rounds):
        for name, code, *args in workers: results['speed'].append(run_worker(name, code, *args))
    print('default tinycnn_train --dataset mnist:')
    with tempfile.TemporaryDirectory() as d:
        for i in range(a.cli_runs): results['cli'].append(run_cli(['--dataset', 'mnist', '--no-progress'], str(Path(d)/f'run{i}')))
    summarize(results, a.out)

def best(rows, name): return max((r for r in rows if r['name'] == name), key=lambda r: r['images_per_second'])

def summarize(results, out):
    rows, names = results['speed'], list(dict.fromkeys(r['name'] for r in results['speed']))
    ref = best(rows, 'original notebook')['images_per_second']
    results['summary'] = {n: dict(best_images_per_second=best(rows, n)['images_per_second'],
                                  ratio_to_original=best(rows, n)['images_per_second'] / ref,
                                  median_ratio=sorted(r['images_per_second'] for r in rows if r['name'] == n)[len([r for r in rows if r['name'] == n]) // 2] / ref,
                                  peak_rss_mb=max(r['peak_rss_mb'] for r in rows if r['name'] == n)) for n in names}
    Path(out).write_text(json.dumps(results, indent=2))
    md = [f"# Training benchmark\n\n{results['machine']}\n",
          '| run | images/s (best) | × original (best) | × original (median) | peak RSS MB | load |', '|---|---|---|---|---|---|']
    for n, s in results['summary'].items():
        loads = [r['load_before'] for r in rows if r['name'] == n]
        md.append(f"| {n} | {s['best_images_per_second']:,.0f} | {s['ratio_to_original']:.2f} | {s['median_ratio']:.2f} | {s['peak_rss_mb']:.0f} | {min(loads):.1f}–{max(loads):.1f} |")
    md += ['', '| command | test accuracy | wall s (process start included) | threads | load |', '|---|---|---|---|---|']
    for c in results['cli']:
        md.append(f"| `{c['command']}` | {c['test_accuracy']:.4f} | {c['wall_seconds']:.1f} | {c['config']['threads']} | {c['load_before']:.1f} |")
    Path(out).with_suffix('.md').write_text('\n'.join(md) + '\n')
    print('\n'.join(md))

SEARCH = r'''
import json, sys
from tinycnn.data import load_data
from tinycnn.model import TinyCNN
from tinycnn.training import fit, set_seed
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
    p.add_argument('mode', nargs='?', default='speed', choices=('speed', 'search'))
    p.add_argument('--rounds', type=int, default=3, help='alternating rounds of the speed comparison')
    p.add_argument('--cli-runs', type=int, default=2, help='runs of the default tinycnn_train --dataset mnist')
    p.add_argument('--threads', type=int, default=0, help="tinycnn's CPU threads (0: default_threads(), as tinycnn_train)")
    p.add_argument('--amp', action='store_true', help='speed: also time bfloat16 mixed precision; search: train with it')
    p.add_argument('--original-threads', type=int, default=0, help='speed: also time the original loop with this many PyTorch threads (a control)')
    p.add_argument('--label-smoothing', type=float, default=0., help='search: label smoothing of the training loss')
    p.add_argument('--epochs', type=int, nargs='+', default=[3, 4]); p.add_argument('--batch-sizes', type=int, nargs='+', default=[128, 256])
    p.add_argument('--lrs', type=float, nargs='+', default=[3e-3, 5e-3, 1e-2]); p.add_argument('--seeds', type=int, nargs='+', default=[42])
    p.add_argument('--out', default=str(HERE/'results'/'train_bench.json'))
    a = p.parse_args()
    speed(a) if a.mode == 'speed' else search(a)
