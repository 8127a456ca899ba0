"""Tutorial, default and tuned recipes, each at the base and the tuned filter counts, on the full MNIST (lesson 14_experiments).

    TINYCNN_DATA=/path/to/data python bench/experiments.py --seeds 0 1 2 3 4     # the real experiment
    python bench/experiments.py --configurations tutorial/base tuned/tuned       # only some configurations

Runs a `--trials` Optuna study with `--workers` tinycnn_tune processes on a journal file (unless it is already
there), then trains every configuration of `GRID` with every seed on the training and validation images and tests
each once. It resumes where it stopped: the study from --storage, the final runs from --out and from the partial
files `experiments-*.json` beside it, so the final runs can be spread over processes, each with its own --out
`.../experiments-NAME.json` and its own --configurations, then gathered by a last call that trains nothing. Both
default to the recorded results that the lesson shows and the package ships, tinycnn/assets/results/ (read with
`tinycnn.files.load_recorded`).

The options are `run_experiments`' arguments (its docments are their help), and this script's own below.
"""
from tinycnn.cli import Param, command, run_command
from tinycnn.files import recorded_path
from tinycnn.training import RECIPES
from tinycnn.experiments import ALIASES, GRID, run_experiments, format_table, conclusion

@command(run_experiments, skip=('train_images', 'threads', 'verbose'),
         recipe=Param(choices=tuple(RECIPES)), configurations=Param(choices=GRID + tuple(ALIASES)))
def main(out:str=str(recorded_path()/'experiments.json'), # the results file, rewritten after every run
         storage:str=str(recorded_path()/'study.log'), # the study's journal file, resumable
         **experiment): # more of `run_experiments`' arguments
    "Three recipes at two filter counts on the full MNIST: a study, then each with every seed, tested once; resumable"
    results = run_experiments(out, storage, **experiment)
    print(format_table(results))
    if all(name in results['settings']['configurations'] for name in GRID): print('\n' + conclusion(results))

if __name__ == '__main__': run_command(main)
