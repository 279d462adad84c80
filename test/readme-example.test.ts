import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { YandexCloudAdapter } from '../activities/yandex-cloud/adapter';
import { Code } from '../api';
import { RevocationClient } from '../client/revocation-client';
import { freePort } from '../scripts/free-port';
import { ctrlC, killStack, npmStart, type NpmStartStack } from './helpers/npm-start';

const root = join(__dirname, '..');

/** The README's TypeScript offboarding example, as the README has it (not a copy). */
function readmeOffboardingExample(): string {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const blocks = [...readme.matchAll(/^```ts\n([\s\S]*?)^```$/gm)]
    .map((m) => m[1] ?? '')
    .filter((code) => code.includes('RevocationClient') && code.includes("subjectId: 'aje123'"));
  assert.equal(blocks.length, 1, 'the README has one TypeScript offboarding example');
  return blocks[0] as string;
}

interface YandexConnection {
  endpoint: string;
  iamToken: string;
  rootCertFile: string;
}

/** The provider's own view, through `npm start`'s written connection (List, as an admin of aje123). */
function adapterFor(dataDir: string, name: string): YandexCloudAdapter {
  const all = JSON.parse(readFileSync(join(dataDir, 'emulator-connections.json'), 'utf8')) as {
    'yandex-cloud': Record<string, YandexConnection>;
  };
  const c = all['yandex-cloud'][name];
  assert.ok(c, `npm start writes a yandex-cloud connection named ${name}`);
  return new YandexCloudAdapter({
    credentials: { iamToken: c.iamToken },
    endpoint: c.endpoint,
    rootCerts: readFileSync(c.rootCertFile),
  });
}

void describe('README: the Yandex offboarding example against npm start', () => {
  let stack: NpmStartStack | undefined;
  let dataDir: string;
  let clientEnv: NodeJS.ProcessEnv;

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'revocation-readme-'));
    const port = await freePort();
    stack = await npmStart({
      REVOCATION_DATA_DIR: dataDir,
      TEMPORAL_DEV_PORT: String(port),
      TEMPORAL_UI_PORT: String(await freePort()),
      TEMPORAL_ADDRESS: '',
      // Off, so that this stack never fights another for the default metrics port.
      REVOCATION_METRICS_ADDRESS: '',
    });
    clientEnv = {
      TEMPORAL_ADDRESS: `127.0.0.1:${port}`,
      REVOCATION_CODEC_KEY_FILE: join(dataDir, 'codec-keys.json'),
    };
  });
  after(async () => {
    if (!stack) return;
    try {
      await ctrlC(stack);
    } finally {
      killStack(stack);
    }
  });

  void it('runs as written, as a dependency would: the subject’s matching tokens are revoked', async () => {
    const admin = adapterFor(dataDir, 'admin');
    const before = (await admin.list({ subjectId: 'aje123' })).refreshTokens.map((t) => [t.id, t.clientId]);
    assert.deepEqual(before, [
      ['demo-rt-4', 'yc.oauth.public-sdk'],
      ['demo-rt-5', 'yc.oauth.public-sdk'],
      ['demo-rt-6', 'demo-client-a'],
    ]);

    // A project that depends on this package: its name resolves to this checkout.
    const project = mkdtempSync(join(tmpdir(), 'revocation-readme-project-'));
    mkdirSync(join(project, 'node_modules'));
    symlinkSync(root, join(project, 'node_modules', 'token-revocation-engine'), 'dir');
    writeFileSync(join(project, 'offboarding.mts'), readmeOffboardingExample());
    const run = spawnSync(join(root, 'node_modules', '.bin', 'tsx'), ['offboarding.mts'], {
      cwd: project,
      env: { ...process.env, ...clientEnv },
      encoding: 'utf8',
      timeout: 120_000,
    });
    assert.equal(run.status, 0, `the example exits 0:\n${run.stdout}\n${run.stderr}`);
    assert.equal(run.stderr, '', 'the example prints no error');
    assert.match(run.stdout, /\[ 'demo-rt-4', 'demo-rt-5' \]/);

    const left = (await admin.list({ subjectId: 'aje123' })).refreshTokens.map((t) => t.id);
    assert.deepEqual(left, ['demo-rt-6'], 'only the token of another client is left');

    const client = await RevocationClient.connect({ env: clientEnv });
    try {
      const [summary] = (await client.list({ provider: 'yandex-cloud', subject: 'aje123' })).operations;
      assert.ok(summary, 'the operation is listed by subject');
      const op = await client.get(summary.id);
      assert.equal(op.createdBy, 'hr-offboarding');
      assert.equal(op.description, 'Offboarding of employee 4711');
      assert.equal(op.metadata.connection, 'admin');
    } finally {
      await client.close();
    }
  });

  void it('the default connection, without a binding on aje123, gets PERMISSION_DENIED with Yandex’s details', async () => {
    const client = await RevocationClient.connect({ env: clientEnv });
    try {
      const started = await client.revoke({
        provider: 'yandex-cloud',
        revokeFilter: { subjectId: 'aje123', clientId: 'demo-client-a' },
      });
      const op = await client.wait(started.id, { timeout: 60_000 });
      assert.equal(op.error?.code, Code.PERMISSION_DENIED);
      assert.equal(op.error.message, 'Yandex Cloud RefreshTokenService.Revoke: Permission denied');
      const requestInfo = op.error.details.find(
        (d) => d['@type'] === 'type.googleapis.com/google.rpc.RequestInfo',
      );
      assert.match(String(requestInfo?.requestId), /^[0-9a-f-]{36}$/);
    } finally {
      await client.close();
    }
    const left = (await adapterFor(dataDir, 'admin').list({ subjectId: 'aje123' })).refreshTokens;
    assert.deepEqual(
      left.map((t) => t.id),
      ['demo-rt-6'],
    );
    await assert.rejects(adapterFor(dataDir, 'default').list({ subjectId: 'aje123' }), /PERMISSION_DENIED/);
  });

  void it('the banner’s admin example revokes the rest through the CLI', () => {
    const example = /^\s+(npm run -s revoke -- yandex-cloud --connection admin .+)$/m.exec(
      stack?.output() ?? '',
    )?.[1];
    assert.ok(example, `the banner prints an admin example:\n${stack?.output()}`);
    const run = spawnSync('sh', ['-c', example], {
      cwd: root,
      env: { ...process.env, ...clientEnv },
      encoding: 'utf8',
      timeout: 120_000,
    });
    assert.equal(run.status, 0, `${run.stdout}\n${run.stderr}`);
    assert.match(run.stdout, /demo-rt-6/);
  });
});
