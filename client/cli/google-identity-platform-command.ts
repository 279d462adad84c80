import type { Command } from 'commander';
import type { CliContext } from './context';

/** STUB(google-identity-platform): replaced by the Google Identity Platform implementation. Until then, `revoke start` takes google-identity-platform requests. */
export function addGoogleIdentityPlatformCommand(_program: Command, _ctx: CliContext): void {}
