/** Thrown at start when configuration is missing or wrong; names the variable or file to fix. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(
    readonly variable: string,
    message: string,
    options?: { cause: unknown },
  ) {
    super(`${variable}: ${message}`, options);
  }
}
