import { existsSync } from 'node:fs';
import { Option, type Command } from 'commander';
import { evidenceStatuses, providerKeys, type EvidenceStatus } from '../../api';
import { ConfigError } from '../../common/config-error';
import {
  DEFAULT_LEDGER_URL,
  DEFAULT_SIGNING_KEY_FILE,
  EvidenceClient,
  EvidenceFileError,
  EvidenceRecordNotFoundError,
  ledgerUrlOf,
  publicKeyOf,
  readKeyFile,
  type EvidenceQuery,
} from '../../client/evidence';
import type { CliContext } from '../context';
import { LedgerConfigError } from '../../ledger';
import { ExitCode, errorLine } from '../exit-codes';
import { badInput } from '../flags';

export const evidenceExitCodes = `Exit codes:
  0  success (verify: the ledger, or the file, is intact)
  1  verify found a problem (the first bad record is named on stderr), or purge was not confirmed
  2  bad input: an invalid flag value (the flag is named), or a file that is not an export
  3  the ledger or a key cannot be opened (no ledger at the path, bad url, unreadable key)
  5  show: no record has the id`;

export interface LedgerFlags {
  ledger?: string;
}

export interface FilterFlags extends LedgerFlags {
  subject?: string;
  provider?: string;
  connection?: string;
  operation?: string;
  job?: string;
  status?: string;
  from?: string;
  to?: string;
  limit?: number;
}

/** `--ledger <url>`, defaulting to LEDGER_URL, else the embedded SQLite file. */
export function addLedgerOption(cmd: Command): Command {
  return cmd.option(
    '--ledger <url>',
    `the ledger: sqlite:<path> or postgres://… (default: LEDGER_URL, else ${DEFAULT_LEDGER_URL})`,
  );
}

/** The filters of `list` and `export` (ANDed). */
export function addFilterOptions(cmd: Command): Command {
  return addLedgerOption(cmd)
    .option('--subject <id>', 'only records of this subject')
    .option('--provider <key>', `only this provider (${providerKeys.join(', ')})`)
    .option('--connection <name>', 'only this connection, e.g. default')
    .option('--operation <id>', 'only records of this operation')
    .option('--job <id>', 'only records of this bulk job or revokeSubject operation')
    .option('--status <status>', `only this outcome (${evidenceStatuses.join(', ')})`)
    .option('--from <date>', 'requested at or after this time (RFC 3339, or a date: 2026-01-31)')
    .option('--to <date>', 'requested before this time (RFC 3339, or a date)')
    .addOption(new Option('--limit <n>', 'at most this many records').argParser(parseLimit));
}

function parseLimit(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1 || !Number.isSafeInteger(n))
    throw badInput('--limit', 'must be a positive integer');
  return n;
}

/** An RFC 3339 time or a calendar date (midnight UTC), as ISO 8601. Thrown: InvalidArgumentError naming `flag`. */
export function parseTime(value: string, flag: string): string {
  const ms = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/i.test(value)
    ? Date.parse(value.length === 10 ? `${value}T00:00:00Z` : value)
    : NaN;
  if (Number.isNaN(ms))
    throw badInput(flag, 'must be an RFC 3339 time (2026-01-31T12:00:00Z) or a date (2026-01-31)');
  return new Date(ms).toISOString();
}

/** The query the filter flags describe. Thrown on a bad value: InvalidArgumentError naming the flag. */
export function queryOf(flags: FilterFlags): EvidenceQuery {
  if (flags.provider !== undefined && !(providerKeys as string[]).includes(flags.provider)) {
    throw badInput('--provider', `must be one of ${providerKeys.join(', ')}`);
  }
  if (flags.status !== undefined && !(evidenceStatuses as readonly string[]).includes(flags.status)) {
    throw badInput('--status', `must be one of ${evidenceStatuses.join(', ')}`);
  }
  const from = flags.from !== undefined ? parseTime(flags.from, '--from') : undefined;
  const to = flags.to !== undefined ? parseTime(flags.to, '--to') : undefined;
  if (from !== undefined && to !== undefined && from >= to)
    throw badInput('--to', 'must be later than --from');
  const q: EvidenceQuery = {};
  if (flags.subject !== undefined) q.subject = flags.subject;
  if (flags.provider !== undefined) q.provider = flags.provider;
  if (flags.connection !== undefined) q.connection = flags.connection;
  if (flags.operation !== undefined) q.operationId = flags.operation;
  if (flags.job !== undefined) q.jobId = flags.job;
  if (flags.status !== undefined) q.status = flags.status as EvidenceStatus;
  if (from !== undefined) q.from = from;
  if (to !== undefined) q.to = to;
  if (flags.limit !== undefined) q.limit = flags.limit;
  return q;
}

