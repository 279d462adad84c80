/**
 * Holds calls to `rate` per second: they follow a schedule of one per 1/rate, and no one-second
 * window holds more than ⌈rate⌉ of them. A job runs one page activity at a time, so one limiter per
 * page holds the job's rate across every worker.
 */
export class RateLimiter {
  /** When the next call is due by the schedule (performance.now() clock). */
  private next: number;
  /** Start times of the last ⌈rate⌉ calls, oldest first, as a ring. */
  private readonly recent: number[] = [];
  private oldest = 0;
  private queue: Promise<void> = Promise.resolve();
  private grants = 0;
  private last = -Infinity;
  private firstSettled: Promise<void>;
  private settleFirst: () => void = () => undefined;

  /** Wall-clock time (epoch ms) of the latest grant, for the next page's limiter. */
  lastCallAt: number | undefined;

  /**
   * @param previousCallAt when the previous page's last call started (epoch ms, from its result):
   * this page's schedule continues one interval after it. Without it the schedule starts two
   * intervals late, since the previous page may have called an instant ago on another worker.
   */
  constructor(
    private readonly ratePerSecond: number | undefined,
    previousCallAt?: number,
  ) {
    const interval = ratePerSecond ? 1000 / ratePerSecond : 0;
    const now = performance.now();
    // Starting two intervals late keeps any window across the page boundary within the rate; each
    // boundary then cost about a tenth of a second of calls, a visible dip in that second.
    this.next =
      previousCallAt === undefined
        ? now + 2 * interval
        : Math.max(now, now - (Date.now() - previousCallAt) + interval);
    this.firstSettled = new Promise((resolve) => (this.settleFirst = resolve));
  }

  /**
   * Runs `fn` when the rate allows. The page's first call runs alone (for up to a second): it may
   * open the connection to the provider, and calls granted meanwhile would queue behind the
   * handshake and reach the provider together, above the rate.
   */
  run<T>(fn: () => Promise<T>): Promise<T> {
    return this.ratePerSecond ? this.limited(fn) : fn();
  }

  private async limited<T>(fn: () => Promise<T>): Promise<T> {
    const first = (await this.take()) === 1;
    if (!first) return fn();
    const timer = setTimeout(this.settleFirst, 1000);
    try {
      return await fn();
    } finally {
      clearTimeout(timer);
      this.settleFirst();
    }
  }

  /**
   * Grants one call and returns its number (1 for the first). Grants are serialized and follow the
   * schedule, so a timer that fires late is made up by the next waits instead of slowing every
   * later call (spacing each grant from the previous actual grant lost 5-10 % of the rate to timer
   * lag on a busy machine). Calls a stall held back are made up at up to 1.1 times the rate, only as
   * far as the one-second window allows, and a backlog older than one second is dropped.
   */
  private take(): Promise<number> {
    const rate = this.ratePerSecond as number;
    const interval = 1000 / rate;
    const perWindow = Math.ceil(rate);
    const granted = this.queue.then(async () => {
      if (this.grants > 0) await this.firstSettled;
      const windowFree = this.recent.length < perWindow ? 0 : (this.recent[this.oldest] as number) + 1000;
      // Catching up runs at no more than 1.1 times the rate: bunched grants arrive bunched.
      const spaced = this.last + interval / 1.1;
      const wait = Math.max(this.next, windowFree, spaced) - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const now = performance.now();
      this.last = now;
      this.lastCallAt = Date.now();
      if (this.recent.length < perWindow) this.recent.push(now);
      else {
        this.recent[this.oldest] = now;
        this.oldest = (this.oldest + 1) % perWindow;
      }
      this.next = Math.max(this.next, now - 1000) + interval;
      return ++this.grants;
    });
    this.queue = granted.then(() => undefined);
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
