#!/usr/bin/env bash
# Engine benchmark on the GPU machine: builds lathe-engine with the CUDA backend for sm_90, optionally runs the GPU
# tests, then for each shape trains the SAME random-initialised model on the SAME tokens with transformers + peft
# (test/reference/bench_peft.py) and with lathe-engine, in this one call, and prints a table with the ratios.
# Usage: scripts/bench/engine-bench.sh [--tests] [--build-only] [--steps N] [--engine 'KEYS'] [shape[:batch] ...]   (default: the three
# issue shapes). --engine adds engine config keys, e.g. --engine '"gradient_checkpointing": true, "max_vram_gb": 24'.
# Logs and JSON lines go to $OUT (or /tmp/engine-bench). Does not install anything.
set -uo pipefail
cd "$(dirname "$0")/../.."
OUTDIR="${OUT:-/tmp/engine-bench}"
mkdir -p "$OUTDIR"
WORK=/tmp/engine-bench-work
BUILD=/tmp/lathe-cuda-build
RUN_TESTS=0
BUILD_ONLY=0
PROFILE=0
STEPS=6
WARM=2
ENGINE_KEYS=""
SHAPES=()
while [ $# -gt 0 ]; do
  case "$1" in
    --tests) RUN_TESTS=1 ;;
    --build-only) BUILD_ONLY=1 ;;
    --profile) PROFILE=1 ;;
    --steps) STEPS="$2"; shift ;;
    --engine) ENGINE_KEYS=", $2"; shift ;;
    *) SHAPES+=("$1") ;;
  esac
  shift
