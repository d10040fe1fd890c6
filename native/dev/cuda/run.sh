#!/usr/bin/env bash
# Builds and runs one dev harness of this folder against the engine's CPU reference: run.sh NAME [args...]
# (NAME.cu here; sm_90 by default, CUDA_ARCH=86 etc. to change). Not part of CMake or CI.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
src="$here/../../src"
name="$1"; shift
out="/tmp/lathe-dev-$name"
# the CPU references the harnesses check against, and what they rest on
refs=("$src/cpu/nf4.cpp" "$src/cpu/cross-entropy.cpp" "$src/cpu/parallel.cpp" "$src/platform/platform.cpp" "$src/core/status.cpp" "$src/core/rng.cpp")
nvcc -O3 -std=c++17 -arch=sm_${CUDA_ARCH:-90} -I"$src" "$here/$name.cu" "${refs[@]}" -o "$out"
"$out" "$@"
