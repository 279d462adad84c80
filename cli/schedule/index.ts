import type { Command } from 'commander';
import type { CliContext } from '../context';
import { addCreate, addUpdate } from './create-update';
import { addDelete } from './delete';
import { addDescribe, addList } from './list-describe';
import { addBackfill, addPauseUnpause, addTrigger } from './runs';

const scheduleExitCodes = `Exit codes:
  0  success
  1  an unexpected failure
  2  bad input (the flag and field are named; nothing was changed), or create: the schedule id is taken
  3  Temporal could not be reached, or the configuration is wrong
  5  no bulk revocation schedule has the id`;

/** `revoke schedule create|list|describe|update|pause|unpause|trigger|backfill|delete`. */
export function addScheduleCommand(program: Command, ctx: CliContext): void {
  const schedule = program
    .command('schedule')
    .summary('run bulk revocation jobs on a schedule (Temporal Schedules)')
    .description(
      'Temporal Schedules whose action is a bulk revocation job: cron or interval timing in a time zone, an overlap ' +
        'policy (default skip), pause, trigger now, backfill. They show on the Web UI Schedules page; each run is ' +
        'an operation bulk-<schedule-id>-<time> naming its schedule (metadata.scheduleId)',
    )
    .addHelpText(
      'after',
      `
${scheduleExitCodes}

Examples:
  $ revoke schedule create --schedule-id nightly-yandex --cron "0 3 * * *" --timezone Europe/Berlin --job-file job.json
  $ revoke schedule list
  $ revoke schedule describe nightly-yandex --json
  $ revoke schedule pause nightly-yandex --note "incident 1234"
  $ revoke schedule trigger nightly-yandex
  $ revoke schedule backfill nightly-yandex --start 2026-01-28T00:00:00Z --end 2026-01-31T00:00:00Z
  $ revoke schedule delete nightly-yandex`,
    );
  addCreate(schedule, ctx);
  addList(schedule, ctx);
  addDescribe(schedule, ctx);
  addUpdate(schedule, ctx);
  addPauseUnpause(schedule, ctx);
  addTrigger(schedule, ctx);
  addBackfill(schedule, ctx);
  addDelete(schedule, ctx);
}
