import type { Command } from 'commander';
import type { CliContext } from './context';

/** STUB(oauth2): replaced by the OAuth 2.0 (RFC 7009) implementation. Until then, `revoke start` takes oauth2 requests. */
export function addOAuth2Command(_program: Command, _ctx: CliContext): void {}
