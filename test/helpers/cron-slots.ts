/**
 * What a cron spec yields in a named time zone, computed without the Temporal server, so a test can
 * compare the server's matching times with the spec itself instead of with the wall clock.
 *
 * Five-field cron (minute hour day-of-month month day-of-week) with `*`, numbers, `a-b`, `*\/n`,
 * `a-b/n`, lists and three-letter day names: the forms the schedule tests use. Times are found by
 * reading every minute's wall time in the zone, so DST gaps and repeats fall out of Intl itself.
 */

const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];
const MINUTE = 60_000;

/** A minute's wall time in a zone. `weekday` is 0 (Sunday) to 6. */
export interface WallTime {
  weekday: number;
  day: number;
  month: number;
  hour: number;
  minute: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

export function wallTime(t: Date, timeZone: string): WallTime {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      weekday: 'short',
      day: 'numeric',
      month: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      hourCycle: 'h23',
    });
    formatters.set(timeZone, f);
  }
  const parts = Object.fromEntries(f.formatToParts(t).map((p) => [p.type, p.value]));
  return {
    weekday: DAYS.indexOf(String(parts.weekday).toUpperCase()),
    day: Number(parts.day),
    month: Number(parts.month),
    hour: Number(parts.hour),
    minute: Number(parts.minute),
  };
}

function field(text: string, min: number, max: number, names: string[] = []): Set<number> {
  const value = (s: string): number => {
    const named = names.indexOf(s.toUpperCase());
    const n = named >= 0 ? named : Number(s);
    if (!Number.isInteger(n) || n < min || n > max)
      throw new Error(`cron field value ${s} outside ${min}-${max}`);
    return n;
  };
  const out = new Set<number>();
  for (const part of text.split(',')) {
    const [range = '', stepText] = part.split('/');
    const step = stepText === undefined ? 1 : value(stepText);
    const [lo, hi] =
      range === '*'
        ? [min, max]
        : range.includes('-')
          ? range.split('-').map(value)
          : [value(range), value(range)];
    for (let v = lo ?? min; v <= (hi ?? max); v += step) out.add(v);
  }
  return out;
}

/** A compiled cron line: does this wall time match it? */
export function cronMatcher(line: string): (w: WallTime) => boolean {
  const fields = line.trim().split(/\s+/);
  if (fields.length !== 5) throw new Error(`expected five cron fields: ${line}`);
  const [mi = '', h = '', dom = '', mon = '', dow = ''] = fields;
  const minutes = field(mi, 0, 59);
  const hours = field(h, 0, 23);
  const days = field(dom, 1, 31);
  const months = field(mon, 1, 12);
  const weekdays = field(dow, 0, 6, DAYS);
  // Vixie cron ORs a restricted day-of-month with a restricted day-of-week; no test needs that.
  if (dom !== '*' && dow !== '*') throw new Error(`day-of-month and day-of-week both restricted: ${line}`);
  return (w) =>
    minutes.has(w.minute) &&
    hours.has(w.hour) &&
    days.has(w.day) &&
    months.has(w.month) &&
    weekdays.has(w.weekday);
}

/** Every instant in [from, to) at which any of the cron lines matches in `timeZone`, ascending. */
export function cronSlots(lines: string[], timeZone: string, from: Date, to: Date): Date[] {
  const matchers = lines.map(cronMatcher);
  const out: Date[] = [];
  for (let t = Math.ceil(from.getTime() / MINUTE) * MINUTE; t < to.getTime(); t += MINUTE) {
    const w = wallTime(new Date(t), timeZone);
    if (matchers.some((m) => m(w))) out.push(new Date(t));
  }
  return out;
}

/** The first `count` slots at or after `from` (looks up to `horizonDays` ahead). */
export function nextCronSlots(
  lines: string[],
  timeZone: string,
  from: Date,
  count: number,
  horizonDays = 8,
): Date[] {
  return cronSlots(lines, timeZone, from, new Date(from.getTime() + horizonDays * 86_400_000)).slice(
    0,
    count,
  );
}

/**
 * The differences between the times a server returned and the slots expected, as readable lines
 * (empty when they agree): each missing slot and each unexpected time, in the zone's wall time.
 */
export function slotDifferences(actual: Date[], expected: Date[], timeZone: string): string[] {
  const show = (t: Date) => {
    const w = wallTime(t, timeZone);
    const hm = `${String(w.hour).padStart(2, '0')}:${String(w.minute).padStart(2, '0')}`;
    return `${t.toISOString()} (${DAYS[w.weekday]} ${hm} ${timeZone})`;
  };
  const a = new Set(actual.map((t) => t.getTime()));
  const e = new Set(expected.map((t) => t.getTime()));
  return [
    ...expected.filter((t) => !a.has(t.getTime())).map((t) => `missing ${show(t)}`),
    ...actual.filter((t) => !e.has(t.getTime())).map((t) => `unexpected ${show(t)}`),
  ];
}

/**
 * The first instant strictly after `after` whose wall time in `timeZone` is `hour:minute` on a day
 * `dayOk` accepts (a reference time for a test, e.g. "the next weekday 10:00 in Berlin").
 */
export function nextWallTime(
  after: Date,
  timeZone: string,
  hour: number,
  minute: number,
  dayOk: (weekday: number) => boolean,
): Date {
  for (
    let t = Math.floor(after.getTime() / MINUTE) * MINUTE + MINUTE, n = 0;
    n < 15 * 1440;
    t += MINUTE, n++
  ) {
    const w = wallTime(new Date(t), timeZone);
    if (w.hour === hour && w.minute === minute && dayOk(w.weekday)) return new Date(t);
  }
  throw new Error(`no ${hour}:${minute} in ${timeZone} within 15 days of ${after.toISOString()}`);
}
