import type { StartDemo } from '../demo';

/** STUB(oauth2): replaced by the emulator's demo. */
export const startDemo: StartDemo = async () => ({
  provider: 'oauth2',
  connections: {},
  examples: [],
  close: async () => undefined,
});
