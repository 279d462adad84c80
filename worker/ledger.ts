import { createPrivateKey, createPublicKey, generateKeyPairSync, randomUUID } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { ConfigError } from '../common/config-error';
import { LedgerConfigError, openLedger, type EvidenceLedger } from '../ledger';

/** The worker's evidence ledger settings (README, Configuration; docs/operations.md, Evidence ledger). */
export interface LedgerConfig {
  /** `sqlite:<path>` or `postgres://…`. */
  url: string;
  /** PEM PKCS#8 Ed25519 private key that signs checkpoints; created when missing. */
  signingKeyFile: string;
  checkpointEvery?: number;
}

/** @default sqlite:.data/evidence.db (relative to the worker's cwd) */
export const DEFAULT_LEDGER_URL = 'sqlite:.data/evidence.db';
/** @default .data/ledger-signing-key.pem */
export const DEFAULT_SIGNING_KEY_FILE = '.data/ledger-signing-key.pem';

/** Which variable each ledger option comes from, for ConfigErrors. */
const variableOf: Record<string, string> = {
  url: 'LEDGER_URL',
  signingKey: 'LEDGER_SIGNING_KEY_FILE',
  checkpointEvery: 'LEDGER_CHECKPOINT_EVERY',
};

/**
 * The ledger settings from the environment, or undefined with `LEDGER=off` (the worker then records
 * nothing and its responses say `evidence.recorded: false`). Thrown when: LEDGER is neither `on` nor
 * `off`, LEDGER_CHECKPOINT_EVERY is not a positive integer (ConfigError naming the variable).
 */
export function loadLedgerConfig(env: NodeJS.ProcessEnv, cwd = process.cwd()): LedgerConfig | undefined {
  const mode = (env.LEDGER ?? '').trim().toLowerCase();
  if (mode === 'off') return undefined;
  if (mode !== '' && mode !== 'on')
    throw new ConfigError('LEDGER', `must be "on" or "off", not ${JSON.stringify(env.LEDGER)}`);
  const url = env.LEDGER_URL?.trim() || DEFAULT_LEDGER_URL;
  const sqlitePath = url.startsWith('sqlite:') ? url.slice('sqlite:'.length) : undefined;
  const every = env.LEDGER_CHECKPOINT_EVERY?.trim();
  let checkpointEvery: number | undefined;
  if (every) {
    checkpointEvery = Number(every);
    if (!Number.isInteger(checkpointEvery) || checkpointEvery < 1)
      throw new ConfigError(
        'LEDGER_CHECKPOINT_EVERY',
        `must be a positive integer, not ${JSON.stringify(every)}`,
      );
  }
  return {
    // A relative SQLite path is the worker's cwd's, not wherever the ledger module resolves it.
    url:
      sqlitePath && sqlitePath !== ':memory:' && !sqlitePath.startsWith('/')
        ? `sqlite:${resolve(cwd, sqlitePath)}`
        : url,
    signingKeyFile: resolve(cwd, env.LEDGER_SIGNING_KEY_FILE?.trim() || DEFAULT_SIGNING_KEY_FILE),
    ...(checkpointEvery !== undefined ? { checkpointEvery } : {}),
  };
}

/** Where the public key of a signing key file is written beside it (what an auditor verifies with). */
export const publicKeyFileOf = (signingKeyFile: string): string =>
  signingKeyFile.replace(/(\.pem)?$/, '.pub.pem');

/**
 * The signing key at `path` (PEM), created (mode 0600, with its public key beside it) when missing.
 * Safe when several workers start at once: the key is written whole to a temporary file and linked
 * into place, which fails with EEXIST for all but one; the others read the winner's key.
 */
export function ensureSigningKey(path: string): string {
  try {
    const existing = readFileSync(path, 'utf8');
    // Best effort beside a key someone else made (its directory may be read-only, a mounted secret).
    try {
      writePublicKey(path, existing);
    } catch {
      // the verifier then derives the public key from the signing key file, or is given one
    }
    return existing;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw keyFileError(path, err);
  }
  mkdirSync(dirname(path), { recursive: true });
  const { privateKey } = generateKeyPairSync('ed25519');
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const tmp = `${path}.${randomUUID()}.tmp`;
  writeFileSync(tmp, pem, { mode: 0o600, flag: 'wx' });
  try {
    linkSync(tmp, path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw keyFileError(path, err);
    return readFileSync(path, 'utf8');
  } finally {
    unlinkSync(tmp);
  }
  writePublicKey(path, pem);
  return pem;
}

function writePublicKey(signingKeyFile: string, pem: string): void {
  const pub = createPublicKey(createPrivateKey(pem)).export({ type: 'spki', format: 'pem' }).toString();
  try {
    writeFileSync(publicKeyFileOf(signingKeyFile), pub, { mode: 0o644, flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
}

function keyFileError(path: string, err: unknown): ConfigError {
  const code = (err as NodeJS.ErrnoException).code ?? 'unreadable';
  return new ConfigError('LEDGER_SIGNING_KEY_FILE', `cannot read or create ${path} (${code})`, {
    cause: err,
  });
}

/** The url without its password, for banners and messages. */
export function redactLedgerUrl(url: string): string {
  return url.replace(/\/\/([^/@:]*):[^/@]*@/, '//$1:***@');
}

/** The password in a PostgreSQL url, for the log redaction list. */
export function ledgerUrlSecrets(url: string): string[] {
  const m = /\/\/[^/@:]*:([^/@]*)@/.exec(url);
  return m?.[1] ? [decodeURIComponent(m[1])] : [];
}

/**
 * Opens the worker's ledger from its configuration (one writer, its own hash chain). Thrown when
 * the url, the key or the checkpoint interval is bad: ConfigError naming the variable.
 */
export async function openWorkerLedger(config: LedgerConfig): Promise<EvidenceLedger> {
  const signingKey = ensureSigningKey(config.signingKeyFile);
  try {
    return await openLedger({
      url: config.url,
      signingKey,
      ...(config.checkpointEvery !== undefined ? { checkpointEvery: config.checkpointEvery } : {}),
    });
  } catch (err) {
    if (err instanceof LedgerConfigError) {
      const variable = variableOf[err.option] ?? 'LEDGER_URL';
      throw new ConfigError(variable, err.message.slice(err.option.length + 2), { cause: err });
    }
    throw new ConfigError(
      'LEDGER_URL',
      `cannot open ${redactLedgerUrl(config.url)}: ${err instanceof Error ? err.message : String(err)}`,
      {
        cause: err,
      },
    );
  }
}
