import { z } from 'zod';
import { OpenPaymentsAdapter } from '../../activities/open-payments/adapter';
import type { ConnectionSection } from './section';

const schema = z.strictObject({});

/** STUB(open-payments): replaced by the Open Payments implementation. */
export const openPaymentsConnections: ConnectionSection<typeof schema, OpenPaymentsAdapter> = {
  schema,
  build: () => new OpenPaymentsAdapter(),
};
