import { z } from 'zod';
import { connectionName } from './common';
import type { ProviderTraits } from './traits';

/** STUB(oauth2): replaced by the OAuth 2.0 (RFC 7009) implementation. */
export const oauth2Request = z.strictObject({
  provider: z.literal('oauth2'),
  connection: connectionName.default('default'),
});

export type OAuth2Request = z.output<typeof oauth2Request>;

export const oauth2Traits: ProviderTraits<OAuth2Request> = {
  title: 'OAuth 2.0 (RFC 7009)',
  target: () => 'nothing (not implemented yet)',
  secrets: () => [],
  subject: () => undefined,
};
