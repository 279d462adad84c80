import type { StartDemo } from '../demo';

/** STUB(open-payments): replaced by the emulator's demo. */
export const startDemo: StartDemo = async () => ({
  provider: 'open-payments',
  connections: {},
  examples: [],
  close: async () => undefined,
});
