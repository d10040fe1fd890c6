#!/usr/bin/env bash
# QLoRA on the GPU machine (issue 6's QLoRA goals), engine side only — peft's QLoRA needs bitsandbytes, which the
# machine does not have, so the yardstick is our own bf16 LoRA on the same model and tokens:
#   1. Llama-3-8B shape, batch 4 x 2048, gradient checkpointing: LoRA, then QLoRA (quantization_bit 4) — tokens/s,
#      device memory, first/last loss;
#   2. under a 24 GB cap (max_vram_gb 24), batch 1, QLoRA: each --seq length in turn (default 16384 and 81920) —
#      trains, or the engine's out_of_memory error with the memory it needed and the lengths that fit.
# Reuses scripts/bench/engine-bench.sh's build and 8B model folder when they are there (same machine, same call
# sequence), else builds and writes them (test/reference/bench_peft.py --skip-peft).
# Usage: scripts/bench/qlora-bench.sh [--steps N] [--no-pair] [--seq N ...]   (--no-pair: only the 24 GB runs)   Logs and a table go to $OUT (or /tmp/qlora-bench).
set -uo pipefail
cd "$(dirname "$0")/../.."
OUTDIR="${OUT:-/tmp/qlora-bench}"
mkdir -p "$OUTDIR"
BUILD=/tmp/lathe-cuda-build
DIR=/tmp/engine-bench-work/llama3-8b
STEPS=5
PAIR=1
SEQS=()
while [ $# -gt 0 ]; do
  case "$1" in
    --steps) STEPS="$2"; shift ;;
    --no-pair) PAIR=0 ;;
    --seq) SEQS+=("$2"); shift ;;
  esac
  shift
done
[ ${#SEQS[@]} -eq 0 ] && SEQS=(16384 81920)
export PYTHONUNBUFFERED=1

if [ ! -x "$BUILD/lathe-engine" ]; then
  echo "== no build at $BUILD: building"
  OUT="$OUTDIR" scripts/bench/engine-bench.sh --build-only || exit 1
fi
[ -x "$BUILD/lathe-engine" ] || { echo "build failed"; exit 1; }
if [ ! -f "$DIR/model/config.json" ] || [ ! -f "$DIR/train.ltok" ]; then
  echo "== writing the 8B model and tokens $(date -u +%H:%M:%S)"
  rm -rf "$DIR"; mkdir -p "$DIR"
  python3 test/reference/bench_peft.py --shape llama3-8b --bsz 4 --out "$DIR" --skip-peft >/dev/null || exit 1
fi

# One engine run: NAME, MODEL folder, then engine config keys. Prints one JSON line of results.
run() {
  local name="$1" model="$2" keys="$3" d="$DIR/$1"
  rm -rf "$d"; mkdir -p "$d"
  cat >"$d/engine.json" <<JSON
{"model_dir": "$model", "output_dir": "$d/out", "device": "cuda:0", "lora_rank": 16, "lora_alpha": 32,
 "lora_dropout": 0.0, "lora_target": "all", "learning_rate": 1e-4, "lr_scheduler_type": "constant",
 "max_steps": $STEPS, "packing": false, "shuffle": false, "logging_steps": 1, "save_steps": 0, $keys}
JSON
  local t0=$SECONDS
  "$BUILD/lathe-engine" "$d/engine.json" >"$d/events" 2>"$d/err"
  local rc=$?
  { echo "## $name (exit $rc, $((SECONDS - t0)) s)"; grep -E '"(ready|error)"' "$d/events" | cut -c1-600; tail -5 "$d/err"; } >>"$OUTDIR/qlora-runs.log"
  # the first step pays the allocations and cuBLAS's heuristics: timed from the second
  python3 -c 'import json, sys; sys.path.insert(0, "scripts/bench"); from engine_events import summarise; print(json.dumps({"run": sys.argv[1], **summarise(sys.argv[2], 1)}))' "$name" "$d/events"
}

RESULTS="$OUTDIR/qlora.jsonl"
: >"$RESULTS"
if [ "$PAIR" = 1 ]; then
  echo "== 8B batch 4 x 2048, checkpointing: LoRA, then QLoRA $(date -u +%H:%M:%S)"
  base='"train_file": "'$DIR'/train.ltok", "per_device_train_batch_size": 4, "cutoff_len": 2048, "gradient_checkpointing": true'
  run lora "$DIR/model" "$base" | tee -a "$RESULTS"
  run qlora "$DIR/model" "$base, \"quantization_bit\": 4" | tee -a "$RESULTS"
fi

# Long context: the 8B config allows 8192 positions; a copy of the folder's config allows the length asked for
# (random weights, so no rope scaling is involved), with the weights linked, not copied.
for seq in "${SEQS[@]}"; do
  L="$DIR/long-$seq"
  mkdir -p "$L/model"
  for f in "$DIR"/model/*; do [ "$(basename "$f")" = config.json ] || ln -sf "$f" "$L/model/"; done
  python3 - "$DIR/model/config.json" "$L/model/config.json" "$seq" "$L/train.ltok" <<'PY'
import json, sys, random
sys.path.insert(0, "test/reference")
from bench_peft import write_ltok
src, dst, seq, ltok = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
cfg = json.load(open(src))
cfg["max_position_embeddings"] = max(cfg.get("max_position_embeddings", 0), seq)
json.dump(cfg, open(dst, "w"))
rng = random.Random(seq)
write_ltok(ltok, [[rng.randrange(cfg["vocab_size"]) for _ in range(seq)]], cfg["vocab_size"])
PY
  echo "== 8B QLoRA, 1 x $seq tokens, max_vram_gb 24 $(date -u +%H:%M:%S)"
  run "qlora-24gb-$seq" "$L/model" "\"train_file\": \"$L/train.ltok\", \"per_device_train_batch_size\": 1, \"cutoff_len\": $seq, \"quantization_bit\": 4, \"max_vram_gb\": 24" | tee -a "$RESULTS"
done

echo "== table $(date -u +%H:%M:%S)"
python3 - "$RESULTS" <<'PY' | tee "$OUTDIR/qlora-table.txt"
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
lora = next((r for r in rows if r["run"] == "lora"), {})
print("| run | tokens/s | vs LoRA | peak GiB | plan GiB | checkpointing | loss first / last | error |")
print("|---|---|---|---|---|---|---|---|")
for r in rows:
    ratio = round(r["tokens_per_s"] / lora["tokens_per_s"], 2) if r.get("tokens_per_s") and lora.get("tokens_per_s") else "-"
    print(f"| {r['run']} | {r.get('tokens_per_s', '-')} | {ratio} | {r.get('peak_gib', '-')} | {r.get('plan_gib', '-')} | "
          f"{r.get('checkpointing', '-')} | {r.get('loss_first', '-')} / {r.get('loss_last', '-')} | {r.get('error', '')} |")
PY
