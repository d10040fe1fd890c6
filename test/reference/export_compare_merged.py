"""Compares two merged safetensors folders tensor by tensor (peft's save_pretrained vs Lathe's), in units of the
bf16 spacing at each value, on the GPU. Usage: python3 export_compare_merged.py PEFT_DIR LATHE_DIR; prints JSON."""
import json, os, sys, torch
from safetensors import safe_open


def tensors(d):
    idx = os.path.join(d, "model.safetensors.index.json")
    files = sorted(set(json.load(open(idx))["weight_map"].values())) if os.path.exists(idx) else ["model.safetensors"]
    out = {}
    for f in files:
        h = safe_open(os.path.join(d, f), "pt", device="cuda" if torch.cuda.is_available() else "cpu")
        for k in h.keys():
            out[k] = (h, k)
    return out


a, b = tensors(sys.argv[1]), tensors(sys.argv[2])
worst_ulps, mismatched, total, worst_name = 0.0, 0, 0, None
for k in sorted(a):
    x = a[k][0].get_tensor(k).float()
    y = b[k][0].get_tensor(k).float()
    # bf16 spacing at |x|: 2^(exponent - 7)
    spacing = torch.exp2(torch.floor(torch.log2(x.abs().clamp_min(1e-30))) - 7)
    ulps = ((x - y).abs() / spacing).max().item()
    mismatched += int((x != y).sum().item())
    total += x.numel()
    if ulps > worst_ulps:
        worst_ulps, worst_name = ulps, k
print(json.dumps(dict(same_names=set(a) == set(b), tensors=len(a), elements=total, elements_differing=mismatched,
                      fraction_differing=mismatched / max(total, 1), max_diff_bf16_ulps=worst_ulps, worst_tensor=worst_name)))
