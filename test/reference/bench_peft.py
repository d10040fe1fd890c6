"""Engine benchmark, reference side (run on the GPU machine by scripts/bench/engine-bench.sh).

For one shape: builds the random-initialised model (torch.manual_seed(0), bf16, on the GPU) from the same configs as
../shared/bench/peft_baseline.py, saves it as a model folder for lathe-engine, writes the same token ids as an .ltok
file (every token a target, as labels=input_ids), then measures transformers + peft on them (bf16 autocast, sdpa,
LoRA r=16 alpha=32 on all linear layers, gradient checkpointing on): tokens/s and peak allocated GiB.
Prints one JSON line. Does not run the engine (the shell script does, on the files written here)."""
import argparse, hashlib, json, os, struct, sys, time
import torch
from transformers import AutoModelForCausalLM, LlamaConfig, Qwen2Config
from peft import LoraConfig, get_peft_model

SHAPES = {
    "qwen2.5-0.5b": lambda: Qwen2Config(hidden_size=896, num_hidden_layers=24, num_attention_heads=14, num_key_value_heads=2,
                                        intermediate_size=4864, vocab_size=151936, tie_word_embeddings=True,
                                        max_position_embeddings=32768, rope_theta=1e6),
    "llama3.2-1b": lambda: LlamaConfig(hidden_size=2048, num_hidden_layers=16, num_attention_heads=32, num_key_value_heads=8,
                                       intermediate_size=8192, vocab_size=128256, tie_word_embeddings=True,
                                       max_position_embeddings=8192, rope_theta=5e5),
    "llama3-8b": lambda: LlamaConfig(hidden_size=4096, num_hidden_layers=32, num_attention_heads=32, num_key_value_heads=8,
                                     intermediate_size=14336, vocab_size=128256, tie_word_embeddings=False,
                                     max_position_embeddings=8192, rope_theta=5e5),
}


def write_ltok(path, rows, vocab):
    """native/docs/tokenized-dataset.md, version 1: one record per row, every token a target."""
    n_rec = len(rows)
    toks = [t for r in rows for t in r]
    offsets = [0]
    for r in rows:
        offsets.append(offsets[-1] + len(r))
    body = struct.pack("<%dQ" % (n_rec + 1), *offsets) + struct.pack("<%dI" % len(toks), *toks) + bytes([1]) * len(toks)
    header = b"LATHETOK" + struct.pack("<IIQQII", 1, 4, n_rec, len(toks), vocab, 0) + hashlib.sha256(body).digest()
    header += b"\0" * (128 - len(header))
    with open(path, "wb") as f:
        f.write(header + body)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--shape", required=True, choices=sorted(SHAPES))
    ap.add_argument("--seq", type=int, default=2048)
    ap.add_argument("--bsz", type=int, required=True)
    ap.add_argument("--steps", type=int, default=6)
    ap.add_argument("--warm", type=int, default=2)
    ap.add_argument("--out", required=True, help="folder for model/ and train.ltok")
    ap.add_argument("--skip-peft", action="store_true")
    a = ap.parse_args()
    torch.manual_seed(0)
    cfg = SHAPES[a.shape]()
    cfg._attn_implementation = "sdpa"
    with torch.device("cuda"):
        model = AutoModelForCausalLM.from_config(cfg, torch_dtype=torch.bfloat16)
    g = torch.Generator(device="cuda").manual_seed(1)
    ids = torch.randint(0, cfg.vocab_size, (a.bsz, a.seq), device="cuda", generator=g)
    os.makedirs(a.out, exist_ok=True)
    t0 = time.time()
    model.save_pretrained(os.path.join(a.out, "model"), safe_serialization=True)
    write_ltok(os.path.join(a.out, "train.ltok"), ids.cpu().tolist(), cfg.vocab_size)
    save_s = time.time() - t0
    res = dict(shape=a.shape, seq=a.seq, bsz=a.bsz, save_s=round(save_s, 1))
    if a.skip_peft:
        print(json.dumps(res), flush=True)
        return
    model.gradient_checkpointing_enable(gradient_checkpointing_kwargs={"use_reentrant": False})
    model.enable_input_require_grads()
    lcfg = LoraConfig(r=16, lora_alpha=32, lora_dropout=0.0, task_type="CAUSAL_LM",
                      target_modules=["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"])
    model = get_peft_model(model, lcfg)
    for p in model.parameters():
        if p.requires_grad:
            p.data = p.data.float()
    opt = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=1e-4)
    torch.cuda.reset_peak_memory_stats()
    losses = []
    for i in range(a.steps + a.warm):
        if i == a.warm:
            torch.cuda.synchronize()
            t0 = time.time()
        with torch.autocast("cuda", dtype=torch.bfloat16):
            out = model(input_ids=ids, labels=ids)
        out.loss.backward()
        opt.step()
        opt.zero_grad(set_to_none=True)
        losses.append(round(out.loss.item(), 4))
    torch.cuda.synchronize()
    dt = time.time() - t0
    res.update(peft_tokens_per_s=round(a.steps * a.bsz * a.seq / dt), peft_peak_gib=round(torch.cuda.max_memory_allocated() / 2**30, 2),
               peft_loss_first=losses[0], peft_loss_last=losses[-1])
    print(json.dumps(res), flush=True)


if __name__ == "__main__":
    sys.exit(main())
