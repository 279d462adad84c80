import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/**
 * Custom search attributes every operation carries, so the Web UI and `list` can filter by them.
 * None of them ever holds a secret. Register them in a production namespace with
 * `temporal operator search-attribute create --name <Name> --type Keyword`.
 */
export const SearchAttributes = {
  provider: defineSearchAttributeKey('RevocationProvider', SearchAttributeType.KEYWORD),
  connection: defineSearchAttributeKey('RevocationConnection', SearchAttributeType.KEYWORD),
  subject: defineSearchAttributeKey('RevocationSubject', SearchAttributeType.KEYWORD),
  createdBy: defineSearchAttributeKey('RevocationCreatedBy', SearchAttributeType.KEYWORD),
  outcome: defineSearchAttributeKey('RevocationOutcome', SearchAttributeType.KEYWORD),
  jobName: defineSearchAttributeKey('RevocationJobName', SearchAttributeType.KEYWORD),
} as const;

export const searchAttributeKeys = Object.values(SearchAttributes);

/** Values of `RevocationOutcome`. */
export type Outcome = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'CANCELLED';
