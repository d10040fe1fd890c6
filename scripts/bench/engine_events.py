"""One lathe-engine training run's event log (JSON lines) summed up for the benchmark tables: tokens/s over the steps
after `warm`, peak device memory, first and last loss, what `ready` reported (checkpointing, the plan) and the error.
Shared by engine-bench.sh and qlora-bench.sh. Usage: python3 engine_events.py EVENTS WARM [KEY_PREFIX]"""
import json, sys


def summarise(path, warm, prefix=""):
    ev = [json.loads(l) for l in open(path) if l.startswith("{")]
    steps = [e for e in ev if e.get("event") == "step"]
    ready = [e for e in ev if e.get("event") == "ready"]
    err = [e for e in ev if e.get("event") == "error"]
    r = {}
    timed = steps[warm:]
    if timed:
        r["tokens_per_s"] = round(sum(s["tokens"] for s in timed) / sum(s["step_seconds"] for s in timed))
        r["peak_gib"] = round(max(s["device_mib"] for s in steps) / 1024, 2)
        r["loss_first"], r["loss_last"] = round(steps[0]["loss"], 4), round(steps[-1]["loss"], 4)
    if ready:
        r["checkpointing"] = ready[0].get("gradient_checkpointing")
        r["plan_gib"] = round(ready[0].get("plan_mib", 0) / 1024, 2)
    if err:
        r["error"] = (err[0].get("code", "") + ": " + err[0].get("message", ""))[:300]
    return {prefix + k: v for k, v in r.items()}


if __name__ == "__main__":
    print(json.dumps(summarise(sys.argv[1], int(sys.argv[2]), sys.argv[3] if len(sys.argv) > 3 else "")))
