/**
 * Milliseconds to wait from an HTTP `Retry-After` header (RFC 9110 §10.2.3): delay-seconds or an
 * HTTP-date. Undefined when absent or unreadable; a date in the past means "now" (0).
 */
export function parseRetryAfter(
  value: string | readonly string[] | null | undefined,
  now = Date.now(),
): number | undefined {
  const raw = (typeof value === 'string' ? value : value?.[0])?.trim();
  if (!raw) return undefined;
  if (/^\d+$/.test(raw)) return Number(raw) * 1000;
  // An HTTP-date always names a day or month; this keeps Date.parse from reading "1.5" as a date.
  if (!/[a-z]/i.test(raw)) return undefined;
  const at = Date.parse(raw);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
