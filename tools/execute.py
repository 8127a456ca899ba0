"""Run notebooks top to bottom in a fresh kernel, in their own folder, and save their outputs in place (slow cells too),
so that every output a page shows comes from the code beside it. Then run `nbdev_clean`.

    TINYCNN_DATA=/path/to/data python tools/execute.py nbs/07_training.ipynb [nbs/api/06_checkpoints.ipynb ...]

`IN_TEST` is unset, as for a reader. A notebook that fails is left unchanged and named in the last line.
"""
import argparse, os, sys, time
from pathlib import Path
import nbformat
from nbclient import NotebookClient

def execute(path:Path, limit:float)->float:
    "Run the notebook at `path` in its folder and write its outputs back; the seconds it took"
    nb = nbformat.read(path, as_version=4)
    start = time.perf_counter()
    NotebookClient(nb, timeout=int(limit), kernel_name='python3', resources={'metadata': {'path': str(path.parent)}}).execute()
    nbformat.write(nb, path)
    return time.perf_counter() - start

if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('paths', nargs='+', type=Path)
    p.add_argument('--limit', type=float, default=3600, help='seconds a cell may take')
    args, failed = p.parse_args(), []
    os.environ.pop('IN_TEST', None)
    if os.environ.get('TINYCNN_DATA'): os.environ['TINYCNN_DATA'] = str(Path(os.environ['TINYCNN_DATA']).resolve())
    for path in args.paths:
        try: print(f'{path}: {execute(path.resolve(), args.limit):.0f} s', flush=True)
        except Exception as e:
            failed.append(str(path))
            print(f'{path}: FAILED: {str(e).strip().splitlines()[-1][:300] if str(e).strip() else type(e).__name__}', flush=True)
    if failed: sys.exit(f'failed: {" ".join(failed)}')
