"""Baseline versus tuned TinyCNN on the full MNIST (notebook 08_experiments).

    TINYCNN_DATA=/path/to/data python bench/experiments.py            # the real experiment
    python bench/experiments.py --trials 30 --seeds 0 1 2 3 4         # a larger one

Runs a `--trials` Optuna study with `--workers` tinycnn_tune processes on a journal file, then trains the
baseline and the best configuration with every seed on the whole training set and tests each once. It resumes
where it stopped: the study from bench/results/study.log, the final runs from bench/results/experiments.json.
"""
import argparse
from tinycnn.experiments import run_experiments, format_table

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
    a = p.parse_args()
    results = run_experiments(a.dataset, a.data_dir, a.trials, a.epochs, tuple(a.seeds), a.workers, a.storage, a.study_name, a.out,
                              configurations=(a.only,) if a.only else ('baseline', 'tuned'))
    print(format_table(results))
