# Reference dump for the native engine's parity tests (llm.c train_gpt2.py write_state style), run on the GPU
# machine where torch + transformers + peft exist. Computes everything on the CPU in fp32 so it is deterministic.
# It does not test the engine itself: native/tests/test-parity.cpp compares the engine against what this writes.
#
# Usage: python3 test/reference/make_engine_fixture.py --out DIR
# Writes DIR/<variant>/ for variant in llama (llama3 rope, GQA, untied, bf16 sharded weights),
# qwen2 (q/k/v bias, tied embeddings, f16 weights), qwen3 (q/k norm, rsLoRA, target subset, f32 weights) and
# mistral (sliding window 8 < record length, linear rope scaling, MLP + o targets, constant_with_warmup):
#   model/                  HF folder (config.json + safetensors)
#   adapter_init/           PEFT adapter (A as PEFT initialises it, B set to small random values so that every
#                           gradient is non-trivial) — the engine starts from it (adapter_dir)
#   reference.safetensors   step-0 LoRA gradients ("<peft name>"), final adapter after N steps ("final.<peft name>"),
#                           logits of record 0 alone ("logits.record0")
#   fixture.json            records, micro-batches (rows of packed record indices), hyper-parameters, per-step
#                           losses / grad norms / learning rates
import argparse
import json
import math
import os

import torch
from peft import LoraConfig, get_peft_model
from safetensors.torch import save_file
from transformers import (LlamaConfig, LlamaForCausalLM, MistralConfig, MistralForCausalLM, Qwen2Config,
                          Qwen2ForCausalLM, Qwen3Config, Qwen3ForCausalLM, get_constant_schedule_with_warmup,
                          get_cosine_schedule_with_warmup, get_linear_schedule_with_warmup)

VOCAB = 256
BASE = dict(vocab_size=VOCAB, hidden_size=64, intermediate_size=128, num_hidden_layers=2, num_attention_heads=4,
            num_key_value_heads=2, max_position_embeddings=256, rms_norm_eps=1e-5, initializer_range=0.2,
            hidden_act="silu", attention_dropout=0.0, use_cache=False)
LLAMA3_ROPE = {"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0, "high_freq_factor": 4.0,
               "original_max_position_embeddings": 32}

# records: (length, first target index); tokens random. Micro-batches are rows of packed records.
RECORD_SHAPES = [(12, 4), (7, 3), (20, 6), (9, 2), (15, 5), (5, 1), (11, 11), (16, 8)]  # record 6 has no target
MICRO_BATCHES = [[[0, 1], [2]], [[3], [4, 5]], [[6, 7]], [[0], [2, 5], [3]]]
STEPS = 20
ACCUM = 2


def expected_llama3_inv_freq(theta, dim, p):
    inv = 1.0 / (theta ** (torch.arange(0, dim, 2, dtype=torch.int64).float() / dim))
    low_wl = p["original_max_position_embeddings"] / p["low_freq_factor"]
    high_wl = p["original_max_position_embeddings"] / p["high_freq_factor"]
    wl = 2 * math.pi / inv
    out = torch.where(wl > low_wl, inv / p["factor"], inv)
    smooth = (p["original_max_position_embeddings"] / wl - p["low_freq_factor"]) / (p["high_freq_factor"] - p["low_freq_factor"])
    smoothed = (1 - smooth) * out / p["factor"] + smooth * out
    medium = (~(wl < high_wl)) & (~(wl > low_wl))
    return torch.where(medium, smoothed, out)


def build_llama():
    head_dim = BASE["hidden_size"] // BASE["num_attention_heads"]
    want = expected_llama3_inv_freq(10000.0, head_dim, LLAMA3_ROPE)
    default = 1.0 / (10000.0 ** (torch.arange(0, head_dim, 2, dtype=torch.int64).float() / head_dim))
    # transformers 5 spells it rope_parameters; older versions rope_theta + rope_scaling. Use whichever takes.
    candidate = None
    for kwargs in ({"rope_parameters": dict(LLAMA3_ROPE, rope_theta=10000.0)},
                   {"rope_theta": 10000.0, "rope_scaling": dict(LLAMA3_ROPE)}):
        torch.manual_seed(1)
        cfg = LlamaConfig(**BASE, tie_word_embeddings=False, **kwargs)
        model = LlamaForCausalLM(cfg)
        inv = model.model.rotary_emb.inv_freq.float()
        print(f"llama rope via {list(kwargs)}: max|inv_freq - llama3 formula| = {float((inv - want).abs().max()):.3g}", flush=True)
        if inv.shape == want.shape and torch.allclose(inv, want, rtol=1e-6, atol=0):
            return model
        if candidate is None and not torch.allclose(inv, default, rtol=1e-6, atol=0):
            candidate = model
    if candidate is not None:
        print("WARNING: llama3 rope applied but differs from the formula used by the engine", flush=True)
        return candidate
    raise SystemExit("could not configure llama3 rope scaling in this transformers version")


