import type { YandexEmulatedMethod, YandexFault } from './public-types';

interface QueuedFault {
  fault: YandexFault;
  remaining: number;
}

/** Injected faults, consumed in injection order by the first call they apply to. */
export class FaultQueue {
  private readonly queue: QueuedFault[] = [];

  push(fault: YandexFault): void {
    const remaining = fault.times ?? 1;
    if (!Number.isInteger(remaining) || remaining < 1)
      throw new RangeError('fault.times must be a positive integer');
    this.queue.push({ fault: { ...fault }, remaining });
  }

  take(method: YandexEmulatedMethod): YandexFault | undefined {
    const index = this.queue.findIndex((q) => q.fault.method === method || q.fault.method === '*');
    const queued = this.queue[index];
    if (!queued) return undefined;
    queued.remaining -= 1;
    if (queued.remaining === 0) this.queue.splice(index, 1);
    return queued.fault;
  }
}
