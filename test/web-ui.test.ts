import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { Code, fingerprint, searchAttributeKeys, type RevocationRequest } from '../api';
import { revokeTokensSummary } from '../api/operation-summary';
import { getBulkJob, pauseBulkJob, resumeBulkJob, startBulkJob } from '../client/bulk-jobs';
import { startDevServer, type DevServer } from '../scripts/dev-server';
import { freePort } from '../scripts/free-port';
import { findTemporalCli } from '../scripts/temporal-cli';
import { createCodecServer } from '../codec-server/server';
import {
  browserUnavailable,
  screenshotDir,
  launchChromium,
  listRow,
  openUserMetadata,
  setListColumns,
  userMetadata,
  VIEWPORT,
  waitForText,
  workflowListUrl,
} from './helpers/browser';
import { createTestStack, testKeyring, type TestStack } from './helpers/stack';
import { testDynamicConfig } from './helpers/temporal';

/**
 * The Web UI as the control room: a successful revocation, a failing one and a bulk job, each found
 * in the workflow list by a search-attribute query, each showing its status, static summary, details
 * and current details. Screenshots go to a scratch directory (`npm run screenshots`: docs/images/).
 */

const NS = 'default';
const SECRET = 'web-ui-secret-refresh-token-value-0123456789';
const BULK_TARGETS = 30;
const BULK_PAGE = 5;
const COLUMNS = [
  'Status',
  'Workflow ID',
  'RevocationProvider',
  'RevocationOutcome',
  'RevocationCreatedBy',
  'RevocationJobName',
];

const skip = browserUnavailable();
if (skip) process.stdout.write(`# skipping the Web UI browser test: ${skip}\n`);

