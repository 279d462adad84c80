import type { Client } from '@temporalio/client';
import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { temporal } from '@temporalio/proto';

export const fastTiming = {
  pollInitialInterval: '100ms',
  pollMaxInterval: '400ms',
  retryInitialInterval: '100ms',
} as const;

/** The history of an operation as the server stores it. */
export async function fetchHistory(client: Client, id: string): Promise<temporal.api.history.v1.IHistory> {
  return client.workflow.getHandle(id).fetchHistory();
}

/** Raw bytes of the history, as the server would hand them to any reader (the UI, tctl, exports). */
export function historyBytes(history: temporal.api.history.v1.IHistory): Buffer {
  return Buffer.from(temporal.api.history.v1.History.encode(history).finish());
}

/**
 * With RECORD_HISTORIES=1, saves a history under test/histories/ (committed), so the replay test
 * replays what earlier code recorded against the current workflow code.
 */
export function recordHistory(name: string, history: temporal.api.history.v1.IHistory): void {
  if (!process.env.RECORD_HISTORIES) return;
  const dir = join(__dirname, '..', 'histories');
  mkdirSync(dir, { recursive: true });
  const json = temporal.api.history.v1.History.toObject(temporal.api.history.v1.History.fromObject(history), {
    longs: String,
    enums: String,
    bytes: String,
  });
  writeFileSync(join(dir, `${name}.json`), `${JSON.stringify(json)}\n`);
}