/** Where the worker writes the public key of a signing key file, beside it (worker/ledger.ts). */
export const publicKeyFileOf = (signingKeyFile: string): string =>
  signingKeyFile.replace(/(\.pem)?$/, '.pub.pem');

/** The signing key file: LEDGER_SIGNING_KEY_FILE, else the one `npm start` creates. */
export const signingKeyFileOf = (env: NodeJS.ProcessEnv): string =>
  env.LEDGER_SIGNING_KEY_FILE || DEFAULT_SIGNING_KEY_FILE;

export interface KeyFlags {
  publicKey?: string;
  signingKey?: string;
}

/**
 * Opens the ledger the flags name; `keys` says which key the command needs: the public key
 * (`--public-key`, else derived from the signing key file) or the signing key (`--signing-key`).
 * Thrown: ConfigError naming the flag when the ledger or a key cannot be opened.
 */
export async function openEvidence(
  ctx: CliContext,
  flags: LedgerFlags & KeyFlags,
  keys: 'none' | 'public' | 'signing' = 'none',
): Promise<EvidenceClient> {
  const env = ctx.io.env;
  const keyOptions: { publicKey?: string; signingKey?: string } = {};
  const signingFile = flags.signingKey ?? signingKeyFileOf(env);
  const signingFlag =
    flags.signingKey !== undefined ? '--signing-key' : '--signing-key (LEDGER_SIGNING_KEY_FILE)';
  if (keys === 'signing') {
    const pem = await readKeyFile(signingFile, signingFlag);
    keyOptions.publicKey = publicKeyOf(pem, signingFlag);
    keyOptions.signingKey = pem;
  } else if (keys === 'public') {
    // The public key the worker writes beside its signing key, else one derived from the signing key.
    const beside = publicKeyFileOf(signingFile);
    if (flags.publicKey !== undefined || existsSync(beside)) {
      keyOptions.publicKey = await readKeyFile(flags.publicKey ?? beside, '--public-key');
    } else if (existsSync(signingFile)) {
      keyOptions.publicKey = publicKeyOf(await readKeyFile(signingFile, signingFlag), signingFlag);
    } else {
      throw new ConfigError('--public-key', `needed: no ${beside} and no signing key at ${signingFile}`);
    }
  }
  const url = ledgerUrlOf(env, flags.ledger);
  const flag = flags.ledger !== undefined ? '--ledger' : '--ledger (LEDGER_URL)';
  try {
    return await EvidenceClient.open({ url, env, ...keyOptions });
  } catch (err) {
    if (err instanceof ConfigError && err.variable === 'LEDGER_URL') {
      throw new ConfigError(flag, err.message.replace(/^LEDGER_URL: /, ''), { cause: err });
    }
    if (err instanceof ConfigError || err instanceof LedgerConfigError) throw err;
    // The database refused or is not there (ECONNREFUSED, authentication, permissions): exit 3.
    const reason = err instanceof Error ? err.message : String(err);
    throw new ConfigError(flag, `cannot open ${redactUrl(url)}: ${reason}`, { cause: err });
  }
}

/** The url without its password, for messages. */
const redactUrl = (url: string): string => url.replace(/\/\/([^/@:]*):[^/@]*@/, '//$1:***@');

/** Runs a subcommand's action, turning the evidence errors into their exit codes. */
export function evidenceAction<A extends unknown[]>(
  ctx: CliContext,
  fn: (...args: A) => Promise<void>,
): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await fn(...args);
    } catch (err) {
      if (
        err instanceof EvidenceRecordNotFoundError ||
        err instanceof EvidenceFileError ||
        err instanceof LedgerConfigError
      ) {
        ctx.io.stderr.write(`${errorLine(err)}\n`);
        ctx.exitCode =
          err instanceof EvidenceRecordNotFoundError
            ? ExitCode.notFound
            : err instanceof EvidenceFileError
              ? ExitCode.badInput
              : ExitCode.unavailable;
        return;
      }
      throw err;
    }
  };
}
