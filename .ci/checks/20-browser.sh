#!/usr/bin/env bash
# Browser tests: render notebooks to static HTML pages (nbdev_proc_nbs, then nbconvert), serve them on 127.0.0.1,
# and check them in headless Chromium (Debian's, driven by Playwright from PyPI: no browser download).
# The CDN scripts the pages ask for (require.js, jQuery, @jupyter-widgets/html-manager) come from local npm
# copies pinned in package.json / package-lock.json. Run from the repository root; needs root for apt-get.
set -euo pipefail
cd "$(dirname "$0")/../.."

if [ ! -x /usr/bin/chromium ]; then
  echo "installing chromium"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq chromium > /dev/null
fi
/usr/bin/chromium --version 2>/dev/null || true

if ! npm ls --silent > /dev/null 2>&1; then
  echo "installing local copies of the CDN scripts (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error
fi

python -c "import playwright, pytest" 2>/dev/null || pip install -q playwright pytest
# Every page of the docs site: index and all numbered notebooks (scratch notebooks start with _).
default_pages=$(cd nbs && ls *.ipynb | grep -v '^_' | sed 's/\.ipynb$//' | paste -sd, -)
export TINYCNN_BROWSER_NOTEBOOKS=${TINYCNN_BROWSER_NOTEBOOKS:-$default_pages}
echo "pages: $TINYCNN_BROWSER_NOTEBOOKS"
python -m pytest tests/browser -q -p no:cacheprovider -rs "$@"
echo "screenshots: $PWD/tests/browser/screenshots"