def build_qwen2():
    torch.manual_seed(2)
    return Qwen2ForCausalLM(Qwen2Config(**BASE, tie_word_embeddings=True, use_sliding_window=False))


def build_qwen3():
    torch.manual_seed(3)
    return Qwen3ForCausalLM(Qwen3Config(**BASE, head_dim=16, tie_word_embeddings=False, attention_bias=False,
                                        use_sliding_window=False))


def build_mistral():
    head_dim = BASE["hidden_size"] // BASE["num_attention_heads"]
    default = 1.0 / (10000.0 ** (torch.arange(0, head_dim, 2, dtype=torch.int64).float() / head_dim))
    for kwargs in ({"rope_parameters": {"rope_type": "linear", "factor": 2.0, "rope_theta": 10000.0}},
                   {"rope_theta": 10000.0, "rope_scaling": {"rope_type": "linear", "factor": 2.0}}):
        torch.manual_seed(4)
        model = MistralForCausalLM(MistralConfig(**BASE, sliding_window=8, tie_word_embeddings=False, **kwargs))
        inv = model.model.rotary_emb.inv_freq.float()
        print(f"mistral rope via {list(kwargs)}: max|inv_freq - default/2| = {float((inv - default / 2).abs().max()):.3g}", flush=True)
        if torch.allclose(inv, default / 2, rtol=1e-6, atol=0):
            return model
    raise SystemExit("could not configure linear rope scaling in this transformers version")


VARIANTS = {
    # name: (builder, save dtype, shard size, lora kwargs, schedule)
    "llama": (build_llama, torch.bfloat16, "100KB",
              dict(r=4, lora_alpha=8, target_modules=["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"],
                   use_rslora=False), "cosine"),
    "qwen2": (build_qwen2, torch.float16, None,
              dict(r=4, lora_alpha=16, target_modules=["q_proj", "k_proj", "v_proj", "o_proj"], use_rslora=False), "linear"),
    "qwen3": (build_qwen3, torch.float32, None,
              dict(r=8, lora_alpha=8, target_modules=["q_proj", "v_proj", "down_proj"], use_rslora=True), "cosine"),
    "mistral": (build_mistral, torch.bfloat16, None,
                dict(r=4, lora_alpha=4, target_modules=["o_proj", "gate_proj", "up_proj", "down_proj"], use_rslora=False),
                "constant_with_warmup"),
}
HPARAMS = dict(learning_rate=5e-3, warmup_steps=3, max_grad_norm=0.5, weight_decay=0.01, adam_beta1=0.9,
               adam_beta2=0.999, adam_epsilon=1e-8)


def make_records(gen):
    recs = []
    for length, first_target in RECORD_SHAPES:
        toks = torch.randint(0, VOCAB, (length,), generator=gen).tolist()
        mask = [1 if i >= first_target else 0 for i in range(length)]
        recs.append({"tokens": toks, "mask": mask})
    return recs


def record_loss_sum(model, rec):
    """Sum of token CE of one record run alone: HF ForCausalLMLoss semantics with reduction='sum'."""
    ids = torch.tensor([rec["tokens"]])
    labels = torch.tensor([[t if (m and i > 0) else -100 for i, (t, m) in enumerate(zip(rec["tokens"], rec["mask"]))]])
    logits = model(input_ids=ids).logits.float()
    shift_logits = logits[:, :-1, :].reshape(-1, VOCAB)
    shift_labels = labels[:, 1:].reshape(-1)
    n = int((shift_labels != -100).sum())
    loss = torch.nn.functional.cross_entropy(shift_logits, shift_labels, ignore_index=-100, reduction="sum")
    return loss, n


def micro_batch_records(mb):
    return [r for row in mb for r in row]


def peft_name(name):
    return name.replace(".default", "")


