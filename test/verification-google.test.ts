import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { RevocationRequestInput } from '../api';
import {
  startGoogleIdentityPlatformEmulator,
  type GoogleIdentityPlatformEmulator,
} from '../emulators/google-identity-platform';
import { fastTiming } from './helpers/history';
import { createTestStack, type TestStack } from './helpers/stack';

const apiKey = 'AIzaSyVERIFY-gip-0123456789-abcdefghij';

let emu: GoogleIdentityPlatformEmulator;
let s: TestStack;

before(async () => {
  emu = await startGoogleIdentityPlatformEmulator({ apiKeys: [apiKey] });
  s = await createTestStack(
    {},
    { connections: { 'google-identity-platform': { default: { baseUrl: emu.baseUrl, apiKey } } } },
  );
  await s.startWorker();
});

after(async () => {
  await s?.close();
  await emu?.close();
});

void describe('revokeTokens at google-identity-platform: verification', () => {
  void it('UNVERIFIABLE with its reason (no read-back API), after a real revoke, and nothing more is asked', async () => {
    const uid = `user-${randomUUID().slice(0, 8)}`;
    const idToken = emu.addAccount({ uid }).idTokens[0] ?? '';
    const refresh = emu.issueAppleToken(uid, undefined, { type: 'REFRESH_TOKEN' });
    const started = await s.client.revoke(
      {
        provider: 'google-identity-platform',
        providerId: 'apple.com',
        tokenType: 'REFRESH_TOKEN',
        token: refresh.value,
        idToken,
      } as RevocationRequestInput,
      { timing: fastTiming },
    );
    const op = await s.client.wait(started.id, { timeout: 30_000 });
    assert.equal(op.error, undefined);
    assert.ok(emu.appleToken(refresh.value)?.revokedAt, 'the revoke itself happened');
    const v = op.response?.verification;
    assert.equal(v?.state, 'UNVERIFIABLE');
    assert.equal(v?.method, 'none');
    assert.equal(
      v?.detail,
      'Google has no way to ask: accounts:revokeToken has no read-back (it answers {} to a revocation and to an ignored repeat alike), and Google documents no API that tells whether a revoked token still works',
    );
    assert.ok(Number.isFinite(Date.parse(v?.checkedAt ?? '')));
    const calls = emu.revokeCalls().filter((c) => (c.body as { idToken?: string }).idToken === idToken);
    assert.equal(calls.length, 1, 'one revoke, no second call disguised as a check');
    assert.equal(op.metadata.attempts, 1);
  });
});
