// Lists NVIDIA GPUs with `nvidia-smi` (name and total memory). No GPU or no nvidia-smi: an empty list, never an
// error; the caller falls back to the CPU and says so. Does not pick a device.
import { execFile } from 'node:child_process';
import type { GpuInfo } from '../../preload/contract/runs.js';

/** Parses `nvidia-smi --query-gpu=name,memory.total --format=csv,noheader` output (memory in MiB). */
export function parseNvidiaSmi(text: string): GpuInfo[] {
  const out: GpuInfo[] = [];
  for (const line of text.split(/\r?\n/)) {
    const m = /^(.*),\s*(\d+)\s*MiB\s*$/.exec(line.trim());
    if (m) out.push({ index: out.length, name: m[1]!.trim(), memoryBytes: Number(m[2]) * 1024 * 1024 });
  }
  return out;
}

let cached: Promise<GpuInfo[]> | undefined;

export function detectGpus(): Promise<GpuInfo[]> {
  cached ??= new Promise((resolve) => {
    execFile('nvidia-smi', ['--query-gpu=name,memory.total', '--format=csv,noheader'], { timeout: 5000, windowsHide: true }, (err, stdout) => {
      resolve(err ? [] : parseNvidiaSmi(String(stdout)));
    });
  });
  return cached;
}
