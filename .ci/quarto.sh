# Sourced by .ci/run and .ci/checks/10-docs.sh: put a real Quarto on PATH, assembled from ../shared/tools/quarto
# (package registries only, no installer) once per version of the assemble script and the source tarball, and kept
# beside the CI virtual environments in ${TINYCNN_CI_CACHE:-$HOME/.cache/tinycnn-ci}/quarto-KEY.
# On GitHub Actions nbdev's workflows install Quarto with its installer instead.
ensure_quarto() {
  local root tools cache key dir start
  root=$(git rev-parse --show-toplevel)
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
  export PATH="$dir/bin:$PATH" QUARTO_CHROMIUM=${QUARTO_CHROMIUM:-/usr/bin/chromium}
  echo "quarto $(quarto --version) ($dir)"
}
ensure_quarto
