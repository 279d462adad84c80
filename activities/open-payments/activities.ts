import type { ConnectionRegistry } from '../connection-registry';

/** STUB(open-payments): replaced by the Open Payments implementation. */
export function createOpenPaymentsActivities(_registry: ConnectionRegistry) {
  return {};
}
