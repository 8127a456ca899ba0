"""Run notebooks top to bottom in a fresh kernel, as a Colab user would: each notebook copied alone into
an empty folder, every cell run (no nbdev flags honoured: slow cells too), tinycnn as installed.

    python tests/colab/run_fresh.py                      # index and every numbered notebook
    python tests/colab/run_fresh.py 07_training 10_visualization --limit 600

The kernel is this Python (`sys.executable`), whatever kernels Jupyter knows elsewhere. A relative `TINYCNN_DATA`
is made absolute first, since the notebooks run elsewhere. Prints each notebook's run time; exits 1 if one fails
or runs longer than --limit seconds. `.ci/checks/40-colab.sh` runs it in a venv of Colab's preinstalled packages.
"""
import argparse, json, os, re, shutil, sys, tempfile, time
from pathlib import Path
import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[2]
DEFAULT = ['index', *sorted(p.stem for p in (ROOT/'nbs').glob('[0-9]*.ipynb'))]
KERNEL = 'tinycnn-fresh'

def _kernel_here(folder:Path):
    "A kernelspec `KERNEL` for this very Python, found first through JUPYTER_PATH"
    spec = folder/'kernels'/KERNEL; spec.mkdir(parents=True)
    argv = [sys.executable, '-m', 'ipykernel_launcher', '-f', '{connection_file}']
    (spec/'kernel.json').write_text(json.dumps(dict(argv=argv, display_name=KERNEL, language='python')))
    os.environ['JUPYTER_PATH'] = os.pathsep.join([str(folder), *filter(None, [os.environ.get('JUPYTER_PATH')])])

def run_fresh(name:str, limit:float)->float:
    "Run notebook `name` in a fresh kernel in an empty folder; return the seconds it took"
    nb = nbformat.read(ROOT/'nbs'/f'{name}.ipynb', as_version=4)
    env_before = os.environ.pop('IN_TEST', None)
    try:
        with tempfile.TemporaryDirectory() as d:
            shutil.copy(ROOT/'nbs'/f'{name}.ipynb', d)
            start = time.perf_counter()
            NotebookClient(nb, timeout=int(limit), kernel_name=KERNEL, resources={'metadata': {'path': d}}).execute()
            return time.perf_counter() - start
    finally:
        if env_before is not None: os.environ['IN_TEST'] = env_before

if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('names', nargs='*', default=DEFAULT)
    p.add_argument('--limit', type=float, default=600, help='seconds a notebook may take')
    args, failed = p.parse_args(), []
    os.environ.setdefault('PYDEVD_DISABLE_FILE_VALIDATION', '1') # no debugger warnings from every kernel
    if os.environ.get('TINYCNN_DATA'): os.environ['TINYCNN_DATA'] = str(Path(os.environ['TINYCNN_DATA']).resolve())
    _kernel_here(Path(tempfile.mkdtemp()))
    print(f'kernel: {sys.executable} (Python {sys.version.split()[0]}); TINYCNN_DATA={os.environ.get("TINYCNN_DATA")}', flush=True)
    for name in args.names:
        try:
            secs = run_fresh(name, args.limit)
            ok = secs <= args.limit
            print(f'{name:20s} {secs:7.1f} s  {"ok" if ok else "TOO SLOW"}', flush=True)
        except Exception as e:
            ok = False
            lines = re.sub(r'\x1b\[[0-9;]*m', '', str(e)).strip().splitlines() or [type(e).__name__]
            cell = next((l for l in lines if l.strip() and not l.startswith(('-', 'An error', 'Traceback'))), '')
            print(f'{name:20s} FAILED in the cell starting {cell.strip()[:120]!r}; the end of its error:', flush=True)
            print('\n'.join('    ' + l[:300] for l in lines[-30:] if l.strip()), flush=True)
        if not ok: failed.append(name)
    print(f'fresh-kernel runs: {len(args.names) - len(failed)} passed, {len(failed)} failed')
    sys.exit(1 if failed else 0)
