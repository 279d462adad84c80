import type { Command } from 'commander';
import type { CliContext } from './context';

/** STUB(authlete): replaced by the Authlete implementation. Until then, `revoke start` takes authlete requests. */
export function addAuthleteCommand(_program: Command, _ctx: CliContext): void {}
