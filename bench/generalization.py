"""The default recipe with the remedies of the Generalization lesson (nbs/09_generalization.ipynb) on the full MNIST,
at 2 and 3 epochs, 3 seeds each, scored on the 6,000 images of the validation split only: the test set is never looked at.

    TINYCNN_DATA=/path/to/data python bench/generalization.py        # every run missing from the record
    TINYCNN_DATA=/path/to/data python bench/generalization.py --settings none batchnorm --epochs 2 --seeds 42

Each run is `fit_with(remedies, data, seed, epochs=E, amp=True, threads=1)`: the default recipe, in bfloat16 on the CPU as
the recorded recipe search (`recipe_search.json`) ran, one run after the other in this process. The seeds are the search's.
Results: tinycnn/assets/results/generalization.json (written after every run, so an interrupted bench resumes), with the
load average of the machine before each run and the seconds it took.
"""
import argparse, os, platform, time
from datetime import datetime, timezone
from pathlib import Path
import torch
from tinycnn.data import load_data
from tinycnn.files import write_json
from tinycnn.generalization import fit_with
from tinycnn.training import DEFAULTS

OUT = Path(__file__).resolve().parent.parent/'tinycnn'/'assets'/'results'/'generalization.json'
SETTINGS = { # a setting's name → the remedies it trains with (names in `REMEDIES`)
    'none': ('none',), 'batchnorm': ('batchnorm',), 'augmentation': ('augmentation',), 'dropout': ('dropout',),
    'weight_decay': ('weight_decay',), 'batchnorm + augmentation': ('batchnorm', 'augmentation')}

def machine()->dict:
    return dict(cpu=platform.processor() or platform.machine(), cores=os.cpu_count(), python=platform.python_version(),
                torch=torch.__version__, when=datetime.now(timezone.utc).strftime('%Y-%m-%d %H:%M:%S UTC'))

def main(a):
    record = __import__('json').loads(OUT.read_text()) if OUT.exists() else dict(machine=machine(), recipe=dict(DEFAULTS), runs=[])
    done = {(r['setting'], r['epochs'], r['seed']) for r in record['runs']}
    data = load_data('mnist', verbose=False) # the test split is loaded with the others but never used here
    assert (len(data.train), len(data.valid)) == (54000, 6000), data
    for epochs in a.epochs:
        for name in a.settings:
            for seed in a.seeds:
                if (name, epochs, seed) in done: continue
                load, start = os.getloadavg()[0], time.perf_counter()
                _, history = fit_with(SETTINGS[name], data, seed, epochs=epochs, amp=True, threads=1)
                seconds = time.perf_counter() - start
                record['runs'].append(dict(setting=name, remedies=SETTINGS[name], epochs=epochs, seed=seed, amp=True, threads=1,
                                           history=history, load_before=load, seconds=seconds))
                write_json(OUT, record)
                print(f"{name:26s} {epochs} epochs seed {seed}: validation accuracy {history[-1]['val_accuracy']:.4f} "
                      f"({seconds:.1f} s, load average {load:.2f})", flush=True)

if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--settings', nargs='+', default=list(SETTINGS), choices=list(SETTINGS))
    p.add_argument('--epochs', type=int, nargs='+', default=[3, 2])
    p.add_argument('--seeds', type=int, nargs='+', default=[42, 43, 44])
    main(p.parse_args())
