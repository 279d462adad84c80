import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ApplicationFailure, Client, Connection, WorkflowFailedError } from '@temporalio/client';
import { DEFAULT_TASK_QUEUE, QueryNames, WorkflowTypes } from '../api/contract';
import { parseRevokeTokensInput } from '../api';
import { AesGcmPayloadCodec } from '../common/payload-codec';
import { createTestStack, type TestStack } from './helpers/stack';
import { testTemporal } from './helpers/temporal';

const doc = readFileSync(join(__dirname, '../docs/contract.md'), 'utf8');

/** The JSON blocks of docs/contract.md, each announced by `<!-- contract:NAME -->`. */
function docBlocks(): Map<string, unknown> {
  const blocks = new Map<string, unknown>();
  for (const m of doc.matchAll(/<!-- contract:(\S+) -->\s*```json\n([\s\S]*?)```/g)) {
    const [, name = '', text = ''] = m;
    assert.ok(!blocks.has(name), `block ${name} appears once`);
    blocks.set(name, JSON.parse(text));
  }
  return blocks;
}
const blocks = docBlocks();
function block(name: string): Record<string, unknown> {
  const b = blocks.get(name);
  assert.ok(b && typeof b === 'object', `docs/contract.md has a json block <!-- contract:${name} -->`);
  return b as Record<string, unknown>;
}

/** The fenced block of one language that holds `marker`. */
function snippet(lang: string, marker: string): string {
  const found = [...doc.matchAll(new RegExp('```' + lang + '\\n([\\s\\S]*?)```', 'g'))]
    .map((m) => m[1] ?? '')
    .find((s) => s.includes(marker));
  assert.ok(found, `a ${lang} snippet containing ${marker}`);
  return found;
}

/** Keys and value types, not values: ids and times differ from run to run. */
function shape(v: unknown): unknown {
  if (Array.isArray(v)) return v.length === 0 ? [] : [shape(v[0])];
  if (v && typeof v === 'object')
    return Object.fromEntries(
      Object.keys(v)
        .sort()
        .map((k) => [k, shape((v as Record<string, unknown>)[k])]),
    );
  return typeof v;
}

type Op = Record<string, unknown> & {
  id: string;
  done: boolean;
  metadata: Record<string, unknown>;
  error?: { code: number };
};

let stack: TestStack;
let connection: Connection;
/** No codec: what a caller in another language without the key has. */
let plain: Client;
/** The worker's codec over a raw client: what a caller that has the key (or the codec server) reads. */
let decoding: Client;
const dumped: Record<string, unknown> = {};

before(async () => {
  const { address, namespace } = await testTemporal();
  // With a ledger, as a worker runs by default: the documented response names its evidence record.
  const ledgerDir = mkdtempSync(join(tmpdir(), 'contract-ledger-'));
  stack = await createTestStack(
    {
      iamTokens: { 'emulator-iam-token': 'aje123' },
      tokens: [
        {
          id: 'rt-1',
          token: 'secret-contract-rt-1-xxxxxxxx',
          subjectId: 'aje123',
          clientId: 'yc.oauth.public-sdk',
        },
        {
          id: 'rt-2',
          token: 'secret-contract-rt-2-xxxxxxxx',
          subjectId: 'aje123',
          clientId: 'yc.oauth.public-sdk',
        },
        { id: 'rt-3', token: 'secret-contract-rt-3-xxxxxxxx', subjectId: 'aje123', clientId: 'other-app' },
      ],
    },
    {
      ledger: {
        url: `sqlite:${join(ledgerDir, 'evidence.db')}`,
        signingKeyFile: join(ledgerDir, 'signing-key.pem'),
      },
    },
  );
  await stack.startWorker();
  connection = await Connection.connect({ address });
  plain = new Client({ connection, namespace });
  decoding = new Client({
    connection,
    namespace,
    dataConverter: { payloadCodecs: [new AesGcmPayloadCodec(stack.keyring)] },
  });
});
after(async () => {
  if (process.env.DUMP_CONTRACT) process.stdout.write(`${JSON.stringify(dumped, null, 2)}\n`);
  await connection?.close();
  await stack?.close();
});

