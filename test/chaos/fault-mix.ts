/** The faults a mix draws from. Each emulator turns a kind into its own fault. */
export type FaultKind =
  /** 503 / UNAVAILABLE, no Retry-After. */
  | 'unavailable'
  /** 503 with Retry-After. */
  | 'unavailable-retry-after'
  /** 429 with Retry-After (RESOURCE_EXHAUSTED at Yandex, which has no Retry-After). */
  | 'rate-limited'
  /** The connection is reset before the request is handled. */
  | 'reset'
  /** The request is handled, then the connection is reset: a reply lost after the effect. */
  | 'lost-reply'
  /** No answer before the client's timeout. */
  | 'timeout';

export const ALL_FAULT_KINDS: readonly FaultKind[] = [
  'unavailable',
  'unavailable-retry-after',
  'rate-limited',
  'reset',
  'lost-reply',
  'timeout',
];

/** One call as the mix saw it: which target, when, and what fault (if any) answered it. */
export interface MixDecision {
  /** Provider and target, e.g. `oauth2 sha256:…` (never a secret). */
  key: string;
  at: number;
  kind: FaultKind | undefined;
  /** The Retry-After the fault advertised, in milliseconds. */
  retryAfterMs?: number;
}

/** A small seeded PRNG (mulberry32), so a failing run can be repeated with its seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface FaultMixOptions {
  /** Share of calls that fail (0..1). */
  rate: number;
  random: () => number;
  /** Retry-After the 429s and some 503s advertise. */
  retryAfterSeconds: number;
}

/** Decides, call by call, whether a fault answers it, and logs every call it was asked about. */
export class FaultMix {
  readonly log: MixDecision[] = [];
  private advertisedRetryAfter = false;

  constructor(private readonly o: FaultMixOptions) {}

  get retryAfterMs(): number {
    return this.o.retryAfterSeconds * 1000;
  }

  get retryAfterSeconds(): number {
    return this.o.retryAfterSeconds;
  }

  /** `advertisesRetryAfter: false` for protocols without it (gRPC): their 429-like faults carry none. */
  decide(key: string, kinds: readonly FaultKind[], advertisesRetryAfter = true): FaultKind | undefined {
    const at = Date.now();
    let kind =
      kinds.length > 0 && this.o.random() < this.o.rate
        ? kinds[Math.floor(this.o.random() * kinds.length)]
        : undefined;
    // The seed does not fix the order in which concurrent calls reach the mix, so it cannot promise
    // a Retry-After answer; the first fault on a protocol that has Retry-After is one, so every run
    // checks that it is honoured.
    if (kind && advertisesRetryAfter && !this.advertisedRetryAfter && kinds.includes('rate-limited')) {
      kind = 'rate-limited';
    }
    const withRetryAfter =
      advertisesRetryAfter && (kind === 'rate-limited' || kind === 'unavailable-retry-after');
    if (withRetryAfter) this.advertisedRetryAfter = true;
    this.log.push({ key, at, kind, ...(withRetryAfter ? { retryAfterMs: this.retryAfterMs } : {}) });
    return kind;
  }

  /** Faults injected, by kind. */
  counts(): Map<FaultKind, number> {
    const m = new Map<FaultKind, number>();
    for (const d of this.log) if (d.kind) m.set(d.kind, (m.get(d.kind) ?? 0) + 1);
    return m;
  }

  total(): number {
    return this.log.filter((d) => d.kind).length;
  }
}

export interface RetryAfterCheck {
  /** Answers with Retry-After that a later call of the same target followed. */
  checked: number;
  /** Of those, the ones whose next call came sooner than advertised. */
  violations: Array<{ key: string; gapMs: number; retryAfterMs: number; kind?: FaultKind }>;
}

/**
 * For every call answered with Retry-After, the next call for the same target must come at least
 * that much later. Times are the mix's decision times, taken when each request reached the
 * emulator's fault check, so a gap here is never longer than the client's real wait.
 */
export function checkRetryAfter(
  log: readonly MixDecision[],
  keyFilter?: (key: string) => boolean,
): RetryAfterCheck {
  const byKey = new Map<string, MixDecision[]>();
  for (const d of log) {
    if (keyFilter && !keyFilter(d.key)) continue;
    const list = byKey.get(d.key) ?? [];
    list.push(d);
    byKey.set(d.key, list);
  }
  const result: RetryAfterCheck = { checked: 0, violations: [] };
  for (const [key, calls] of byKey) {
    calls.sort((a, b) => a.at - b.at);
    calls.forEach((d, i) => {
      const next = calls[i + 1];
      if (d.retryAfterMs === undefined || !next) return;
      result.checked += 1;
      const gapMs = next.at - d.at;
      if (gapMs < d.retryAfterMs)
        result.violations.push({
          key,
          gapMs,
          retryAfterMs: d.retryAfterMs,
          ...(d.kind ? { kind: d.kind } : {}),
        });
    });
  }
  return result;
}

/** `412 (unavailable 80, rate-limited 71, ...)`. */
export function describeFaults(counts: ReadonlyMap<string, number>): string {
  const total = [...counts.values()].reduce((a, b) => a + b, 0);
  const parts = [...counts.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([k, n]) => `${k} ${n}`);
  return `${total} (${parts.join(', ')})`;
}
