// Which NVIDIA GPU this machine has, from `nvidia-smi` (present wherever the NVIDIA driver is). No GPU, no driver
// or an error: null with the reason. Does not look at other vendors: Lathe's engine trains on CUDA only.
import { execFile } from 'node:child_process';
import type { DetectedGpuDto as GpuDto } from '../../preload/contract/library.js';
import type { Notice } from '../../preload/contract/message-code.js';

export interface GpuDetection {
  readonly gpu: GpuDto | null;
  /** How the GPU was detected, or why none was (codes: GPU_DETECT_CODES). */
  readonly note: Notice;
}

/** Codes of the detection notes (the renderer has a `main.<code>` text for each; a test checks). */
export const GPU_DETECT_CODES = ['gpu.noNvidiaSmi', 'gpu.smiFailed', 'gpu.noneListed', 'gpu.several', 'gpu.detected', 'gpu.detectionFailed'] as const;
export function gpuNote(code: (typeof GPU_DETECT_CODES)[number], params: Notice['params'], message: string): Notice {
  return { code, params, message };
}

/** Parses `nvidia-smi --query-gpu=name,memory.total --format=csv,noheader` (one line per GPU, e.g. "NVIDIA H200, 143771 MiB"). */
export function parseNvidiaSmi(text: string): GpuDto[] {
  const units: Record<string, number> = { KiB: 1024, MiB: 1024 ** 2, GiB: 1024 ** 3 };
  return text
    .split(/\r?\n/)
    .map((line) => /^(.+?),\s*(\d+(?:\.\d+)?)\s*(KiB|MiB|GiB)\s*$/.exec(line.trim()))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ name: m[1]!.trim(), memoryBytes: Math.round(Number(m[2]) * units[m[3]!]!) }));
}

export function detectGpu(): Promise<GpuDetection> {
  return new Promise((resolve) => {
    execFile('nvidia-smi', ['--query-gpu=name,memory.total', '--format=csv,noheader'], { timeout: 10_000, windowsHide: true }, (err, stdout) => {
      if (err) {
        const missing = (err as NodeJS.ErrnoException).code === 'ENOENT';
        const error = err.message.split('\n')[0] ?? '';
        resolve({ gpu: null, note: missing ? gpuNote('gpu.noNvidiaSmi', {}, 'No NVIDIA GPU found (nvidia-smi is not installed).') : gpuNote('gpu.smiFailed', { error }, `nvidia-smi failed: ${error}`) });
        return;
      }
      const gpus = parseNvidiaSmi(stdout);
      if (gpus.length === 0) return resolve({ gpu: null, note: gpuNote('gpu.noneListed', {}, 'nvidia-smi listed no GPU.') });
      // Training runs on one GPU: the biggest one decides what fits.
      const best = gpus.reduce((a, b) => (b.memoryBytes > a.memoryBytes ? b : a));
      resolve({
        gpu: best,
        note:
          gpus.length > 1
            ? gpuNote('gpu.several', { count: gpus.length, name: best.name }, `${gpus.length} GPUs found; figures are for the largest, ${best.name}.`)
            : gpuNote('gpu.detected', { name: best.name }, `Detected with nvidia-smi: ${best.name}.`),
      });
    });
  });
}

/** Whether an estimate fits: null without a GPU. */
export function fits(totalBytes: number | null, gpu: GpuDto | null): boolean | null {
  if (!gpu || totalBytes === null) return null;
  return totalBytes <= gpu.memoryBytes;
}