/** Starts revokeTokens by its name, as any SDK would: no RevocationClient, no codec. */
async function startRaw(input: unknown): Promise<string> {
  const workflowId = `contract-${randomUUID()}`;
  await plain.workflow.start(WorkflowTypes.revokeTokens, {
    taskQueue: stack.taskQueue,
    workflowId,
    args: [input],
  });
  return workflowId;
}

void describe('docs/contract.md: the names', () => {
  void it('names the default task queue, the type, the query, and the snippets use them', () => {
    assert.equal(DEFAULT_TASK_QUEUE, 'token-revocation');
    assert.match(doc, new RegExp(`\\| task queue +\\| \`${DEFAULT_TASK_QUEUE}\``));
    assert.match(doc, new RegExp(`\\| \`${WorkflowTypes.revokeTokens}\` `));
    assert.match(doc, new RegExp(`\\| \`${QueryNames.getOperation}\` `));
    const go = snippet('go', 'ExecuteWorkflow');
    assert.match(go, new RegExp(`TaskQueue: +"${DEFAULT_TASK_QUEUE}"`));
    assert.match(go, new RegExp(`ExecuteWorkflow\\(ctx, options, "${WorkflowTypes.revokeTokens}", input\\)`));
    assert.match(go, new RegExp(`"${QueryNames.getOperation}"`));
    const py = snippet('python', 'start_workflow');
    assert.match(py, new RegExp(`start_workflow\\(\\s*"${WorkflowTypes.revokeTokens}",\\s*input,`));
    assert.match(py, new RegExp(`task_queue="${DEFAULT_TASK_QUEUE}"`));
    assert.match(py, new RegExp(`"${QueryNames.getOperation}"`));
  });

  void it('the Go and Python snippets carry exactly the input JSON the test starts', () => {
    const input = block('input-yandex-cloud-by-id');
    const go = snippet('go', 'ExecuteWorkflow');
    const goJson = /json\.Unmarshal\(\[\]byte\(`([^`]*)`\)/.exec(go)?.[1];
    assert.ok(goJson, 'the Go snippet unmarshals a JSON literal');
    assert.deepEqual(JSON.parse(goJson), input);
    const py = snippet('python', 'start_workflow');
    const pyJson = /json\.loads\(\s*"""([\s\S]*?)"""/.exec(py)?.[1];
    assert.ok(pyJson, 'the Python snippet loads a JSON literal');
    assert.deepEqual(JSON.parse(pyJson), input);
  });

  void it('the Go snippet is valid Go (gofmt -e), the Python snippet valid Python (ast.parse)', (t) => {
    const tools = (cmd: string) => {
      try {
        execFileSync(cmd, ['--version'], { stdio: 'ignore' });
        return true;
      } catch {
        return false;
      }
    };
    if (tools('python3')) {
      execFileSync('python3', ['-c', 'import ast,sys; ast.parse(sys.stdin.read())'], {
        input: snippet('python', 'start_workflow'),
      });
      // The check can fail: a broken snippet is refused.
      assert.throws(() =>
        execFileSync('python3', ['-c', 'import ast,sys; ast.parse(sys.stdin.read())'], {
          input: 'def (:',
          stdio: ['pipe', 'ignore', 'ignore'],
        }),
      );
    } else t.diagnostic('python3 not found; Python snippet not parsed');
    let gofmt = false;
    try {
      execFileSync('gofmt', ['-l'], { input: 'package x\n', stdio: ['pipe', 'ignore', 'ignore'] });
      gofmt = true;
    } catch {
      t.diagnostic('gofmt not found; Go snippet not parsed');
    }
    if (gofmt) {
      execFileSync('gofmt', ['-e'], {
        input: snippet('go', 'ExecuteWorkflow'),
        stdio: ['pipe', 'ignore', 'pipe'],
      });
      assert.throws(() =>
        execFileSync('gofmt', ['-e'], { input: 'package x\nfunc (', stdio: ['pipe', 'ignore', 'ignore'] }),
      );
    }
  });

  void it('every input block is a valid revokeTokens input', () => {
    const inputs = [...blocks.keys()].filter((k) => k.startsWith('input-'));
    assert.ok(inputs.length >= 6, inputs.join(', '));
    for (const name of inputs) {
      assert.doesNotThrow(() => parseRevokeTokensInput(block(name)), name);
    }
    // Positive control: the same check refuses a broken one.
    assert.throws(() => parseRevokeTokensInput({ request: { provider: 'yandex-cloud', refreshTokenId: 7 } }));
  });
});

void describe('docs/contract.md: revokeTokens started raw through @temporalio/client', () => {
  void it('by id: completes, and the result has the documented done+response shape', async () => {
    const id = await startRaw(block('input-yandex-cloud-by-id'));
    // Without the codec the result cannot be read: the worker encrypts what it writes.
    await assert.rejects(plain.workflow.getHandle(id).result(), /encrypted|encoding/i);
    const op = (await decoding.workflow.getHandle(id).result()) as Op;
    dumped['operation-done-response'] = op;
    assert.equal(op.id, id);
    assert.equal(op.done, true);
    assert.deepEqual((op.response as { refreshTokenIds: string[] }).refreshTokenIds, ['rt-1']);
    assert.deepEqual(shape(op), shape(block('operation-done-response')));
    assert.deepEqual(
      stack.emulator.activeTokens().map((t) => t.id),
      ['rt-2', 'rt-3'],
    );
  });

  void it('by filter: the second documented input revokes what it names', async () => {
    const id = await startRaw(block('input-yandex-cloud-by-filter'));
    const op = (await decoding.workflow.getHandle(id).result()) as Op;
    assert.equal(op.done, true);
    assert.equal(op.error, undefined);
    assert.deepEqual(
      stack.emulator.activeTokens().map((t) => t.id),
      ['rt-3'],
    );
  });

  void it('a failure: the execution fails with the code name as type and the Operation as detail', async () => {
    stack.emulator.injectFault({ method: 'Revoke', code: 7, message: 'not allowed' });
    const id = await startRaw(block('input-yandex-cloud-all'));
    const err = await decoding.workflow
      .getHandle(id)
      .result()
      .then(
        () => assert.fail('the execution fails'),
        (e: unknown) => e,
      );
    assert.ok(err instanceof WorkflowFailedError);
    assert.ok(err.cause instanceof ApplicationFailure);
    assert.equal(err.cause.type, 'PERMISSION_DENIED');
    const op = err.cause.details?.[0] as Op;
    dumped['operation-done-error'] = op;
    assert.equal(op.done, true);
    assert.equal(op.error?.code, 7);
    assert.deepEqual(shape(op), shape(block('operation-done-error')));
    // The query answers the same Operation.
    const queried = (await decoding.workflow.getHandle(id).query(QueryNames.getOperation)) as Op;
    assert.deepEqual(queried, op);
  });

  void it('in progress: getOperation answers done=false, then with the latest error while a retry is pending', async () => {
    stack.emulator.configure({ pollsUntilDone: 10_000 });
    const running = await startRaw({
      ...block('input-yandex-cloud-all'),
      timing: { pollInitialInterval: '200ms' },
    });
    const handle = decoding.workflow.getHandle(running);
    let op: Op | undefined;
    for (let i = 0; i < 100 && op?.metadata.phase !== 'POLLING'; i++) {
      op = (await handle.query(QueryNames.getOperation)) as Op;
      if (op.metadata.phase !== 'POLLING') await new Promise((r) => setTimeout(r, 100));
    }
    assert.ok(op);
    dumped['operation-running'] = op;
    assert.equal(op.done, false);
    assert.equal(op.error, undefined);
    assert.deepEqual(shape(op), shape(block('operation-running')));
    await handle.cancel();
    stack.emulator.configure({ pollsUntilDone: 0 });

    stack.emulator.injectFault({ method: 'Revoke', code: 14, message: 'try later', times: 1_000 });
    const retrying = decoding.workflow.getHandle(await startRaw(block('input-yandex-cloud-all')));
    let again: Op | undefined;
    for (let i = 0; i < 100 && again?.error === undefined; i++) {
      again = (await retrying.query(QueryNames.getOperation)) as Op;
      if (again.error === undefined) await new Promise((r) => setTimeout(r, 100));
    }
    assert.ok(again);
    dumped['operation-retrying'] = again;
    assert.equal(again.done, false);
    assert.equal(again.error?.code, 14);
    assert.deepEqual(shape(again), shape(block('operation-retrying')));
    await retrying.cancel();
  });
});
