import { z } from 'zod';
import { GoogleIdentityPlatformAdapter } from '../../activities/google-identity-platform/adapter';
import type { ConnectionSection } from './section';

const schema = z.strictObject({});

/** STUB(google-identity-platform): replaced by the Google Identity Platform implementation. */
export const googleIdentityPlatformConnections: ConnectionSection<
  typeof schema,
  GoogleIdentityPlatformAdapter
> = {
  schema,
  build: () => new GoogleIdentityPlatformAdapter(),
};
