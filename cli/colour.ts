import { styleText } from 'node:util';

type StyleFormat = Parameters<typeof styleText>[0];

/** Colours for human output; every method returns its text unchanged when colour is off. */
export interface Styler {
  readonly enabled: boolean;
  ok(text: string): string;
  failed(text: string): string;
  running(text: string): string;
  heading(text: string): string;
  dim(text: string): string;
}

/**
 * Whether human output on `stream` gets colour: `FORCE_COLOR` (any value but `0`/`false`) forces it,
 * `NO_COLOR` (any non-empty value, see no-color.org) or `FORCE_COLOR=0` turns it off, and otherwise
 * only a terminal gets it. `TERM=dumb` counts as no terminal.
 */
export function colourEnabled(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv): boolean {
  const force = env.FORCE_COLOR;
  if (force !== undefined && force !== '') return force !== '0' && force !== 'false';
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  return stream.isTTY === true && env.TERM !== 'dumb';
}

export function createStyler(enabled: boolean): Styler {
  // validateStream: false, since the decision above already looked at the stream and the environment.
  const style = (format: StyleFormat) => (text: string) =>
    enabled && text !== '' ? styleText(format, text, { validateStream: false }) : text;
  return {
    enabled,
    ok: style('green'),
    failed: style('red'),
    running: style('yellow'),
    heading: style('bold'),
    dim: style('dim'),
  };
}

/** A styler that never colours: `--json`, files, pipes. */
export const plain: Styler = createStyler(false);
