#!/usr/bin/env bash
# MNIST downloaded as a new user meets it, from a local mirror, then a damaged file on the mirror: tests/download/.
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ -z "${TINYCNN_DATA:-}" ]; then echo "download check skipped: the local mirror serves the real MNIST, and there is none here"; exit 0; fi
bash tests/download/test_download.sh
