/** What the engine needs to know about a provider's request besides its schema. */
export interface ProviderTraits<R> {
  /** Human name for summaries. */
  title: string;
  /** What is revoked, with secrets replaced by fingerprints. */
  target(r: R): string;
  /** The secret values a request carries, to scrub from any text that leaves the engine. */
  secrets(r: R): string[];
  /** The subject, when the request names one. */
  subject(r: R): string | undefined;
}
