"""Baseline versus tuned TinyCNN on the full MNIST (lesson 14_experiments).

    TINYCNN_DATA=/path/to/data python bench/experiments.py          # the real experiment
    python bench/experiments.py --trials 30 --seeds 0 1 2 3 4        # a larger one

Runs a `--trials` Optuna study with `--workers` tinycnn_tune processes on a journal file, then trains the
baseline and the best configuration with every seed on the whole training set and tests each once. It resumes
where it stopped: the study from --storage, the final runs from --out. Both default to the recorded results that
the lesson shows and the package ships, tinycnn/assets/results/ (read with `tinycnn.files.load_recorded`).

The options are `run_experiments`' arguments (its docments are their help), and this script's own below.
"""
from tinycnn.cli import Param, command, run_command
from tinycnn.files import recorded_path
from tinycnn.training import RECIPES
from tinycnn.experiments import run_experiments, format_table

@command(run_experiments, skip=('train_images', 'threads', 'configurations', 'verbose'),
         recipe=Param(choices=tuple(RECIPES)), only=Param(choices=('baseline', 'tuned')))
def main(out:str=str(recorded_path()/'experiments.json'), # the results file, rewritten after every run
         storage:str=str(recorded_path()/'study.log'), # the study's journal file, resumable
         only:str|None=None, # make only these final runs
         **experiment): # more of `run_experiments`' arguments
    "Baseline versus tuned TinyCNN on the full MNIST: a study, then both with every seed, tested once; resumable"
    results = run_experiments(out, storage, configurations=(only,) if only else ('baseline', 'tuned'), **experiment)
    print(format_table(results))

if __name__ == '__main__': run_command(main)
