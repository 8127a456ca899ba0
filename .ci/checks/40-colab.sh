#!/usr/bin/env bash
# Colab-like check: every notebook (index and all nbs/[0-9]*.ipynb, slow cells included) runs top to bottom in a
# fresh kernel, each alone in an empty folder, in a Python 3.12 venv holding Colab's preinstalled set, after the
# notebooks' own Colab install cell (pointed at this clone instead of GitHub). TINYCNN_DATA stands for a finished
# download. The venv of the preinstalled set is cached outside the clone, keyed on this script; the notebooks run in
# tests/colab/run_fresh.py.
#
#   bash .ci/checks/40-colab.sh                 # build (or reuse) the venv, install, run every notebook
#   bash .ci/checks/40-colab.sh 05_data         # only these notebooks
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
# Colab's preinstalled packages that tinycnn's notebooks meet (Colab pins more; these are the ones that matter here).
COLAB_SET=(ipywidgets==7.7.1 ipython==7.34.0 ipykernel==6.17.1 jupyter-client==7.4.9 "torch<=2.14.1" "torchvision<=0.29.1"
           "numpy>=2,<3" matplotlib pandas fastai "fastcore>=2" nbclient nbformat)
CACHE=${TINYCNN_CI_CACHE:-$HOME/.cache/tinycnn-ci}
if [ -z "${TINYCNN_DATA:-}" ]; then echo "Colab-like check skipped: the lessons' slow cells train on the real MNIST, and there is none here"; exit 0; fi
PY312=${TINYCNN_PY312:-$(ls -d "$(pyenv root 2>/dev/null || echo "$HOME/.pyenv")"/versions/3.12*/bin/python3 2>/dev/null | tail -1)}
[ -x "$PY312" ] || { echo "Python 3.12 not found (set TINYCNN_PY312, or install it under pyenv): it is needed for the Colab-like check"; exit 1; }
KEY=$( { "$PY312" --version; printf '%s\n' "${COLAB_SET[@]}"; } | sha256sum | cut -c1-16)
BASE=$CACHE/colab-$KEY
quiet_pip() { grep -v "is ignored: it is neither a file nor a directory" || true; }
if [ ! -f "$BASE/.complete" ]; then
  echo "building the Colab-like venv in $BASE"
  rm -rf "$BASE"; mkdir -p "$CACHE"
  "$PY312" -m venv "$BASE"
  "$BASE/bin/pip" install -q --upgrade pip 2>&1 | quiet_pip
  "$BASE/bin/pip" install -q "${COLAB_SET[@]}" 2>&1 | quiet_pip
  "$BASE/bin/pip" freeze > "$BASE/preinstalled.txt"
  touch "$BASE/.complete"
fi
if [ "${1:-}" = --build-only ]; then exit 0; fi

# A throwaway copy of the cached venv (hard links: instant, and the cache stays as built), then the install cell.
RUN=$(mktemp -d "$CACHE/run-XXXXXX")
trap 'rm -rf "$RUN"' EXIT
cp -al "$BASE/." "$RUN/"
sed -i "s#$BASE#$RUN#g" "$RUN/pyvenv.cfg"
PY=$RUN/bin/python
"$PY" -m pip freeze --all > "$RUN/before.txt"
ARGS=$(python tools/colab.py --pip-args "$ROOT")
echo "the install cell, pointed at this clone: pip install $ARGS"
start=$(date +%s.%N)
eval "\"$PY\" -m pip install $ARGS" > "$RUN/install.log" 2>&1 || { cat "$RUN/install.log"; echo "the install cell failed"; exit 1; }
echo "install cell: $(printf '%.0f' "$(echo "$(date +%s.%N) - $start" | bc)") s"
if grep -iE "dependency conflicts|incompatible|^ERROR" "$RUN/install.log"; then echo "the install cell printed a dependency conflict"; exit 1; fi
"$PY" -m pip check
"$PY" -m pip freeze --all > "$RUN/after.txt"
"$PY" - "$RUN/before.txt" "$RUN/after.txt" <<'PYEOF'
import sys
def versions(path):
    lines = open(path).read().splitlines()
    return {l.split('==')[0].lower(): l.split('==')[1] for l in lines if '==' in l} | {l.split(' @ ')[0].lower(): l.split(' @ ')[1] for l in lines if ' @ ' in l}
before, after = map(versions, sys.argv[1:])
added = sorted(set(after) - set(before))
changed = {k: (before[k], after[k]) for k in before if k in after and before[k] != after[k]}
major = {k: v for k, v in changed.items() if v[0].split('.')[0] != v[1].split('.')[0]}
print(f"added {len(added)}: {' '.join(f'{k}=={after[k]}' for k in added)}")
print(f"changed {len(changed)}: {' '.join(f'{k} {a} -> {b}' for k, (a, b) in changed.items()) or '-'}")
removed = sorted(set(before) - set(after))
if major or removed: sys.exit(f'the install cell changed major versions {major} or removed {removed}')
PYEOF

# Every notebook in a fresh kernel of that venv, alone in an empty folder; the installed tinycnn, not the clone's.
unset PYTHONPATH IN_TEST
export TINYCNN_DATA=$(cd "${TINYCNN_DATA:?TINYCNN_DATA must name a folder holding MNIST}" && pwd)
PATH="$RUN/bin:$PATH" "$PY" tests/colab/run_fresh.py --limit 600 "$@" 2> >(grep -v "Kernel is running over TCP" >&2)
