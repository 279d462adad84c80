import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Command } from 'commander';
import { Code, TypeUrl, type RevokeTokensOperation } from '../api';
import { colourEnabled, createStyler } from '../cli/colour';
import { CliContext } from '../cli/context';
import { formatList, formatOperation, formatOperationLine } from '../cli/format';
import { buildProgram } from '../cli/program';
import { runCliCaptured } from './helpers/cli';

// eslint-disable-next-line no-control-regex
const ansi = /\x1b\[/;

/** Every command path of the tree: ['revoke'], ['revoke', 'get'], ['revoke', 'bulk', 'start'], ... */
function commandPaths(): Array<{ path: string[]; leaf: boolean; hasJson: boolean }> {
  const ctx = new CliContext({ stdout: { write: () => true }, stderr: { write: () => true }, env: {} });
  const out: Array<{ path: string[]; leaf: boolean; hasJson: boolean }> = [];
  const walk = (cmd: Command, parent: string[]) => {
    const path = [...parent, cmd.name()];
    out.push({
      path,
      leaf: cmd.commands.length === 0,
      hasJson: cmd.options.some((o) => o.long === '--json'),
    });
    for (const sub of cmd.commands) walk(sub, path);
  };
  walk(buildProgram(ctx), []);
  return out;
}

void describe('revoke --help', () => {
  const paths = commandPaths();

  void it('walks a tree of more than 25 commands (positive control for the checks below)', () => {
    assert.ok(paths.length > 25, `${paths.length} commands`);
    assert.ok(paths.some((p) => p.path.join(' ') === 'revoke bulk throttle'));
    assert.ok(paths.some((p) => p.path.join(' ') === 'revoke schedule backfill'));
  });

  void it('every command and subcommand prints help with an Examples: section that runs it', async () => {
    for (const { path } of paths) {
      const r = await runCliCaptured([...path.slice(1), '--help'], {});
      const name = path.join(' ');
      assert.equal(r.code, 0, `${name}: ${r.stderr}`);
      assert.match(r.stdout, new RegExp(`^Usage: ${name} `, 'm'), name);
      const examples = /\nExamples:\n((?: {2}\$ .*\n?)+)/.exec(r.stdout)?.[1];
      assert.ok(examples, `${name} --help has an "Examples:" section:\n${r.stdout}`);
      // Group commands may show their subcommands' examples; a leaf shows itself.
      const own = examples
        .split('\n')
        .filter((line) => line.startsWith(`  $ ${name} `) || line === `  $ ${name}`);
      assert.ok(own.length > 0 || path.length === 1, `${name}: an example runs "${name}":\n${examples}`);
    }
  });

  void it('every leaf command takes --json', () => {
    const missing = paths.filter((p) => p.leaf && !p.hasJson).map((p) => p.path.join(' '));
    assert.deepEqual(missing, []);
    // The check can fail: group commands have no --json of their own.
    assert.ok(paths.some((p) => !p.leaf && !p.hasJson));
  });

  void it('get --help offers --watch with --interval and --timeout', async () => {
    const r = await runCliCaptured(['get', '--help'], {});
    assert.match(r.stdout, /--watch /);
    assert.match(r.stdout, /--interval <duration>/);
    assert.match(r.stdout, /\$ revoke get \S+ --watch/);
  });
});

const op: RevokeTokensOperation = {
  id: 'revoke-1',
  description: 'laptop lost',
  createdAt: '2026-11-21T08:00:00.000Z',
  createdBy: 'alice',
  modifiedAt: '2026-11-21T08:00:01.000Z',
  done: true,
  metadata: {
    '@type': TypeUrl.revokeTokensMetadata,
    provider: 'yandex-cloud',
    connection: 'default',
    phase: 'DONE',
    target: 'refreshTokenId rt-1',
    attempts: 1,
    polls: 0,
  },
  error: { code: Code.PERMISSION_DENIED, message: 'not allowed', details: [] },
};

void describe('revoke human output: colour', () => {
  void it('colour only at a terminal, unless NO_COLOR or FORCE_COLOR say otherwise', () => {
    assert.equal(colourEnabled({}, {}), false);
    assert.equal(colourEnabled({ isTTY: false }, {}), false);
    assert.equal(colourEnabled({ isTTY: true }, {}), true);
    assert.equal(colourEnabled({ isTTY: true }, { NO_COLOR: '1' }), false);
    assert.equal(colourEnabled({ isTTY: true }, { NO_COLOR: '' }), true);
    assert.equal(colourEnabled({ isTTY: true }, { TERM: 'dumb' }), false);
    assert.equal(colourEnabled({ isTTY: false }, { FORCE_COLOR: '1' }), true);
    assert.equal(colourEnabled({ isTTY: false }, { FORCE_COLOR: '1', NO_COLOR: '1' }), true);
    assert.equal(colourEnabled({ isTTY: true }, { FORCE_COLOR: '0' }), false);
  });

  void it('coloured output keeps the plain text and its alignment; plain output has no escapes', () => {
    const plainText = formatOperation(op);
    const coloured = formatOperation(op, createStyler(true));
    assert.doesNotMatch(plainText, ansi);
    assert.match(coloured, ansi);
    // eslint-disable-next-line no-control-regex
    assert.equal(coloured.replace(/\x1b\[\d+m/g, ''), plainText);
    assert.match(plainText, /^status +FAILED PERMISSION_DENIED$/m);
    assert.match(plainText, /^error +PERMISSION_DENIED \(7\): not allowed$/m);

    const list = {
      operations: [
        {
          id: 'revoke-1',
          done: true,
          outcome: 'FAILED' as const,
          provider: 'yandex-cloud',
          connection: 'default',
          createdAt: '2026-11-21T08:00:00.000Z',
          createdBy: 'alice',
          description: 'laptop lost',
        },
      ],
    } as unknown as Parameters<typeof formatList>[0];
    const plainList = formatList(list);
    const colouredList = formatList(list, createStyler(true));
    assert.doesNotMatch(plainList, ansi);
    assert.match(colouredList, ansi);
    // eslint-disable-next-line no-control-regex
    assert.equal(colouredList.replace(/\x1b\[\d+m/g, ''), plainList);
    const [header, row] = plainList.split('\n');
    assert.equal(header?.indexOf('STATUS'), row?.indexOf('FAILED'), 'columns line up');

    assert.doesNotMatch(formatOperationLine(op), ansi);
    assert.match(formatOperationLine(op, createStyler(true)), ansi);
  });
});
