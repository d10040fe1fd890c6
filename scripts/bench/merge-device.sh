#!/usr/bin/env bash
# One device call for the export work (GPU machine, no Node there): test/reference/export_check.py on the tiny
# fixture, then the merge benchmark — peft merge_and_unload + save_pretrained vs Lathe's merge, same base and
# adapter, Llama-3.2-1B shape first, then Llama-3-8B shape while time is left — and a tensor-by-tensor comparison
# of the two merged folders. Needs .device-carry/export/{node.xz,merge-bench.mjs,peft_merge_baseline.py,fixture};
# with merge-bench-before.mjs there too (an older bundle), that one runs on the same base and adapter after ours,
# then ours once more with no adapter (every tensor byte-copied: the read + write + fsync floor), while time is left.
# Usage: bash scripts/bench/merge-device.sh [seconds available, default 270] [shape ..., default llama3.2-1b llama3-8b]
set -u
LIMIT=${1:-270}
shift $(( $# > 0 ? 1 : 0 ))
SHAPES=("$@")
[ ${#SHAPES[@]} -eq 0 ] && SHAPES=(llama3.2-1b llama3-8b)
START=$SECONDS
C=.device-carry/export
O=${OUT:-/tmp/merge-device-out}
mkdir -p "$O"
left() { echo $((LIMIT - (SECONDS - START))); }
export PYTHONUNBUFFERED=1
xz -dc "$C/node.xz" > /tmp/node && chmod +x /tmp/node
echo "node $(/tmp/node --version) cores $(nproc) mem $(free -g | awk '/Mem/{print $2}')G disk $(df -h /tmp | awk 'NR==2{print $4}') free"
python3 -c 'import torch, transformers, peft; print("torch", torch.__version__, "transformers", transformers.__version__, "peft", peft.__version__)'
[ "${SKIP_CHECK:-0}" = 1 ] || timeout 100 python3 test/reference/export_check.py "$C/fixture" data/models/lathe-tiny-llama "$O/export_check.json" 2>&1 | grep -v Warning | tail -12
for shape in "${SHAPES[@]}"; do
  W=/tmp/mb-$shape
  [ "$(left)" -lt 70 ] && { echo "skip $shape: $(left) s left"; break; }
  echo "== $shape: peft (setup + measured merge/save), $(left) s left"
  timeout $(( $(left) - 15 )) python3 "$C/peft_merge_baseline.py" "$shape" "$W" 2>&1 | grep -v -i warn | tail -2 | tee "$O/peft-$shape.txt"
  [ "$(left)" -lt 15 ] && { echo "no time left for lathe on $shape"; break; }
  # disk: the 8B base (16 GB) + peft's merged copy + ours did not fit the machine's 46 GB free; peft's copy is only
  # needed for the tensor comparison, which runs on the 1B
  [ "$shape" = llama3.2-1b ] || rm -rf "$W/merged"
  echo "== $shape: lathe, $(left) s left"
  timeout $(( $(left) - 5 )) /tmp/node "$C/merge-bench.mjs" "$W/base" "$W/adapter" "$W/ours" bf16 5GB 2>&1 | tail -12 | tee "$O/lathe-$shape.txt"
  if [ "$shape" = llama3.2-1b ] && [ -d "$W/ours" ] && [ "$(left)" -gt 100 ]; then
    timeout 40 python3 test/reference/export_compare_merged.py "$W/merged" "$W/ours" 2>&1 | tail -1 | tee "$O/compare-$shape.txt"
  fi
  if [ -f "$C/merge-bench-before.mjs" ] && [ "$(left)" -gt 90 ]; then
    rm -rf "$W/ours" "$W/merged"   # disk: the 8B base, peft's and our output would not leave room for a fourth copy
    echo "== $shape: lathe before (older bundle), $(left) s left"
    timeout 40 /tmp/node "$C/merge-bench-before.mjs" "$W/base" "$W/adapter" "$W/before" bf16 5GB 2>&1 | tail -1 | tee "$O/lathe-before-$shape.txt"
    rm -rf "$W/before"
    echo "== $shape: lathe copy only (no adapter), $(left) s left"
    timeout 40 /tmp/node "$C/merge-bench.mjs" "$W/base" none "$W/copy" bf16 5GB 2>&1 | tail -1 | tee "$O/lathe-copy-$shape.txt"
    rm -rf "$W/copy"
  fi
  rm -rf "$W"
done
echo "done in $((SECONDS - START)) s"
