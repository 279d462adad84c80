import { z } from 'zod';
import { OAuth2Adapter } from '../../activities/oauth2/adapter';
import type { ConnectionSection } from './section';

const schema = z.strictObject({});

/** STUB(oauth2): replaced by the OAuth 2.0 (RFC 7009) implementation. */
export const oauth2Connections: ConnectionSection<typeof schema, OAuth2Adapter> = {
  schema,
  build: () => new OAuth2Adapter(),
};
