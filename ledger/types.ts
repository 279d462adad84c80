import type { EvidenceRecord, EvidenceSink, EvidenceStatus } from '../api';

/**
 * The public surface of the evidence ledger (docs/evidence.md). The worker writes through it (as an
 * EvidenceSink), the CLI and the client library read, export, verify and purge through it.
 * Implementations: SQLite through node:sqlite (embedded default), PostgreSQL through `pg`.
 */

/** A stored record and its place in its writer's hash chain. */
export interface LedgerRow {
  record: EvidenceRecord;
  /** The writer's chain (one per ledger writer: concurrent workers never share one). */
  streamId: string;
  /** 1-based position in the stream. */
  seq: number;
  /** Hex SHA-256 of the previous row of the stream (64 zeros for the first, the purge's last hash after a purge). */
  prevHash: string;
  /** Hex SHA-256 over prevHash and the record's canonical JSON (with streamId, seq, recordedAt). */
  hash: string;
  /** When the ledger stored it (ISO 8601). */
  recordedAt: string;
}

/** Filters of `revoke evidence list|export` (all optional, combined with AND). */
export interface EvidenceQuery {
  subject?: string;
  provider?: string;
  connection?: string;
  operationId?: string;
  jobId?: string;
  status?: EvidenceStatus;
  /** requestedAt >= from (ISO 8601). */
  from?: string;
  /** requestedAt < to (ISO 8601). */
  to?: string;
  limit?: number;
}

/** The first thing `verify` found wrong, named so an auditor can find the row. */
export interface LedgerProblem {
  kind:
    | 'EDITED' // a row's fields no longer hash to its stored hash, or its columns differ from its body
    | 'DELETED' // a seq is missing, or a checkpoint names a row that is gone
    | 'REORDERED' // a row's prevHash is not its predecessor's hash
    | 'FORGED_CHECKPOINT' // a checkpoint's signature does not verify with the ledger's public key
    | 'CHECKPOINT_MISMATCH'; // a (validly signed) checkpoint names a head the rows do not have
  streamId?: string;
  seq?: number;
  recordId?: string;
  checkpointId?: string;
  message: string;
}

export interface PurgeSummary {
  before: string;
  at: string;
  removed: number;
}

export interface VerifyReport {
  ok: boolean;
  records: number;
  streams: number;
  checkpoints: number;
  purges: PurgeSummary[];
  /** Set when ok is false. */
  problem?: LedgerProblem;
}

export interface EvidenceLedger extends EvidenceSink {
  /** Records in recordedAt order (then stream, seq), streamed: memory does not grow with the result. */
  query(q?: EvidenceQuery): AsyncIterable<LedgerRow>;
  get(recordId: string): Promise<LedgerRow | undefined>;
  verify(): Promise<VerifyReport>;
  /** Removes every record stored before `before` and records the purge, signed, so verify still passes. */
  purge(before: Date): Promise<PurgeSummary>;
  close(): Promise<void>;
}

export interface OpenLedgerOptions {
  /** `sqlite:<path>` (file created with its directory) or `postgres://…` / `postgresql://…`. */
  url: string;
  /** Ed25519 private key (PEM PKCS#8 or JWK) that signs checkpoints; required to write. */
  signingKey?: string;
  /** Ed25519 public key (PEM SPKI or JWK) that verifies them; derived from signingKey when unset. */
  publicKey?: string;
  /** A signed checkpoint every N records this writer appends. @default 1000 */
  checkpointEvery?: number;
  /** The writer's stream id. @default a random one per openLedger call */
  streamId?: string;
}
