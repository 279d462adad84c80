/**
 * Spaces calls at least 1/rate apart (no bursts), so any one-second window sees at most `rate` + 1
 * calls. A job runs one page activity at a time, so one limiter per page holds the job's rate across
 * every worker.
 */
export class RateLimiter {
  private last: number;
  private queue: Promise<void> = Promise.resolve();

  constructor(private readonly ratePerSecond: number | undefined) {
    // The previous page's last call may have been an instant ago, on another worker: start one
    // interval late, so no window across a page boundary holds more than the rate.
    this.last = performance.now();
  }

  /**
   * Grants one call. Grants are serialized and spaced from the moment the previous one was actually
   * granted, so a timer that fires late delays the next call instead of letting calls bunch up.
   */
  take(): Promise<void> {
    const rate = this.ratePerSecond;
    if (!rate) return Promise.resolve();
    const interval = 1000 / rate;
    const granted = this.queue.then(async () => {
      const wait = this.last + interval - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      this.last = performance.now();
    });
    this.queue = granted;
    return granted;
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
