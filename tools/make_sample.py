"""Make the MNIST sample shipped in tinycnn/assets from the real MNIST files.

    python tools/make_sample.py $TINYCNN_DATA

The first argument is a data folder holding MNIST/raw in torchvision's layout. The result is
deterministic (seed 0): 500 training and 100 test images of each digit. nbs/05_data.ipynb checks that the shipped
sample is what `make_mnist_sample` makes.
"""
from __future__ import annotations
import os, sys
from pathlib import Path
import numpy as np
import torch
from tinycnn.datasets import read_split

def _balanced(labels:torch.Tensor, per_class:int, gen:torch.Generator)->torch.Tensor:
    "Indices of `per_class` random images of each class, in a random order"
    idxs = [torch.nonzero(labels == c).flatten() for c in labels.unique()]
    pick = torch.cat([i[torch.randperm(len(i), generator=gen)[:per_class]] for i in idxs])
    return pick[torch.randperm(len(pick), generator=gen)]

def make_mnist_sample(src:str|Path, # a data folder holding the real MNIST
                      dest:str|Path, # the `.npz` file to write
                      train_per_class:int=500, test_per_class:int=100, # images of each digit
                      seed:int=0)->Path:
    "Write a class-balanced sample of the real MNIST in `src` to `dest`"
    gen, arrays = torch.Generator().manual_seed(seed), {}
    for split, per_class in [('train', train_per_class), ('test', test_per_class)]:
        images, labels, _ = read_split('mnist', Path(src), train=split == 'train', download=False)
        pick = _balanced(labels, per_class, gen)
        arrays[f'{split}_images'] = images[pick, 0].numpy()
        arrays[f'{split}_labels'] = labels[pick].numpy().astype(np.uint8)
    np.savez_compressed(dest, **arrays)
    return Path(dest)

if __name__ == '__main__':
    dest = Path(__file__).resolve().parent.parent/'tinycnn'/'assets'/'mnist_sample.npz'
    path = make_mnist_sample(sys.argv[1] if len(sys.argv) > 1 else os.environ['TINYCNN_DATA'], dest)
    print(f'wrote {path} ({path.stat().st_size/1e6:.2f} MB)')
