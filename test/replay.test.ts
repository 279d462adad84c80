import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Worker } from '@temporalio/worker';
import { temporal } from '@temporalio/proto';
import { sharedBundle, testKeyring } from './helpers/stack';
import { AesGcmPayloadCodec } from '../common/payload-codec';

const dir = join(__dirname, 'histories');

/**
 * Histories recorded from every scenario (RECORD_HISTORIES=1 npm test) are committed; replaying them
 * with the current workflow code fails here, not in production, when a change breaks determinism.
 */
void describe('replay of recorded histories', () => {
  const files = readdirSync(dir).filter((f) => f.endsWith('.json'));

  void it('has recorded histories to replay', () => {
    assert.ok(files.length >= 10, `expected the recorded scenarios in ${dir}, found ${files.length}`);
  });

  for (const file of files) {
    void it(`replays ${file} without determinism errors`, async () => {
      const history = temporal.api.history.v1.History.fromObject(
        JSON.parse(readFileSync(join(dir, file), 'utf8')),
      );
      await Worker.runReplayHistory(
        {
          workflowBundle: await sharedBundle(),
          dataConverter: { payloadCodecs: [new AesGcmPayloadCodec(testKeyring())] },
        },
        history,
        // Child workflow ids derive from the parent's id, so replay under the recorded id.
        history.events?.[0]?.workflowExecutionStartedEventAttributes?.workflowId || file,
      );
    });
  }
});
