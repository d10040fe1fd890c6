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
worst_ulps, mismatched, over1, total, worst_name, worst_abs = 0.0, 0, 0, 0, None, 0.0
for k in sorted(a):
    x = a[k][0].get_tensor(k).float()
    y = b[k][0].get_tensor(k).float()
    # bf16 spacing at the larger magnitude of the pair: 2^(exponent - 7). Where W + delta cancels to ~0, peft (which
    # rounds the delta to bf16 before adding) can give exactly 0 while we keep the f32 residue: spacing is floored at
    # 2^-40 so those show as large ulps but tiny absolute differences (reported separately).
    m = torch.maximum(x.abs(), y.abs()).clamp_min(2.0 ** -40)
    spacing = torch.exp2(torch.floor(torch.log2(m)) - 7)
    ulp = (x - y).abs() / spacing
    ulps = ulp.max().item()
    over1 += int((ulp > 1).sum().item())
    mismatched += int((x != y).sum().item())
    worst_abs = max(worst_abs, (x - y).abs().max().item())
    total += x.numel()
    if ulps > worst_ulps:
        worst_ulps, worst_name = ulps, k
print(json.dumps(dict(same_names=set(a) == set(b), tensors=len(a), elements=total, elements_differing=mismatched,
                      fraction_differing=mismatched / max(total, 1), elements_over_1_ulp=over1, max_abs_diff=worst_abs,
                      max_diff_bf16_ulps=worst_ulps, worst_tensor=worst_name)))