def run_variant(name, out_dir):
    builder, save_dtype, shard, lora_kwargs, schedule = VARIANTS[name]
    vdir = os.path.join(out_dir, name)
    os.makedirs(vdir, exist_ok=True)
    model = builder().float()
    gen = torch.Generator().manual_seed(100 + len(name))
    with torch.no_grad():
        for pname, p in model.named_parameters():
            if pname.endswith("norm.weight") or pname.endswith("layernorm.weight"):
                p.copy_(1.0 + 0.1 * torch.randn(p.shape, generator=gen))
            elif pname.endswith(".bias"):
                p.copy_(0.1 * torch.randn(p.shape, generator=gen))
            # make the weights exactly representable in the saved dtype so fp32 compute matches the engine
            p.copy_(p.to(save_dtype).float())
    model.config.use_cache = False
    model_dir = os.path.join(vdir, "model")
    # Casting the module also casts buffers such as rotary inv_freq; keep their fp32 values across the round trip.
    buffers = {n: b.detach().clone() for n, b in model.named_buffers()}
    model.to(save_dtype)
    try:
        model.save_pretrained(model_dir, max_shard_size=shard) if shard else model.save_pretrained(model_dir)
    except TypeError as e:  # max_shard_size renamed: fall back to one file
        print(f"WARNING: sharded save failed ({e}); saving one file", flush=True)
        model.save_pretrained(model_dir)
    model.to(torch.float32)
    with torch.no_grad():
        for n, b in model.named_buffers():
            if n in buffers:
                b.copy_(buffers[n])
    model.eval()  # dropout-free (lora_dropout 0, attention_dropout 0); eval vs train does not change the math

    torch.manual_seed(7)
    peft_model = get_peft_model(model, LoraConfig(task_type="CAUSAL_LM", lora_dropout=0.0, bias="none", **lora_kwargs))
    with torch.no_grad():
        for pname, p in peft_model.named_parameters():
            if "lora_B" in pname:
                p.copy_(0.02 * torch.randn(p.shape, generator=gen))
    peft_model.save_pretrained(os.path.join(vdir, "adapter_init"))
    params = [(n, p) for n, p in peft_model.named_parameters() if p.requires_grad]
    assert params and all("lora_" in n for n, _ in params)

    recs = make_records(gen)
    opt = torch.optim.AdamW([p for _, p in params], lr=HPARAMS["learning_rate"],
                            betas=(HPARAMS["adam_beta1"], HPARAMS["adam_beta2"]), eps=HPARAMS["adam_epsilon"],
                            weight_decay=HPARAMS["weight_decay"], foreach=False)
    if schedule == "constant_with_warmup":
        sched = get_constant_schedule_with_warmup(opt, num_warmup_steps=HPARAMS["warmup_steps"])
    else:
        sched_fn = get_cosine_schedule_with_warmup if schedule == "cosine" else get_linear_schedule_with_warmup
        sched = sched_fn(opt, num_warmup_steps=HPARAMS["warmup_steps"], num_training_steps=STEPS)

    tensors = {}
    with torch.no_grad():
        logits0 = peft_model(input_ids=torch.tensor([recs[0]["tokens"]])).logits.float()[0]
    tensors["logits.record0"] = logits0.clone().contiguous()
    losses, grad_norms, lrs = [], [], []
    for step in range(STEPS):
        mbs = [MICRO_BATCHES[(ACCUM * step + j) % len(MICRO_BATCHES)] for j in range(ACCUM)]
        n_total = 0
        for mb in mbs:
            for r in micro_batch_records(mb):
                m = recs[r]["mask"]
                n_total += sum(1 for i in range(1, len(m)) if m[i])
        opt.zero_grad(set_to_none=False)
        loss_sum = 0.0
        for mb in mbs:
            mb_sum = 0.0
            for r in micro_batch_records(mb):
                s, n = record_loss_sum(peft_model, recs[r])
                mb_sum = mb_sum + s
            (mb_sum / n_total).backward()
            loss_sum += float(mb_sum)
        losses.append(loss_sum / n_total)
        if step == 0:
            for n, p in params:
                tensors[peft_name(n)] = p.grad.detach().clone().contiguous()
        gn = torch.nn.utils.clip_grad_norm_([p for _, p in params], HPARAMS["max_grad_norm"])
        grad_norms.append(float(gn))
        lrs.append(float(opt.param_groups[0]["lr"]))
        opt.step()
        sched.step()
    for n, p in params:
        tensors["final." + peft_name(n)] = p.detach().clone().contiguous()
    save_file(tensors, os.path.join(vdir, "reference.safetensors"))
    fixture = {
        "variant": name,
        "records": recs,
        "micro_batches": MICRO_BATCHES,
        "gradient_accumulation_steps": ACCUM,
        "steps": STEPS,
        "lr_scheduler_type": schedule,
        "lora": {k: v for k, v in lora_kwargs.items()},
        **HPARAMS,
        "inv_freq": [float(x) for x in peft_model.base_model.model.model.rotary_emb.inv_freq],
        "losses": losses,
        "grad_norms": grad_norms,
        "lrs": lrs,
        "versions": {"torch": torch.__version__, "transformers": __import__("transformers").__version__,
                     "peft": __import__("peft").__version__},
    }
    with open(os.path.join(vdir, "fixture.json"), "w") as f:
        json.dump(fixture, f, indent=1)
    print(f"{name}: loss0={losses[0]:.6f} loss{STEPS - 1}={losses[-1]:.6f} grad_norm0={grad_norms[0]:.4f} "
          f"files={sorted(os.listdir(model_dir))}", flush=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--variants", default="llama,qwen2,qwen3,mistral")
    args = ap.parse_args()
    torch.use_deterministic_algorithms(True)
    torch.set_num_threads(1)  # fixed reduction order
    os.makedirs(args.out, exist_ok=True)
    for name in args.variants.split(","):
        run_variant(name, args.out)


if __name__ == "__main__":
    main()
