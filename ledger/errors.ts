/**
 * Thrown when the ledger is opened or used with options that cannot work: a url of an unknown form,
 * a key that is not Ed25519, a write without `signingKey`. `option` names the option to fix; the
 * message never holds key material.
 */
export class LedgerConfigError extends Error {
  override readonly name = 'LedgerConfigError';
  readonly code = 'LEDGER_CONFIG';
  constructor(
    readonly option: string,
    message: string,
    options?: { cause: unknown },
  ) {
    super(`${option}: ${message}`, options);
  }
}

/** Thrown when a record handed to `append` cannot be stored (it names the record and the field). */
export class LedgerRecordError extends Error {
  override readonly name = 'LedgerRecordError';
  readonly code = 'LEDGER_RECORD';
  constructor(
    readonly recordId: string,
    readonly field: string,
    message: string,
  ) {
    super(`evidence record ${recordId}: ${field}: ${message}`);
  }
}

/** Thrown by a ledger method called after `close()`. */
export class LedgerClosedError extends Error {
  override readonly name = 'LedgerClosedError';
  readonly code = 'LEDGER_CLOSED';
  constructor() {
    super('the evidence ledger is closed');
  }
}
