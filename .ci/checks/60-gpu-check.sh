#!/usr/bin/env bash
# bench/gpu_check.py in its CPU mode: every part of the GPU check run at small sizes on the CPU (each CUDA-only part
# prints one SKIPPED line saying why), and, once a GPU run's checkpoint and predictions are committed in tinycnn/assets/results,
# that this CPU still gives the same class as the GPU for all 10,000 MNIST test images. Exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ -z "${TINYCNN_DATA:-}" ]; then echo "GPU check (CPU mode) skipped: it compares predictions on the real MNIST test set, and there is none here"; exit 0; fi
out=$(mktemp -d /tmp/tinycnn-gpu-check.XXXXXX)
trap 'rm -rf "$out"' EXIT
start=$(date +%s)
python bench/gpu_check.py --device cpu --out "$out/gpu_check_cpu.json" --verify tinycnn/assets/results
echo "gpu_check CPU mode: $(( $(date +%s) - start )) s"
