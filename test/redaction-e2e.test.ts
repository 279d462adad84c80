import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import {
  closeSync,
  existsSync,
  mkdtempSync,
  rmSync,
  openSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import type { IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Client, Connection } from '@temporalio/client';
import type { Browser, Page } from 'playwright-core';
import { Code, fingerprint, type Operation, type RevocationRequestInput } from '../api';
import { startBulkJob, type BulkJobOperation } from '../client/bulk-jobs';
import { RevocationClient } from '../client/revocation-client';
import { revokeSubject, waitRevokeSubject } from '../client/revoke-subject';
import {
  DEFAULT_CLIENTS,
  DEFAULT_SERVICE_ID,
  startAuthleteEmulator,
  type AuthleteEmulator,
} from '../emulators/authlete';
import {
  startGoogleIdentityPlatformEmulator,
  type GoogleIdentityPlatformEmulator,
} from '../emulators/google-identity-platform';
import { startOAuth2Emulator, type OAuth2Emulator } from '../emulators/oauth2';
import {
  generateClientKey,
  startOpenPaymentsEmulator,
  type OpenPaymentsEmulator,
} from '../emulators/open-payments';
import { browserUnavailable, launchChromium, screenshotDir } from './helpers/browser';
import { runCliCaptured } from './helpers/cli';
import { ed25519Pem } from './helpers/evidence-records';
import { postgresBin, postgresUnavailable, startPostgres, type PostgresCluster } from './helpers/postgres';
import { startYandexEmulator, type YandexEmulator } from '../emulators/yandex-cloud';
import { startDevServer, type DevServer } from '../scripts/dev-server';
import { freePort } from '../scripts/free-port';
import { findTemporalCli } from '../scripts/temporal-cli';
import type { ConnectionsConfig } from '../worker/connections';
import { createCodecServer } from '../codec-server/server';
import { AesGcmPayloadCodec, type CodecKeyring } from '../common/payload-codec';
import {
  corpusContains,
  describeHit,
  formatScanTable,
  scanCorpus,
  secretNeedles,
  type Corpus,
  type Needle,
  type ScanResult,
  type Secret,
} from './helpers/secret-scan';
import { startWorkerProcess, waitForExit, type WorkerProcess } from './helpers/worker-process';

/**
 * Issue 5, acceptance 1: after a run that revokes through every provider (successes, provider errors
 * that echo the token, a bulk job over an NDJSON file of tokens, a revokeSubject), no token or
 * credential of the run appears in the dev server's SQLite file, the worker's and the server's logs,
 * the Web UI's pages and JSON (codec off), or the Operations and search attributes.
 * Issue 14, acceptance 6: the run also writes evidence (the worker's SQLite ledger; a second worker
 * on a PostgreSQL ledger for single revocations of each provider and a bulk job), and the scan
 * covers the ledger's files (db, -wal, -shm), its NDJSON and CSV exports and a pg_dump.
 */

/**
 * Only the two Web UI scans need a browser (`CHROMIUM_PATH`, default /usr/bin/chromium). Without
 * one they are skipped, saying so; the SQLite, log, metrics and Operations scans run regardless.
 */
const noBrowser = browserUnavailable();
/**
 * The PostgreSQL ledger needs the server binaries; without them (outside CI, where
 * LEDGER_TEST_POSTGRES=required makes them mandatory) its worker and pg_dump scan are skipped.
 */
const noPostgres = process.env.LEDGER_TEST_POSTGRES === 'required' ? undefined : postgresUnavailable();
const browserSkip = noBrowser
  ? `${noBrowser}. Only the Web UI scans are skipped; the SQLite, server log, worker log, metrics and Operations scans run without one`
  : false;

/** A token-looking random secret; the label says where it came from, the prefix helps when reading dumps. */
const secretValue = (prefix: string) => `${prefix}-${randomBytes(30).toString('base64url')}`;
/** A JWT-shaped ID token whose every part is random (an emulator-minted one has a fixed header). */
const randomJwt = () => [24, 96, 32].map((n) => randomBytes(n).toString('base64url')).join('.');

const timing = { pollInitialInterval: '100ms', pollMaxInterval: '400ms', retryInitialInterval: '200ms' };
const createdBy = `redaction-e2e-${randomUUID().slice(0, 8)}`;

interface Run {
  dir: string;
  server: DevServer;
  serverLogFile: string;
  dbFile: string;
  keyring: CodecKeyring;
  /** host:port of the worker's Prometheus endpoint. */
  metricsAddress: string;
  worker: WorkerProcess;
  /** The worker's SQLite evidence ledger (sqlite:<dir>/evidence.db). */
  ledgerUrl: string;
  /** A second worker, on its own task queue, writing evidence to a throwaway PostgreSQL cluster. */
  pg?: { cluster: PostgresCluster; url: string; worker: WorkerProcess; client: RevocationClient };
  /** The operations the PostgreSQL worker ran. */
  pgIds: string[];
  temporal: Client;
  client: RevocationClient;
  taskQueue: string;
  yandex: YandexEmulator;
  authlete: AuthleteEmulator;
  google: GoogleIdentityPlatformEmulator;
  openPayments: OpenPaymentsEmulator;
  /** The Open Payments client's wallet address. */
  opWallet: string;
  oauth2: OAuth2Emulator;
  secrets: Secret[];
  /** Every operation (workflow) id of the run, children included. */
  ids: string[];
  /** Run ids by workflow id, for Web UI links. */
  runIds: Map<string, string>;
  /** An operation whose request holds no secret (a Yandex refresh token id), for the decoded screenshot. */
  byIdOperation: { id: string; refreshTokenId: string };
  /** An operation whose request holds a token, to see the codec server decode it. */
  byTokenOperation: { id: string; token: string };
  bulkJobId: string;
  revokeSubjectId: string;
  /** Failed operations whose provider echoed a token: id, the token, and the Operation. */
  echoed: Array<{ provider: string; token: string; op: Operation }>;
  operations: Operation[];
}

void describe('redaction end to end: no secret at rest, in logs or in the Web UI', () => {
  let run: Run | undefined;
  const results: ScanResult[] = [];
  const corpora = new Map<string, Corpus>();
  let needles: Needle[] = [];

  before(async () => {
    run = await startRun();
    await runScenario(run);
  });

  after(async () => {
    if (results.length > 0) process.stdout.write(`${formatScanTable(results).replace(/^/gm, '# ')}\n`);
    await stopRun(run);
    if (run) rmSync(run.dir, { recursive: true, force: true });
  });

  void it('runs every provider, echoing faults, a bulk job and revokeSubject', () => {
    const r = need(run);
    assert.ok(r.ids.length >= 14, `${r.ids.length} operations`);
    needles = secretNeedles(r.secrets);
    process.stdout.write(
      `# ${r.ids.length} operations, ${r.secrets.length} secrets, ${needles.length} forms to look for\n`,
    );
  });

  void it('provider errors that echo a token reach the Operation scrubbed, with its fingerprint', () => {
    const r = need(run);
    assert.deepEqual(r.echoed.map((e) => e.provider).sort(), [
      'authlete',
      'bulk:oauth2',
      'google-identity-platform',
      'oauth2',
      'open-payments',
      'yandex-cloud',
    ]);
    for (const { provider, token, op } of r.echoed) {
      const text = JSON.stringify(op);
      assert.ok(!text.includes(token), `${provider}: the echoed token reached the Operation`);
      // Positive control: the provider's echo arrived, as the token's fingerprint.
      assert.ok(text.includes(fingerprint(token)), `${provider}: no fingerprint in ${text}`);
    }
  });

  void it(
    'Web UI with the codec server off: every page and JSON response',
    { skip: browserSkip },
    async () => {
      const r = need(run);
      const corpus = await crawlWebUi(r);
      corpora.set(corpus.name, corpus);
      // Positive controls: the UI showed these operations, their memo (a fingerprint) and their ciphertext.
      for (const id of r.ids) assert.ok(corpusContains(corpus, id), `UI JSON lacks ${id}`);
      assert.ok(
        corpusContains(corpus, fingerprint(r.echoed[0]?.token ?? '')),
        'UI lacks a failure fingerprint',
      );
      assert.ok(
        corpusContains(corpus, 'binary/encrypted') || corpusContains(corpus, 'YmluYXJ5L2VuY3J5cHRlZA'),
      );
      expectClean(corpus);
    },
  );

  void it('the Operations, memos and search attributes as a client reads them', async () => {
    const r = need(run);
    const sources: Corpus['sources'] = [];
    for (const id of [...r.ids, ...r.pgIds]) {
      const d = await r.temporal.workflow.getHandle(id).describe();
      const described = {
        id,
        status: d.status.name,
        memo: d.memo,
        searchAttributes: d.typedSearchAttributes.getAll().map((p) => [p.key.name, p.value]),
        staticSummary: await d.staticSummary(),
        staticDetails: await d.staticDetails(),
      };
      sources.push({ source: `describe ${id}`, bytes: Buffer.from(JSON.stringify(described)) });
      sources.push({ source: `get ${id}`, bytes: Buffer.from(JSON.stringify(await r.client.get(id))) });
    }
    // As wait() returned them during the run: the bulk report with its failures, revokeSubject's children.
    for (const op of r.operations)
      sources.push({ source: `wait ${op.id}`, bytes: Buffer.from(JSON.stringify(op)) });
    const corpus: Corpus = { name: 'operations + search attributes', sources };
    corpora.set(corpus.name, corpus);
    assert.ok(corpusContains(corpus, createdBy), 'RevocationCreatedBy is in the corpus');
    for (const { token } of r.echoed) assert.ok(corpusContains(corpus, fingerprint(token)));
    expectClean(corpus);
  });

  void it('worker metrics endpoint (Prometheus text: names and label values)', async () => {
    const r = need(run);
    // The worker was started with REVOCATION_METRICS_ADDRESS and refuses to start if it cannot serve
    // it, so an unreachable endpoint is a failure, not a reason to skip.
    const res = await fetch(`http://${r.metricsAddress}/metrics`);
    assert.equal(res.status, 200, `GET http://${r.metricsAddress}/metrics`);
    const corpus: Corpus = {
      name: 'worker /metrics',
      sources: [{ source: `GET /metrics (${res.status})`, bytes: Buffer.from(await res.arrayBuffer()) }],
    };
    corpora.set(corpus.name, corpus);
    // Positive control: the provider label values of the run are there.
    for (const provider of [
      'yandex-cloud',
      'authlete',
      'google-identity-platform',
      'open-payments',
      'oauth2',
    ])
      assert.ok(corpusContains(corpus, `"${provider}"`), `no ${provider} label in /metrics`);
    expectClean(corpus);
  });

  void it('evidence ledger: the SQLite db, -wal and -shm files (raw bytes, worker running)', () => {
    const r = need(run);
    // Read while the worker holds the ledger open: its latest pages are still in the -wal file.
    const path = r.ledgerUrl.slice('sqlite:'.length);
    const files = ['', '-wal', '-shm'].map((s) => `${path}${s}`).filter((f) => existsSync(f));
    assert.ok(files.length >= 2, `ledger files: ${files.join(', ')}`);
    const corpus: Corpus = {
      name: 'evidence ledger (SQLite files)',
      sources: files.map((f) => ({ source: f.slice(r.dir.length + 1), bytes: readFileSync(f) })),
    };
    corpora.set(corpus.name, corpus);
    // Positive controls: the records are stored readable (ids, requestedBy, fingerprints).
    assert.ok(corpusContains(corpus, r.bulkJobId), 'the ledger lacks the bulk job');
    assert.ok(corpusContains(corpus, createdBy), 'the ledger lacks requestedBy');
    assert.ok(corpusContains(corpus, fingerprint(r.echoed[0]?.token ?? '')), 'no token fingerprint');
    expectClean(corpus);
  });

  void it('evidence exports: NDJSON and CSV through revoke evidence export', async () => {
    const r = need(run);
    const sources: Corpus['sources'] = [];
    const ledgers: Array<[string, string]> = [['sqlite', r.ledgerUrl]];
    if (r.pg) ledgers.push(['postgres', r.pg.url]);
    for (const [name, url] of ledgers)
      for (const format of name === 'sqlite' ? ['ndjson', 'csv'] : ['ndjson']) {
        const output = join(r.dir, `evidence-${name}.${format}`);
        const cli = await runCliCaptured(['evidence', 'export', '--ledger', url, '--output', output], {});
        assert.equal(cli.code, 0, cli.stderr);
        sources.push({ source: `${name} export (${format})`, bytes: readFileSync(output) });
        sources.push({
          source: `${name} export ${format} CLI output`,
          bytes: Buffer.from(cli.stdout + cli.stderr),
        });
      }
    const corpus: Corpus = { name: 'evidence exports', sources };
    corpora.set(corpus.name, corpus);
    for (const id of [r.bulkJobId, ...r.pgIds]) assert.ok(corpusContains(corpus, id), `exports lack ${id}`);
    assert.ok(corpusContains(corpus, 'recordId,operationId'), 'no CSV header');
    expectClean(corpus);
  });

  void it('evidence ledger: pg_dump of the PostgreSQL ledger', { skip: noPostgres ?? false }, async () => {
    const r = need(run);
    assert.ok(r.pg, 'the PostgreSQL worker ran');
    const pgDump = join(postgresBin() ?? '/usr/lib/postgresql/15/bin', 'pg_dump');
    // Connects as a client over TCP; the dump holds every table, the records and the checkpoints.
    const { stdout } = await promisify(execFile)(pgDump, ['--dbname', r.pg.url], {
      encoding: 'buffer',
      maxBuffer: 64 * 1024 * 1024,
      env: { ...process.env, PGCONNECT_TIMEOUT: '10' },
    });
    const corpus: Corpus = {
      name: 'evidence ledger (pg_dump)',
      sources: [{ source: 'pg_dump', bytes: stdout }],
    };
    corpora.set(corpus.name, corpus);
    for (const id of r.pgIds) assert.ok(corpusContains(corpus, id), `pg_dump lacks ${id}`);
    assert.ok(corpusContains(corpus, createdBy) && corpusContains(corpus, 'COPY public.'));
    expectClean(corpus);
  });

  void it('worker stdout and stderr (DEBUG)', async () => {
    const r = need(run);
    r.worker.child.kill('SIGTERM');
    r.pg?.worker.child.kill('SIGTERM');
    await waitForExit(r.worker.child);
    if (r.pg) await waitForExit(r.pg.worker.child);
    const corpus: Corpus = {
      name: 'worker logs',
      sources: [
        { source: 'worker stdout+stderr', bytes: Buffer.from(r.worker.output()) },
        ...(r.pg
          ? [{ source: 'PostgreSQL-ledger worker stdout+stderr', bytes: Buffer.from(r.pg.worker.output()) }]
          : []),
      ],
    };
    corpora.set(corpus.name, corpus);
    assert.ok(corpusContains(corpus, 'worker ready'));
    // The PostgreSQL worker's banner names its ledger with the password masked.
    if (r.pg) assert.ok(corpusContains(corpus, 'postgres://postgres:***@'), 'no masked ledger url');
    assert.ok(
      r.ids.some((id) => corpusContains(corpus, id)),
      'the worker logged at least one operation id (DEBUG)',
    );
    // The provider errors that quoted a token were logged, scrubbed to the token's fingerprint.
    const logged = r.echoed.filter((e) => corpusContains(corpus, fingerprint(e.token)));
    process.stdout.write(
      `# worker logs: ${logged.length} of ${r.echoed.length} echoed provider errors logged as a fingerprint\n`,
    );
    assert.ok(logged.length > 0, 'no echoed provider error in the worker logs');
    expectClean(corpus);
  });

  void it('SQLite file of the dev server (raw bytes, after the server stopped)', async () => {
    const r = need(run);
    await r.server.stop();
    const files = readdirSync(r.dir).filter((f) => f.startsWith('temporal.db'));
    const corpus: Corpus = {
      name: 'SQLite db files',
      sources: files.map((f) => ({ source: f, bytes: readFileSync(join(r.dir, f)) })),
    };
    corpora.set(corpus.name, corpus);
    // Positive controls: ids, search attributes and (scrubbed) failure texts are stored readable.
    for (const id of r.ids) assert.ok(corpusContains(corpus, id), `db lacks ${id}`);
    assert.ok(corpusContains(corpus, createdBy));
    assert.ok(corpusContains(corpus, fingerprint(r.echoed[0]?.token ?? '')));
    expectClean(corpus);
  });

  void it('server log (JSON, level info)', () => {
    const r = need(run);
    const corpus: Corpus = {
      name: 'server log',
      sources: [{ source: 'temporal server start-dev', bytes: readFileSync(r.serverLogFile) }],
    };
    corpora.set(corpus.name, corpus);
    assert.ok(corpusContains(corpus, r.taskQueue), 'the server logged the task queue');
    expectClean(corpus);
  });

  void it(
    'Web UI with the codec server on: the decoded request is shown',
    { skip: browserSkip },
    async () => {
      const r = need(run);
      const ui = await startDecodingUi(r);
      try {
        const page = await ui.browser.newPage({ viewport: { width: 1400, height: 900 } });
        // The request by token id: its decoded input, with the provider and the id, is on the page.
        await load(page, `${ui.url}${workflowPath(r, r.byIdOperation.id)}/history`);
        await page.getByText(r.byIdOperation.refreshTokenId).first().waitFor({ timeout: 60_000 });
        const text = await page.locator('body').innerText();
        assert.match(text, /yandex-cloud/);
        await page.screenshot({
          path: join(screenshotDir(), 'web-ui-decoded.png'),
          fullPage: false,
        });
        // A request with a token: decoded, the token is there (so the codec-off scan looked at real ciphertext).
        await load(page, `${ui.url}${workflowPath(r, r.byTokenOperation.id)}/history`);
        await page.getByText(r.byTokenOperation.token).first().waitFor({ timeout: 60_000 });
        assert.ok(ui.decodeRequests() > 0, 'the UI asked the codec server to decode');
      } finally {
        await ui.close();
      }
    },
  );

  void it('positive control: a secret planted in a copy of each corpus is found, in every form', () => {
    const r = need(run);
    const token = r.echoed[0]?.token ?? '';
    const expected = [
      'operations + search attributes',
      'worker /metrics',
      'worker logs',
      'SQLite db files',
      'server log',
      'evidence ledger (SQLite files)',
      'evidence exports',
      ...(noPostgres ? [] : ['evidence ledger (pg_dump)']),
      ...(noBrowser ? [] : ['Web UI (codec off)']),
    ];
    assert.deepEqual([...corpora.keys()].sort(), expected.sort(), 'every scan ran and kept its corpus');
    if (noBrowser)
      process.stdout.write(`# no browser: Web UI scans skipped, ${corpora.size} corpora scanned\n`);
    if (noPostgres)
      process.stdout.write(`# ${noPostgres}: the PostgreSQL ledger and its pg_dump scan skipped\n`);
    const plants: Array<[string, Buffer]> = [
      ['plain', Buffer.from(token)],
      ['inside base64', Buffer.from(Buffer.concat([randomBytes(1), Buffer.from(token)]).toString('base64'))],
      ['a 48-character fragment', Buffer.from(token.slice(5, 53))],
    ];
    for (const corpus of corpora.values()) {
      for (const [how, bytes] of plants) {
        const first = corpus.sources[0];
        assert.ok(first, `${corpus.name} is empty`);
        const mid = first.bytes.length >> 1;
        const planted: Corpus = {
          name: `${corpus.name} (planted)`,
          sources: [
            {
              source: first.source,
              bytes: Buffer.concat([first.bytes.subarray(0, mid), bytes, first.bytes.subarray(mid)]),
            },
          ],
        };
        assert.ok(scanCorpus(planted, needles).hits.length > 0, `${corpus.name}: ${how} not found`);
      }
    }
  });

  function expectClean(corpus: Corpus): void {
    assert.ok(needles.length > 0, 'needles are built first');
    const result = scanCorpus(corpus, needles);
    results.push(result);
    assert.ok(result.bytesScanned > 0, `${corpus.name} is empty`);
    assert.deepEqual(result.hits.map(describeHit), [], `${corpus.name}: secrets found`);
  }
});

function need(run: Run | undefined): Run {
  assert.ok(run, 'the run started');
  return run;
}

/** Dev server (SQLite, UI, JSON log to a file), the five emulators, a worker process, a client. */
async function startRun(): Promise<Run> {
  const dir = mkdtempSync(join(tmpdir(), 'redaction-e2e-'));
  const serverLogFile = join(dir, 'server.log');
  const dbFile = join(dir, 'temporal.db');
  const logFd = openSync(serverLogFile, 'w');
  // The PostgreSQL ledger's cluster starts while the dev server does.
  const pgCluster = noPostgres ? undefined : startPostgres();
  pgCluster?.catch(() => undefined);
  let server: DevServer;
  try {
    server = await startDevServer({
      cli: findTemporalCli(),
      uiPort: await freePort(),
      dbFile,
      logLevel: 'info',
      logFormat: 'json',
      stdio: logFd,
    });
  } finally {
    closeSync(logFd);
  }
  process.once('exit', () => server.kill());
  const secrets: Secret[] = [];
  const secret = (label: string, value: string | Buffer) => {
    secrets.push({ label, value });
    return value;
  };

  // Yandex Cloud: IAM token (credential), refresh tokens by value.
  const ycSubject = 'h8-yc-subject';
  const iamToken = secret('yandex IAM token', secretValue('t1.iam')) as string;
  const yandex = await startYandexEmulator({ iamTokens: { [iamToken]: ycSubject }, pollsUntilDone: 1 });
  const ycCaFile = join(dir, 'yandex-ca.pem');
  writeFileSync(ycCaFile, yandex.rootCert);
  const ycIamFile = join(dir, 'yandex-iam-token');
  writeFileSync(ycIamFile, iamToken, { mode: 0o600 });

  // Authlete: the service access token (credential).
  const serviceToken = secret('authlete service access token', secretValue('authlete-sat')) as string;
  const authlete = await startAuthleteEmulator({ accessTokens: { [serviceToken]: '*' } });

  // Google Identity Platform: the API key (credential).
  const apiKey = secret('google API key', `AIza${randomBytes(26).toString('base64url')}`) as string;
  const google = await startGoogleIdentityPlatformEmulator({ apiKeys: [apiKey] });

  // Open Payments: the client's Ed25519 private key (credential).
  const openPayments = await startOpenPaymentsEmulator({ mode: 'gnap' });
  const opKey = generateClientKey('h8-key-1');
  secret('open-payments private key (PEM)', opKey.privateKeyPem);
  const opKeyFile = join(dir, 'op-client.pem');
  writeFileSync(opKeyFile, opKey.privateKeyPem, { mode: 0o600 });
  const { walletAddressUrl } = openPayments.addClient({ name: 'h8-client', keys: [opKey.jwk] });

  // OAuth 2.0: the client secret (credential).
  const clientSecret = secret('oauth2 client secret', secretValue('oauth2-cs')) as string;
  const oauth2 = await startOAuth2Emulator({
    issuerPath: '/realms/h8',
    clients: [{ clientId: 'h8-revoker', authMethod: 'client_secret_basic', clientSecret }],
  });
  const oauthSecretFile = join(dir, 'oauth2-client-secret');
  writeFileSync(oauthSecretFile, clientSecret, { mode: 0o600 });

  const connections: ConnectionsConfig = {
    'yandex-cloud': {
      default: { endpoint: yandex.endpoint, iamTokenFile: ycIamFile, rootCertFile: ycCaFile },
    },
    authlete: {
      default: {
        baseUrl: authlete.baseUrl,
        serviceAccessTokenFile: writeSecretFile(dir, 'authlete-sat', serviceToken),
      },
    },
    'google-identity-platform': {
      default: { baseUrl: google.baseUrl, apiKeyFile: writeSecretFile(dir, 'gip-key', apiKey) },
    },
    'open-payments': {
      default: { privateKeyFile: opKeyFile, keyId: opKey.keyId, walletAddressUrl, allowInsecureHttp: true },
    },
    oauth2: {
      default: {
        issuer: oauth2.issuer,
        discovery: 'oauth2',
        clientId: 'h8-revoker',
        clientAuthMethod: 'client_secret_basic',
        clientSecretFile: oauthSecretFile,
        allowInsecureRequests: true,
      },
    },
  } as ConnectionsConfig;
  const connectionsFile = join(dir, 'connections.json');
  writeFileSync(connectionsFile, JSON.stringify(connections), { mode: 0o600 });

  const codecKey = secret('codec key', randomBytes(32)) as Buffer;
  const keyring: CodecKeyring = { currentKeyId: 'h8', keys: new Map([['h8', codecKey]]) };
  const taskQueue = `redaction-e2e-${randomUUID()}`;
  const metricsAddress = `127.0.0.1:${await freePort()}`;
  // The ledger's signing key is a credential too; checkpoints every 4 records put several JWS in the files.
  const signingKeyFile = writeSecretFile(
    dir,
    'ledger-signing-key.pem',
    secret('ledger signing key (PEM)', ed25519Pem().privateKey) as string,
  );
  const ledgerUrl = `sqlite:${join(dir, 'evidence.db')}`;
  const workerEnv = {
    TEMPORAL_ADDRESS: server.address,
    TEMPORAL_NAMESPACE: server.namespace,
    REVOCATION_CONNECTIONS_FILE: connectionsFile,
    REVOCATION_CODEC_KEY: codecKey.toString('base64'),
    REVOCATION_CODEC_KEY_ID: keyring.currentKeyId,
    REVOCATION_LOG_LEVEL: 'DEBUG',
    LEDGER_SIGNING_KEY_FILE: signingKeyFile,
    LEDGER_CHECKPOINT_EVERY: '4',
  };
  const pgTaskQueue = `${taskQueue}-pg`;
  const startPgWorker = async () => {
    if (!pgCluster) return undefined;
    const cluster = await pgCluster;
    // Trust authentication ignores it, but the url carries a password, as a production one does.
    const password = secret('ledger PostgreSQL password', secretValue('pg-pass')) as string;
    const url = (await cluster.createDatabase()).replace('//postgres@', `//postgres:${password}@`);
    const pgWorker = await startWorkerProcess({
      ...workerEnv,
      REVOCATION_TASK_QUEUE: pgTaskQueue,
      LEDGER_URL: url,
    });
    process.once('exit', () => pgWorker.child.kill('SIGKILL'));
    return { cluster, url, worker: pgWorker };
  };
  const [worker, pgWorker] = await Promise.all([
    startWorkerProcess({
      ...workerEnv,
      REVOCATION_TASK_QUEUE: taskQueue,
      REVOCATION_METRICS_ADDRESS: metricsAddress,
      LEDGER_URL: ledgerUrl,
    }),
    startPgWorker(),
  ]);
  process.once('exit', () => worker.child.kill('SIGKILL'));
  const connection = await Connection.connect({ address: server.address });
  const temporal = new Client({
    connection,
    namespace: server.namespace,
    dataConverter: { payloadCodecs: [new AesGcmPayloadCodec(keyring)] },
  });
  return {
    dir,
    server,
    serverLogFile,
    dbFile,
    keyring,
    metricsAddress,
    worker,
    ledgerUrl,
    ...(pgWorker
      ? { pg: { ...pgWorker, client: new RevocationClient(temporal, { taskQueue: pgTaskQueue }) } }
      : {}),
    pgIds: [],
    temporal,
    client: new RevocationClient(temporal, { taskQueue }),
    taskQueue,
    yandex,
    authlete,
    google,
    openPayments,
    opWallet: walletAddressUrl,
    oauth2,
    secrets,
    ids: [],
    runIds: new Map(),
    byIdOperation: { id: '', refreshTokenId: '' },
    byTokenOperation: { id: '', token: '' },
    bulkJobId: '',
    revokeSubjectId: '',
    echoed: [],
    operations: [],
  };
}

function writeSecretFile(dir: string, name: string, value: string): string {
  const path = join(dir, name);
  writeFileSync(path, value, { mode: 0o600 });
  return path;
}

async function stopRun(run: Run | undefined): Promise<void> {
  if (!run) return;
  run.worker.child.kill('SIGTERM');
  run.pg?.worker.child.kill('SIGTERM');
  await waitForExit(run.worker.child);
  if (run.pg) await waitForExit(run.pg.worker.child);
  await run.pg?.cluster.stop();
  await run.temporal.connection.close();
  await run.server.stop();
  await Promise.all([
    run.yandex.close(),
    run.authlete.close(),
    run.google.close(),
    run.openPayments.close(),
    run.oauth2.close(),
  ]);
}

/**
 * The run: per provider a revocation that fails with a provider error echoing the token (all at
 * once, each emulator's only call then), successes (Yandex after a retried echo), a bulk job whose
 * first target fails with an echo, and a revokeSubject across two connections and a token request.
 */
async function runScenario(r: Run): Promise<void> {
  const token = (label: string, value: string) => {
    r.secrets.push({ label, value });
    return value;
  };
  const ycClient = 'h8-yc-client';
  const ycToken = (label: string) => {
    const value = token(`yandex refresh token ${label}`, secretValue('yc1.rt'));
    r.yandex.addToken({ subjectId: 'h8-yc-subject', clientId: ycClient, token: value });
    return value;
  };
  const [authleteClient] = DEFAULT_CLIENTS;
  assert.ok(authleteClient);
  const authleteToken = (label: string, subject = 'h8-authlete-user') => {
    const t = r.authlete.addToken({
      serviceId: DEFAULT_SERVICE_ID,
      clientId: authleteClient.clientId,
      subject,
      accessToken: secretValue('at'),
      refreshToken: secretValue('rt'),
    });
    token(`authlete access token ${label}`, t.accessToken);
    token(`authlete refresh token ${label}`, t.refreshToken ?? '');
    return t.accessToken;
  };
  const appleUser = (label: string) => {
    const uid = `h8-apple-${label}`;
    const idToken = token(`google ID token ${label}`, randomJwt());
    r.google.addAccount({ uid, idTokens: [idToken] });
    const apple = r.google.issueAppleToken(uid, undefined, {
      type: 'REFRESH_TOKEN',
      value: secretValue('r.apple'),
    });
    token(`apple refresh token ${label}`, apple.value);
    return { idToken, appleToken: apple.value };
  };
  const opGrant = (label: string) => {
    const g = r.openPayments.issueGrant({ client: r.opWallet, accessTokens: 1 });
    const [t] = g.accessTokens;
    assert.ok(t);
    token(`open-payments access token ${label}`, t.value);
    token(`open-payments continue token ${label}`, g.continueToken);
    return {
      manageUrl: t.manageUrl,
      accessToken: t.value,
      continueUri: g.continueUri,
      continueToken: g.continueToken,
    };
  };
  const oauthToken = (label: string) => {
    const value = token(`oauth2 refresh token ${label}`, secretValue('oauth-rt'));
    r.oauth2.addToken({ value, type: 'refresh_token', clientId: 'h8-revoker' });
    return value;
  };

  const start = async (request: RevocationRequestInput) => {
    const op = await r.client.revoke(request, { createdBy, timing });
    r.ids.push(op.id);
    return op.id;
  };
  const wait = async (id: string) => {
    const op = await r.client.wait(id, { timeout: 60_000 }).catch(async (err: unknown) => {
      const op = JSON.stringify(await r.client.get(id));
      throw new Error(`${id} not done: ${op}\nworker:\n${r.worker.output().slice(-4000)}`, { cause: err });
    });
    r.operations.push(op);
    return op;
  };

  // 1. One failing revocation per provider; each provider's error text quotes the token.
  const ycFail = ycToken('echoed');
  r.yandex.injectFault({
    method: 'Revoke',
    code: Code.PERMISSION_DENIED,
    message: `refresh token ${ycFail} is not yours`,
  });
  const atFail = authleteToken('echoed');
  r.authlete.injectFault({
    operation: 'revoke',
    status: 400,
    body: { resultCode: 'A999001', resultMessage: `[A999001] The token '${atFail}' is malformed.` },
  });
  const gFail = appleUser('echoed');
  r.google.injectFault({
    status: 400,
    body: { error: { code: 400, message: `INVALID_ID_TOKEN: ${gFail.idToken}`, status: 'INVALID_ARGUMENT' } },
  });
  const opFail = opGrant('echoed');
  r.openPayments.injectFault({
    route: 'revokeToken',
    status: 400,
    body: {
      error: { code: 'invalid_request', description: `token ${opFail.accessToken} is not valid here` },
    },
  });
  const oaFail = oauthToken('echoed');
  r.oauth2.injectFault({
    endpoint: 'revocation',
    status: 400,
    body: { error: 'invalid_request', error_description: `cannot revoke ${oaFail}` },
  });
  const failing: Array<[string, string, Promise<string>]> = [
    ['yandex-cloud', ycFail, start({ provider: 'yandex-cloud', refreshToken: ycFail })],
    [
      'authlete',
      atFail,
      start({ provider: 'authlete', serviceId: DEFAULT_SERVICE_ID, accessTokenIdentifier: atFail }),
    ],
    [
      'google-identity-platform',
      gFail.idToken,
      start({
        provider: 'google-identity-platform',
        providerId: 'apple.com',
        tokenType: 'REFRESH_TOKEN',
        token: gFail.appleToken,
        idToken: gFail.idToken,
      }),
    ],
    [
      'open-payments',
      opFail.accessToken,
      start({
        provider: 'open-payments',
        action: 'revokeToken',
        manageUrl: opFail.manageUrl,
        accessToken: opFail.accessToken,
      }),
    ],
    ['oauth2', oaFail, start({ provider: 'oauth2', token: oaFail, tokenTypeHint: 'refresh_token' })],
  ];
  for (const [provider, echoedToken, started] of failing) {
    const op = await wait(await started);
    assert.ok(op.done && op.error, `${provider}: expected a failed operation, got ${JSON.stringify(op)}`);
    assert.notEqual(op.error.code, Code.OK);
    r.echoed.push({ provider, token: echoedToken, op });
  }

  // 2. Successes at every provider; Yandex first fails retryably with an echo, then succeeds.
  const ycOk = ycToken('revoked');
  r.yandex.injectFault({
    method: 'Revoke',
    code: Code.UNAVAILABLE,
    message: `backend busy revoking ${ycOk}`,
  });
  const gOk = appleUser('revoked');
  const opOk = opGrant('revoked');
  const opCancel = opGrant('cancelled-grant');
  const successes = await Promise.all([
    start({ provider: 'yandex-cloud', refreshToken: ycOk }),
    start({
      provider: 'authlete',
      serviceId: DEFAULT_SERVICE_ID,
      accessTokenIdentifier: authleteToken('revoked'),
    }),
    start({
      provider: 'google-identity-platform',
      providerId: 'apple.com',
      tokenType: 'REFRESH_TOKEN',
      token: gOk.appleToken,
      idToken: gOk.idToken,
    }),
    start({
      provider: 'open-payments',
      action: 'revokeToken',
      manageUrl: opOk.manageUrl,
      accessToken: opOk.accessToken,
    }),
    start({
      provider: 'open-payments',
      action: 'cancelGrant',
      continueUri: opCancel.continueUri,
      continueToken: opCancel.continueToken,
    }),
    start({ provider: 'oauth2', token: oauthToken('revoked'), tokenTypeHint: 'refresh_token' }),
  ]);
  for (const id of successes) {
    const op = await wait(id);
    assert.ok(op.done && op.response, `expected success: ${JSON.stringify(op)}`);
  }
  assert.ok(
    r.yandex.calls.some((c) => c.failedWith === Code.UNAVAILABLE),
    'the retryable echo was answered',
  );
  r.byTokenOperation = { id: successes[0] ?? '', token: ycOk };

  // A request with no secret in it (a token id), for the screenshot of a decoded request.
  const byId = r.yandex.addToken({
    subjectId: 'h8-yc-subject',
    clientId: ycClient,
    token: secretValue('yc1.rt'),
  });
  token('yandex refresh token by id', byId.token);
  const byIdOp = await wait(await start({ provider: 'yandex-cloud', refreshTokenId: byId.id }));
  assert.ok(byIdOp.response, JSON.stringify(byIdOp.error));
  r.byIdOperation = { id: byIdOp.id, refreshTokenId: byId.id };

  // A description that quotes a token is refused before anything starts (see also operation-lifecycle.test.ts).
  await assert.rejects(
    r.client.revoke({ provider: 'oauth2', token: oaFail }, { description: `revoke ${oaFail}` }),
    /description/,
  );

  // 3. A bulk job over an NDJSON file of tokens; its first target fails with an echo (concurrency 1: in file order).
  const bulkOauthFail = oauthToken('bulk echoed');
  const lines: RevocationRequestInput[] = [
    { provider: 'oauth2', token: bulkOauthFail, tokenTypeHint: 'refresh_token' },
    ...['bulk 1', 'bulk 2', 'bulk 3'].map((l) => ({
      provider: 'yandex-cloud' as const,
      refreshToken: ycToken(l),
    })),
    { provider: 'oauth2', token: oauthToken('bulk ok'), tokenTypeHint: 'refresh_token' },
  ];
  const ndjson = join(r.dir, 'targets.ndjson');
  writeFileSync(ndjson, `${lines.map((l) => JSON.stringify(l)).join('\n')}\n`, { mode: 0o600 });
  r.oauth2.injectFault({
    endpoint: 'revocation',
    status: 400,
    body: { error: 'invalid_request', error_description: `token ${bulkOauthFail} rejected` },
  });
  const job = await startBulkJob(r.client, {
    name: 'h8-redaction',
    source: { kind: 'ndjson', path: ndjson },
    concurrency: 1,
    createdBy,
  });
  r.ids.push(job.id);
  r.bulkJobId = job.id;
  const jobDone = (await wait(job.id)) as unknown as BulkJobOperation;
  const report = jobDone.response;
  assert.ok(report, JSON.stringify(jobDone.error));
  assert.equal(report.processed, lines.length);
  assert.equal(report.failed, 1);
  r.echoed.push({ provider: 'bulk:oauth2', token: bulkOauthFail, op: jobDone as unknown as Operation });

  // 4. revokeSubject: Yandex and Authlete by subject, plus an OAuth token, as child operations.
  ycToken('subject 1');
  authleteToken('subject 1', 'h8-authlete-person');
  const subject = await revokeSubject(r.client, {
    subject: 'h8-person',
    targets: [
      { provider: 'yandex-cloud', subjectId: 'h8-yc-subject' },
      { provider: 'authlete', serviceId: DEFAULT_SERVICE_ID, subject: 'h8-authlete-person' },
    ],
    requests: [{ provider: 'oauth2', token: oauthToken('subject request'), tokenTypeHint: 'refresh_token' }],
    createdBy,
    timing,
  });
  r.ids.push(subject.id);
  r.revokeSubjectId = subject.id;
  const subjectDone = await waitRevokeSubject(r.client, subject.id, { timeout: 120_000 });
  r.operations.push(subjectDone as unknown as Operation);
  assert.ok(subjectDone.response, JSON.stringify(subjectDone.error));
  assert.equal(subjectDone.metadata.children.length, 3);
  r.ids.push(...subjectDone.metadata.children.map((c) => c.id));

  if (r.pg)
    await runPostgresLedgerScenario(r, r.pg.client, {
      ycToken,
      authleteToken,
      appleUser,
      opGrant,
      oauthToken,
    });

  // Every token value the emulators hold, revoked or not, is a secret the run must not leak.
  const held = [
    ...r.yandex.tokens().map((t) => ['yandex', t.token] as const),
    ...[...r.authlete.tokens(DEFAULT_SERVICE_ID), ...r.authlete.removed(DEFAULT_SERVICE_ID)].flatMap((t) => [
      ['authlete', t.accessToken] as const,
      ['authlete', t.refreshToken ?? ''] as const,
    ]),
    ...r.google.appleTokens().map((t) => ['apple', t.value] as const),
    ...r.oauth2.tokens().map((t) => ['oauth2', t.value] as const),
  ];
  for (const [provider, value] of held) {
    if (value && !r.secrets.some((s) => s.value === value)) token(`${provider} emulator token`, value);
  }
}

interface TokenMakers {
  ycToken(label: string): string;
  authleteToken(label: string): string;
  appleUser(label: string): { idToken: string; appleToken: string };
  opGrant(label: string): { manageUrl: string; accessToken: string };
  oauthToken(label: string): string;
}

/**
 * 5. Through the worker on the PostgreSQL ledger: a success at each provider, a Yandex failure whose
 * error echoes the token, and a bulk job whose first target fails with an echo.
 */
async function runPostgresLedgerScenario(r: Run, client: RevocationClient, t: TokenMakers): Promise<void> {
  const ycFail = t.ycToken('pg echoed');
  r.yandex.injectFault({
    method: 'Revoke',
    code: Code.PERMISSION_DENIED,
    message: `token ${ycFail} is not yours`,
  });
  const failed = await client.revoke(
    { provider: 'yandex-cloud', refreshToken: ycFail },
    { createdBy, timing },
  );
  r.pgIds.push(failed.id);
  const failedDone = await client.wait(failed.id, { timeout: 60_000 });
  assert.ok(failedDone.error, JSON.stringify(failedDone));
  r.operations.push(failedDone);
  const g = t.appleUser('pg');
  const op = t.opGrant('pg');
  const requests: RevocationRequestInput[] = [
    { provider: 'yandex-cloud', refreshToken: t.ycToken('pg revoked') },
    { provider: 'authlete', serviceId: DEFAULT_SERVICE_ID, accessTokenIdentifier: t.authleteToken('pg') },
    {
      provider: 'google-identity-platform',
      providerId: 'apple.com',
      tokenType: 'REFRESH_TOKEN',
      token: g.appleToken,
      idToken: g.idToken,
    },
    {
      provider: 'open-payments',
      action: 'revokeToken',
      manageUrl: op.manageUrl,
      accessToken: op.accessToken,
    },
    { provider: 'oauth2', token: t.oauthToken('pg revoked'), tokenTypeHint: 'refresh_token' },
  ];
  const started = await Promise.all(requests.map((q) => client.revoke(q, { createdBy, timing })));
  r.pgIds.push(...started.map((o) => o.id));
  for (const o of started) {
    const done = await client.wait(o.id, { timeout: 60_000 });
    assert.ok(done.response, `expected success: ${JSON.stringify(done)}`);
    r.operations.push(done);
  }
  const bulkFail = t.oauthToken('pg bulk echoed');
  const lines: RevocationRequestInput[] = [
    { provider: 'oauth2', token: bulkFail, tokenTypeHint: 'refresh_token' },
    { provider: 'yandex-cloud', refreshToken: t.ycToken('pg bulk 1') },
    { provider: 'oauth2', token: t.oauthToken('pg bulk ok'), tokenTypeHint: 'refresh_token' },
  ];
  const ndjson = join(r.dir, 'pg-targets.ndjson');
  writeFileSync(ndjson, `${lines.map((l) => JSON.stringify(l)).join('\n')}\n`, { mode: 0o600 });
  r.oauth2.injectFault({
    endpoint: 'revocation',
    status: 400,
    body: { error: 'invalid_request', error_description: `token ${bulkFail} rejected` },
  });
  const job = await startBulkJob(client, {
    name: 'h7-redaction-pg',
    source: { kind: 'ndjson', path: ndjson },
    concurrency: 1,
    createdBy,
  });
  r.pgIds.push(job.id);
  const jobDone = (await client.wait(job.id, { timeout: 60_000 })) as unknown as BulkJobOperation;
  assert.equal(jobDone.response?.failed, 1, JSON.stringify(jobDone));
  r.operations.push(jobDone as unknown as Operation);
}

function workflowPath(r: Run, id: string): string {
  const runId = r.runIds.get(id);
  assert.ok(runId, `run id of ${id}`);
  return `/namespaces/default/workflows/${encodeURIComponent(id)}/${runId}`;
}

/**
 * The codec server (codec-server/server.ts) with the run's key and a bearer token, and a second dev
 * server on the run's SQLite file whose UI decodes through it: the token is the endpoint's path
 * segment, as for `npm start`'s local UI, which sends no Authorization header.
 */
async function startDecodingUi(r: Run): Promise<{
  url: string;
  browser: Browser;
  decodeRequests(): number;
  close(): Promise<void>;
}> {
  const uiPort = await freePort();
  const origins = [`http://127.0.0.1:${uiPort}`, `http://localhost:${uiPort}`];
  const token = randomBytes(24).toString('base64url');
  const codec = createCodecServer({
    keyring: r.keyring,
    token,
    allowedOrigins: origins,
    acceptTokenInPath: true,
  });
  let decodes = 0;
  codec.on('request', (req: IncomingMessage) => {
    if (req.method === 'POST' && req.url?.endsWith('/decode')) decodes++;
  });
  await new Promise<void>((resolve) => codec.listen(0, '127.0.0.1', resolve));
  const { port } = codec.address() as AddressInfo;
  const server = await startDevServer({
    cli: findTemporalCli(),
    uiPort,
    dbFile: r.dbFile,
    codecEndpoint: `http://127.0.0.1:${port}/${token}`,
    stdio: 'ignore',
  });
  const browser = await launchChromium();
  return {
    url: origins[0] as string,
    browser,
    decodeRequests: () => decodes,
    async close() {
      await browser.close();
      await server.stop();
      await new Promise((resolve) => codec.close(resolve));
    },
  };
}

/** API calls a page must have answered before its HTML is kept: the UI fetches its data after `load`. */
const pageData = {
  list: [/\/api\/v1\/namespaces\/default\/workflows\?/],
  workflow: [/\/api\/v1\/namespaces\/default\/workflows\/[^/?]+\?execution/],
  history: [/\/api\/v1\/namespaces\/default\/workflows\/[^/?]+\/history\?/],
};

/**
 * Visits the workflow list, every operation's history page and its `history.json` download, and every
 * tab (pending activities, call stack, queries, user metadata, search attributes, memo, ...) of one
 * operation of each kind; keeps each page's HTML and every JSON body the browser received.
 */
async function crawlWebUi(r: Run): Promise<Corpus> {
  const ui = r.server.uiUrl;
  assert.ok(ui, 'the dev server runs its UI');
  const sources: Corpus['sources'] = [];
  const pending: Array<Promise<void>> = [];
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.on('response', (res) => {
      const type = res.headers()['content-type'] ?? '';
      if (!type.includes('json') && !res.url().includes('/api/')) return;
      pending.push(
        res.body().then(
          (bytes) => void sources.push({ source: `${res.status()} ${res.url()}`, bytes }),
          () => undefined,
        ),
      );
    });
    const visit = async (path: string, data: RegExp[]) => {
      await load(page, `${ui}${path}`, data);
      sources.push({ source: `html ${path}`, bytes: Buffer.from(await page.content()) });
    };
    await visit('/namespaces/default/workflows', pageData.list);
    const everyTab = new Set([r.echoed[0]?.op.id, r.byTokenOperation.id, r.bulkJobId, r.revokeSubjectId]);
    for (const id of r.ids) {
      const { runId } = await r.temporal.workflow.getHandle(id).describe();
      r.runIds.set(id, runId);
      const base = workflowPath(r, id);
      await visit(`${base}/history`, [...pageData.workflow, ...pageData.history]);
      const download = await page.request.get(`${ui}${base}/history.json`);
      sources.push({ source: `${download.status()} ${base}/history.json`, bytes: await download.body() });
      if (!everyTab.has(id)) continue;
      const tabs = await page.$$eval(
        'a[href]',
        (as, prefix) => as.map((a) => a.getAttribute('href') ?? '').filter((h) => h.startsWith(`${prefix}/`)),
        base,
      );
      for (const tab of new Set(tabs.map((t) => t.split('?')[0] ?? t))) {
        const segment = tab.slice(base.length + 1);
        if (segment.includes('/') || segment.includes('.') || segment === 'history') continue;
        await visit(tab, pageData.workflow);
      }
    }
    await Promise.all(pending);
  } finally {
    await browser.close();
  }
  const queries = sources.filter((s) => /\/query\b/.test(s.source)).length;
  process.stdout.write(
    `# Web UI: ${sources.length} pages and JSON bodies, ${queries} of them query answers\n`,
  );
  return { name: 'Web UI (codec off)', sources };
}

/** Opens `url` and waits until the UI has fetched what it shows (`data`), then until the network is quiet. */
async function load(page: Page, url: string, data: RegExp[] = []): Promise<void> {
  const fetched = data.map((re) =>
    page.waitForResponse((res) => re.test(res.url()), { timeout: 30_000 }).catch(() => undefined),
  );
  await page.goto(url, { waitUntil: 'load' });
  await Promise.all(fetched);
  await page.waitForLoadState('networkidle', { timeout: 10_000 }).catch(() => undefined);
}
