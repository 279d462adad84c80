/**
 * An emulator started by `npm start` as a provider's default connection, with demo data, so the
 * printed CLI examples work against it.
 */
export interface DemoEmulator {
  /** The provider key, e.g. `authlete`. */
  provider: string;
  /** The connections config for this provider: connection name → its fields (as in REVOCATION_CONNECTIONS). */
  connections: Record<string, unknown>;
  /** CLI examples (`revoke ...` argv after `npm run -s revoke --`) that succeed against the demo data. */
  examples: string[];
  close(): Promise<void>;
}

/** Starts a provider's demo emulator; files it needs (keys, certificates) go under `dataDir`. */
export type StartDemo = (dataDir: string) => Promise<DemoEmulator>;
