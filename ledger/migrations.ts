/**
 * The ledger's schema, one list for SQLite and PostgreSQL (both accept this SQL). Applied in order
 * at open, each recorded in ledger_migrations by id; a migration never changes once committed: add
 * a new one. Times are ISO 8601 text, so the bytes a row's hash covers are the bytes stored.
 */
export interface Migration {
  id: string;
  statements: readonly string[];
}

const filterIndex = (name: string, columns: string) =>
  `CREATE INDEX ${name} ON ledger_records (${columns}, recorded_at, stream_id, seq)`;

export const migrations: readonly Migration[] = [
  {
    id: '0001-records-streams-checkpoints',
    statements: [
      `CREATE TABLE ledger_streams (
        stream_id TEXT PRIMARY KEY,
        created_at TEXT NOT NULL,
        head_seq BIGINT NOT NULL,
        head_hash TEXT NOT NULL,
        purged_seq BIGINT NOT NULL,
        purged_hash TEXT NOT NULL
      )`,
      `CREATE TABLE ledger_records (
        record_id TEXT PRIMARY KEY,
        stream_id TEXT NOT NULL,
        seq BIGINT NOT NULL,
        prev_hash TEXT NOT NULL,
        hash TEXT NOT NULL,
        recorded_at TEXT NOT NULL,
        body TEXT NOT NULL,
        operation_id TEXT NOT NULL,
        job_id TEXT,
        provider TEXT NOT NULL,
        connection TEXT NOT NULL,
        subject TEXT,
        status TEXT NOT NULL,
        requested_at TEXT NOT NULL,
        UNIQUE (stream_id, seq)
      )`,
      'CREATE INDEX ledger_records_order ON ledger_records (recorded_at, stream_id, seq)',
      filterIndex('ledger_records_subject', 'subject'),
      filterIndex('ledger_records_operation', 'operation_id'),
      filterIndex('ledger_records_job', 'job_id'),
      filterIndex('ledger_records_provider', 'provider, connection'),
      filterIndex('ledger_records_status', 'status'),
      'CREATE INDEX ledger_records_requested ON ledger_records (requested_at)',
      `CREATE TABLE ledger_checkpoints (
        id BIGINT PRIMARY KEY,
        kind TEXT NOT NULL,
        reason TEXT NOT NULL,
        at TEXT NOT NULL,
        jws TEXT NOT NULL,
        hash TEXT NOT NULL,
        prev_hash TEXT
      )`,
    ],
  },
];

export const MIGRATIONS_TABLE = `CREATE TABLE IF NOT EXISTS ledger_migrations (
  id TEXT PRIMARY KEY,
  applied_at TEXT NOT NULL
)`;
