#!/usr/bin/env bash
# The docs site, built for real: Quarto (see .ci/quarto.sh), then
# `nbdev_docs` into _docs/. Writes each page's size and render time to tests/browser/screenshots/pages.tsv (kept by CI
# with the screenshots); 20-browser.sh then opens every page in Chromium. Run from anywhere in the repository.
set -euo pipefail
cd "$(dirname "$0")/../.."
source .ci/quarto.sh
if [ -n "${TINYCNN_NO_QUARTO:-}" ]; then echo "docs not built: no Quarto"; exit 0; fi
REPORT=tests/browser/screenshots
mkdir -p "$REPORT"
rm -rf _docs _proc
start=$(date +%s)
# Quarto prints "[i/n] NAME.ipynb" as it starts each page: stamp each line to time the pages.
nbdev_docs 2>&1 | python3 -u -c '
import re, sys, time
t0, last, times = time.time(), None, {}
for line in sys.stdin:
    sys.stdout.write(line)
    now = time.time()
    if m := re.search(r"\[\s*\d+/\d+\]\s+(\S+\.(?:ipynb|qmd|md))", line):
        if last: times[last] = now - times[last]
        last, times[m[1]] = m[1], now
    elif last and line.startswith("Output created"): times[last] = now - times[last]; last = None
with open(sys.argv[1], "w") as f:
    for name, s in times.items(): f.write(f"{name}\t{s:.1f}\n")
' "$REPORT/render-times.tsv"
echo "nbdev_docs: $(( $(date +%s) - start )) s"
test -f _docs/index.html && test -s _docs/search.json || { echo "nbdev_docs made no site (no _docs/index.html or search.json)"; exit 1; }
python3 - "$REPORT" <<'PY'
import re, sys
from pathlib import Path
report = Path(sys.argv[1])
times = dict(l.split('\t') for l in (report/'render-times.tsv').read_text().splitlines() if l)
rows = []
for page in sorted(p for p in Path('_docs').rglob('*.html') if 'site_libs' not in p.parts):
    src = next((n for n in times if re.sub(r'^\d+_', '', Path(n).stem) == page.stem), '')
    rows.append((page.relative_to('_docs').as_posix(), page.stat().st_size, src, times.get(src, '').strip()))
(report/'pages.tsv').write_text('page\tbytes\tsource\trender_s\n' + ''.join('\t'.join(map(str, r)) + '\n' for r in rows))
for r in rows: print(f'{r[0]:24s} {r[1] / 1e3:8.0f} kB  {r[2]:28s} {r[3]:>6s} s')
PY
