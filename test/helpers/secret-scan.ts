/**
 * Looks for secrets in raw bytes: every secret in the forms it could leak as (plain, base64 and
 * base64url at each of the three alignments inside a longer encoding, hex, and 32-character slices
 * of every line), so a secret that was encoded, split or truncated on its way out is still found.
 * Reports never contain a secret: a hit names the secret's label, the form, the source and an offset.
 */

/** A secret used in a run: a token, a credential, a key. `value` is text, or raw bytes for binary keys. */
export interface Secret {
  label: string;
  value: string | Buffer;
}

/** One byte string that must not appear, and which secret it stands for. */
export interface Needle {
  label: string;
  form: string;
  bytes: Buffer;
}

/** Where to look: named byte strings (files, log streams, HTTP bodies). */
export interface Corpus {
  name: string;
  sources: Array<{ source: string; bytes: Buffer }>;
}

export interface Hit {
  corpus: string;
  source: string;
  label: string;
  form: string;
  offset: number;
}

export interface ScanResult {
  corpus: string;
  sources: number;
  bytesScanned: number;
  secretsChecked: number;
  needlesChecked: number;
  hits: Hit[];
}

/** Slices this long are too random to appear by chance, and short enough to catch a truncated secret. */
export const SLICE_LENGTH = 32;
/** Shorter secrets would match by chance (and real ones are longer); `secretNeedles` refuses them. */
export const MIN_SECRET_LENGTH = 16;

/**
 * base64 of `bytes` as it appears inside a longer base64 text that places the secret at each of the
 * three byte alignments; characters that depend on the neighbouring bytes are cut off.
 */
function base64Alignments(bytes: Buffer, encoding: 'base64' | 'base64url'): string[] {
  const out: string[] = [];
  for (let shift = 0; shift < 3; shift++) {
    const padded = Buffer.concat([Buffer.alloc(shift), bytes]);
    const full = padded.toString(encoding).replace(/=+$/, '');
    // The first `shift` bytes spread over ceil(shift*8/6) characters; the last group may mix with what follows.
    const head = Math.ceil((shift * 8) / 6);
    const cut = padded.length % 3 === 0 ? 0 : 1;
    out.push(full.slice(head, full.length - cut));
  }
  return out;
}

function slices(line: string): string[] {
  if (line.length <= SLICE_LENGTH) return [];
  const out: string[] = [];
  // Overlapping by half, so any fragment of 1.5 slices holds a whole one.
  for (let i = 0; i + SLICE_LENGTH <= line.length; i += SLICE_LENGTH / 2)
    out.push(line.slice(i, i + SLICE_LENGTH));
  out.push(line.slice(-SLICE_LENGTH));
  return out;
}

/** Every form of every secret. Thrown when a secret is shorter than MIN_SECRET_LENGTH (it would match by chance). */
export function secretNeedles(secrets: readonly Secret[]): Needle[] {
  const needles = new Map<string, Needle>();
  const add = (label: string, form: string, bytes: Buffer) => {
    if (bytes.length < MIN_SECRET_LENGTH) return;
    const key = bytes.toString('hex');
    if (!needles.has(key)) needles.set(key, { label, form, bytes });
  };
  for (const { label, value } of secrets) {
    const bytes = typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
    if (bytes.length < MIN_SECRET_LENGTH) {
      throw new Error(`secret "${label}" is ${bytes.length} bytes; give at least ${MIN_SECRET_LENGTH}`);
    }
    add(label, 'plain', bytes);
    add(label, 'hex', Buffer.from(bytes.toString('hex')));
    base64Alignments(bytes, 'base64').forEach((s, i) => add(label, `base64@${i}`, Buffer.from(s)));
    base64Alignments(bytes, 'base64url').forEach((s, i) => add(label, `base64url@${i}`, Buffer.from(s)));
    if (typeof value !== 'string') continue;
    // Multi-line secrets (PEM keys) leak line by line, e.g. JSON-escaped with "\n" between lines.
    const lines = value.split(/\r?\n/).filter((l) => l.length > 0 && !l.startsWith('-----'));
    for (const line of lines.length > 1 ? lines : []) add(label, 'line', Buffer.from(line));
    for (const line of lines) slices(line).forEach((s, i) => add(label, `slice#${i}`, Buffer.from(s)));
  }
  return [...needles.values()];
}

/** Looks for every needle in every source of the corpus. */
export function scanCorpus(corpus: Corpus, needles: readonly Needle[]): ScanResult {
  const hits: Hit[] = [];
  for (const { source, bytes } of corpus.sources) {
    for (const n of needles) {
      const offset = bytes.indexOf(n.bytes);
      if (offset >= 0) hits.push({ corpus: corpus.name, source, label: n.label, form: n.form, offset });
    }
  }
  return {
    corpus: corpus.name,
    sources: corpus.sources.length,
    bytesScanned: corpus.sources.reduce((sum, s) => sum + s.bytes.length, 0),
    secretsChecked: new Set(needles.map((n) => n.label)).size,
    needlesChecked: needles.length,
    hits,
  };
}

/** Whether `text` occurs in any source of the corpus (for positive controls). */
export function corpusContains(corpus: Corpus, text: string | Buffer): boolean {
  const bytes = typeof text === 'string' ? Buffer.from(text, 'utf8') : text;
  return corpus.sources.some((s) => s.bytes.includes(bytes));
}

/** A hit in words, without the secret. */
export function describeHit(h: Hit): string {
  return `${h.corpus}: secret "${h.label}" (${h.form}) in ${h.source} at byte ${h.offset}`;
}

/** A plain-text table: corpus, sources, bytes scanned, secrets checked (forms), hits. */
export function formatScanTable(results: readonly ScanResult[]): string {
  const header = ['corpus', 'sources', 'bytes scanned', 'secrets (forms)', 'hits'];
  const rows = results.map((r) => [
    r.corpus,
    String(r.sources),
    r.bytesScanned.toLocaleString('en-US'),
    `${r.secretsChecked} (${r.needlesChecked})`,
    String(r.hits.length),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}
