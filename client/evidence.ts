import { createPublicKey } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import { ConfigError } from '../common/config-error';
import { openLedger } from '../ledger';
import {
  differentField,
  exportEvidence,
  readExport,
  type ExportFormat,
  type ExportOutput,
} from '../ledger/export';
import type { EvidenceLedger, EvidenceQuery, LedgerRow, PurgeSummary, VerifyReport } from '../ledger/types';

export type { ExportFormat, ExportOutput } from '../ledger/export';
export {
  differentField,
  exportFormats,
  readExport,
  readCsvExport,
  readNdjsonExport,
  EvidenceFileError,
} from '../ledger/export';
export type { EvidenceQuery, LedgerRow, LedgerProblem, PurgeSummary, VerifyReport } from '../ledger/types';

/** The ledger the worker writes when LEDGER_URL names none (an SQLite file beside Temporal's). */
export const DEFAULT_LEDGER_URL = 'sqlite:.data/evidence.db';
/** The Ed25519 key `npm start` creates for signing checkpoints; its public half verifies them. */
export const DEFAULT_SIGNING_KEY_FILE = '.data/ledger-signing-key.pem';

/** The ledger url: `url`, else LEDGER_URL, else {@link DEFAULT_LEDGER_URL}. */
export function ledgerUrlOf(env: NodeJS.ProcessEnv, url?: string): string {
  return url ?? (env.LEDGER_URL || DEFAULT_LEDGER_URL);
}

/** Thrown by `get` when no stored record has the id (it may have been purged). */
export class EvidenceRecordNotFoundError extends Error {
  override readonly name = 'EvidenceRecordNotFoundError';
  readonly code = 5;
  constructor(readonly recordId: string) {
    super(`evidence record ${recordId} not found`);
  }
}

/** What `checkExport` found: the file's rows, how many the ledger no longer has because a purge removed them, and the first mismatch. */
export interface ExportCheck {
  ok: boolean;
  rows: number;
  purged: number;
  /** `row` counts the file's records from 1 (a CSV header is not one). */
  problem?: { row: number; recordId: string; field?: string; message: string };
}

export interface EvidenceClientOptions {
  /** `sqlite:<path>` or `postgres://…`. @default LEDGER_URL, else `sqlite:.data/evidence.db` */
  url?: string;
  /** Ed25519 private key (PEM or JWK text) that signs purge and checkpoint records; only `purge` needs it. */
  signingKey?: string;
  /** Ed25519 public key (PEM or JWK text) that verifies checkpoints. @default derived from signingKey */
  publicKey?: string;
  /** Where LEDGER_URL is read. @default process.env */
  env?: NodeJS.ProcessEnv;
  /**
   * Refuse to open an SQLite ledger whose file does not exist (instead of creating an empty one):
   * readers want "no ledger here", not an empty ledger that verifies. @default true
   */
  mustExist?: boolean;
}

/**
 * The text of a key file. Thrown when it cannot be read: ConfigError naming `field` (a flag or
 * variable) and the path, never the key.
 */
export async function readKeyFile(path: string, field: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code ?? (err instanceof Error ? err.message : 'error');
    throw new ConfigError(field, `cannot read the key file ${path} (${reason})`);
  }
}

/** The PEM SPKI public key of an Ed25519 private key (PEM or JWK). Thrown when it is not one: ConfigError naming `field`. */
export function publicKeyOf(privateKey: string, field: string): string {
  try {
    const text = privateKey.trim();
    const key = text.startsWith('{')
      ? createPublicKey({ key: JSON.parse(text) as import('node:crypto').JsonWebKey, format: 'jwk' })
      : createPublicKey(text);
    if (key.asymmetricKeyType !== 'ed25519') throw new TypeError('not Ed25519');
    return key.export({ type: 'spki', format: 'pem' }).toString();
  } catch (err) {
    // The cause's message could quote key bytes: keep only its name.
    throw new ConfigError(field, `not an Ed25519 key (${err instanceof Error ? err.name : 'unreadable'})`);
  }
}

