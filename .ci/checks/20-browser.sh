#!/usr/bin/env bash
# Browser tests: every page of the docs site that 10-docs.sh built (_docs/, by nbdev_docs and the real Quarto), served on
# 127.0.0.1 and checked in headless Chromium (Debian's, driven by Playwright from PyPI: no browser download), then every
# tests/browser/test_*.py. The CDN scripts the pages ask for (require.js, jQuery, @jupyter-widgets/html-manager) come from
# local npm copies pinned in package.json / package-lock.json. Screenshots: tests/browser/screenshots/ (PAGE-1280.png,
# PAGE-390.png, ...). Run from the repository root; needs root for apt-get.
set -euo pipefail
cd "$(dirname "$0")/../.."

SUDO=$([ "$(id -u)" = 0 ] || echo sudo)
if [ ! -x /usr/bin/chromium ]; then
  echo "installing chromium"
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium > /dev/null
fi
/usr/bin/chromium --version 2>/dev/null || true

if ! npm ls --silent > /dev/null 2>&1; then
  echo "installing local copies of the CDN scripts (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error
fi

python -c "import playwright, pytest" 2>/dev/null || pip install -q playwright pytest
[ -f _docs/index.html ] || bash .ci/checks/10-docs.sh
if [ -f _docs/index.html ]; then
  echo "pages: $(cd _docs && find . -name '*.html' | sort | sed 's#^./##' | paste -sd' ' -)"
  tests=(tests/browser/test_*.py)
else  # no Quarto, no site: the explorers are still checked, each on a standalone page
  echo "no built site (_docs/): the tests of the site's pages are skipped; the explorers are checked on standalone pages"
  tests=($(ls tests/browser/test_*.py | grep -v 'test_site'))
fi
start=$(date +%s)
python -m pytest "${tests[@]}" -q -p no:cacheprovider -rs "$@"
echo "browser tests: $(( $(date +%s) - start )) s; screenshots: $PWD/tests/browser/screenshots"
