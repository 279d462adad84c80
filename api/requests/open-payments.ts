import { z } from 'zod';
import { connectionName } from './common';
import type { ProviderTraits } from './traits';

/** STUB(open-payments): replaced by the Open Payments implementation. */
export const openPaymentsRequest = z.strictObject({
  provider: z.literal('open-payments'),
  connection: connectionName.default('default'),
});

export type OpenPaymentsRequest = z.output<typeof openPaymentsRequest>;

export const openPaymentsTraits: ProviderTraits<OpenPaymentsRequest> = {
  title: 'Open Payments',
  target: () => 'nothing (not implemented yet)',
  secrets: () => [],
  subject: () => undefined,
};
