"""Checks Lathe's exports with the reference stack (run on the GPU machine; CPU is enough for the tiny model):
transformers loads the merged folders, peft loads base + adapter, and their logits / greedy tokens are compared;
peft's own merge_and_unload() weights are compared with ours; the tokenizer's chat template and EOS are checked;
onnx.checker validates our hand-written ONNX protobuf and Python onnxruntime runs it against transformers.
Usage: python3 export_check.py FIXTURE_DIR BASE_DIR OUT_JSON
FIXTURE_DIR holds adapter/, merged-f32/, merged-bf16/, onnx/ written by Lathe (scripts/bench/export-fixture.ts)."""
import json, os, sys, time
import torch
from transformers import AutoModelForCausalLM, AutoTokenizer
from peft import PeftModel

fixture, base, out_path = sys.argv[1], sys.argv[2], sys.argv[3]
PROMPTS = [[417, 392, 33, 32, 87, 506, 2421, 299, 63], [4094, 882, 198, 15, 600, 4095, 198], [3304, 260, 291, 101, 263, 547, 782, 115, 58]]
res = {"torch": torch.__version__, "checks": []}


def check(name, passed, **detail):
    res["checks"].append(dict(check=name, passed=bool(passed), **detail))
    print(json.dumps(res["checks"][-1]), flush=True)


def last_logits(model, ids):
    with torch.no_grad():
        return model(torch.tensor([ids])).logits[0, -1].float()


def greedy(model, ids, n=8):
    with torch.no_grad():
        out = model.generate(torch.tensor([ids]), max_new_tokens=n, do_sample=False, eos_token_id=None, pad_token_id=0)
    return out[0, len(ids):].tolist()


t0 = time.time()
ref = PeftModel.from_pretrained(AutoModelForCausalLM.from_pretrained(base, dtype=torch.float32), os.path.join(fixture, "adapter")).eval()
for dtype_name in ["f32", "bf16"]:
    m = AutoModelForCausalLM.from_pretrained(os.path.join(fixture, f"merged-{dtype_name}"), dtype=torch.float32).eval()
    diffs, top1, same = [], 0, 0
    for p in PROMPTS:
        a, b = last_logits(ref, p), last_logits(m, p)
        diffs.append((a - b).abs().max().item())
        top1 += int(a.argmax() == b.argmax())
        same += int(greedy(ref, p) == greedy(m, p))
    tol = 1e-4 if dtype_name == "f32" else 5e-2
    check(f"transformers merged-{dtype_name} vs peft base+adapter", max(diffs) < tol and top1 == len(PROMPTS),
          max_abs_logit_diff=max(diffs), tolerance=tol, top1_agree=f"{top1}/{len(PROMPTS)}", greedy8_agree=f"{same}/{len(PROMPTS)}")

# Our merged f32 weights against peft's own merge_and_unload() in f32.
peft_merged = PeftModel.from_pretrained(AutoModelForCausalLM.from_pretrained(base, dtype=torch.float32), os.path.join(fixture, "adapter")).merge_and_unload()
ours = AutoModelForCausalLM.from_pretrained(os.path.join(fixture, "merged-f32"), dtype=torch.float32)
sd_p, sd_o = peft_merged.state_dict(), ours.state_dict()
worst = max((sd_p[k] - sd_o[k]).abs().max().item() for k in sd_p)
check("weights: ours (f32) vs peft merge_and_unload (f32)", worst < 1e-6 and set(sd_p) == set(sd_o), max_abs_weight_diff=worst, tensors=len(sd_p))

tok = AutoTokenizer.from_pretrained(os.path.join(fixture, "merged-f32"))
text = tok.apply_chat_template([{"role": "user", "content": "Hi"}], tokenize=False, add_generation_prompt=True)
gen = json.load(open(os.path.join(fixture, "merged-f32", "generation_config.json")))
check("tokenizer: chat_template and EOS", tok.eos_token == "<|im_end|>" and text.endswith("<|im_start|>assistant\n") and "<|im_start|>user\nHi<|im_end|>" in text,
      eos_token=tok.eos_token, rendered=text, generation_eos=gen.get("eos_token_id"))

try:
    import onnx, onnxruntime as ort, numpy as np
    path = os.path.join(fixture, "onnx", "model.onnx")
    onnx.checker.check_model(path, full_check=True)
    check("onnx.checker (full_check) accepts model.onnx", True, onnx=onnx.__version__)
    s = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
    cfg = json.load(open(os.path.join(fixture, "onnx", "config.json")))
    L, KV, D = cfg["num_hidden_layers"], cfg["num_key_value_heads"], cfg.get("head_dim") or cfg["hidden_size"] // cfg["num_attention_heads"]
    diffs = []
    for p in PROMPTS:
        feeds = {"input_ids": np.array([p], dtype=np.int64), "attention_mask": np.ones((1, len(p)), dtype=np.int64), "position_ids": np.arange(len(p), dtype=np.int64)[None]}
        for l in range(L):
            for kv in ("key", "value"):
                feeds[f"past_key_values.{l}.{kv}"] = np.zeros((1, KV, 0, D), dtype=np.float32)
        logits = s.run(["logits"], feeds)[0][0, -1]
        diffs.append(float(np.abs(logits - last_logits(ours, p).numpy()).max()))
    check("python onnxruntime (our ONNX) vs transformers (merged f32)", max(diffs) < 1e-4, max_abs_logit_diff=max(diffs), onnxruntime=ort.__version__)
except Exception as e:  # noqa: BLE001 - the report says what failed
    check("onnx", False, error=repr(e))

res["seconds"] = round(time.time() - t0, 1)
res["passed"] = all(c["passed"] for c in res["checks"])
json.dump(res, open(out_path, "w"), indent=2)
print(json.dumps({"passed": res["passed"], "seconds": res["seconds"]}))
