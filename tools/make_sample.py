"""Make the MNIST sample shipped in tinycnn/assets from the real MNIST files.

    python tools/make_sample.py ../shared/data

The first argument is a data folder holding MNIST/raw in torchvision's layout. The result is
deterministic (seed 0): 500 training and 100 test images of each digit.
"""
import sys
from pathlib import Path
from tinycnn.data import make_mnist_sample

if __name__ == '__main__':
    dest = Path(__file__).resolve().parent.parent/'tinycnn'/'assets'/'mnist_sample.npz'
    path = make_mnist_sample(sys.argv[1] if len(sys.argv) > 1 else '../shared/data', dest)
    print(f'wrote {path} ({path.stat().st_size/1e6:.2f} MB)')
