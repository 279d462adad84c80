import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { loadCodecKeyring } from '../common/codec-keys';
import { loadCodecServerConfig } from '../codec-server/config';
import { ConfigError } from '../common/config-error';

const key = () => randomBytes(32).toString('base64');

/** Asserts a ConfigError naming `variable`, whose message matches `pattern` and never holds `secret`. */
function throwsConfig(fn: () => unknown, variable: string, pattern: RegExp, secret?: string): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof ConfigError, String(err));
    assert.equal(err.variable, variable);
    assert.match(err.message, pattern);
    if (secret) assert.ok(!err.message.includes(secret), 'the message does not hold the key');
    return true;
  });
}

void describe('codec keys', () => {
  void it('reads a key directory: file name = key id, current key named explicitly', () => {
    const dir = mkdtempSync(join(tmpdir(), 'keys-'));
    const a = key();
    writeFileSync(join(dir, 'k1'), `${a}\n`);
    writeFileSync(join(dir, 'k2'), key());
    writeFileSync(join(dir, '.hidden'), 'not a key');
    mkdirSync(join(dir, '..data'));
    const ring = loadCodecKeyring({ REVOCATION_CODEC_KEY_DIR: dir, REVOCATION_CODEC_CURRENT_KEY_ID: 'k2' });
    assert.equal(ring.currentKeyId, 'k2');
    assert.deepEqual([...ring.keys.keys()], ['k1', 'k2']);
    assert.equal(ring.keys.get('k1')?.toString('base64'), a);

    throwsConfig(
      () => loadCodecKeyring({ REVOCATION_CODEC_KEY_DIR: dir }),
      'REVOCATION_CODEC_CURRENT_KEY_ID',
      /must name the key that encrypts \(one of: k1, k2\)/,
    );
    throwsConfig(
      () => loadCodecKeyring({ REVOCATION_CODEC_KEY_DIR: dir, REVOCATION_CODEC_CURRENT_KEY_ID: 'k3' }),
      'REVOCATION_CODEC_CURRENT_KEY_ID',
      /current key "k3" has no key/,
    );
    const bad = 'c2hvcnQta2V5';
    writeFileSync(join(dir, 'k-short'), bad);
    throwsConfig(
      () => loadCodecKeyring({ REVOCATION_CODEC_KEY_DIR: dir, REVOCATION_CODEC_CURRENT_KEY_ID: 'k1' }),
      'REVOCATION_CODEC_KEY_DIR',
      /key "k-short" must be 32 bytes/,
      bad,
    );
  });

  void it('refuses two sources, and a current key id without a directory', () => {
    throwsConfig(
      () => loadCodecKeyring({ REVOCATION_CODEC_KEY: key(), REVOCATION_CODEC_KEY_DIR: '/x' }),
      'REVOCATION_CODEC_KEY_DIR, REVOCATION_CODEC_KEY',
      /only one source/,
    );
    throwsConfig(
      () => loadCodecKeyring({ REVOCATION_CODEC_KEY: key(), REVOCATION_CODEC_CURRENT_KEY_ID: 'x' }),
      'REVOCATION_CODEC_CURRENT_KEY_ID',
      /applies to REVOCATION_CODEC_KEY_DIR only/,
    );
    throwsConfig(
      () => loadCodecKeyring({}),
      'REVOCATION_CODEC_KEY_FILE',
      /no payload encryption key configured/,
    );
  });

  void it('reads a JSON ring and names the bad field without quoting the file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ring-'));
    const file = join(dir, 'ring.json');
    const k = key();
    writeFileSync(file, JSON.stringify({ currentKeyId: 'a', keys: { a: k, b: key() } }));
    assert.equal(loadCodecKeyring({ REVOCATION_CODEC_KEY_FILE: file }).keys.size, 2);
    writeFileSync(file, `{"currentKeyId": "a", "keys": {"a": "${k}"`);
    throwsConfig(
      () => loadCodecKeyring({ REVOCATION_CODEC_KEY_FILE: file }),
      'REVOCATION_CODEC_KEY_FILE',
      /not valid JSON/,
      k,
    );
    writeFileSync(file, JSON.stringify({ current: 'a', keys: { a: k } }));
    throwsConfig(
      () => loadCodecKeyring({ REVOCATION_CODEC_KEY_FILE: file }),
      'REVOCATION_CODEC_KEY_FILE',
      /bad: .*currentKeyId/,
      k,
    );
  });
});

void describe('codec server configuration', () => {
  const keys = { REVOCATION_CODEC_KEY: key() };
  void it('needs a token, names bad origins, reads the rest', () => {
    throwsConfig(() => loadCodecServerConfig(keys), 'REVOCATION_CODEC_SERVER_TOKEN', /needs a bearer token/);
    const token = 'a-long-enough-token-123';
    throwsConfig(
      () =>
        loadCodecServerConfig({
          ...keys,
          REVOCATION_CODEC_SERVER_TOKEN: token,
          REVOCATION_CODEC_SERVER_ALLOWED_ORIGINS: 'https://ui.example.com/',
        }),
      'REVOCATION_CODEC_SERVER_ALLOWED_ORIGINS',
      /is not an origin/,
    );
    const config = loadCodecServerConfig({
      ...keys,
      REVOCATION_CODEC_SERVER_TOKEN: token,
      REVOCATION_CODEC_SERVER_ALLOWED_ORIGINS: 'https://ui.example.com, http://localhost:8233',
      REVOCATION_CODEC_SERVER_PORT: '0',
      REVOCATION_CODEC_SERVER_NAMESPACES: 'security',
    });
    assert.deepEqual(config.options.allowedOrigins, ['https://ui.example.com', 'http://localhost:8233']);
    assert.deepEqual(config.options.namespaces, ['security']);
    assert.equal(config.port, 0);
    assert.equal(config.options.acceptTokenInPath, false);
    throwsConfig(
      () =>
        loadCodecServerConfig({
          ...keys,
          REVOCATION_CODEC_SERVER_TOKEN: token,
          REVOCATION_CODEC_SERVER_MAX_BODY_BYTES: 'lots',
        }),
      'REVOCATION_CODEC_SERVER_MAX_BODY_BYTES',
      /must be an integer/,
    );
  });
});
