import type { Command } from 'commander';
import { durationMs, InvalidArgumentError, type FieldViolation, type RevocationRequestInput } from '../api';
import {
  parseRevokeSubjectInput,
  type RevokeSubjectOperation,
  type RevokeSubjectWorkflowInput,
  type SubjectTargetInput,
} from '../api/revoke-subject-input';
import { OperationWaitTimeoutError } from '../client/errors';
import { getRevokeSubject, revokeSubject, waitRevokeSubject } from '../client/revoke-subject';
import type { CliContext } from './context';
import { ExitCode, errorLine, type ExitCodeNumber } from './exit-codes';
import { formatOperation, json, statusText } from './format';
import { addStartOptions, badInput, collect, jsonOption, parseJsonInput, readInputFile } from './flags';
import type { StartFlags } from './requests';
import { checkTimeoutNeedsWait, DEFAULT_WAIT, revokeOptions, type WaitFlags } from './start-commands';
import { checkRequestId } from '../client/idempotent-start';

export interface RevokeSubjectFlags extends StartFlags, WaitFlags {
  subject?: string;
  yandex: string[];
  authlete: string[];
  requestsFile?: string;
}

/** `CONNECTION:SUBJECT_ID`; Yandex subject ids hold no colon, so the last one splits (connection names may hold one). */
export function yandexTargetFromFlag(value: string, n: number): SubjectTargetInput {
  const at = value.lastIndexOf(':');
  if (at <= 0 || at === value.length - 1) {
    throw badInput(`--yandex #${n}`, 'must be CONNECTION:SUBJECT_ID, e.g. default:ajeexample');
  }
  return { provider: 'yandex-cloud', connection: value.slice(0, at), subjectId: value.slice(at + 1) };
}

/**
 * `CONNECTION:SERVICE_ID:SUBJECT`: the connection is the shortest prefix followed by `:digits:`, so a
 * subject may hold colons (`urn:user:42`).
 */
export function authleteTargetFromFlag(value: string, n: number): SubjectTargetInput {
  const m = /^(.+?):([0-9]+):(.+)$/s.exec(value);
  if (!m) {
    throw badInput(
      `--authlete #${n}`,
      'must be CONNECTION:SERVICE_ID:SUBJECT, e.g. default:715948317:alice@example.com',
    );
  }
  return { provider: 'authlete', connection: m[1] ?? '', serviceId: m[2] ?? '', subject: m[3] ?? '' };
}

const parseJsonText = (text: string, where: string): unknown =>
  parseJsonInput(text, '--requests-file', `${where} is not valid JSON`);

/**
 * Explicit token requests from a file (or stdin with `-`): a JSON array of RevocationRequests, or
 * NDJSON, one per line. They may carry tokens, which is why they never come from the command line.
 */
export async function requestsFromFile(
  path: string,
  io: CliContext['io'],
): Promise<RevocationRequestInput[]> {
  const trimmed = (await readInputFile(path, io, '--requests-file')).trim();
  if (trimmed.startsWith('[')) {
    const value = parseJsonText(trimmed, 'the file');
    if (!Array.isArray(value)) throw badInput('--requests-file', 'must be a JSON array or NDJSON');
    return value as RevocationRequestInput[];
  }
  return trimmed
    .split('\n')
    .map((line, i) => ({ line: line.trim(), n: i + 1 }))
    .filter(({ line }) => line !== '')
    .map(({ line, n }) => parseJsonText(line, `line ${n}`) as RevocationRequestInput);
}

/** Input fields → the flags that set them, so errors name what the user typed. */
function flagOf(field: string, targetFlags: string[]): string | undefined {
  const target = /^targets\.(\d+)/.exec(field);
  if (target) return targetFlags[Number(target[1])];
  if (field.startsWith('requests')) return '--requests-file';
  return { subject: '--subject', description: '--description', createdBy: '--created-by' }[field];
}

/** Validates before connecting, so bad input exits 2 even with Temporal down; names the flag next to the field. */
export function checkRevokeSubjectInput(input: RevokeSubjectWorkflowInput, targetFlags: string[]): void {
  try {
    parseRevokeSubjectInput(input);
  } catch (err) {
    if (!(err instanceof InvalidArgumentError)) throw err;
    throw new InvalidArgumentError(
      err.violations.map((v): FieldViolation => {
        const flag =
          v.field === 'targets' && targetFlags.length === 0
            ? '--yandex/--authlete/--requests-file'
            : flagOf(v.field, targetFlags);
        return flag ? { field: `${flag} (${v.field})`, description: v.description } : v;
      }),
    );
  }
}

/** The parent's lines, the subject and counts aligned with them, then one line per child. */
export function formatSubjectOperation(op: RevokeSubjectOperation): string {
  const md = op.metadata;
  const head = formatOperation(op);
  const width = (/^id\s+/.exec(head)?.[0].length ?? 4) - 2;
  const extra = [
    ['subject', md.subject],
    ['children', `${md.succeeded} succeeded, ${md.failed} failed, ${md.running} running of ${md.total}`],
  ].map(([k, v]) => `${(k ?? '').padEnd(width)}  ${v ?? ''}`);
  const rows = md.children.map((c) =>
    [
      `  ${c.state.padEnd(9)}`,
      c.id,
      `${c.provider}/${c.connection}`,
      c.target,
      c.error ? statusText(c.error) : '',
    ]
      .filter((s) => s !== '')
      .join('  '),
  );
  return `${head}${[...extra, ...rows].join('\n')}\n`;
}

