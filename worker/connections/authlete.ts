import { z } from 'zod';
import { AuthleteAdapter } from '../../activities/authlete/adapter';
import type { ConnectionSection } from './section';

const schema = z.strictObject({});

/** STUB(authlete): replaced by the Authlete implementation. */
export const authleteConnections: ConnectionSection<typeof schema, AuthleteAdapter> = {
  schema,
  build: () => new AuthleteAdapter(),
};
