"""Benchmark `tinycnn.interpretation` over the 10,000 MNIST test images with the shipped model: `predict` (one forward
pass), `confusion_matrix` and `top_losses` on its logits, all three together, and `confusion_matrix` + `top_losses`
each making its own forward pass, on 1 and 2 threads.

Usage, from the repository's root:  TINYCNN_DATA=/path/to/data python bench/interpretation_bench.py [--repeats 5] [--out tinycnn/assets/results/interpretation_bench.json]

Every figure is the median of `--repeats` runs. The contenders take turns, so a change of load on a shared machine
hits them alike; the load average before and after goes into the JSON file with the results (read by nbs/12_interpretation.ipynb).
"""
import argparse, json, os, platform, time
from pathlib import Path
import numpy as np
import torch

from tinycnn.data import load_data
from tinycnn.interpretation import confusion_matrix, predict, top_losses
from tinycnn.runtime import num_threads
from tinycnn.checkpoints import load_trained

def timings(model, test, threads:int, repeats:int)->dict:
    "Median seconds of each contender on `threads` threads"
    cases = {
        'predict': lambda: predict(model, test),
        'confusion_matrix (given logits)': lambda: confusion_matrix(model, test, logits),
        'top_losses (given logits)': lambda: top_losses(model, test, 16, logits),
        'predict + confusion_matrix + top_losses': lambda: (lambda lg: (confusion_matrix(model, test, lg), top_losses(model, test, 16, lg)))(predict(model, test)),
        'confusion_matrix + top_losses, a forward pass each': lambda: (confusion_matrix(model, test), top_losses(model, test, 16)),
    }
    times = {k: [] for k in cases}
    with num_threads(threads):
        logits = predict(model, test)  # warm up, and the logits the "given logits" cases use
        for _ in range(repeats):
            for k, f in cases.items():
                t = time.perf_counter()
                f()
                times[k].append(time.perf_counter() - t)
    return {k: float(np.median(v)) for k, v in times.items()}

def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--repeats', type=int, default=5)
    p.add_argument('--threads', type=int, nargs='+', default=[1, 2])
    p.add_argument('--out', default=str(Path(__file__).parent.parent/'tinycnn'/'assets'/'results'/'interpretation_bench.json'))
    a = p.parse_args()
    model, _ = load_trained()
    data = load_data('mnist', download=False, verbose=False)
    test = data.test
    test.x  # normalise once, outside the timings (an ImageSet caches it)
    load_before = os.getloadavg()
    results = {str(t): timings(model, test, t, a.repeats) for t in a.threads}
    out = dict(images=len(test), repeats=a.repeats, seconds=results, load_before=load_before, load_after=os.getloadavg(),
               cpus=os.cpu_count(), torch=torch.__version__, machine=platform.processor() or platform.machine(),
               when=time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime()))
    Path(a.out).write_text(json.dumps(out, indent=2) + '\n')
    for t, r in results.items():
        for k, s in r.items(): print(f'{t} thread(s)  {k:<52} {s:.3f} s')
    print(f'load average before {load_before[0]:.2f}, after {out["load_after"][0]:.2f}; written to {a.out}')

if __name__ == '__main__': main()
