import { Command } from 'commander';
import { providerKeys } from '../api';
import type { CliContext } from './context';
import { exitCodesHelp } from './exit-codes';
import { addCancelCommand, addGetCommand, addListCommand, addWaitCommand } from './read-commands';
import { addAuthleteCommand } from './authlete-command';
import { addAuthleteTokensCommand } from './authlete-tokens-command';
import { addBulkCommand } from './bulk';
import { addEvidenceCommand } from './evidence';
import { addGoogleIdentityPlatformCommand } from './google-identity-platform-command';
import { addOAuth2Command } from './oauth2-command';
import { addOpenPaymentsCommand } from './open-payments-command';
import { addRevokeSubjectCommand } from './revoke-subject-command';
import { addScheduleCommand } from './schedule';
import { addStartCommand, addYandexCommand } from './start-commands';

const environmentHelp = `Environment:
  TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_API_KEY, TEMPORAL_TLS*, TEMPORAL_PROFILE
                              where Temporal is (Temporal's own conventions; default localhost:7233)
  REVOCATION_CODEC_KEY_FILE   payload encryption key ring (JSON), or
  REVOCATION_CODEC_KEY        one base64 key, with REVOCATION_CODEC_KEY_ID (default "default")
  REVOCATION_TASK_QUEUE       the workers' task queue (default "token-revocation")
  REVOCATION_CONNECT_TIMEOUT  how long to try reaching Temporal (default 10s)
  NO_COLOR, FORCE_COLOR       colour in human output: only at a terminal, unless NO_COLOR is set or
                              FORCE_COLOR forces it (FORCE_COLOR=0 turns it off)`;

/**
 * commander quotes stray arguments back; a stray argument may be a token pasted by mistake
 * (`revoke yandex-cloud $TOKEN`), so say how many there were, and quote only short command names.
 */
export function withoutEchoedArguments(message: string): string {
  return message
    .replace(/^(error: too many arguments.*? but got \d+): .*$/s, '$1.')
    .replace(
      /^error: unknown command '(.{33,})'/s,
      (_, name: string) => `error: unknown command (${name.length} characters)`,
    );
}

/** The `revoke` command tree; a fresh one per run, since commander keeps parse state. */
export function buildProgram(ctx: CliContext): Command {
  const program = new Command('revoke')
    .description(
      'Start, watch and cancel durable token revocations. Every revocation is an operation (id, done, error or response) ' +
        'run by the revocation workers on Temporal.',
    )
    .configureOutput({
      writeOut: (s) => ctx.io.stdout.write(s),
      writeErr: (s) => ctx.io.stderr.write(s),
      outputError: (s, write) =>
        write(`${withoutEchoedArguments(s.trim().replace(/\s*\n\s*/g, ' '))} (see --help)\n`),
    })
    .exitOverride()
    .showSuggestionAfterError(true)
    .addHelpText(
      'after',
      `
Providers: ${providerKeys.join(', ')} (any provider also through "start").

${environmentHelp}

${exitCodesHelp}

Examples:
  $ revoke yandex-cloud --refresh-token-id rt-123 --wait
  $ printf %s "$TOKEN" | revoke yandex-cloud --refresh-token-stdin --wait --json
  $ revoke start --file request.json
  $ revoke get revoke-0f6e0c2a-1d6b-4a8e-9c53-1b2f0e9a7d41 --watch
  $ revoke list --provider yandex-cloud --running
  $ revoke schedule create --schedule-id nightly --cron "0 3 * * *" --timezone Europe/Berlin --job-file job.json
  $ revoke subject --subject alice --yandex default:ajeabc --authlete default:715948317:alice --wait
  $ revoke wait revoke-0f6e0c2a-1d6b-4a8e-9c53-1b2f0e9a7d41 --timeout 2m`,
    );
  addYandexCommand(program, ctx);
  addAuthleteCommand(program, ctx);
  addAuthleteTokensCommand(program, ctx);
  addGoogleIdentityPlatformCommand(program, ctx);
  addOpenPaymentsCommand(program, ctx);
  addOAuth2Command(program, ctx);
  addRevokeSubjectCommand(program, ctx);
  addScheduleCommand(program, ctx);
  addStartCommand(program, ctx);
  addGetCommand(program, ctx);
  addWaitCommand(program, ctx);
  addCancelCommand(program, ctx);
  addListCommand(program, ctx);
  addBulkCommand(program, ctx);
  addEvidenceCommand(program, ctx);
  return program;
}
