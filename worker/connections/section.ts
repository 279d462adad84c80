import { readFileSync } from 'node:fs';
import type { z } from 'zod';
import { ConfigError } from '../../common/config-error';

/**
 * One provider's part of the connections config: the schema of one named connection, and how to
 * build its adapter. `build` runs on first use, so an unused connection never touches its files.
 */
export interface ConnectionSection<S extends z.ZodType, A> {
  schema: S;
  build(name: string, config: z.output<S>): A;
}

/** Reads a file named in the config; thrown as ConfigError naming the field (`authlete.prod.tokenFile`). */
export function readConfigFile(field: string, path: string): string {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch (cause) {
    throw new ConfigError(field, `cannot read ${path}`, { cause });
  }
}
