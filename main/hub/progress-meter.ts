// Speed and time-left of a byte stream, from a sliding window of samples (the last few seconds), so a stall shows
// quickly and one fast burst does not promise too much. Pure: the caller passes the clock.
export class ProgressMeter {
  private samples: { t: number; bytes: number }[] = [];

  constructor(private readonly windowMs = 5000) {}

  /** Record the running total at time t (ms). */
  sample(t: number, bytes: number): void {
    this.samples.push({ t, bytes });
    while (this.samples.length > 2 && t - this.samples[0]!.t > this.windowMs) this.samples.shift();
  }

  /** Bytes per second over the window; 0 until there are two samples. */
  speed(): number {
    const first = this.samples[0];
    const last = this.samples[this.samples.length - 1];
    if (!first || !last || last.t <= first.t) return 0;
    return Math.max(0, ((last.bytes - first.bytes) * 1000) / (last.t - first.t));
  }

  /** Seconds left for `remaining` bytes at the current speed; null when unknown. */
  eta(remaining: number): number | null {
    if (remaining <= 0) return 0;
    const s = this.speed();
    return s > 0 ? Math.round(remaining / s) : null;
  }
}
