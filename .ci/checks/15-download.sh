#!/usr/bin/env bash
# MNIST downloaded as a new user meets it, from a local mirror, then a damaged file on the mirror: tests/download/.
set -euo pipefail
cd "$(dirname "$0")/../.."
bash tests/download/test_download.sh
