#!/usr/bin/env python3
"""Tokens/s of the Python `tokenizers` library on Lathe's fixed benchmark text (the same text
scripts/bench/tokenizer-bench.mjs feeds our TypeScript tokenizer). Prints one JSON line.

usage: python3 scripts/bench/tokenizer_bench.py TOKENIZER.json|FIXTURE.json [REPEAT]
"""
import json
import os
import sys
import time

from tokenizers import Tokenizer

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def bench_lines(repeat):
    with open(os.path.join(REPO, "scripts", "make-tiny-model.corpus.txt"), encoding="utf-8") as f:
        lines = [l for l in f.read().split("\n") if l and not l.startswith("## ")]
    return lines * repeat


def load(path):
    with open(path, encoding="utf-8") as f:
        doc = json.load(f)
    return Tokenizer.from_str(json.dumps(doc.get("tokenizer", doc)))


def main():
    tok = load(sys.argv[1])
    repeat = int(sys.argv[2]) if len(sys.argv) > 2 else 50
    lines = bench_lines(repeat)
    chars = sum(len(l) for l in lines)
    tok.encode_batch(lines[:200], add_special_tokens=False)  # warm-up
    t0 = time.perf_counter()
    enc = tok.encode_batch(lines, add_special_tokens=False)
    t_batch = time.perf_counter() - t0
    tokens = sum(len(e.ids) for e in enc)
    t0 = time.perf_counter()
    for l in lines:
        tok.encode(l, add_special_tokens=False)
    t_loop = time.perf_counter() - t0
    print(json.dumps({
        "impl": "python-tokenizers", "file": os.path.basename(sys.argv[1]), "lines": len(lines), "chars": chars, "tokens": tokens,
        "encode_batch_s": round(t_batch, 4), "encode_batch_tokens_per_s": round(tokens / t_batch),
        "encode_loop_s": round(t_loop, 4), "encode_loop_tokens_per_s": round(tokens / t_loop),
        "rayon_threads": os.environ.get("RAYON_NUM_THREADS", "default"), "cpus": os.cpu_count(),
    }))


if __name__ == "__main__":
    main()