done
[ ${#SHAPES[@]} -eq 0 ] && SHAPES=(qwen2.5-0.5b:8 llama3.2-1b:8 llama3-8b:4)
export PYTHONUNBUFFERED=1

echo "== build (sm_90) $(date -u +%H:%M:%S)"
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader
EXTRA=()
# Some images ship nvcc without cuBLAS in the toolkit but with the pip wheel nvidia-cublas (torch's): point CMake at it.
if ! ls /usr/local/cuda/lib64/libcublas.so* /usr/local/cuda/lib/libcublas.so* >/dev/null 2>&1; then
  wheel=$(python3 -c 'import nvidia, os; print(os.path.join(list(nvidia.__path__)[0], "cu13"))' 2>/dev/null)
  if [ -n "$wheel" ] && [ -e "$wheel/lib/libcublas.so.13" ]; then
    mkdir -p /tmp/cublas-link/lib
    for l in cublas cublasLt; do ln -sf "$wheel/lib/lib$l.so.13" "/tmp/cublas-link/lib/lib$l.so"; done
    EXTRA=(-DCMAKE_LIBRARY_PATH=/tmp/cublas-link/lib "-DCMAKE_CXX_FLAGS=-I$wheel/include" "-DCMAKE_CUDA_FLAGS=-I$wheel/include")
    export LD_LIBRARY_PATH="$wheel/lib:${LD_LIBRARY_PATH:-}"
    echo "cuBLAS from the pip wheel: $wheel"
  fi
fi
cmake -S native -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DCMAKE_CUDA_ARCHITECTURES=90 "${EXTRA[@]}" >"$OUTDIR/build.log" 2>&1 &&
  cmake --build "$BUILD" -j"$(nproc)" >>"$OUTDIR/build.log" 2>&1 || { tail -40 "$OUTDIR/build.log"; exit 1; }
grep -E "lathe:" "$OUTDIR/build.log"
grep -q "CUDA backend ON" "$OUTDIR/build.log" || { echo "no CUDA backend in this build"; exit 1; }
[ "$BUILD_ONLY" = 1 ] && exit 0

if [ "$RUN_TESTS" = 1 ]; then
  echo "== GPU tests $(date -u +%H:%M:%S)"
  (cd "$BUILD" && ctest -L gpu --output-on-failure && ./test-cuda-parity) >"$OUTDIR/tests.log" 2>&1
  grep -E "FAIL|op cases|checks|steps,|greedy|tests passed" "$OUTDIR/tests.log"
  echo "== CPU tests with no GPU visible $(date -u +%H:%M:%S)"
  (cd "$BUILD" && CUDA_VISIBLE_DEVICES= ctest -LE gpu) 2>&1 | tail -4 | tee -a "$OUTDIR/tests.log"
fi

RESULTS="$OUTDIR/bench.jsonl"
: >"$RESULTS"
for spec in "${SHAPES[@]}"; do
  shape="${spec%%:*}"; bsz="${spec#*:}"; [ "$bsz" = "$spec" ] && bsz=8
  dir="$WORK/$shape"
  rm -rf "$dir"; mkdir -p "$dir"
  echo "== $shape batch $bsz: transformers + peft $(date -u +%H:%M:%S)"
  python3 test/reference/bench_peft.py --shape "$shape" --bsz "$bsz" --steps "$STEPS" --warm "$WARM" --out "$dir" \
    >"$dir/peft.json" 2>"$dir/peft.err" || tail -5 "$dir/peft.err"
  { echo "## peft $shape"; tail -20 "$dir/peft.err"; } >>"$OUTDIR/errors.log"
  cat "$dir/peft.json"
  echo "== $shape batch $bsz: lathe-engine $(date -u +%H:%M:%S)"
  cat >"$dir/engine.json" <<JSON
{"model_dir": "$dir/model", "train_file": "$dir/train.ltok", "output_dir": "$dir/out", "device": "cuda:0",
 "lora_rank": 16, "lora_alpha": 32, "lora_dropout": 0.0, "lora_target": "all", "learning_rate": 1e-4,
 "lr_scheduler_type": "constant", "max_steps": $((STEPS + WARM)), "per_device_train_batch_size": $bsz,
 "cutoff_len": 2048, "packing": false, "shuffle": false, "logging_steps": 1$ENGINE_KEYS}
JSON
  "$BUILD/lathe-engine" "$dir/engine.json" >"$dir/engine.events" 2>"$dir/engine.err"
  echo "exit $?"; grep -E '"(ready|error)"' "$dir/engine.events" | cut -c1-400
  { echo "## engine $shape"; tail -20 "$dir/engine.err"; } >>"$OUTDIR/errors.log"
  if [ "$PROFILE" = 1 ] && [ "$shape" != llama3-8b ]; then  # per-op breakdown (synchronised per op), 2 steps
    sed -e "s/\"max_steps\": [0-9]*/\"max_steps\": 2/" -e "s|$dir/out|$dir/out-prof|" "$dir/engine.json" >"$dir/engine-prof.json"
    LATHE_CUDA_PROFILE=1 "$BUILD/lathe-engine" "$dir/engine-prof.json" >/dev/null 2>"$dir/profile.txt"
    { echo "## $shape batch $bsz, 2 steps"; cat "$dir/profile.txt"; } | tee -a "$OUTDIR/profile.txt" | head -14
  fi
  python3 - "$dir" "$WARM" >>"$RESULTS" <<'PY'
import json, sys
sys.path.insert(0, "scripts/bench")
from engine_events import summarise
d, warm = sys.argv[1], int(sys.argv[2])
res = {}
try:
    res = json.load(open(d + "/peft.json"))
except Exception as e:
    res = {"peft_error": str(e)[:200]}
res.update(summarise(d + "/engine.events", warm, "ours_"))
print(json.dumps(res))
PY
  tail -1 "$RESULTS"
done

echo "== table $(date -u +%H:%M:%S)"
python3 - "$RESULTS" <<'PY' | tee "$OUTDIR/table.txt"
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
print("| shape | batch x seq | peft tok/s | peft GiB | ours tok/s | ours GiB | speed x | memory x | loss step 1 peft / ours |")
print("|---|---|---|---|---|---|---|---|---|")
f = lambda x: "-" if x is None else x
for r in rows:
    pt, pm, ot, om = r.get("peft_tokens_per_s"), r.get("peft_peak_gib"), r.get("ours_tokens_per_s"), r.get("ours_peak_gib")
    sp = round(ot / pt, 2) if pt and ot else None
    mr = round(om / pm, 2) if pm and om else None
    note = r.get("ours_error", "")
    print(f"| {r.get('shape')} | {r.get('bsz')} x {r.get('seq')} | {f(pt)} | {f(pm)} | {f(ot)} | {f(om)} | {f(sp)} | {f(mr)} | "
          f"{f(r.get('peft_loss_first'))} / {f(r.get('ours_loss_first'))} {note} |")
PY
