import { readFileSync } from 'node:fs';
import { z } from 'zod';
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

/** A config field naming an environment variable of the worker. */
export const envVariableName = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name');

/**
 * A credential configured one of three ways: inline, in a file (trimmed), or in an environment
 * variable read on first use. `field` is the inline field's path (`authlete.prod.serviceAccessToken`);
 * the other two are that path with `File` and `Env`. Thrown as ConfigError naming the field when
 * the file is empty or the variable unset or empty.
 */
export function readCredential(
  field: string,
  from: { inline: string | undefined; file: string | undefined; variable: string | undefined },
  env: NodeJS.ProcessEnv,
): string {
  if (from.inline !== undefined) return from.inline;
  if (from.file !== undefined) {
    const value = readConfigFile(`${field}File`, from.file);
    if (!value) throw new ConfigError(`${field}File`, `${from.file} is empty`);
    return value;
  }
  const variable = from.variable as string;
  const value = env[variable]?.trim();
  if (!value) throw new ConfigError(`${field}Env`, `environment variable ${variable} is not set or empty`);
  return value;
}
