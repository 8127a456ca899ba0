#!/usr/bin/env bash
# MNIST downloads as a new user meets it: a fresh HOME, no data anywhere and no TINYCNN_DATA; `tinycnn_train --dataset
# mnist` downloads (from a mirror on 127.0.0.1 serving gzipped copies of the real files, named by TINYCNN_MIRROR), checks
# and trains. Then a damaged file on the mirror: a one-line error naming it, nothing of it kept; then the good file
# back: the same command completes the download and trains.
#
#   TINYCNN_DATA=/path/to/data bash tests/download/test_download.sh   # run by .ci/checks/15-download.sh
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
SRC=$(cd "${TINYCNN_DATA:?TINYCNN_DATA must name a folder holding MNIST}" && pwd)/MNIST/raw
WORK=$(mktemp -d)
SERVER=
trap '[ -z "$SERVER" ] || kill "$SERVER" 2>/dev/null; rm -rf "$WORK"' EXIT
mkdir -p "$WORK/mirror"
for f in "$SRC"/*-ubyte; do gzip -1 -c "$f" > "$WORK/mirror/$(basename "$f").gz"; done
python "$HERE/mirror.py" "$WORK/mirror" "$WORK/port" &
SERVER=$!
for _ in $(seq 100); do [ -s "$WORK/port" ] && break; sleep 0.1; done
export TINYCNN_MIRROR="http://127.0.0.1:$(cat "$WORK/port")"
unset TINYCNN_DATA XDG_CACHE_HOME
train() { HOME=$1 tinycnn_train --dataset mnist --epochs 1 --no-progress --out "$1/run"; }
raw() { echo "$1/.cache/tinycnn/MNIST/raw"; }

echo "1. a fresh HOME: download, check, train"
start=$(date +%s)
train "$WORK/home1" > "$WORK/out1" 2> "$WORK/err1" || { cat "$WORK/out1" "$WORK/err1"; exit 1; }
grep -q "100%" "$WORK/err1" || { echo "no progress bar was shown"; cat "$WORK/err1"; exit 1; }
for f in "$SRC"/*-ubyte; do cmp "$f" "$(raw "$WORK/home1")/$(basename "$f")"; done
test -f "$WORK/home1/run/metrics.json"
echo "   downloaded the 4 files, identical to the originals, and trained in $(( $(date +%s) - start )) s: $(tail -1 "$WORK/out1")"

echo "2. a damaged file on the mirror: one clear line, nothing of it kept"
BAD=t10k-images-idx3-ubyte
mv "$WORK/mirror/$BAD.gz" "$WORK/good.gz"
python -c "import gzip, sys; b = bytearray(open(sys.argv[1], 'rb').read()); b[-1] ^= 0xFF; open(sys.argv[2], 'wb').write(gzip.compress(bytes(b)))" "$SRC/$BAD" "$WORK/mirror/$BAD.gz"
if train "$WORK/home2" > "$WORK/out2" 2> "$WORK/err2"; then echo "a damaged download trained"; exit 1; fi
grep -v '%|' "$WORK/err2" | grep -v '^\s*$' > "$WORK/msg2" || true
cat "$WORK/msg2"
[ "$(wc -l < "$WORK/msg2")" = 1 ] && grep -q "$BAD has md5" "$WORK/msg2" || { echo "expected one line naming $BAD"; exit 1; }
if grep -q Traceback "$WORK/err2"; then echo "a traceback"; exit 1; fi
[ "$(ls -A "$(raw "$WORK/home2")")" = "$(printf 'train-images-idx3-ubyte\ntrain-labels-idx1-ubyte')" ] \
  || { echo "unexpected files left: $(ls -A "$(raw "$WORK/home2")")"; exit 1; }

echo "3. the good file back on the mirror: the same command completes the download and trains"
mv "$WORK/good.gz" "$WORK/mirror/$BAD.gz"
train "$WORK/home2" > "$WORK/out3" 2> "$WORK/err3" || { cat "$WORK/out3" "$WORK/err3"; exit 1; }
for f in "$SRC"/*-ubyte; do cmp "$f" "$(raw "$WORK/home2")/$(basename "$f")"; done
test -f "$WORK/home2/run/metrics.json"
echo "   $(tail -1 "$WORK/out3")"
echo "download check: 3 passed, 0 failed"
