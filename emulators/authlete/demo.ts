import type { StartDemo } from '../demo';

/** STUB(authlete): replaced by the emulator's demo. */
export const startDemo: StartDemo = async () => ({
  provider: 'authlete',
  connections: {},
  examples: [],
  close: async () => undefined,
});
