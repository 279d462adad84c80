const unitMs: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Milliseconds from a number of ms or a string such as `500ms`, `30s`, `1.5m`, `1h`. */
export function durationMs(value: number | string): number {
  if (typeof value === 'number') return value;
  const m = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)$/.exec(value);
  if (!m || m[1] === undefined || m[2] === undefined) throw new RangeError(`not a duration: ${value}`);
  return Math.round(Number(m[1]) * (unitMs[m[2]] ?? 1));
}
