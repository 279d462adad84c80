import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';

/**
 * One Operation state mechanism (docs/architecture.md): every workflow keeps its Operation through
 * workflows/operation-state.ts, answers the one getOperation query defined there, and sets search
 * attributes through workflows/search-attributes.ts. The replay test covers determinism; this
 * checks the structure, so a second mechanism cannot creep back in.
 */

const WORKFLOWS = join(__dirname, '..', 'workflows');
const files = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
const sources = new Map(
  files(WORKFLOWS).map((f) => [f.slice(WORKFLOWS.length + 1), readFileSync(f, 'utf8')]),
);
const where = (re: RegExp) =>
  [...sources]
    .filter(([, text]) => re.test(text))
    .map(([name]) => name)
    .sort();

void describe('one Operation state for every workflow', () => {
  void it('one query definition, one search-attribute writer', () => {
    assert.deepEqual(where(/\bdefineQuery\b/), ['operation-state.ts']);
    assert.deepEqual(where(/\bupsertSearchAttributes\b/), ['search-attributes.ts']);
    assert.deepEqual(
      where(/\bsetHandler\(\s*getOperationQuery\b/).length,
      4,
      'each workflow answers getOperation',
    );
  });

  void it('each workflow keeps its Operation in a class over OperationState', () => {
    for (const [workflow, state] of [
      ['revoke-tokens.ts', 'RevokeTokensState'],
      ['revoke-subject.ts', 'RevokeSubjectState'],
      ['bulk-revocation.ts', 'BulkJobState'],
      ['authlete-management.ts', 'AuthleteTokenCallState'],
    ] as const) {
      assert.match(sources.get(workflow) ?? '', new RegExp(`\\b${state}\\b`), `${workflow} uses ${state}`);
      assert.equal(
        where(new RegExp(`class ${state} extends OperationState<`)).length,
        1,
        `${state} extends OperationState`,
      );
    }
    assert.deepEqual(where(/\bclass \w+ extends OperationState</).length, 4);
    assert.deepEqual(where(/^export class OperationState\b/m), ['operation-state.ts']);
  });
});