function sqlitePath(url: string): string | undefined {
  // As openLedger reads it: `sqlite:<path>`, or `sqlite:///abs/path`.
  return url.startsWith('sqlite:') ? url.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '') : undefined;
}

/**
 * Evidence for library users: list, get, export, verify and purge a ledger (docs/auditing.md), the
 * operations `revoke evidence` runs. Reads stream: memory does not grow with the ledger.
 */
export class EvidenceClient {
  private constructor(
    private readonly ledger: EvidenceLedger,
    /** The ledger's url, as opened. */
    readonly url: string,
  ) {}

  /**
   * Opens the ledger at `options.url` (or LEDGER_URL). Thrown: ConfigError naming LEDGER_URL when the
   * url is not a ledger url or (mustExist) its SQLite file does not exist.
   */
  static async open(options: EvidenceClientOptions = {}): Promise<EvidenceClient> {
    const url = ledgerUrlOf(options.env ?? process.env, options.url);
    const path = sqlitePath(url);
    if (path === undefined && !/^postgres(ql)?:\/\//.test(url)) {
      throw new ConfigError('LEDGER_URL', 'must be sqlite:<path> or postgres://…');
    }
    if (path !== undefined && path !== ':memory:' && options.mustExist !== false && !existsSync(path)) {
      throw new ConfigError('LEDGER_URL', `no ledger at ${isAbsolute(path) ? path : resolve(path)}`);
    }
    const ledger = await openLedger({
      url,
      ...(options.signingKey !== undefined ? { signingKey: options.signingKey } : {}),
      ...(options.publicKey !== undefined ? { publicKey: options.publicKey } : {}),
    });
    return new EvidenceClient(ledger, url);
  }

  /** Records matching `query`, in the order they were stored, streamed. */
  list(query: EvidenceQuery = {}): AsyncIterable<LedgerRow> {
    return this.ledger.query(query);
  }

  /** One record. Thrown when no stored record has the id: EvidenceRecordNotFoundError. */
  async get(recordId: string): Promise<LedgerRow> {
    const row = await this.ledger.get(recordId);
    if (!row) throw new EvidenceRecordNotFoundError(recordId);
    return row;
  }

  /**
   * Writes the records matching `query` to `out` as NDJSON or CSV, waiting for `out` to drain, and
   * returns how many it wrote (see ledger/export.ts for the columns). `out` is not ended.
   */
  export(
    query: EvidenceQuery,
    format: ExportFormat,
    out: ExportOutput,
    onProgress?: (exported: number) => void,
  ): Promise<number> {
    return exportEvidence(this.ledger, query, format, out, onProgress);
  }

  /** Checks every chain, row and checkpoint; `problem` names the first bad record. */
  verify(): Promise<VerifyReport> {
    return this.ledger.verify();
  }

  /**
   * Checks an exported file against the ledger: every row must be the stored row, field for field
   * (its hash included). Rows a later purge removed are counted in `purged`, not as problems.
   * Thrown on a file that is not an export: EvidenceFileError naming the line and field.
   */
  async checkExport(input: AsyncIterable<string | Buffer>, format: ExportFormat): Promise<ExportCheck> {
    const { purges } = await this.ledger.verify();
    const lastPurge = purges
      .map((p) => p.before)
      .sort()
      .at(-1);
    let rows = 0;
    let purged = 0;
    for await (const row of readExport(input, format)) {
      rows++;
      const recordId = row.record.recordId;
      const stored = await this.ledger.get(recordId);
      if (!stored) {
        if (lastPurge !== undefined && row.recordedAt < lastPurge) {
          purged++;
          continue;
        }
        return { ok: false, rows, purged, problem: { row: rows, recordId, message: 'not in the ledger' } };
      }
      const field = differentField(row, stored);
      if (field !== undefined) {
        const message = `${field} differs from the ledger's row`;
        return { ok: false, rows, purged, problem: { row: rows, recordId, field, message } };
      }
    }
    return { ok: true, rows, purged };
  }

  /** Removes every record stored before `before`, recording the purge (needs the signing key). */
  purge(before: Date): Promise<PurgeSummary> {
    return this.ledger.purge(before);
  }

  close(): Promise<void> {
    return this.ledger.close();
  }
}
