#!/usr/bin/env python
"""Make the trained weights shipped with tinycnn: `tinycnn/assets/tinycnn_mnist.pt`.

Run from the repository root with the real MNIST in the data folder (`$TINYCNN_DATA` or `--data-dir`):

    python tools/make_weights.py

It trains the default `TinyCNN` (16 and 32 filters) with `tinycnn.training.train` on the full MNIST with a
fixed seed, checks the test accuracy, and writes only the float32 weights, the model config and the
metrics (about 85 KB). `tinycnn.visualization.load_trained` reads the file.
"""
import argparse, json, tempfile, sys
from pathlib import Path

import torch

def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--data-dir', default=None, help='data folder holding MNIST (default: $TINYCNN_DATA)')
    p.add_argument('--epochs', type=int, default=3)
    p.add_argument('--seed', type=int, default=0)
    p.add_argument('--min-accuracy', type=float, default=0.985, help='fail below this test accuracy')
    p.add_argument('--out', default=str(Path(__file__).resolve().parents[1]/'tinycnn'/'assets'/'tinycnn_mnist.pt'))
    args = p.parse_args(argv)
    from tinycnn.training import train, load_checkpoint
    with tempfile.TemporaryDirectory() as tmp:
        m = train('mnist', args.data_dir, epochs=args.epochs, seed=args.seed, device='cpu', out=tmp, progress=False)
        model, ckpt = load_checkpoint(Path(tmp)/'model.pt')
    acc = m['test_accuracy']
    print(f"test accuracy {acc:.4f} after {args.epochs} epochs (seed {args.seed}), {m['seconds_total']:.0f} s")
    if acc < args.min_accuracy: sys.exit(f'test accuracy {acc:.4f} is below {args.min_accuracy}')
    state = {k: v.detach().cpu().float().contiguous() for k, v in model.state_dict().items()}
    meta = dict(test_accuracy=acc, test_loss=m['test_loss'], command='python tools/make_weights.py',
                epochs=args.epochs, seed=args.seed, data_source=m['data_source'])
    out = Path(args.out); out.parent.mkdir(parents=True, exist_ok=True)
    torch.save(dict(state_dict=state, config=ckpt['config'], metrics=meta), out)
    print(f'wrote {out} ({out.stat().st_size/1024:.0f} KB): {json.dumps(meta)}')

if __name__ == '__main__': main()
