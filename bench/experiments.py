"""Baseline versus tuned TinyCNN on the full MNIST (notebook 08_experiments).

    TINYCNN_DATA=/path/to/data python bench/experiments.py --record  # the real experiment, then ship its results
    python bench/experiments.py --trials 30 --seeds 0 1 2 3 4         # a larger one

Runs a `--trials` Optuna study with `--workers` tinycnn_tune processes on a journal file, then trains the
baseline and the best configuration with every seed on the whole training set and tests each once. It resumes
where it stopped: the study from --storage (bench/results/study.log), the final runs from --out
(bench/results/experiments.json). `--record` then copies both into tinycnn/assets/results/, the recorded results
that the notebook shows (read with `tinycnn.data.load_recorded`) and that the package ships.

The options are `run_experiments`' arguments (its docments are their help), and this script's own four below.
"""
import shutil
from pathlib import Path
from tinycnn.training import RECIPES, Param, command, run_command
from tinycnn.experiments import run_experiments, format_table

RECORDED = Path(__file__).resolve().parent.parent/"tinycnn"/"assets"/"results"

@command(run_experiments, skip=('train_images', 'threads', 'configurations', 'verbose'),
         recipe=Param(choices=tuple(RECIPES)), only=Param(choices=('baseline', 'tuned')))
def main(out:str='bench/results/experiments.json', # the results file, rewritten after every run
         storage:str='bench/results/study.log', # the study's journal file, resumable
         only:str|None=None, # make only these final runs
         record:bool=False, # copy the results and the journal into tinycnn/assets/results/
         **experiment): # more of `run_experiments`' arguments
    "Baseline versus tuned TinyCNN on the full MNIST: a study, then both with every seed, tested once; resumable"
    results = run_experiments(out, storage, configurations=(only,) if only else ('baseline', 'tuned'), **experiment)
    print(format_table(results))
    if record:
        for src, name in [(out, 'experiments.json'), (storage, 'study.log')]: shutil.copy(src, RECORDED/name)
        print(f'recorded in {RECORDED}')

if __name__ == '__main__': run_command(main)
