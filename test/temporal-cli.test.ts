import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { cachedCliPath, findTemporalCli, TEMPORAL_CLI_VERSION } from '../scripts/temporal-cli';

/**
 * The order of the search, on a machine that has no Temporal binary. A stand-in `go` records its
 * arguments and writes a binary into $GOBIN, as `go install` does; building the real CLI takes
 * minutes and is what `npm test` itself does on a fresh machine.
 */
function sandbox(): { env: NodeJS.ProcessEnv; bin: string; goLog: string } {
  const dir = mkdtempSync(join(tmpdir(), 'cli-search-'));
  const bin = join(dir, 'bin');
  mkdirSync(bin);
  const goLog = join(dir, 'go.log');
  writeFileSync(
    join(bin, 'go'),
    `#!/bin/sh\necho "$@ GOBIN=$GOBIN" >> ${goLog}\nprintf '#!/bin/sh\\necho fake temporal\\n' > "$GOBIN/temporal"\nchmod +x "$GOBIN/temporal"\n`,
  );
  chmodSync(join(bin, 'go'), 0o755);
  return { env: { HOME: join(dir, 'home'), PATH: `${bin}:/usr/bin:/bin` }, bin, goLog };
}

const quiet = { log: () => undefined, goFallbacks: [] };

void describe('Temporal CLI provisioning', () => {
  void it('with no binary, builds the pinned version with go install into the cache, then reuses the cache', () => {
    const { env, goLog } = sandbox();
    const first = findTemporalCli({ env, ...quiet });
    assert.deepEqual(first, { kind: 'path', path: cachedCliPath(env), source: 'go-install' });
    assert.ok(existsSync(cachedCliPath(env)));
    assert.match(
      readFileSync(goLog, 'utf8'),
      new RegExp(`install github.com/temporalio/cli/cmd/temporal@${TEMPORAL_CLI_VERSION}`),
    );
    assert.ok(cachedCliPath(env).startsWith(join(env.HOME as string, '.cache')));

    const second = findTemporalCli({ env, ...quiet });
    assert.equal(second.kind === 'path' && second.source, 'cache');
    assert.equal(readFileSync(goLog, 'utf8').trim().split('\n').length, 1, 'go ran once only');
  });

  void it('prefers $TEMPORAL_CLI, then temporal on PATH, over the cache', () => {
    const { env, bin } = sandbox();
    const onPath = join(bin, 'temporal');
    writeFileSync(onPath, '#!/bin/sh\n');
    chmodSync(onPath, 0o755);
    assert.deepEqual(findTemporalCli({ env, ...quiet }), { kind: 'path', path: onPath, source: 'PATH' });
    assert.deepEqual(findTemporalCli({ env: { ...env, TEMPORAL_CLI: onPath }, ...quiet }), {
      kind: 'path',
      path: onPath,
      source: 'TEMPORAL_CLI',
    });
    assert.throws(
      () => findTemporalCli({ env: { ...env, TEMPORAL_CLI: '/nonexistent/temporal' }, ...quiet }),
      /TEMPORAL_CLI/,
    );
  });

  void it('with neither a binary nor Go, falls back to the SDK download', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cli-none-'));
    assert.deepEqual(findTemporalCli({ env: { HOME: dir, PATH: dir }, ...quiet }), { kind: 'sdk-download' });
  });

  void it('reports a failed go install instead of leaving a broken cache', () => {
    const { env, bin } = sandbox();
    writeFileSync(join(bin, 'go'), '#!/bin/sh\nexit 7\n');
    assert.throws(() => findTemporalCli({ env, ...quiet }), /go install .* failed \(exit 7\)/);
    assert.equal(existsSync(cachedCliPath(env)), false);
  });
});
