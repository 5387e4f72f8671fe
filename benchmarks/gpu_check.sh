#!/usr/bin/env bash
# The GPU check (tests on "cuda", the GPU benchmark, one example) in under 8 minutes; writes a
# summary to $1 (default runs/gpu_check.txt). Installs nothing. See benchmarks/gpu_check.py.
cd "$(dirname "$0")/.." || exit 1
exec python3 benchmarks/gpu_check.py "$@"