void describe('Web UI control room (headless Chromium)', { skip: skip ?? false }, () => {
  let codec: Server;
  let decodeRequests = 0;
  let server: DevServer;
  let stack: TestStack;
  let browser: Browser;
  let uiUrl: string;
  const ids = { revoked: '', failed: '', bulk: '' };
  const success: RevocationRequest = {
    provider: 'yandex-cloud',
    connection: 'default',
    refreshTokenId: 'rt-ui-1',
  };

  before(async () => {
    // The dev server `npm test` shares runs headless; this one serves the UI, with the project's
    // codec server so the UI can decrypt what the worker's codec encrypted (summaries included).
    // The dev server's UI sends no Authorization header, so the token is a path segment of the
    // endpoint, as for npm start.
    const uiPort = await freePort();
    uiUrl = `http://127.0.0.1:${uiPort}`;
    const token = randomBytes(24).toString('base64url');
    codec = createCodecServer({
      keyring: testKeyring(),
      token,
      allowedOrigins: [uiUrl],
      acceptTokenInPath: true,
    });
    codec.on('request', (req: { url?: string }) => {
      if (req.url?.endsWith('/decode')) decodeRequests += 1;
    });
    await new Promise<void>((resolve) => codec.listen(0, '127.0.0.1', resolve));
    const codecUrl = `http://127.0.0.1:${(codec.address() as AddressInfo).port}/${token}`;
    server = await startDevServer({
      cli: findTemporalCli(),
      uiPort,
      codecEndpoint: codecUrl,
      dynamicConfig: testDynamicConfig,
      stdio: 'ignore',
    });
    process.once('exit', () => server.kill());
    // createTestStack connects to the server testTemporal() names; point it at this one.
    process.env.TEMPORAL_TEST_ADDRESS = server.address;
    stack = await createTestStack({
      pollsUntilDone: 2,
      tokens: [
        { id: 'rt-ui-1', subjectId: 'emulator-subject', clientId: 'web-app' },
        { id: 'rt-ui-2', token: SECRET, subjectId: 'emulator-subject', clientId: 'web-app' },
        ...Array.from({ length: BULK_TARGETS }, (_, i) => ({
          id: `rt-bulk-${i}`,
          subjectId: 'emulator-subject',
          clientId: 'bulk-app',
        })),
      ],
    });
    await stack.startWorker();
    browser = await launchChromium();

    const ok = await stack.client.revoke(success, {
      createdBy: 'alice',
      requestId: 'web-ui-offboarding-4711',
      description: 'Offboarding of employee 4711',
    });
    ids.revoked = ok.id;
    assert.equal((await stack.client.wait(ok.id, { timeout: 60_000 })).error, undefined);

    stack.emulator.injectFault({
      method: 'Revoke',
      code: Code.PERMISSION_DENIED,
      message: 'caller may not revoke',
    });
    const bad = await stack.client.revoke(
      { provider: 'yandex-cloud', refreshToken: SECRET },
      { createdBy: 'bob', description: 'Lost laptop of bob' },
    );
    ids.failed = bad.id;
    assert.equal((await stack.client.wait(bad.id, { timeout: 60_000 })).error?.code, Code.PERMISSION_DENIED);

    // A bulk job slow enough (4 calls/s) to pause after two pages, so the UI shows it in progress.
    const bulk = await startBulkJob(stack.client, {
      name: 'web-ui-demo',
      source: {
        kind: 'inline',
        requests: Array.from({ length: BULK_TARGETS }, (_, i) => ({
          provider: 'yandex-cloud',
          refreshTokenId: `rt-bulk-${i}`,
        })),
      },
      pageSize: BULK_PAGE,
      concurrency: 2,
      ratePerSecond: 4,
      createdBy: 'carol',
      description: 'Revoke the tokens of the retired bulk-app client',
    });
    ids.bulk = bulk.id;
    for (;;) {
      if ((await getBulkJob(stack.client, bulk.id)).metadata.pages >= 2) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    await pauseBulkJob(stack.client, bulk.id);
    for (;;) {
      if ((await getBulkJob(stack.client, bulk.id)).metadata.phase === 'PAUSED') break;
      await new Promise((r) => setTimeout(r, 200));
    }
  });

  after(async () => {
    await browser?.close();
    await stack?.close();
    await server?.stop();
    codec?.closeAllConnections();
    await new Promise((resolve) => codec?.close(resolve));
  });

  /** Waits until visibility has indexed what the query should find (it is eventually consistent). */
  async function indexed(query: string, n: number): Promise<void> {
    for (;;) {
      const { count } = await stack.temporal.workflow.count(query);
      if (count >= n) return;
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  async function newPage(): Promise<Page> {
    const page = await browser.newPage({ viewport: VIEWPORT });
    await setListColumns(page, NS, COLUMNS);
    return page;
  }

  async function listShows(
    page: Page,
    query: string,
    workflowId: string,
    expected: { status: string; cells: string[] },
  ): Promise<void> {
    await indexed(query, 1);
    await page.goto(workflowListUrl(uiUrl, NS, query));
    const row = listRow(page, workflowId);
    const text = await waitForText(`list row of ${workflowId} for ${query}`, row, expected.status);
    for (const cell of expected.cells)
      assert.ok(text.includes(cell), `row of ${workflowId} lacks ${cell}: ${text}`);
  }

  void it('registers the search attributes npm start registers', async () => {
    const { customAttributes } = await stack.temporal.connection.operatorService.listSearchAttributes({
      namespace: NS,
    });
    for (const key of searchAttributeKeys) {
      assert.ok(customAttributes?.[key.name] !== undefined, `${key.name} not registered`);
    }
  });

  void it('writes each static summary without secrets, readable through describe()', async () => {
    const ok = await stack.temporal.workflow.getHandle(ids.revoked).describe();
    assert.equal(
      await ok.staticSummary(),
      'Revoke refresh token id rt-ui-1 at yandex-cloud/default, by alice',
    );
    assert.equal(await ok.staticSummary(), revokeTokensSummary({ request: success, createdBy: 'alice' }));
    const okDetails = (await ok.staticDetails()) ?? '';
    assert.match(okDetails, /\*\*Description:\*\* Offboarding of employee 4711/);
    assert.match(
      okDetails,
      new RegExp(`\\*\\*Request id:\\*\\* \`${fingerprint('web-ui-offboarding-4711')}\``),
    );
    assert.ok(!okDetails.includes('web-ui-offboarding-4711'), 'the request id itself is shown');

    const bad = await stack.temporal.workflow.getHandle(ids.failed).describe();
    const badSummary = (await bad.staticSummary()) ?? '';
    // Positive control: the fingerprint is there, so a check for the secret can find what it looks for.
    assert.ok(badSummary.includes(fingerprint(SECRET)), badSummary);
    assert.ok(!badSummary.includes(SECRET) && !((await bad.staticDetails()) ?? '').includes(SECRET));

    const bulk = await stack.temporal.workflow.getHandle(ids.bulk).describe();
    assert.equal(
      await bulk.staticSummary(),
      `Bulk job web-ui-demo: ${BULK_TARGETS} inline requests (by carol)`,
    );
  });

  void it('finds each operation in the list by a search-attribute query, with its status', async () => {
    const page = await newPage();
    try {
      await listShows(
        page,
        'RevocationProvider="yandex-cloud" AND RevocationCreatedBy="alice" AND ExecutionStatus="Completed"',
        ids.revoked,
        { status: 'Completed', cells: ['yandex-cloud', 'SUCCEEDED', 'alice'] },
      );
      await listShows(page, 'RevocationProvider="yandex-cloud" AND ExecutionStatus="Failed"', ids.failed, {
        status: 'Failed',
        cells: ['yandex-cloud', 'FAILED', 'bob'],
      });
      await listShows(page, 'RevocationJobName="web-ui-demo" AND ExecutionStatus="Running"', ids.bulk, {
        status: 'Running',
        cells: ['RUNNING', 'carol', 'web-ui-demo'],
      });

      const all =
        'RevocationCreatedBy="alice" OR RevocationCreatedBy="bob" OR RevocationJobName="web-ui-demo"';
      await indexed(all, 3);
      // A little wider than the other shots, so every revocation column fits beside the workflow ids.
      await page.setViewportSize({ width: 1600, height: VIEWPORT.height });
      await page.goto(workflowListUrl(uiUrl, NS, all));
      for (const id of Object.values(ids)) await listRow(page, id).waitFor();
      await page.screenshot({ path: join(screenshotDir(), 'web-ui-list.png') });
    } finally {
      await page.close();
    }
  });

  void it('shows summary, details and current details of a revocation', async () => {
    const page = await newPage();
    try {
      await openUserMetadata(page, uiUrl, NS, ids.revoked);
      await waitForText('status', page.locator('header'), 'Completed');
      const ui = userMetadata(page);
      await waitForText(
        'summary',
        ui.summary.locator('body'),
        'Revoke refresh token id rt-ui-1 at yandex-cloud/default, by alice',
      );
      await waitForText(
        'details',
        ui.details.locator('body'),
        /Target: refresh token id rt-ui-1[\s\S]*Provider: Yandex Cloud IAM \(yandex-cloud\), connection default[\s\S]*Created by: alice[\s\S]*Offboarding of employee 4711/,
      );
      await waitForText('current details', ui.current.locator('body'), 'done: revoked 1 token');
      await waitForText(
        'activity summary',
        page.locator('main'),
        'yandex-cloud RefreshTokenService.Revoke (connection default)',
      );
      await waitForText('timer summary', page.locator('main'), /wait before poll 1 of provider operation/);
      await page.screenshot({ path: join(screenshotDir(), 'web-ui-revocation.png') });
    } finally {
      await page.close();
    }
  });

  void it('shows a failed revocation with its error and no secret', async () => {
    const page = await newPage();
    try {
      await openUserMetadata(page, uiUrl, NS, ids.failed);
      await waitForText('status', page.locator('header'), 'Failed');
      const ui = userMetadata(page);
      const summary = await waitForText('summary', ui.summary.locator('body'), fingerprint(SECRET));
      assert.match(summary, /^Revoke refresh token sha256:[0-9a-f]{16} at yandex-cloud\/default, by bob/);
      const details = await waitForText('details', ui.details.locator('body'), 'Lost laptop of bob');
      const current = await waitForText(
        'current details',
        ui.current.locator('body'),
        'failed: PERMISSION_DENIED',
      );
      assert.match(current, /caller may not revoke/);
      // What this tab shows holds the fingerprint (found above) and never the token.
      for (const text of [summary, details, current]) assert.ok(!text.includes(SECRET));
      await page.screenshot({ path: join(screenshotDir(), 'web-ui-failed.png') });
    } finally {
      await page.close();
    }
  });

  void it('shows a bulk job in progress: page, counts, rate, paused', async () => {
    const page = await newPage();
    try {
      await openUserMetadata(page, uiUrl, NS, ids.bulk);
      await waitForText('status', page.locator('header'), 'Running');
      const ui = userMetadata(page);
      await waitForText(
        'summary',
        ui.summary.locator('body'),
        `Bulk job web-ui-demo: ${BULK_TARGETS} inline requests (by carol)`,
      );
      await waitForText(
        'details',
        ui.details.locator('body'),
        /Job: web-ui-demo[\s\S]*Created by: carol[\s\S]*retired bulk-app client/,
      );
      const pages = BULK_TARGETS / BULK_PAGE;
      const current = await waitForText('current details', ui.current.locator('body'), /paused/);
      assert.match(current, new RegExp(`page \\d+ of ${pages}, \\d+ revoked, 0 failed, 0 skipped`));
      assert.match(current, /limit 4\/s\), concurrency 2, paused/);
      await waitForText('activity summary', page.locator('main'), 'page 1');
      await page.screenshot({ path: join(screenshotDir(), 'web-ui-bulk.png') });
    } finally {
      await page.close();
    }
    await resumeBulkJob(stack.client, ids.bulk);
    await stack.client.wait(ids.bulk, { timeout: 120_000 });
    assert.equal((await getBulkJob(stack.client, ids.bulk)).metadata.succeeded, BULK_TARGETS);
  });

  void it("the UI decoded the encrypted metadata through the project's codec server", () => {
    assert.ok(decodeRequests > 0, 'the UI never asked the codec server to decode');
  });
});
