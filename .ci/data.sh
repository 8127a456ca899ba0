#!/usr/bin/env bash
# Where CI finds the real MNIST, said in one line on stderr; the folder (or nothing, for the shipped sample) on stdout.
# $TINYCNN_DATA if set; else ../shared/data, where the project's machines keep it; else a download into the default data
# folder (~/.cache/tinycnn); else nothing: the tests then run on the MNIST sample shipped in the package.
set -uo pipefail
cd "$(dirname "$0")/.."
has() { [ -f "$1/MNIST/raw/t10k-images-idx3-ubyte" ] || [ -f "$1/MNIST/raw/t10k-images-idx3-ubyte.gz" ]; }
if [ -n "${TINYCNN_DATA:-}" ]; then
  echo "MNIST from TINYCNN_DATA ($TINYCNN_DATA)" >&2; echo "$TINYCNN_DATA"
elif has ../shared/data; then
  echo "MNIST from ../shared/data" >&2; (cd ../shared/data && pwd)
elif python -c "from tinycnn.data import load_data; load_data('mnist', verbose=False)" >/dev/null 2>&1; then
  dir=$(python -c "from tinycnn.datasets import resolve_data_dir; print(resolve_data_dir())")
  echo "no ../shared and no TINYCNN_DATA: MNIST downloaded into $dir" >&2; echo "$dir"
else
  echo "no ../shared, no TINYCNN_DATA and no download: the tests run on the MNIST sample shipped with tinycnn, and the download, Colab-like and GPU checks, which need the real MNIST, are skipped" >&2
  echo ""
fi
