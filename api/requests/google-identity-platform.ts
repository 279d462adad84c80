import { z } from 'zod';
import { connectionName } from './common';
import type { ProviderTraits } from './traits';

/** STUB(google-identity-platform): replaced by the Google Identity Platform implementation. */
export const googleIdentityPlatformRequest = z.strictObject({
  provider: z.literal('google-identity-platform'),
  connection: connectionName.default('default'),
});

export type GoogleIdentityPlatformRequest = z.output<typeof googleIdentityPlatformRequest>;

export const googleIdentityPlatformTraits: ProviderTraits<GoogleIdentityPlatformRequest> = {
  title: 'Google Identity Platform',
  target: () => 'nothing (not implemented yet)',
  secrets: () => [],
  subject: () => undefined,
};
