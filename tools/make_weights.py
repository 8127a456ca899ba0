#!/usr/bin/env python
"""Make the trained weights shipped with tinycnn: `tinycnn/assets/tinycnn_mnist.pt`.

Run from the repository root with the real MNIST in the data folder (`$TINYCNN_DATA` or `--data-dir`):

    python tools/make_weights.py

It trains the default `TinyCNN` with `tinycnn.training.train` and train's own defaults (its recipe, its seed) on the
full MNIST, on the CPU, and fails if the test accuracy is below `--min-accuracy`. It writes the file with
`tinycnn.training.save_checkpoint` (the library's one checkpoint format, read by `read_checkpoint` and
`load_checkpoint`): float32 weights, the config, the history and, under `provenance`, the recipe (all of train's
settings), the exact command, the test accuracy and loss, the library version, the data source and the date.
`tinycnn.visualization.load_trained` reads it.
"""
from __future__ import annotations
import argparse, datetime, inspect, json, shlex, subprocess, sys, tempfile
from pathlib import Path
from unittest import mock

import torch

ROOT = Path(__file__).resolve().parents[1]

def _git_commit()->str|None:
    "The repository's commit, with '-dirty' if the library's or the tools' code differs from it; `None` outside git"
    try:
        def run(*a): return subprocess.run(['git', '-C', str(ROOT), *a], capture_output=True, text=True,
                                           check=True).stdout.strip()
        code = ['tinycnn', 'tools', 'settings.ini', ':!tinycnn/assets/tinycnn_mnist.pt']
        return run('rev-parse', 'HEAD') + ('-dirty' if run('status', '--porcelain', '--', *code) else '')
    except (OSError, subprocess.CalledProcessError): return None

def _train_keeping_data(**kwargs)->tuple:
    "`tinycnn.training.train(**kwargs)`'s metrics and the `Data` it loaded, so that MNIST is read once"
    import tinycnn.training as training
    loaded, load_data = [], training.load_data
    def load_and_keep(*args, **kw):
        loaded.append(load_data(*args, **kw))
        return loaded[-1]
    with mock.patch.object(training, 'load_data', load_and_keep): metrics = training.train(**kwargs)
    assert len(loaded) == 1, f'train loaded its data {len(loaded)} times through tinycnn.training.load_data, not once'
    return metrics, loaded[0]

def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--data-dir', default=None, help='data folder holding MNIST (default: $TINYCNN_DATA)')
    p.add_argument('--min-accuracy', type=float, default=0.985, help='fail below this test accuracy')
    p.add_argument('--out', default=str(ROOT/'tinycnn'/'assets'/'tinycnn_mnist.pt'))
    args = p.parse_args(argv)
    argv = sys.argv[1:] if argv is None else list(argv)
    import tinycnn
    from tinycnn.runs import train
    from tinycnn.checkpoints import load_checkpoint, save_checkpoint
    from tinycnn.training import recipe_for
    given = dict(dataset='mnist', data_dir=args.data_dir, device='cpu', progress=False)  # no recipe of its own
    skip = ('out', 'resume', 'force')  # where the run goes, not how it trains
    recipe = {k: v.default for k, v in inspect.signature(train).parameters.items() if k not in skip}
    preset = recipe_for(recipe.pop('recipe'))  # train's five recipe settings default to None: its preset's values
    assert all(recipe.pop(k) is None for k in preset), 'train gives a recipe setting a default of its own'
    recipe.update(preset, **given)
    with tempfile.TemporaryDirectory() as tmp:
        m, data = _train_keeping_data(**given, out=tmp)
        model, ckpt = load_checkpoint(Path(tmp)/'model.pt')
    acc = m['test_accuracy']
    print(f"test accuracy {acc:.4f}, test loss {m['test_loss']:.4f}, {m['seconds_total']:.0f} s")
    if acc < args.min_accuracy: sys.exit(f'test accuracy {acc:.4f} is below {args.min_accuracy}')
    model = model.float().to(memory_format=torch.contiguous_format)
    assert all(v.dtype == torch.float32 for v in model.state_dict().values())
    provenance = dict(test_accuracy=acc, test_loss=m['test_loss'], test_images=len(data.test),
                      command=shlex.join(['python', 'tools/make_weights.py', *argv]),
                      recipe=recipe, config=m['config'], epochs=m['config']['epochs'], seed=m['config']['seed'],
                      data_source=m['data_source'], version=tinycnn.__version__, torch_version=str(torch.__version__),
                      git_commit=_git_commit(), seconds=m['seconds_total'],
                      date=datetime.datetime.now(datetime.timezone.utc).isoformat(timespec='seconds'))
    provenance = json.loads(json.dumps(provenance))  # plain values only, as `torch.load(weights_only=True)` reads them
    out = save_checkpoint(args.out, model, ckpt['config'], ckpt['history'], extra=dict(provenance=provenance))
    print(f'wrote {out} ({out.stat().st_size/1024:.0f} KB): {provenance}')

if __name__ == '__main__': main()
