#!/usr/bin/env bash
# Tokenizer throughput, ours vs Python `tokenizers`, in ONE call on the same machine and the same text.
# Run on the GPU machine (it has Python tokenizers but no Node) with a carried Node binary and tokenizer bundle:
#   prepare here:  node scripts/bench/make-tokenizer-bundle.mjs && xz -T2 -6 -c "$(command -v node)" > .device-carry/node.xz
#   run there:     bash scripts/bench/tokenizer-same-call.sh     (device `carry`: [".device-carry"])
# Prints one JSON line per measurement and a table with the ratio ours / Python (1 thread each).
set -euo pipefail
cd "$(dirname "$0")/../.."
NODE=${NODE:-node}
if ! command -v "$NODE" >/dev/null 2>&1; then
  xz -d -c .device-carry/node.xz > /tmp/lathe-node && chmod +x /tmp/lathe-node && NODE=/tmp/lathe-node
fi
export LATHE_TOKENIZER_BUNDLE=${LATHE_TOKENIZER_BUNDLE:-$PWD/.device-carry/tokenizer.mjs}
out=$(mktemp)
for name in tiny qwen2 llama3 llama2; do
  f=test/fixtures/tokenizer/$name.json
  for i in 1 2 3; do
    RAYON_NUM_THREADS=1 python3 scripts/bench/tokenizer_bench.py "$f" 50 | tee -a "$out"
    "$NODE" scripts/bench/tokenizer-bench.mjs "$f" 50 | tee -a "$out"
  done
done
python3 - "$out" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
def best(impl, fx, key="encode_loop_tokens_per_s"):
    vals = [r[key] for r in rows if r["impl"] == impl and r["file"] == fx + ".json" and key in r]
    return max(vals) if vals else None
print("\nBest of 3, encode() per line, 1 thread each, same text and tokenizer file, same machine and call.")
print("| tokenizer | Python tokenizers (tok/s) | Lathe TS (tok/s) | ratio |")
print("|---|---|---|---|")
for fx in ["tiny", "qwen2", "llama3", "llama2"]:
    p, l = best("python-tokenizers", fx), best("lathe-ts", fx)
    print(f"| {fx} | {p:,.0f} | {l:,.0f} | {l / p:.2f}x |" if p and l else f"| {fx} | {p} | {l} | — |")
PY
