#!/usr/bin/env bash
# The index and every numbered notebook run top to bottom in a fresh kernel, each alone in an empty folder, as in
# Colab: no nbdev flags honoured (slow cells run too), within 10 minutes each.
set -euo pipefail
python tools/run_fresh.py --limit 600 2> >(grep -v "Kernel is running over TCP" >&2)
