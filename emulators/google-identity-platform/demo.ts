import type { StartDemo } from '../demo';

/** STUB(google-identity-platform): replaced by the emulator's demo. */
export const startDemo: StartDemo = async () => ({
  provider: 'google-identity-platform',
  connections: {},
  examples: [],
  close: async () => undefined,
});
