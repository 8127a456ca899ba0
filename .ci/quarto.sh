# Sourced by .ci/run and .ci/checks/10-docs.sh: put Quarto on PATH. The Quarto already on PATH if there is one (a person
# installs it as quarto.org says); else, on the project's own machines, which cannot run Quarto's installer, one
# assembled from package registries by the script the machines keep in ../shared/tools/quarto, once per version of that
# script and its source tarball, cached beside the CI virtual environments in ${TINYCNN_CI_CACHE:-$HOME/.cache/tinycnn-ci}.
# Without either, TINYCNN_NO_QUARTO=1 and one line says what is skipped. (GitHub's runners install Quarto with
# quarto-dev/quarto-actions/setup, see .github/workflows/test.yaml.)
ensure_quarto() {
  local root tools cache key dir start
  export QUARTO_CHROMIUM=${QUARTO_CHROMIUM:-/usr/bin/chromium}
  if command -v quarto >/dev/null 2>&1; then echo "quarto $(quarto --version) ($(command -v quarto))"; return 0; fi
  root=$(git rev-parse --show-toplevel)
  if [ ! -f "$root/../shared/tools/quarto/assemble-quarto.sh" ]; then
    export TINYCNN_NO_QUARTO=1
    echo "no Quarto on PATH (install it from https://quarto.org/docs/get-started/): the README, docs and browser checks are skipped"
    return 0
  fi
  tools=$(cd "$root/../shared/tools/quarto" && pwd)
  cache=${TINYCNN_CI_CACHE:-$HOME/.cache/tinycnn-ci}
  key=$(cat "$tools/assemble-quarto.sh" "$tools/quarto-src-v1.7.34.tar.xz" | sha256sum | cut -c1-16)
  dir=$cache/quarto-$key
  if [ ! -f "$dir/.complete" ]; then
    start=$(date +%s)
    rm -rf "$dir"; mkdir -p "$cache"
    bash "$tools/assemble-quarto.sh" "$dir" 2>&1 | grep -v '^\[assemble-quarto\] \(fetch\|cached\)' || true
    [ -x "$dir/bin/quarto" ] || { echo "assembling Quarto into $dir failed"; return 1; }
    touch "$dir/.complete"
    echo "Quarto assembled in $(( $(date +%s) - start )) s: $dir"
  fi
  export PATH="$dir/bin:$PATH"
  echo "quarto $(quarto --version) ($dir)"
}
ensure_quarto
