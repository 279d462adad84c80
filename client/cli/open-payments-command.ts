import type { Command } from 'commander';
import type { CliContext } from './context';

/** STUB(open-payments): replaced by the Open Payments implementation. Until then, `revoke start` takes open-payments requests. */
export function addOpenPaymentsCommand(_program: Command, _ctx: CliContext): void {}
