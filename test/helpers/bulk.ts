import { randomUUID } from 'node:crypto';
import type { BulkOperation } from '../../workflows/bulk-revocation';
import type { BulkRevocationJobInput } from '../../api';
import type { TestStack } from './stack';

/** Starts a bulk job on the stack's task queue; returns its id. */
export async function startBulk(
  s: TestStack,
  job: BulkRevocationJobInput,
  id = `bulk-${randomUUID()}`,
): Promise<string> {
  await s.temporal.workflow.start('bulkRevocation', { taskQueue: s.taskQueue, workflowId: id, args: [job] });
  return id;
}

export async function bulkOperation(s: TestStack, id: string): Promise<BulkOperation> {
  return (await s.client.get(id)) as unknown as BulkOperation;
}

export async function waitBulk(s: TestStack, id: string, timeout = 120_000): Promise<BulkOperation> {
  return (await s.client.wait(id, { timeout })) as unknown as BulkOperation;
}
