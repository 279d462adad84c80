import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cronSlots, nextWallTime, slotDifferences, wallTime } from './helpers/cron-slots';

/**
 * The schedule test compares the server's matching times with what the spec yields; this checks
 * that yardstick at fixed instants (a weekday morning and evening, a Sunday, both DST changes) so
 * it cannot drift with the wall clock.
 */

const BERLIN = 'Europe/Berlin';
const CRON = ['0 3 * * *', '*/15 9-17 * * MON-FRI'];
const DAY = 86_400_000;
const hm = (t: Date) => {
  const w = wallTime(t, BERLIN);
  return `${w.weekday}/${String(w.hour).padStart(2, '0')}:${String(w.minute).padStart(2, '0')}`;
};

const hmDay = (t: Date) => ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'][wallTime(t, BERLIN).weekday];

void describe('cron slots in a time zone (the schedule test yardstick)', () => {
  void it('a weekday 10:00, a weekday 20:00 and a Sunday in Berlin each give the slots the spec means', () => {
    // Thursday 2026-12-03: 10:00 and 20:00 Berlin (CET, UTC+1); Sunday 2026-12-06 10:00.
    const thu10 = new Date('2026-12-03T09:00:00Z');
    const thu20 = new Date('2026-12-03T19:00:00Z');
    const sun10 = new Date('2026-12-06T09:00:00Z');
    assert.equal(
      nextWallTime(new Date('2026-12-03T08:30:00Z'), BERLIN, 10, 0, (d) => d >= 1 && d <= 5).getTime(),
      thu10.getTime(),
    );
    assert.equal(nextWallTime(thu10, BERLIN, 10, 0, (d) => d === 0).getTime(), sun10.getTime());

    const morning = cronSlots(CRON, BERLIN, thu10, new Date(thu10.getTime() + DAY)).map(hm);
    // 10:00 … 17:45 (32 slots), Friday 03:00, Friday 09:00 … 09:45.
    assert.equal(morning.length, 32 + 1 + 4);
    assert.deepEqual(morning.slice(0, 2), ['4/10:00', '4/10:15']);
    assert.equal(morning[31], '4/17:45');
    assert.deepEqual(morning.slice(32), ['5/03:00', '5/09:00', '5/09:15', '5/09:30', '5/09:45']);

    const evening = cronSlots(CRON, BERLIN, thu20, new Date(thu20.getTime() + DAY)).map(hm);
    assert.equal(evening[0], '5/03:00');
    assert.equal(evening.length, 1 + 36);
    assert.equal(evening.at(-1), '5/17:45');

    const sunday = cronSlots(CRON, BERLIN, sun10, new Date(sun10.getTime() + DAY)).map(hm);
    assert.deepEqual(sunday, ['1/03:00', '1/09:00', '1/09:15', '1/09:30', '1/09:45']);
  });

  void it('the same spec read as UTC misses the 03:00 Berlin slot at each reference time', () => {
    for (const ref of ['2026-12-03T09:00:00Z', '2026-12-03T19:00:00Z', '2026-12-06T09:00:00Z'].map(
      (s) => new Date(s),
    )) {
      const to = new Date(ref.getTime() + DAY);
      const [threeInBerlin, ...more] = cronSlots(['0 3 * * *'], BERLIN, ref, to);
      assert.ok(threeInBerlin && more.length === 0);
      const utc = cronSlots(CRON, 'UTC', ref, to);
      assert.ok(!utc.some((t) => t.getTime() === threeInBerlin.getTime()));
      const diff = slotDifferences(utc, cronSlots(CRON, BERLIN, ref, to), BERLIN);
      assert.ok(
        diff.includes(`missing ${threeInBerlin.toISOString()} (${hmDay(threeInBerlin)} 03:00 ${BERLIN})`),
        diff.join('; '),
      );
    }
  });

  void it('DST: 03:00 Berlin exists once on both change days; a 15-minute window keeps its wall-clock hours', () => {
    // 2027-03-28: 02:00 CET → 03:00 CEST; 2026-10-25: 03:00 CEST → 02:00 CET.
    for (const day of ['2027-03-27T23:00:00Z', '2026-10-24T22:00:00Z'].map((s) => new Date(s))) {
      const slots = cronSlots(['0 3 * * *'], BERLIN, day, new Date(day.getTime() + DAY + 3_600_000));
      assert.equal(slots.length, 1, slots.map((t) => t.toISOString()).join(', '));
    }
    const mon = new Date('2027-03-29T00:00:00Z');
    const window = cronSlots(['*/15 9-17 * * MON-FRI'], BERLIN, mon, new Date(mon.getTime() + DAY));
    assert.equal(window[0]?.toISOString(), '2027-03-29T07:00:00.000Z', 'CEST: 09:00 Berlin is 07:00 UTC');
  });
});
