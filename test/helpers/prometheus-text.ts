/** One sample of a Prometheus text exposition (format 0.0.4). */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const unescape = (s: string) => s.replace(/\\(["\\n])/g, (_m, c: string) => (c === 'n' ? '\n' : c));

/** Parses every sample line; comment and blank lines are skipped. Thrown on a line it cannot read. */
export function parsePrometheusText(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '' || line.startsWith('#')) continue;
    const m = /^([A-Za-z_:][A-Za-z0-9_:]*)(\{(.*)\})?\s+(\S+)(\s+\d+)?$/.exec(line);
    if (!m) throw new Error(`unreadable exposition line: ${line}`);
    const labels: Record<string, string> = {};
    const body = m[3] ?? '';
    const re = /([A-Za-z_][A-Za-z0-9_]*)="((?:[^"\\]|\\.)*)",?/g;
    let consumed = 0;
    for (let l = re.exec(body); l; l = re.exec(body)) {
      labels[l[1] as string] = unescape(l[2] as string);
      consumed += l[0].length;
    }
    if (consumed !== body.length) throw new Error(`unreadable labels: ${line}`);
    samples.push({ name: m[1] as string, labels, value: Number(m[4]) });
  }
  return samples;
}

/** The sum of the samples named `name` whose labels include every `match` pair. */
export function sumOf(samples: Sample[], name: string, match: Record<string, string> = {}): number {
  return samples
    .filter((s) => s.name === name && Object.entries(match).every(([k, v]) => s.labels[k] === v))
    .reduce((a, s) => a + s.value, 0);
}

/** Label values that equal or contain one of `needles` (each as `name=value`). */
export function labelValuesContaining(samples: Sample[], needles: readonly string[]): string[] {
  const hits = new Set<string>();
  for (const s of samples) {
    for (const [k, v] of Object.entries(s.labels)) {
      if (needles.some((n) => n.length > 0 && v.includes(n))) hits.add(`${s.name} ${k}=${v}`);
    }
  }
  return [...hits];
}
