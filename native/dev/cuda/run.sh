#!/usr/bin/env bash
# Builds and runs one dev harness of this folder against the engine's CPU reference: run.sh NAME [args...]
# (NAME.cu here; sm_90 by default, CUDA_ARCH=86 etc. to change). Not part of CMake or CI.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
src="$here/../../src"
name="$1"; shift
out="/tmp/lathe-dev-$name"
# the CPU references the harnesses check against, and what they rest on
refs=("$src/cpu/nf4.cpp" "$src/cpu/cross-entropy.cpp" "$src/cpu/attention.cpp" "$src/cpu/parallel.cpp" "$src/platform/platform.cpp"
      "$src/core/status.cpp" "$src/core/rng.cpp")
extra=()
if [ "$name" = flash-attn ]; then
  # times the engine's attention path too: its launchers, the context helpers and cuBLAS (the toolkit's, or the pip
  # wheel nvidia-cublas that torch brings, found as scripts/bench/engine-bench.sh does)
  extra=("$src/cuda/attention-gemm.cu" "$src/cuda/common.cu" -lcublas)
  if ! ls /usr/local/cuda/lib64/libcublas.so* >/dev/null 2>&1; then
    wheel=$(python3 -c 'import nvidia, os; print(os.path.join(list(nvidia.__path__)[0], "cu13"))' 2>/dev/null || true)
    if [ -n "$wheel" ] && [ -e "$wheel/lib/libcublas.so.13" ]; then
      mkdir -p /tmp/cublas-link/lib
      for l in cublas cublasLt; do ln -sf "$wheel/lib/lib$l.so.13" "/tmp/cublas-link/lib/lib$l.so"; done
      extra+=(-I"$wheel/include" -L/tmp/cublas-link/lib)
      export LD_LIBRARY_PATH="$wheel/lib:${LD_LIBRARY_PATH:-}"
    fi
  fi
fi
nvcc -O3 -std=c++17 -arch=sm_${CUDA_ARCH:-90} -I"$src" "$here/$name.cu" "${refs[@]}" "${extra[@]}" -o "$out"
"$out" "$@"
