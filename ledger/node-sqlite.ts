import type * as NodeSqlite from 'node:sqlite';

/**
 * Node's built-in SQLite, loaded without its one-time "SQLite is an experimental feature"
 * ExperimentalWarning: the worker writes JSON log lines and the CLI writes tables and exports on
 * its streams, and a stray warning line breaks both. Only that warning is dropped; every other one
 * is emitted as usual.
 */
function loadQuietly(): typeof NodeSqlite {
  const emit = process.emitWarning;
  process.emitWarning = function (this: NodeJS.Process, warning: string | Error, ...rest: unknown[]) {
    const text = typeof warning === 'string' ? warning : warning.message;
    if (/SQLite is an experimental feature/.test(text)) return;
    return (emit as (...a: unknown[]) => void).call(this, warning, ...rest);
  } as typeof process.emitWarning;
  try {
    return process.getBuiltinModule('node:sqlite');
  } finally {
    process.emitWarning = emit;
  }
}

const sqlite = loadQuietly();
export const DatabaseSync = sqlite.DatabaseSync;
export type DatabaseSync = NodeSqlite.DatabaseSync;
export type StatementSync = NodeSqlite.StatementSync;