function print(ctx: CliContext, op: RevokeSubjectOperation, asJson: boolean): ExitCodeNumber {
  ctx.io.stdout.write(asJson ? json(op) : formatSubjectOperation(op));
  if (op.done && op.error) {
    ctx.io.stderr.write(`error: operation ${op.id} ended with ${statusText(op.error)}\n`);
    return ExitCode.operationFailed;
  }
  return ExitCode.ok;
}

async function waitWithProgress(
  ctx: CliContext,
  id: string,
  timeout: number,
): Promise<RevokeSubjectOperation> {
  const client = await ctx.client();
  if (!ctx.io.stderr.isTTY) return waitRevokeSubject(client, id, { timeout });
  let last = '';
  const timer = setInterval(() => {
    getRevokeSubject(client, id).then(
      (op) => {
        const md = op.metadata;
        const line = `${md.succeeded} succeeded, ${md.failed} failed, ${md.running} running of ${md.total}`;
        if (line !== last && !op.done) ctx.progress(line);
        last = line;
      },
      () => undefined,
    );
  }, 1_000);
  try {
    return await waitRevokeSubject(client, id, { timeout });
  } finally {
    clearInterval(timer);
  }
}

export function addRevokeSubjectCommand(program: Command, ctx: CliContext): void {
  const cmd = program
    .command('subject')
    .summary('revoke everything one subject holds, across connections (incident response)')
    .description(
      'Revoke everything one subject holds: one child revocation per Yandex Cloud subject (--yandex), Authlete ' +
        'subject (--authlete) and explicit token request (--requests-file), all at once; a failing one does not stop the others',
    )
    .requiredOption(
      '--subject <subject>',
      'the subject as people name it (shown and searchable; not sent to providers)',
    )
    .option(
      '--yandex <connection:subject-id>',
      'revoke every refresh token of SUBJECT_ID at Yandex Cloud connection CONNECTION (repeatable)',
      collect,
      [],
    )
    .option(
      '--authlete <connection:service-id:subject>',
      'revoke every token of SUBJECT in Authlete service SERVICE_ID at connection CONNECTION (repeatable)',
      collect,
      [],
    )
    .option(
      '--requests-file <path>',
      'explicit RevocationRequests (JSON array or NDJSON; "-" for stdin) for providers that cannot revoke by subject',
    );
  addStartOptions(cmd, DEFAULT_WAIT)
    .addOption(jsonOption())
    .addHelpText(
      'after',
      `
Give at least one --yandex, --authlete or request; at most 100 in all. Each becomes a child revokeTokens
operation (<id>/<index>-<provider>) shown in the Temporal Web UI under the parent. With --wait the exit code
is 1 when any child failed; the operation then lists every child's outcome.

Examples:
  $ revoke subject --subject alice@example.com --yandex default:ajeabc123 --authlete default:715948317:alice --wait
  $ revoke subject --subject alice --yandex prod:ajeabc123 --yandex eu:ajedef456 --json
  $ revoke subject --subject alice --requests-file alice-tokens.ndjson --wait --timeout 5m`,
    )
    .action(async (flags: RevokeSubjectFlags) => {
      checkTimeoutNeedsWait(flags);
      const targetFlags = [
        ...flags.yandex.map((_, i) => `--yandex #${i + 1}`),
        ...flags.authlete.map((_, i) => `--authlete #${i + 1}`),
      ];
      const targets = [
        ...flags.yandex.map((v, i) => yandexTargetFromFlag(v, i + 1)),
        ...flags.authlete.map((v, i) => authleteTargetFromFlag(v, i + 1)),
      ];
      const requests =
        flags.requestsFile !== undefined ? await requestsFromFile(flags.requestsFile, ctx.io) : [];
      const options = revokeOptions(flags, ctx);
      const input: RevokeSubjectWorkflowInput = {
        subject: flags.subject ?? '',
        targets,
        requests,
        ...(options.description !== undefined ? { description: options.description } : {}),
        ...(options.createdBy !== undefined ? { createdBy: options.createdBy } : {}),
      };
      checkRevokeSubjectInput(input, targetFlags);
      checkRequestId(options.requestId, '--request-id (requestId)');

      const asJson = flags.json !== undefined && flags.json !== false;
      const client = await ctx.client();
      const started = await revokeSubject(client, input, {
        ...(options.requestId !== undefined ? { requestId: options.requestId } : {}),
      });
      if (!flags.wait || started.done) {
        ctx.exitCode = print(ctx, started, asJson);
        return;
      }
      const timeout = flags.timeout ?? durationMs(DEFAULT_WAIT);
      ctx.progress(
        `started ${started.id} (${started.metadata.total} children); waiting up to ${timeout / 1000}s`,
      );
      try {
        ctx.exitCode = print(ctx, await waitWithProgress(ctx, started.id, timeout), asJson);
      } catch (err) {
        if (!(err instanceof OperationWaitTimeoutError)) throw err;
        // It may have finished since the timeout fired; then its own outcome counts.
        const now = await getRevokeSubject(client, started.id);
        const code = print(ctx, now, asJson);
        if (now.done) {
          ctx.exitCode = code;
          return;
        }
        ctx.io.stderr.write(`${errorLine(err)}\n`);
        ctx.exitCode = ExitCode.waitTimeout;
      }
    });
}
