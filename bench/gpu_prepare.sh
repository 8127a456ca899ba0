#!/usr/bin/env bash
# Fill .gpu/ (ignored by git) with what bench/gpu_check.py needs on the GPU machine and the machine lacks:
#   .gpu/whl/    wheels for Python 3.12, manylinux x86_64: optuna, fastcore, ipywidgets and everything they need
#                that is not already installed there (torch, numpy, matplotlib, tqdm, pyyaml, pillow... are);
#   .gpu/data/   MNIST/raw/*.gz, the four gzipped MNIST files (about 11 MB), made from the raw files in the data
#                folder (bench/gpu_check.py unpacks them where it runs).
# tinycnn itself travels as its source: the repository root, which the GPU machine gets as its working tree.
# Run from anywhere: `bash bench/gpu_prepare.sh [DATA_DIR]` (default: $TINYCNN_DATA, else ../shared/data).
# Then `bash bench/gpu_prepare.sh --check` installs the wheels into a scratch folder the way the GPU run does
# (`pip install --no-index --no-deps --target`) and imports tinycnn's modules from there.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
OUTDIR=$ROOT/.gpu
PY=${PYTHON:-python3}

# One version of each: the ones tinycnn is developed and tested with.
WHEELS=(
  optuna==5.0.0 alembic==1.20.1 sqlalchemy==2.1.9 greenlet==3.5.6 mako==1.4.3 colorlog==6.12.0
  fastcore==1.14.5
  ipywidgets==8.1.9 comm==0.2.3 traitlets==5.16.1 widgetsnbextension==4.0.16 jupyterlab-widgets==3.0.17
  ipython==9.18.1 ipython-pygments-lexers==1.1.1 jedi==0.20.1 parso==0.8.7 matplotlib-inline==0.2.2
  pexpect==4.9.0 ptyprocess==0.7.0 prompt-toolkit==3.0.53 wcwidth==0.9.4
  stack-data==0.6.3 executing==2.3.0 asttokens==3.0.2 pure-eval==0.2.4
)

# pip matches each manylinux tag exactly; these cover every wheel above (greenlet's and sqlalchemy's included).
PLATFORMS="--platform manylinux_2_28_x86_64 --platform manylinux_2_27_x86_64 --platform manylinux_2_24_x86_64
  --platform manylinux_2_17_x86_64 --platform manylinux2014_x86_64 --platform manylinux1_x86_64"
quiet() { grep -v "is ignored: it is neither a file nor a directory" || true; }

check() {
  local site; site=$(mktemp -d /tmp/tinycnn-gpu-site.XXXXXX)
  # The GPU run's install command, plus the tags of its Python 3.12 where this Python is another version: pip then
  # refuses any wheel built for a different Python or platform, as it would there.
  "$PY" -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target "$site" \
    --only-binary=:all: --python-version 3.12 --implementation cp $PLATFORMS "$OUTDIR"/whl/*.whl 2>&1 | quiet
  # What the GPU run imports, from the scratch folder first; torch and numpy come from the Python running this
  # (under a Python other than 3.12, sqlalchemy's and greenlet's compiled parts are skipped or unused).
  PYTHONPATH="$site:$ROOT" "$PY" -c "
import optuna, fastcore, ipywidgets, IPython, sqlalchemy, alembic, colorlog
import tinycnn.training, tinycnn.tuning, tinycnn.visualization
for m in (optuna, fastcore, ipywidgets, IPython, sqlalchemy):
    assert m.__file__.startswith('$site'), m.__file__
print('wheels install and import:', ', '.join(f'{m.__name__} {m.__version__}' for m in (optuna, fastcore, ipywidgets, IPython, sqlalchemy)))"
  rm -rf "$site"
  local n; n=$(ls "$OUTDIR"/data/MNIST/raw/*.gz | wc -l)
  [ "$n" = 4 ] || { echo "expected 4 gzipped MNIST files in $OUTDIR/data/MNIST/raw, found $n"; exit 1; }
  du -sh "$OUTDIR" | sed 's/^/carried: /'
}
if [ "${1:-}" = --check ]; then check; exit; fi

DATA=${1:-${TINYCNN_DATA:-$ROOT/../shared/data}}
grep -qxF '/.gpu/' .gitignore || echo '/.gpu/' >> .gitignore
mkdir -p "$OUTDIR/whl" "$OUTDIR/data/MNIST/raw"

have=$(ls "$OUTDIR/whl" | wc -l)
if [ "$have" -lt "${#WHEELS[@]}" ]; then
  rm -f "$OUTDIR"/whl/*.whl
  "$PY" -m pip download -q --no-deps --only-binary=:all: --python-version 3.12 --implementation cp $PLATFORMS \
    -d "$OUTDIR/whl" "${WHEELS[@]}" 2>&1 | quiet
fi
ls "$OUTDIR/whl" | wc -l | sed 's/^/wheels: /'

for f in train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte; do
  dest="$OUTDIR/data/MNIST/raw/$f.gz"
  [ -s "$dest" ] && continue
  if [ -f "$DATA/MNIST/raw/$f.gz" ]; then cp "$DATA/MNIST/raw/$f.gz" "$dest"
  elif [ -f "$DATA/MNIST/raw/$f" ]; then gzip -9 -n -c "$DATA/MNIST/raw/$f" > "$dest"
  else echo "MNIST's $f is not in $DATA/MNIST/raw"; exit 1; fi
done
du -sh "$OUTDIR/whl" "$OUTDIR/data"
