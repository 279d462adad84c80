/**
 * Injected faults of one emulator, in injection order. Each answers `times` requests it applies
 * to (1 by default), then leaves the queue.
 */
export class FaultQueue<F extends { times?: number }> {
  private readonly queue: Array<{ fault: F; remaining: number }> = [];

  /** @param check more checks of a fault before it is queued; thrown errors reach the injector. */
  constructor(private readonly check?: (fault: F) => void) {}

  /** Queues a copy of `fault`. Thrown (RangeError) when `fault.times` is not a positive integer. */
  push(fault: F): void {
    const remaining = fault.times ?? 1;
    if (!Number.isInteger(remaining) || remaining < 1)
      throw new RangeError('fault.times must be a positive integer');
    this.check?.(fault);
    this.queue.push({ fault: { ...fault }, remaining });
  }

  /** The first queued fault that applies (any, by default), counted as used once. */
  take(applies: (fault: F) => boolean = () => true): F | undefined {
    const index = this.queue.findIndex((q) => applies(q.fault));
    const queued = this.queue[index];
    if (!queued) return undefined;
    queued.remaining -= 1;
    if (queued.remaining === 0) this.queue.splice(index, 1);
    return queued.fault;
  }

  /** How many more requests the queued faults will answer. */
  pending(): number {
    return this.queue.reduce((n, q) => n + q.remaining, 0);
  }
}
