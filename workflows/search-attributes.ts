import { upsertSearchAttributes } from '@temporalio/workflow';
import type { SearchAttributePair } from '@temporalio/common';
import { SearchAttributes, type Outcome } from '../api';

/** Values of the engine's search attributes by name; an undefined value is left out. */
export type SearchAttributeValues = {
  [K in Exclude<keyof typeof SearchAttributes, 'outcome'>]?: string | undefined;
} & { outcome?: Outcome };

/**
 * The pairs for `values`, in the order given. The order is kept on purpose: recorded histories
 * replay against the same upserts, so the same attributes must go out in the same order.
 */
export function searchAttributePairs(values: SearchAttributeValues): SearchAttributePair[] {
  const pairs: SearchAttributePair[] = [];
  for (const [name, value] of Object.entries(values) as Array<[keyof typeof SearchAttributes, unknown]>) {
    if (typeof value === 'string') pairs.push({ key: SearchAttributes[name], value });
  }
  return pairs;
}

/** Upserts the given attributes; nothing (no command in the history) when every value is undefined. */
export function setSearchAttributes(values: SearchAttributeValues): void {
  const pairs = searchAttributePairs(values);
  if (pairs.length > 0) upsertSearchAttributes(pairs);
}
