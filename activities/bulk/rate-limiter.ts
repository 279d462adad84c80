/**
 * Spaces calls at least 1/rate apart (no bursts), so any one-second window sees at most about
 * `rate` calls. A job runs one page activity at a time, so one limiter per page holds the job's rate
 * across every worker.
 */
export class RateLimiter {
  private next: number;
  constructor(private readonly ratePerSecond: number | undefined) {
    // The previous page's last call may have been an instant ago, on another worker: start one
    // interval late, so no window across a page boundary holds more than the rate.
    this.next = ratePerSecond ? performance.now() + 1000 / ratePerSecond : 0;
  }

  async take(): Promise<void> {
    if (!this.ratePerSecond) return;
    const interval = 1000 / this.ratePerSecond;
    const now = performance.now();
    const at = Math.max(now, this.next);
    this.next = at + interval;
    if (at > now) await new Promise((r) => setTimeout(r, at - now));
  }
}

/** Runs `fn` over `items` with at most `concurrency` in flight, in order of start. */
export async function forEachConcurrent<T>(
  items: readonly T[],
  concurrency: number,
  fn: (item: T, index: number) => Promise<void>,
): Promise<void> {
  let nextIndex = 0;
  const lanes = Array.from({ length: Math.min(concurrency, items.length) }, async () => {
    while (nextIndex < items.length) {
      const i = nextIndex++;
      await fn(items[i] as T, i);
    }
  });
  await Promise.all(lanes);
}
