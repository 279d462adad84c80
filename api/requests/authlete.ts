import { z } from 'zod';
import { connectionName } from './common';
import type { ProviderTraits } from './traits';

/** STUB(authlete): replaced by the Authlete implementation. */
export const authleteRequest = z.strictObject({
  provider: z.literal('authlete'),
  connection: connectionName.default('default'),
});

export type AuthleteRequest = z.output<typeof authleteRequest>;

export const authleteTraits: ProviderTraits<AuthleteRequest> = {
  title: 'Authlete',
  target: () => 'nothing (not implemented yet)',
  secrets: () => [],
  subject: () => undefined,
};
