# End-to-end check on the GPU machine (CPU compute): the engine trains on a fixture model and its adapter loads
# with PeftModel.from_pretrained unchanged; the engine's first loss equals HF's; engine greedy generation with the
# adapter equals a transformers + peft greedy loop. It does not build the engine (the device command does).
# Usage: python3 test/reference/check_peft_load.py --engine PATH --fixture DIR/llama --work DIR
import argparse
import hashlib
import json
import os
import struct
import subprocess

import torch
from peft import PeftModel
from safetensors.torch import load_file
from transformers import AutoModelForCausalLM


def write_ltok(path, records, vocab):
    offsets, toks, mask = [0], [], []
    for r in records:
        toks += r["tokens"]
        mask += r["mask"]
        offsets.append(len(toks))
    body = struct.pack(f"<{len(offsets)}Q", *offsets) + struct.pack(f"<{len(toks)}H", *toks) + bytes(mask)
    head = b"LATHETOK" + struct.pack("<IIQQII", 1, 2, len(records), len(toks), vocab, 0) + hashlib.sha256(body).digest()
    head += b"\0" * (128 - len(head))
    with open(path, "wb") as f:
        f.write(head + body)


def run_engine(engine, cfg, path):
    with open(path, "w") as f:
        json.dump(cfg, f)
    p = subprocess.run([engine, path], capture_output=True, text=True, timeout=300)
    events = [json.loads(line) for line in p.stdout.splitlines() if line.startswith("{")]
    print(f"engine rc={p.returncode} events={[e['event'] for e in events][:12]}... stderr={p.stderr[-300:]!r}", flush=True)
    return p.returncode, events


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--engine", required=True)
    ap.add_argument("--fixture", required=True)
    ap.add_argument("--work", required=True)
    a = ap.parse_args()
    os.makedirs(a.work, exist_ok=True)
    fx = json.load(open(os.path.join(a.fixture, "fixture.json")))
    model_dir = os.path.join(a.fixture, "model")
    ltok = os.path.join(a.work, "train.ltok")
    write_ltok(ltok, fx["records"], 256)
    out_dir = os.path.join(a.work, "run")
    rc, ev = run_engine(a.engine, {
        "mode": "train", "model_dir": model_dir, "train_file": ltok, "output_dir": out_dir, "device": "cpu",
        "lora_rank": 4, "lora_alpha": 8, "lora_target": "all", "learning_rate": 1e-2, "max_steps": 4,
        "per_device_train_batch_size": 1, "gradient_accumulation_steps": 1, "cutoff_len": 64, "shuffle": False,
        "lr_scheduler_type": "constant", "seed": 3}, os.path.join(a.work, "train.json"))
    steps = [e for e in ev if e["event"] == "step"]
    assert rc == 0 and steps, "engine training failed"

    base = AutoModelForCausalLM.from_pretrained(model_dir, dtype=torch.float32)
    base.eval()
    # HF loss of record 0 alone with the base model (the fresh adapter has B = 0, so step 1 sees the base model)
    rec = fx["records"][0]
    ids = torch.tensor([rec["tokens"]])
    labels = torch.tensor([[t if (m and i > 0) else -100 for i, (t, m) in enumerate(zip(rec["tokens"], rec["mask"]))]])
    with torch.no_grad():
        hf_loss = float(base(input_ids=ids, labels=labels).loss)
    print(f"first-step loss: engine={steps[0]['loss']:.7f} hf={hf_loss:.7f} rel={abs(steps[0]['loss'] - hf_loss) / hf_loss:.2e}")

    peft_model = PeftModel.from_pretrained(base, out_dir)
    peft_model.eval()
    saved = load_file(os.path.join(out_dir, "adapter_model.safetensors"))
    sd = {k.replace(".default", ""): v for k, v in peft_model.state_dict().items() if "lora_" in k}
    missing = sorted(set(saved) - set(sd))
    max_diff = max(float((sd[k] - v).abs().max()) for k, v in saved.items() if k in sd)
    print(f"PEFT load: {len(saved)} tensors in file, {len(sd)} lora tensors in model, missing={missing[:3]}, max|diff|={max_diff:.3g}")
    print("PEFT_LOAD_OK" if not missing and len(saved) == len(sd) and max_diff == 0.0 else "PEFT_LOAD_FAIL")

    prompt = fx["records"][2]["tokens"][:6]
    seq = list(prompt)
    with torch.no_grad():
        for _ in range(8):
            nxt = int(peft_model(input_ids=torch.tensor([seq])).logits[0, -1].argmax())
            seq.append(nxt)
    hf_gen = seq[len(prompt):]
    rc, ev = run_engine(a.engine, {"mode": "generate", "model_dir": model_dir, "adapter_dir": out_dir, "device": "cpu",
                                   "prompt_tokens": prompt, "max_new_tokens": 8}, os.path.join(a.work, "gen.json"))
    gen = [e for e in ev if e["event"] == "generation"]
    eng_gen = gen[0]["tokens"] if gen else None
    print(f"greedy with adapter: engine={eng_gen} hf+peft={hf_gen}")
    print("GENERATE_MATCH" if eng_gen == hf_gen else "GENERATE_MISMATCH")


if __name__ == "__main__":
    main()
