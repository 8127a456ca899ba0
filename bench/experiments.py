"""Baseline versus tuned TinyCNN on the full MNIST (notebook 08_experiments).

    TINYCNN_DATA=/path/to/data python bench/experiments.py --record  # the real experiment, then ship its results
    python bench/experiments.py --trials 30 --seeds 0 1 2 3 4         # a larger one

Runs a `--trials` Optuna study with `--workers` tinycnn_tune processes on a journal file, then trains the
baseline and the best configuration with every seed on the whole training set and tests each once. It resumes
where it stopped: the study from --storage (bench/results/study.log), the final runs from --out
(bench/results/experiments.json). `--record` then copies both into tinycnn/assets/results/, the recorded results
that the notebook shows (read with `tinycnn.data.load_recorded`) and that the package ships.
"""
import argparse, shutil
from pathlib import Path
from tinycnn.experiments import run_experiments, format_table

RECORDED = Path(__file__).resolve().parent.parent/"tinycnn"/"assets"/"results"

if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--dataset', default='mnist')
    p.add_argument('--data-dir', default=None)
    p.add_argument('--trials', type=int, default=20)
    p.add_argument('--epochs', type=int, default=6)
    p.add_argument('--seeds', type=int, nargs='+', default=[0, 1, 2])
    p.add_argument('--workers', type=int, default=2)
    p.add_argument('--storage', default='bench/results/study.log')
    p.add_argument('--study-name', default='tinycnn-mnist')
    p.add_argument('--out', default='bench/results/experiments.json')
    p.add_argument('--only', choices=['baseline', 'tuned'], default=None, help='make only these final runs')
    p.add_argument('--record', action='store_true', help='copy the results and the journal into tinycnn/assets/results/')
    a = p.parse_args()
    results = run_experiments(a.out, a.storage, a.dataset, a.data_dir, a.trials, a.epochs, tuple(a.seeds), a.workers, a.study_name,
                              configurations=(a.only,) if a.only else ('baseline', 'tuned'))
    print(format_table(results))
    if a.record:
        for src, name in [(a.out, 'experiments.json'), (a.storage, 'study.log')]: shutil.copy(src, RECORDED/name)
        print(f'recorded in {RECORDED}')
