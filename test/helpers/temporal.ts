import { startDevServer } from '../../scripts/dev-server';
import { findTemporalCli } from '../../scripts/temporal-cli';

/** Dynamic config every test server runs with (lowered continue-as-new thresholds etc. go here). */
export const testDynamicConfig: Record<string, unknown> = {
  // Bulk jobs continue as new when the server suggests it; a low threshold makes that happen in tests.
  'limit.historyCount.suggestContinueAsNew': 60,
};

export interface TestTemporal {
  address: string;
  namespace: string;
}

let shared: Promise<TestTemporal> | undefined;

/**
 * The dev server of this test run: the one `npm test` started (TEMPORAL_TEST_ADDRESS), or, when a
 * file runs alone, one started for this process and stopped after it.
 */
export function testTemporal(): Promise<TestTemporal> {
  shared ??= (async () => {
    const address = process.env.TEMPORAL_TEST_ADDRESS;
    if (address) return { address, namespace: 'default' };
    const server = await startDevServer({
      cli: findTemporalCli(),
      uiPort: false,
      dynamicConfig: testDynamicConfig,
      stdio: 'ignore',
    });
    // `after` inside a test would bind to that test; the server must outlive every test of the file.
    process.once('exit', () => server.kill());
    return { address: server.address, namespace: server.namespace };
  })();
  return shared;
}
