import type { Command } from 'commander';
import type { CliContext } from '../context';
import { addCancel, addPauseResume, addThrottle } from './control';
import { addStart } from './start';
import { addStatus } from './status';

/** `revoke bulk start|status|pause|resume|throttle|cancel`. */
export function addBulkCommand(program: Command, ctx: CliContext): void {
  const bulk = program
    .command('bulk')
    .summary('bulk revocation jobs: start, status, pause, resume, throttle, cancel')
    .description(
      'Bulk revocation jobs: revoke every target of a source (an NDJSON file, a Yandex Cloud or Authlete ' +
        'listing, inline requests) as one durable, pausable, rate-limited operation with exact counts',
    )
    .addHelpText(
      'after',
      `
Examples:
  $ revoke bulk start --name offboarding --ndjson /data/tokens.ndjson --rate 50 --wait
  $ revoke bulk status bulk-0f6e0c2a-1d6b-4a8e-9c53-1b2f0e9a7d41 --watch
  $ revoke bulk pause bulk-0f6e0c2a-1d6b-4a8e-9c53-1b2f0e9a7d41
  $ revoke bulk throttle bulk-0f6e0c2a-1d6b-4a8e-9c53-1b2f0e9a7d41 --rate 10
  $ revoke bulk resume bulk-0f6e0c2a-1d6b-4a8e-9c53-1b2f0e9a7d41
  $ revoke bulk cancel bulk-0f6e0c2a-1d6b-4a8e-9c53-1b2f0e9a7d41`,
    );
  addStart(bulk, ctx);
  addStatus(bulk, ctx);
  addPauseResume(bulk, ctx);
  addThrottle(bulk, ctx);
  addCancel(bulk, ctx);
}
