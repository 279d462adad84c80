import type { CalendarSpecDescription, Range, ScheduleSpecDescription } from '@temporalio/client';
import { formatDuration } from '../../api';
import type { BulkScheduleSpecText } from './types';

// Rendering the server's spec back into what people write.

const MONTH_NUMBER: Record<string, number> = {
  JANUARY: 1,
  FEBRUARY: 2,
  MARCH: 3,
  APRIL: 4,
  MAY: 5,
  JUNE: 6,
  JULY: 7,
  AUGUST: 8,
  SEPTEMBER: 9,
  OCTOBER: 10,
  NOVEMBER: 11,
  DECEMBER: 12,
};

function cronField<U extends string | number>(
  ranges: Range<U>[],
  full: [number, number],
  toNumber: (u: U) => number,
  label: (n: number) => string = String,
): string {
  if (ranges.length === 0) return '*';
  return ranges
    .map((r) => {
      const a = toNumber(r.start);
      const b = toNumber(r.end);
      const step = r.step > 1 ? `/${r.step}` : '';
      if (a === full[0] && b === full[1]) return `*${step}`;
      if (a === b || b < a) return label(a);
      return `${label(a)}-${label(b)}${step}`;
    })
    .join(',');
}

const DOW = ['SUNDAY', 'MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY', 'SATURDAY'];

/** A calendar as a cron expression: 5 fields when it runs at second 0 in every year, else 7. */
export function calendarToCron(c: CalendarSpecDescription): string {
  const num = (u: number) => u;
  const second = cronField(c.second, [0, 59], num);
  const fields = [
    cronField(c.minute, [0, 59], num),
    cronField(c.hour, [0, 23], num),
    cronField(c.dayOfMonth, [1, 31], num),
    cronField(c.month, [1, 12], (m) => MONTH_NUMBER[m] ?? 0),
    cronField(
      c.dayOfWeek,
      [0, 6],
      (d) => DOW.indexOf(d),
      (n) => (DOW[n] ?? String(n)).slice(0, 3),
    ),
  ];
  const year = cronField(c.year, [Number.NaN, Number.NaN], num);
  const expr = second === '0' && year === '*' ? fields.join(' ') : [second, ...fields, year].join(' ');
  return c.comment ? `${expr} # ${c.comment}` : expr;
}

export function specText(spec: ScheduleSpecDescription | undefined): BulkScheduleSpecText {
  return {
    cron: (spec?.calendars ?? []).map(calendarToCron),
    every: (spec?.intervals ?? []).map(
      (i) => `${formatDuration(i.every)}${i.offset ? `+${formatDuration(i.offset)}` : ''}`,
    ),
    ...(spec?.timezone ? { timezone: spec.timezone } : {}),
  };
}
