import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  Code,
  fingerprint,
  parseBulkRevocationJob,
  parseRevokeSubjectInput,
  parseRevokeTokensInput,
  childRequestsOf,
  TypeUrl,
  type RevokeTokensOperation,
} from '../api';
import {
  bulkJobDetails,
  bulkJobSummary,
  MAX_SUMMARY_LENGTH,
  revokeSubjectDetails,
  revokeSubjectSummary,
  revokeTokensDetails,
  revokeTokensSummary,
} from '../api/operation-summary';
import {
  bulkCurrentDetails,
  revokeCurrentDetails,
  shortDuration,
  thousands,
} from '../workflows/current-details';

/** The pure text builders behind the Web UI's summaries and current details (no Temporal needed). */

const SECRET = 'summary-test-secret-token-value-abcdef0123456789';

const secretRequests = [
  { provider: 'yandex-cloud', refreshToken: SECRET },
  { provider: 'oauth2', token: SECRET, tokenTypeHint: 'refresh_token' },
  { provider: 'authlete', serviceId: '715948317', accessTokenIdentifier: SECRET },
  {
    provider: 'open-payments',
    action: 'revokeToken',
    manageUrl: 'https://auth.wallet.example/token/abc',
    accessToken: SECRET,
  },
];

void describe('static summary and details', () => {
  for (const raw of secretRequests) {
    void it(`${raw.provider}: the token shows only as its fingerprint, also when the description quotes it`, () => {
      const { request } = parseRevokeTokensInput({ request: raw });
      const input = {
        request,
        createdBy: 'alice',
        description: `leaked: ${SECRET}`,
        requestId: 'incident-77',
      };
      const summary = revokeTokensSummary(input);
      const details = revokeTokensDetails(input);
      // Positive control: the fingerprint is written, so the absence check can find a token.
      assert.ok(`${summary}\n${details}`.includes(fingerprint(SECRET)), `${summary}\n${details}`);
      assert.ok(!summary.includes(SECRET) && !details.includes(SECRET));
      assert.ok(!details.includes('incident-77'), 'the request id is shown, not its fingerprint');
      assert.ok(details.includes(fingerprint('incident-77')));
      assert.match(summary, new RegExp(`^Revoke .+ at ${raw.provider}/default, by alice$`));
    });
  }

  void it('is one bounded line even for long multi-line caller text; markdown in caller text is escaped', () => {
    const { request } = parseRevokeTokensInput({
      request: {
        provider: 'yandex-cloud',
        revokeFilter: { clientId: 'c'.repeat(50), subjectId: 's'.repeat(50) },
      },
    });
    const summary = revokeTokensSummary({ request, createdBy: 'a\nb'.repeat(100) });
    assert.ok(summary.length <= MAX_SUMMARY_LENGTH && !summary.includes('\n'), summary);
    const details = revokeTokensDetails({
      request,
      createdBy: '**bold** <img src=x>',
      description: '# title\n- item',
    });
    assert.match(details, /\*\*Created by:\*\* \\\*\\\*bold\\\*\\\* \\<img src=x\\>/);
    assert.match(details, /\*\*Description:\*\* \\# title - item/);
  });

  void it('bulk jobs and revokeSubject name their source, schedule and connections', () => {
    const job = parseBulkRevocationJob({
      name: 'offboarding-7',
      source: { kind: 'ndjson', path: '/data/offboarding.ndjson' },
      ratePerSecond: 50,
      createdBy: 'carol',
    });
    assert.equal(
      bulkJobSummary({ job }),
      'Bulk job offboarding-7: NDJSON file /data/offboarding.ndjson (by carol)',
    );
    assert.equal(
      bulkJobSummary({ job, scheduleId: 'nightly' }),
      'Bulk job offboarding-7: NDJSON file /data/offboarding.ndjson (schedule nightly, by carol)',
    );
    assert.match(
      bulkJobDetails({ job, scheduleId: 'nightly' }),
      /\*\*Limits:\*\* 100 targets per page, concurrency 10, at most 50\/s/,
    );

    const input = parseRevokeSubjectInput({
      subject: 'aje123',
      targets: [
        { provider: 'yandex-cloud', subjectId: 'aje123' },
        { provider: 'authlete', serviceId: '715948317', subject: 'aje123' },
      ],
      createdBy: 'incident-42',
    });
    const s = { input, requests: childRequestsOf(input), id: 'revoke-subject-x' };
    assert.equal(
      revokeSubjectSummary(s),
      'Revoke everything aje123 holds at yandex-cloud/default, authlete/default (2 revocations), by incident-42',
    );
    assert.match(revokeSubjectDetails(s), /\*\*Children:\*\* 2 `revokeTokens` operations/);
  });
});

function op(
  patch: Partial<Omit<RevokeTokensOperation, 'metadata'>> & {
    metadata?: Partial<RevokeTokensOperation['metadata']>;
  },
): RevokeTokensOperation {
  const base: RevokeTokensOperation = {
    id: 'revoke-1',
    description: 'd',
    createdAt: '2026-01-01T00:00:00Z',
    createdBy: 'alice',
    modifiedAt: '2026-01-01T00:00:00Z',
    done: false,
    metadata: {
      '@type': TypeUrl.revokeTokensMetadata,
      provider: 'yandex-cloud',
      connection: 'default',
      phase: 'REVOKING',
      target: 'refresh token id rt-1',
      attempts: 0,
      polls: 0,
    },
  };
  return { ...base, ...patch, metadata: { ...base.metadata, ...patch.metadata } } as RevokeTokensOperation;
}

void describe('current details', () => {
  void it('says what a revocation is doing: calling, retrying, polling, done, failed', () => {
    assert.match(revokeCurrentDetails(op({})), /^\*\*calling provider\*\*/);
    const unavailable = { code: Code.UNAVAILABLE, message: 'connection refused', details: [] };
    assert.match(
      revokeCurrentDetails(op({ error: unavailable }), { retry: { attempt: 3 } }),
      /^\*\*retrying after UNAVAILABLE \(attempt 3 failed\)\*\*\n\nlast failure: UNAVAILABLE: connection refused/,
    );
    const polling = op({ metadata: { phase: 'POLLING', polls: 3, providerOperationId: 'op-9' } });
    assert.match(
      revokeCurrentDetails(polling, {
        nextPoll: { poll: 4, at: new Date('2026-01-01T08:02:09Z'), delayMs: 8_000 },
      }),
      /^\*\*polling provider operation op-9\*\* \(poll 4 at 08:02:09 UTC, waiting 8 s\)/,
    );
    const done = op({
      done: true,
      response: {
        '@type': TypeUrl.revokeTokensResponse,
        provider: 'yandex-cloud',
        connection: 'default',
        revokedCount: 3,
      },
    });
    assert.match(revokeCurrentDetails(done), /^\*\*done: revoked 3 tokens\*\*/);
    const denied = op({ done: true, error: { code: Code.PERMISSION_DENIED, message: 'no', details: [] } });
    assert.match(
      revokeCurrentDetails(denied),
      /^\*\*failed: PERMISSION_DENIED\*\*\n\nerror: PERMISSION_DENIED: no/,
    );
  });

  void it('says where a bulk job is: page N of M, counts with thousands separators, rate, paused', () => {
    const text = bulkCurrentDetails({
      phase: 'PAUSED',
      name: 'big',
      dryRun: false,
      counts: { processed: 4_815, succeeded: 4_800, alreadyRevoked: 12, failed: 3, skipped: 0 },
      total: 16_000,
      pageSize: 400,
      pages: 12,
      currentRate: 40,
      ratePerSecond: 50,
      concurrency: 10,
    });
    assert.match(
      text,
      /page 12 of 40, 4,800 revoked, 3 failed, 0 skipped, 12 already revoked \(4,815 of 16,000 processed\)/,
    );
    assert.match(text, /rate 40\/s \(limit 50\/s\), concurrency 10, paused/);
    const unknownTotal = bulkCurrentDetails({
      phase: 'RUNNING',
      name: 'list',
      dryRun: true,
      counts: { processed: 0, succeeded: 0, alreadyRevoked: 0, failed: 0, skipped: 0 },
      pageSize: 100,
      pages: 0,
      concurrency: 1,
    });
    assert.match(unknownTotal, /^\*\*running\*\* · job list \(dry run\)\n\npage 0, /);
    assert.match(unknownTotal, /rate - \(no rate limit\)/);
  });

  void it('formats numbers and durations the same on every worker', () => {
    assert.equal(thousands(1_234_567), '1,234,567');
    assert.equal(thousands(2.56), '2.6');
    assert.equal(shortDuration(8_000), '8 s');
    assert.equal(shortDuration(90_000), '1 min 30 s');
    assert.equal(shortDuration(3_600_000), '1 h');
  });
});
