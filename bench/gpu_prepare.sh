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

# The Python packages installed on the GPU machine's image (as listed for the nvidia-h200 kind, 2026-11-17).
GPU_IMAGE_PACKAGES="
absl-py accelerate aiofiles aiohappyeyeballs aiohttp aiosignal annotated-doc anyio attrs botorch build certifi
charset-normalizer chex click cloudpickle cmake colorama contourpy coverage cuda-bindings cuda-core cuda-pathfinder
cuda-toolkit cupy-cuda13x cycler cython diffrax e3nn einops equinox etils execnet filelock flatbuffers flax
fonttools formulaic frozenlist fsspec gpytorch grpcio h11 h5py hf-xet httpcore httpx huggingface-hub humanize
hypothesis idna imageio iniconfig interface-meta jax jax-cuda13-pjrt jax-cuda13-plugin jaxlib jaxtyping jinja2
joblib kiwisolver lazy-loader lightning lightning-utilities linear-operator lineax llvmlite lxml markdown
markdown-it-py markupsafe matplotlib mdurl meson ml-dtypes mpi4py mpmath msgpack multidict multipledispatch
mypy-extensions nanobind narwhals networkx ninja numba numba-cuda numpy numpyro nvidia-cublas nvidia-cuda-cupti
nvidia-cuda-nvrtc nvidia-cuda-runtime nvidia-cudnn-cu13 nvidia-cufft nvidia-cufile nvidia-curand nvidia-cusolver
nvidia-cusparse nvidia-cusparselt-cu13 nvidia-ml-py nvidia-nccl-cu13 nvidia-nvjitlink nvidia-nvshmem-cu13
nvidia-nvtx onnx onnx-ir onnxruntime onnxscript opencv-python-headless optax opt-einsum opt-einsum-fx optimistix
orbax-checkpoint packaging pandas pathspec patsy peft pillow pip pluggy portalocker prometheus-client propcache
protobuf psutil pyarrow pybind11 py-cpuinfo pygments pyparsing pyproject-hooks pyre-extensions pytest
pytest-benchmark pytest-cov pytest-mock pytest-timeout pytest-xdist python-dateutil pytorch-lightning pyyaml regex
requests rich sacrebleu safetensors scikit-build-core scikit-image scikit-learn scipy seaborn sentencepiece
sentence-transformers setuptools shellingham simplejson six sortedcontainers statsmodels sympy tabulate tensorboard
tensorboard-data-server tensorstore threadpoolctl tifffile tiktoken timm tokenizers toolz torch torchaudio
torchdiffeq torch-geometric torchmetrics torchvision tqdm transformers treescope triton typer typing-extensions
typing-inspect urllib3 uvloop wadler-lindig werkzeug wheel wrapt xarray xxhash yarl zipp"

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
  # What the GPU run imports, with only what the GPU machine will have: the scratch folder, the standard library, and
  # the packages of the GPU machine's image (taken from this Python). Importing anything else fails, as it would there.
  PYTHONPATH="$site:$ROOT" GPU_IMAGE_PACKAGES="$GPU_IMAGE_PACKAGES" "$PY" - "$site" <<'PY'
import importlib.metadata as md, os, re, sys
site = sys.argv[1]
norm = lambda n: re.sub(r'[-_.]+', '-', n).lower()
allowed = {norm(n) for n in os.environ['GPU_IMAGE_PACKAGES'].split()}
dists = md.packages_distributions()
class OnlyTheGPUMachines:
    "Refuse top-level modules whose distribution is neither on the GPU machine's image nor in the scratch folder"
    def find_spec(self, name, path=None, target=None):
        top = name.partition('.')[0]
        if path is not None or top in sys.stdlib_module_names or top == 'tinycnn' or top.startswith('_'): return None
        for p in sys.path:
            if p.startswith(site) and (os.path.exists(os.path.join(p, top)) or os.path.exists(os.path.join(p, top + '.py'))): return None
        have = dists.get(top, [])
        if have and not any(norm(d) in allowed for d in have):
            raise ImportError(f'{name} (from {", ".join(have)}) is neither on the GPU machine nor among the wheels in .gpu/whl')
sys.meta_path.insert(0, OnlyTheGPUMachines())
import optuna, fastcore, ipywidgets, IPython, sqlalchemy, alembic, colorlog
import tinycnn.training, tinycnn.tuning, tinycnn.visualization
sys.argv = ['gpu_check.py']
import importlib.util
spec = importlib.util.spec_from_file_location('gpu_check', os.path.join(os.environ['PYTHONPATH'].split(os.pathsep)[1], 'bench', 'gpu_check.py'))
spec.loader.exec_module(importlib.util.module_from_spec(spec))
for m in (optuna, fastcore, ipywidgets, IPython, sqlalchemy):
    assert m.__file__.startswith(site), m.__file__
print('wheels install and import with only the GPU machine\'s packages:', ', '.join(f'{m.__name__} {m.__version__}' for m in (optuna, fastcore, ipywidgets, IPython, sqlalchemy)))
PY
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
