import fc from 'fast-check';
import { providerKeys } from '../../api';

/**
 * Hostile inputs for the revocation contract, made by fast-check: a valid request (or bulk job) of
 * each provider, then one mutation that makes it invalid (a dropped required field, a wrong type,
 * 100 KB of text, control/bidi/zero-width characters, NUL, lone surrogates, `__proto__` keys,
 * injection strings in fields with a format, bad URLs, unknown providers and fields, deep nesting,
 * contradictory selectors). Every case names the field the error must name.
 */

/** Options of `RevocationClient.revoke` that travel in the `revokeTokens` input next to `request`. */
export interface HostileRevokeOptions {
  description?: unknown;
  createdBy?: unknown;
  timing?: unknown;
}

export interface HostileRevokeCase {
  kind: 'revoke';
  /** Which mutation made it invalid, for the summary. */
  mutation: string;
  request: unknown;
  options: HostileRevokeOptions;
  /** The dotted field path the InvalidArgumentError must name, e.g. `request.refreshTokenId`. */
  field: string;
}

export interface HostileJobCase {
  kind: 'job';
  mutation: string;
  job: unknown;
  /** E.g. `job.source.requests.2.token`. */
  field: string;
}

export type HostileCase = HostileRevokeCase | HostileJobCase;

/** A case's shape: its kind, mutation and field path with list indices folded (`requests.#.token`). */
export function coverageKey(c: HostileCase): string {
  return `${c.kind} ${c.mutation} ${c.field.replace(/\.\d+(?=\.|$)/g, '.#')}`;
}

/** Every distinct shape among `cases`, with how many cases have it. */
export function coverageKeys(cases: readonly HostileCase[]): Map<string, number> {
  const keys = new Map<string, number>();
  for (const c of cases) keys.set(coverageKey(c), (keys.get(coverageKey(c)) ?? 0) + 1);
  return keys;
}

/**
 * The first `perShape` cases of every shape, in generation order, each shape's cases next to each
 * other (so alternating consumers see one of each): the same shapes as all cases, far fewer of them.
 */
export function coverageSample(cases: readonly HostileCase[], perShape: number): HostileCase[] {
  const byKey = new Map<string, HostileCase[]>();
  for (const c of cases) {
    const list = byKey.get(coverageKey(c)) ?? [];
    if (list.length < perShape) list.push(c);
    byKey.set(coverageKey(c), list);
  }
  return [...byKey.values()].flat();
}

/** The `revokeTokens` workflow input a raw caller would send for a revoke case. */
export function rawRevokeInput(c: HostileRevokeCase): unknown {
  return { request: c.request, ...(c.options as object) };
}

type Json = Record<string, unknown>;

// ---------------------------------------------------------------------------------------------
// Building blocks

const alnum = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const base64url = `${alnum}-_`;

const word = (chars: string, min: number, max: number) =>
  fc.string({ unit: fc.constantFrom(...chars.split('')), minLength: min, maxLength: max });

const tokenValue = word(base64url, 16, 64);
const idValue = word(alnum, 3, 20);
const jwt = fc
  .tuple(word(base64url, 8, 40), word(base64url, 8, 80), word(base64url, 8, 43))
  .map((p) => p.join('.'));
const domain = fc.constantFrom('app.example.com', 'auth.wallet.example', 'id.example.org');

/** Characters every text field refuses (C0/C1 controls, DEL, bidi overrides/isolates, lone surrogates). */
export const refusedEverywhere = [
  '\u0000',
  '\u0007',
  '\b',
  '\t',
  '\n',
  '\r',
  '\r\n',
  '\u001b[31m',
  '\u007f',
  '\u0085',
  '\u009b',
  '\u202a',
  '\u202e',
  '\u2066',
  '\u2069',
  '\ud800',
  '\udfff',
  '\udc00\ud800',
];
/** Refused in identifiers and tokens, allowed in human text (descriptions). */
export const invisible = ['\u200b', '\u200c', '\u200d', '\u200e', '\u200f', '\u2060', '\u2063', '\ufeff'];

const refusedChar = fc.constantFrom(...refusedEverywhere);
const identifierRefusedChar = fc.constantFrom(...refusedEverywhere, ...invisible);

/** Shapes of attacks on whatever reads the value later; each contains a character the field forbids. */
const injections = [
  "' OR '1'='1' --",
  '"; DROP TABLE tokens; --',
  '$(curl http://169.254.169.254/)',
  '`id`',
  '; rm -rf / #',
  '| nc 127.0.0.1 4444',
  '"},"provider":"oauth2","token":"x',
  '\\u0000{"a":1}',
  'x\r\nX-Injected: 1',
  'x\r\n\r\nHTTP/1.1 200 OK',
  '%0d%0aSet-Cookie: a=b',
  '<script>alert(1)</script>',
  '{{7*7}}',
  '${jndi:ldap://127.0.0.1/a}',
  '../../../../etc/passwd',
  '..\\..\\windows\\win.ini',
  '*)(uid=*))(|(uid=*',
  '\u202egnp.exe',
  'admin\u0000',
];
const injection = fc.constantFrom(...injections);

/** Unicode-laden text: emoji, RTL scripts, combining marks, full-width forms, astral characters. */
const unicodeText = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 });

/**
 * `chars` inserted into `base` between two code points (inside a surrogate pair, a lone surrogate
 * could pair up with half of it and disappear).
 */
const withInserted = (base: fc.Arbitrary<string>, chars: fc.Arbitrary<string>) =>
  fc.tuple(base, chars, fc.nat()).map(([b, c, n]) => {
    const points = Array.from(b);
    const at = n % (points.length + 1);
    return [...points.slice(0, at), c, ...points.slice(at)].join('');
  });

/** Longer than `limit`; a quarter of them 100 KB. */
const oversize = (limit: number) =>
  fc
    .tuple(
      fc.oneof(fc.integer({ min: limit + 1, max: limit + 64 }), fc.constant(100 * 1024)),
      fc.constantFrom('x', 'A', '7', '-'),
    )
    .map(([n, c]) => c.repeat(n));

/** Values of a type no field of the contract takes where a string goes. */
const notAString = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.string(), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 }), { maxKeys: 3 }),
);

/** Nested arrays or objects, 20 to 200 levels deep. */
const deepNesting = fc.tuple(fc.integer({ min: 20, max: 200 }), fc.boolean()).map(([depth, arrays]) => {
  let v: unknown = 'x';
  for (let i = 0; i < depth; i++) v = arrays ? [v] : { a: v };
  return v;
});

/** JSON.parse makes `__proto__` an own key, as a payload decoded by the worker has it. */
const protoKey = fc.constantFrom('__proto__', 'constructor', 'prototype');
const withOwnKey = (obj: Json, key: string, value: unknown): Json => {
  const json = JSON.stringify(obj);
  const extra = `${JSON.stringify(key)}:${JSON.stringify(value)}`;
  return JSON.parse(json === '{}' ? `{${extra}}` : `${json.slice(0, -1)},${extra}}`) as Json;
};

// ---------------------------------------------------------------------------------------------
// Valid requests per provider, with what each field must look like

/** How a field may be mutated so that its value is invalid. */
interface FieldSpec {
  /** Required: dropping it is invalid. */
  required?: boolean;
  /** Longest valid length; longer is invalid. */
  max?: number;
  /** Refuses invisible characters too (identifiers, tokens). */
  identifier?: boolean;
  /** Has a strict format (enum, literal, digits, regex without spaces): any injection string is invalid. */
  format?: boolean;
  /** Is a URL: schemes and hosts that are refused. */
  url?: 'google-redirect' | 'auth-server';
}

interface ProviderBase {
  provider: string;
  request: fc.Arbitrary<Json>;
  fields: Record<string, FieldSpec>;
  /** Pairs that may not be set together: adding `add` to a request holding `has` names `field`. */
  conflicts: Array<{ has: string; add: string; value: fc.Arbitrary<unknown>; field: string }>;
}

const connection = fc.option(fc.constantFrom('default'), { nil: undefined });
const withConnection = (r: Json, c: string | undefined): Json =>
  c === undefined ? r : { ...r, connection: c };

const yandex: ProviderBase = {
  provider: 'yandex-cloud',
  request: fc
    .tuple(
      fc.oneof(
        idValue.map((refreshTokenId) => ({ refreshTokenId })),
        tokenValue.map((t) => ({ refreshToken: `yc1.${t}` })),
        fc
          .tuple(idValue, idValue)
          .map(([subjectId, clientId]) => ({ revokeFilter: { subjectId, clientId } })),
      ),
      connection,
    )
    .map(([sel, c]) => withConnection({ provider: 'yandex-cloud', ...sel }, c)),
  fields: {
    provider: { required: true, format: true },
    connection: { max: 63, format: true },
    refreshTokenId: { max: 50, identifier: true },
    refreshToken: { max: 1000, identifier: true },
    revokeFilter: {},
  },
  conflicts: [
    {
      has: 'refreshTokenId',
      add: 'revokeFilter',
      value: fc.constant({ clientId: 'c1' }),
      field: 'revokeFilter',
    },
    { has: 'refreshTokenId', add: 'refreshToken', value: tokenValue, field: 'refreshToken' },
    {
      has: 'refreshToken',
      add: 'revokeFilter',
      value: fc.constant({ subjectId: 's1' }),
      field: 'revokeFilter',
    },
    { has: 'revokeFilter', add: 'revokeFilter', value: fc.constant({}), field: 'revokeFilter' },
  ],
};

const authlete: ProviderBase = {
  provider: 'authlete',
  request: fc
    .tuple(
      fc.oneof(
        tokenValue.map((accessTokenIdentifier) => ({ accessTokenIdentifier })),
        tokenValue.map((refreshTokenIdentifier) => ({ refreshTokenIdentifier })),
        fc.tuple(idValue, idValue).map(([clientIdentifier, subject]) => ({ clientIdentifier, subject })),
        tokenValue.map((accessTokenIdentifier) => ({ action: 'delete', accessTokenIdentifier })),
      ),
      connection,
    )
    .map(([sel, c]) => withConnection({ provider: 'authlete', serviceId: '715948317', ...sel }, c)),
  fields: {
    provider: { required: true, format: true },
    connection: { max: 63, format: true },
    serviceId: { required: true, format: true, max: 19 },
    action: { format: true },
    accessTokenIdentifier: { max: 2048, identifier: true },
    refreshTokenIdentifier: { max: 2048, identifier: true },
    clientIdentifier: { max: 256, identifier: true },
    subject: { max: 100, identifier: true },
  },
  conflicts: [
    { has: 'accessTokenIdentifier', add: 'subject', value: idValue, field: 'subject' },
    {
      has: 'accessTokenIdentifier',
      add: 'refreshTokenIdentifier',
      value: tokenValue,
      field: 'refreshTokenIdentifier',
    },
    { has: 'refreshTokenIdentifier', add: 'clientIdentifier', value: idValue, field: 'clientIdentifier' },
  ],
};

const google: ProviderBase = {
  provider: 'google-identity-platform',
  request: fc
    .tuple(
      fc.constantFrom('REFRESH_TOKEN', 'ACCESS_TOKEN', 'CODE'),
      tokenValue,
      jwt,
      fc.option(word(alnum, 3, 20), { nil: undefined }),
      domain,
      connection,
    )
    .map(([tokenType, token, idToken, tenantId, host, c]) =>
      withConnection(
        {
          provider: 'google-identity-platform',
          providerId: 'apple.com',
          tokenType,
          token,
          idToken,
          ...(tenantId !== undefined ? { tenantId } : {}),
          ...(tokenType === 'CODE' ? { redirectUri: `https://${host}/apple/callback` } : {}),
        },
        c,
      ),
    ),
  fields: {
    provider: { required: true, format: true },
    connection: { max: 63, format: true },
    providerId: { required: true, format: true },
    tokenType: { required: true, format: true },
    token: { required: true, max: 4096, identifier: true },
    idToken: { required: true, max: 8192, identifier: true, format: true },
    tenantId: { max: 128, identifier: true, format: true },
    redirectUri: { max: 2048, identifier: true, url: 'google-redirect' },
  },
  conflicts: [],
};

const openPayments: ProviderBase = {
  provider: 'open-payments',
  request: fc
    .tuple(
      fc.boolean(),
      tokenValue,
      idValue,
      fc.constantFrom('http://127.0.0.1:3006', 'https://auth.wallet.example'),
      connection,
    )
    .map(([revoke, token, id, origin, c]) =>
      withConnection(
        revoke
          ? {
              provider: 'open-payments',
              action: 'revokeToken',
              manageUrl: `${origin}/token/${id}`,
              accessToken: token,
            }
          : {
              provider: 'open-payments',
              action: 'cancelGrant',
              continueUri: `${origin}/continue/${id}`,
              continueToken: token,
            },
        c,
      ),
    ),
  fields: {
    provider: { required: true, format: true },
    connection: { max: 63, format: true },
    action: { required: true, format: true },
    manageUrl: { required: true, max: 2048, identifier: true, url: 'auth-server' },
    accessToken: { required: true, max: 4096, identifier: true },
    continueUri: { required: true, max: 2048, identifier: true, url: 'auth-server' },
    continueToken: { required: true, max: 4096, identifier: true },
  },
  conflicts: [],
};

const oauth2: ProviderBase = {
  provider: 'oauth2',
  request: fc
    .tuple(
      tokenValue,
      fc.option(fc.constantFrom('access_token', 'refresh_token'), { nil: undefined }),
      connection,
    )
    .map(([token, hint, c]) =>
      withConnection(
        { provider: 'oauth2', token, ...(hint !== undefined ? { tokenTypeHint: hint } : {}) },
        c,
      ),
    ),
  fields: {
    provider: { required: true, format: true },
    connection: { max: 63, format: true },
    token: { required: true, max: 16_384, identifier: true },
    tokenTypeHint: { format: true },
  },
  conflicts: [],
};

export const providerBases: readonly ProviderBase[] = [yandex, authlete, google, openPayments, oauth2];

// ---------------------------------------------------------------------------------------------
// Mutations of one request; each returns the invalid request and the field (relative to it)

interface Mutated {
  mutation: string;
  value: unknown;
  /** Path under the request, '' for the request itself. */
  field: string;
}

const presentFields = (r: Json, base: ProviderBase) => Object.keys(r).filter((k) => k in base.fields);
const pick = <T>(items: readonly T[], n: number): T => items[n % items.length] as T;
const join = (...parts: string[]) => parts.filter((p) => p !== '').join('.');

/** URLs each URL field refuses. */
const badUrls: Record<NonNullable<FieldSpec['url']>, string[]> = {
  'google-redirect': [
    'javascript:alert(1)',
    'data:text/html,<script>alert(1)</script>',
    'http://app.example.com/callback',
    'https://127.0.0.1/callback',
    'https://0x7f.1/callback',
    'https://2130706433/callback',
    'https://[::1]/callback',
    'https://169.254.169.254/latest/meta-data',
    'https://localhost/callback',
    'https://evil.localhost/callback',
    'https://user:pass@app.example.com/callback',
    'https://intranet/callback',
    'file:///etc/passwd',
    '//app.example.com/callback',
    'not a url',
    'https://app.example.com/cb\r\nX-Injected: 1',
    ' https://app.example.com/cb',
    'https://app.exa\tmple.com/cb',
    'https://\u202eapp.example.com/cb',
  ],
  'auth-server': [
    'javascript:alert(1)',
    'data:,x',
    'file:///etc/passwd',
    'ftp://auth.wallet.example/token/1',
    'gopher://127.0.0.1:6379/_FLUSHALL',
    'https://user:pass@auth.wallet.example/token/1',
    'https://auth.wallet.example/token/1#frag',
    '/token/1',
    'not a url',
    'https://auth.wallet.example/token/1\r\nX-Injected: 1',
    'https://auth.wallet.example/to\nken/1',
    '\u0000https://auth.wallet.example/token/1',
    'https://auth.wallet.example/token/1 ',
  ],
};

function requestMutation(base: ProviderBase): fc.Arbitrary<Mutated> {
  const fieldNames = Object.keys(base.fields);
  const stringFields = fieldNames.filter((f) => f !== 'revokeFilter');
  return fc.oneof(
    // Dropping a required field.
    fc.tuple(base.request, fc.nat()).map(([r, n]) => {
      const required = fieldNames.filter((f) => base.fields[f]?.required && f in r);
      const f = pick(required, n);
      const { [f]: _dropped, ...rest } = r;
      return { mutation: 'drop-required', value: rest, field: f };
    }),
    // A wrong type where a string or object goes.
    fc.tuple(base.request, fc.nat(), notAString).map(([r, n, v]) => {
      const f = pick(presentFields(r, base), n);
      // A positive safe integer is a valid Authlete serviceId, and an object may be a valid revokeFilter.
      const value =
        f === 'serviceId' && typeof v === 'number' ? -Math.abs(v) - 0.5 : f === 'revokeFilter' ? [v] : v;
      return { mutation: 'wrong-type', value: { ...r, [f]: value }, field: f };
    }),
    // Too long.
    fc.tuple(base.request, fc.nat()).chain(([r, n]) => {
      const limited = presentFields(r, base).filter((f) => base.fields[f]?.max !== undefined);
      // A request with no bounded field (Yandex by filter): an oversize provider name.
      const f = limited.length > 0 ? pick(limited, n) : 'provider';
      return oversize(base.fields[f]?.max ?? 32).map((v) => ({
        mutation: 'oversize',
        value: { ...r, [f]: v },
        field: f,
      }));
    }),
    // Control, bidi, zero-width, NUL characters and lone surrogates inside a string.
    fc.tuple(base.request, fc.nat()).chain(([r, n]) => {
      const f = pick(
        presentFields(r, base).filter((k) => stringFields.includes(k)),
        n,
      );
      const current = r[f];
      const chars =
        base.fields[f]?.identifier || base.fields[f]?.format ? identifierRefusedChar : refusedChar;
      return withInserted(fc.constant(typeof current === 'string' ? current : 'x'), chars).map((v) => ({
        mutation: 'unsafe-characters',
        value: { ...r, [f]: v },
        field: f,
      }));
    }),
    // Injection strings in fields with a strict format.
    fc.tuple(base.request, fc.nat(), injection).map(([r, n, inj]) => {
      const formatted = presentFields(r, base).filter((k) => base.fields[k]?.format);
      const f = pick(formatted, n);
      return { mutation: 'injection', value: { ...r, [f]: inj }, field: f };
    }),
    // CRLF/NUL injections anywhere a string goes (always refused).
    fc
      .tuple(base.request, fc.nat(), fc.constantFrom('\r\nX-Injected: 1', '\u0000', '\n{"level":"error"}'))
      .map(([r, n, inj]) => {
        const f = pick(
          presentFields(r, base).filter((k) => stringFields.includes(k)),
          n,
        );
        return { mutation: 'crlf-injection', value: { ...r, [f]: `${String(r[f])}${inj}` }, field: f };
      }),
    // Unicode-laden values in fields with a strict format.
    fc.tuple(base.request, fc.nat(), unicodeText).map(([r, n, text]) => {
      const formatted = presentFields(r, base).filter((k) => base.fields[k]?.format && k !== 'idToken');
      const f = pick(formatted, n);
      return { mutation: 'unicode', value: { ...r, [f]: `é${text}` }, field: f };
    }),
    // Prototype keys as own keys.
    fc.tuple(base.request, protoKey).map(([r, key]) => ({
      mutation: 'proto-key',
      value: withOwnKey(r, key, { polluted: true, isAdmin: true }),
      field: '',
    })),
    // Unknown extra fields, named anything.
    fc
      .tuple(
        base.request,
        fc.oneof(fc.string({ minLength: 1, maxLength: 30 }), unicodeText, injection),
        fc.jsonValue({ maxDepth: 2 }),
      )
      .filter(([, k]) => !Object.hasOwn(base.fields, k) && k !== '__proto__')
      .map(([r, k, v]) => ({ mutation: 'unknown-field', value: withOwnKey(r, k, v), field: '' })),
    // Unknown providers, look-alikes included.
    fc
      .tuple(
        base.request,
        fc.oneof(
          fc.string({ maxLength: 30 }),
          fc.constantFrom(
            base.provider.toUpperCase(),
            ` ${base.provider}`,
            `${base.provider}\u0000`,
            `${base.provider}\u200b`,
            base.provider.replace('o', '\u043e'),
            'oauth1',
            'google',
            'yandex',
            '__proto__',
            'constructor',
          ),
        ),
      )
      .filter(([, p]) => !(providerKeys as string[]).includes(p))
      .map(([r, p]) => ({ mutation: 'unknown-provider', value: { ...r, provider: p }, field: 'provider' })),
    // Deep nesting where a value goes.
    fc.tuple(base.request, fc.nat(), deepNesting).map(([r, n, deep]) => {
      const f = pick(presentFields(r, base), n);
      return {
        mutation: 'deep-nesting',
        value: { ...r, [f]: f === 'revokeFilter' ? { clientId: deep } : deep },
        field: f === 'revokeFilter' ? 'revokeFilter.clientId' : f,
      };
    }),
    // Blank and empty strings.
    fc.tuple(base.request, fc.nat(), fc.constantFrom('', ' ', '   ', '\u00a0')).map(([r, n, blank]) => {
      const f = pick(
        presentFields(r, base).filter((k) => stringFields.includes(k) && k !== 'redirectUri'),
        n,
      );
      return { mutation: 'blank', value: { ...r, [f]: blank }, field: f };
    }),
    // Bad URLs.
    ...(Object.values(base.fields).some((s) => s.url)
      ? [
          fc.tuple(base.request, fc.nat()).chain(([r, n]) => {
            const urlFields = presentFields(r, base).filter((k) => base.fields[k]?.url);
            if (urlFields.length === 0) {
              // A CODE request is the only Google request with a redirect URI; make one.
              return fc.constantFrom(...badUrls['google-redirect']).map((u) => ({
                mutation: 'bad-url',
                value: { ...r, tokenType: 'CODE', redirectUri: u },
                field: 'redirectUri',
              }));
            }
            const f = pick(urlFields, n);
            const kind = base.fields[f]?.url ?? 'auth-server';
            return fc
              .constantFrom(...badUrls[kind])
              .map((u) => ({ mutation: 'bad-url', value: { ...r, [f]: u }, field: f }));
          }),
        ]
      : []),
    // Contradictory selectors.
    ...(base.conflicts.length > 0
      ? [
          fc.tuple(base.request, fc.nat()).chain(([r, n]) => {
            const applicable = base.conflicts.filter((c) => c.has in r);
            if (applicable.length === 0) {
              return fc.constant({
                mutation: 'drop-required',
                value: { ...r, provider: undefined },
                field: 'provider',
              });
            }
            const c = pick(applicable, n);
            return c.value.map((v) => ({
              mutation: 'conflict',
              value: { ...r, [c.add]: v },
              field: c.field,
            }));
          }),
        ]
      : []),
    // A Google CODE without its redirect URI.
    ...(base.provider === 'google-identity-platform'
      ? [
          base.request.map((r) => {
            const { redirectUri: _u, ...rest } = r;
            return {
              mutation: 'missing-redirect-uri',
              value: { ...rest, tokenType: 'CODE' },
              field: 'redirectUri',
            };
          }),
        ]
      : []),
  );
}

/** Requests that are not objects at all. */
const notAnObject: fc.Arbitrary<Mutated> = fc
  .oneof(
    fc.constant(undefined),
    fc.constant(null),
    fc.string({ maxLength: 50 }),
    fc.integer(),
    fc.boolean(),
    fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 3 }),
    fc.constantFrom('{"provider":"yandex-cloud"}', '[object Object]', 'undefined', 'null'),
  )
  .map((value) => ({ mutation: 'not-an-object', value, field: '' }));

/** One invalid RevocationRequest of any provider; its `field` is relative to the request. */
export const invalidRequest: fc.Arbitrary<Mutated> = fc.oneof(
  { arbitrary: notAnObject, weight: 1 },
  ...providerBases.map((b) => ({ arbitrary: requestMutation(b), weight: 6 })),
);

/** A valid request of any provider. */
export const validRequest: fc.Arbitrary<Json> = fc.oneof(...providerBases.map((b) => b.request));

// ---------------------------------------------------------------------------------------------
// revokeTokens inputs: an invalid request, or a valid request with invalid options

const timingKeys = ['pollInitialInterval', 'pollMaxInterval', 'retryInitialInterval', 'deadline'];

const badTiming: fc.Arbitrary<{ timing: unknown; field: string }> = fc
  .tuple(
    fc.constantFrom(...timingKeys),
    fc.constantFrom<unknown>(
      0,
      -1,
      1.5,
      7 * 24 * 3600_000 + 1,
      1e300,
      'NaN',
      'Infinity',
      '-1s',
      '0s',
      '0.0001ms',
      '99999999d',
      '8d',
      '1 hour',
      '1h; rm -rf /',
      '1h\u0000',
      `${'9'.repeat(400)}ms`,
      null,
      true,
      [],
      {},
    ),
  )
  .map(([k, v]) => ({ timing: { [k]: v }, field: `timing.${k}` }));

const badOptions: fc.Arbitrary<{ options: HostileRevokeOptions; field: string; mutation: string }> = fc.oneof(
  fc
    .tuple(fc.constantFrom('description', 'createdBy'), withInserted(unicodeText, refusedChar))
    .map(([k, v]) => ({
      options: { [k]: v },
      field: k,
      mutation: 'option-unsafe-characters',
    })),
  fc.tuple(fc.constantFrom('description', 'createdBy'), oversize(256)).map(([k, v]) => ({
    options: { [k]: v },
    field: k,
    mutation: 'option-oversize',
  })),
  fc.tuple(fc.constantFrom('description', 'createdBy'), notAString).map(([k, v]) => ({
    options: { [k]: v },
    field: k,
    mutation: 'option-wrong-type',
  })),
  fc.constant({ options: { createdBy: '' }, field: 'createdBy', mutation: 'option-blank' }),
  badTiming.map(({ timing, field }) => ({ options: { timing }, field, mutation: 'bad-timing' })),
  fc
    .tuple(fc.oneof(fc.string({ minLength: 1, maxLength: 20 }), protoKey), fc.jsonValue({ maxDepth: 1 }))
    .map(([k, v]) => ({
      options: { timing: withOwnKey({ deadline: '1h' }, timingKeys.includes(k) ? '__proto__' : k, v) },
      field: 'timing',
      mutation: 'option-unknown-field',
    })),
);

/** A revokeTokens input whose description quotes the token being revoked. */
const secretInDescription: fc.Arbitrary<HostileRevokeCase> = fc
  .tuple(
    fc.oneof(
      tokenValue.map((t) => ({ provider: 'oauth2', token: t })),
      tokenValue.map((t) => ({ provider: 'yandex-cloud', refreshToken: t })),
      tokenValue.map((t) => ({ provider: 'authlete', serviceId: '1', accessTokenIdentifier: t })),
    ),
    fc.constantFrom('description', 'createdBy'),
  )
  .map(([request, k]) => {
    const secret = Object.values(request).at(-1) as string;
    return {
      kind: 'revoke',
      mutation: 'secret-in-description',
      request,
      options: { [k]: `revoke ${secret} now` },
      field: k,
    };
  });

export const hostileRevokeCase: fc.Arbitrary<HostileRevokeCase> = fc.oneof(
  {
    arbitrary: invalidRequest.map((m): HostileRevokeCase => ({
      kind: 'revoke',
      mutation: m.mutation,
      request: m.value,
      options: {},
      field: join('request', m.field),
    })),
    weight: 10,
  },
  {
    arbitrary: fc.tuple(validRequest, badOptions).map(([request, o]): HostileRevokeCase => ({
      kind: 'revoke',
      mutation: o.mutation,
      request,
      options: o.options,
      field: o.field,
    })),
    weight: 2,
  },
  { arbitrary: secretInDescription, weight: 1 },
);

// ---------------------------------------------------------------------------------------------
// Bulk jobs

const jobName = word(`${alnum}._-`, 1, 30).map((s) => `j${s}`);

const validSource = fc.oneof(
  fc.array(validRequest, { minLength: 1, maxLength: 3 }).map((requests) => ({ kind: 'inline', requests })),
  fc
    .constantFrom('/var/lib/revocation/targets.ndjson', 'file:///tmp/targets.ndjson')
    .map((path) => ({ kind: 'ndjson', path })),
  idValue.map((subject) => ({ kind: 'authlete-list', serviceId: '715948317', subject })),
  idValue.map((subjectId) => ({ kind: 'yandex-list', subjectId })),
);

const validJob: fc.Arbitrary<Json> = fc
  .tuple(jobName, validSource, fc.option(fc.integer({ min: 1, max: 1000 }), { nil: undefined }))
  .map(([name, source, pageSize]) => ({ name, source, ...(pageSize !== undefined ? { pageSize } : {}) }));

/** A job field replaced by a bad value; `field` relative to the job. */
const badJobField: fc.Arbitrary<{ key: string; value: unknown; field: string; mutation: string }> = fc.oneof(
  fc
    .constantFrom<unknown>(
      '',
      'bad name!',
      'a'.repeat(101),
      '-leading-dash',
      'x\r\ny',
      'job\u0000',
      'jöb',
      '\u202ejob',
      "x'; DROP TABLE jobs; --",
      '../../etc',
      42,
      null,
      ['a'],
    )
    .map((value) => ({ key: 'name', value, field: 'name', mutation: 'job-name' })),
  fc
    .tuple(
      fc.constantFrom('pageSize', 'concurrency', 'maxReportedFailures', 'ratePerSecond'),
      fc.constantFrom<unknown>(0.5, -1, 1e6, 'NaN', 'Infinity', '10', null, true, [], {}),
    )
    .filter(([k, v]) => !(k === 'ratePerSecond' && v === 0.5))
    .map(([key, value]) => ({ key, value, field: key, mutation: 'job-number' })),
  fc
    .constantFrom<unknown>('true', 1, null, [], {})
    .map((value) => ({ key: 'dryRun', value, field: 'dryRun', mutation: 'job-wrong-type' })),
  fc
    .tuple(
      fc.constantFrom('description', 'createdBy', 'scheduleId'),
      fc.oneof(withInserted(unicodeText, refusedChar), oversize(256), notAString),
    )
    .map(([key, value]) => ({ key, value, field: key, mutation: 'job-text' })),
  fc
    .constantFrom<unknown>(
      undefined,
      null,
      'inline',
      [],
      { kind: 'http', url: 'http://127.0.0.1/' },
      { kind: '__proto__' },
      {},
    )
    .map((value) => ({
      key: 'source',
      value,
      field: value !== null && typeof value === 'object' && !Array.isArray(value) ? 'source.kind' : 'source',
      mutation: 'job-source',
    })),
  fc
    .constantFrom(
      'relative/targets.ndjson',
      'targets.ndjson',
      'http://127.0.0.1/targets.ndjson',
      '/tmp/targets.ndjson\u0000.txt',
      '/tmp/tar\ngets.ndjson',
      '/tmp/\u202etargets.ndjson',
      '',
      `/${'a'.repeat(5000)}`,
    )
    .map((path) => ({
      key: 'source',
      value: { kind: 'ndjson', path },
      field: 'source.path',
      mutation: 'job-ndjson-path',
    })),
  fc
    .tuple(fc.constantFrom('0', '-1', 'NaN', '12a', '1 OR 1=1', '1'.repeat(20), '715948317\u0000'), idValue)
    .map(([serviceId, subject]) => ({
      key: 'source',
      value: { kind: 'authlete-list', serviceId, subject },
      field: 'source.serviceId',
      mutation: 'job-authlete-list',
    })),
  withInserted(fc.constant('subject_id = "aje1"'), refusedChar).map((filter) => ({
    key: 'source',
    value: { kind: 'yandex-list', filter },
    field: 'source.filter',
    mutation: 'job-yandex-filter',
  })),
  fc.constant({
    key: 'source',
    value: { kind: 'inline', requests: [] },
    field: 'source.requests',
    mutation: 'job-inline-empty',
  }),
  fc.constant({
    key: 'source',
    value: {
      kind: 'inline',
      requests: Array.from({ length: 1001 }, (_, i) => ({
        provider: 'yandex-cloud',
        refreshTokenId: `rt-${i}`,
      })),
    },
    field: 'source.requests',
    mutation: 'job-inline-too-many',
  }),
);

export const hostileJobCase: fc.Arbitrary<HostileJobCase> = fc.oneof(
  // One inline request is hostile.
  {
    arbitrary: fc
      .tuple(validJob, fc.array(validRequest, { maxLength: 3 }), invalidRequest, fc.nat())
      .map(([job, valid, bad, n]): HostileJobCase => {
        const at = n % (valid.length + 1);
        const requests: unknown[] = [...valid.slice(0, at), bad.value, ...valid.slice(at)];
        return {
          kind: 'job',
          mutation: `inline-${bad.mutation}`,
          job: { ...job, source: { kind: 'inline', requests } },
          field: join('job', 'source', 'requests', String(at), bad.field),
        };
      }),
    weight: 3,
  },
  {
    arbitrary: fc.tuple(validJob, badJobField).map(([job, bad]): HostileJobCase => ({
      kind: 'job',
      mutation: bad.mutation,
      job: { ...job, [bad.key]: bad.value },
      field: join('job', bad.field),
    })),
    weight: 4,
  },
  {
    arbitrary: fc
      .tuple(validJob, fc.oneof(protoKey, fc.string({ minLength: 1, maxLength: 20 })))
      .filter(
        ([j, k]) =>
          !Object.hasOwn(j, k) &&
          ![
            'pageSize',
            'concurrency',
            'ratePerSecond',
            'dryRun',
            'maxReportedFailures',
            'description',
            'createdBy',
            'scheduleId',
          ].includes(k),
      )
      .map(([job, key]): HostileJobCase => ({
        kind: 'job',
        mutation: 'job-unknown-field',
        job: withOwnKey(job, key, { polluted: true }),
        field: 'job',
      })),
    weight: 1,
  },
  {
    arbitrary: fc
      .tuple(tokenValue, jobName, fc.constantFrom('description', 'createdBy'))
      .map(([t, name, k]): HostileJobCase => ({
        kind: 'job',
        mutation: 'job-secret-in-description',
        job: {
          name,
          source: { kind: 'inline', requests: [{ provider: 'oauth2', token: t }] },
          [k]: `revoking ${t}`,
        },
        field: join('job', k),
      })),
    weight: 1,
  },
  {
    arbitrary: notAnObject.map((m): HostileJobCase => ({
      kind: 'job',
      mutation: 'job-not-an-object',
      job: m.value,
      field: 'job',
    })),
    weight: 1,
  },
);

/**
 * Whole `revokeTokens` inputs that are not an object with a request, for raw starts only (the client
 * always builds the object): the error names `input`.
 */
export const hostileRawRevokeInputs: readonly unknown[] = [
  undefined,
  null,
  'revoke everything',
  42,
  true,
  [],
  [{ request: { provider: 'yandex-cloud', refreshTokenId: 'rt-1' } }],
  { request: { provider: 'yandex-cloud', refreshTokenId: 'rt-1' }, extra: 1 },
  JSON.parse('{"request":{"provider":"yandex-cloud","refreshTokenId":"rt-1"},"__proto__":{"polluted":true}}'),
  JSON.parse('{"request":{"provider":"oauth2","token":"t"},"constructor":{"prototype":{"polluted":true}}}'),
];

/** The whole run's inputs, reproducible from `seed`: `revokes` revoke cases and `jobs` job cases. */
export function hostileCases(seed: number, revokes: number, jobs: number): HostileCase[] {
  return [
    ...fc.sample(hostileRevokeCase, { seed, numRuns: revokes }),
    ...fc.sample(hostileJobCase, { seed: seed + 1, numRuns: jobs }),
  ];
}

/** NDJSON lines a bulk source may hold that must each become a failed target, not a crashed job. */
export function hostileNdjsonLines(seed: number, count: number): string[] {
  const fixed = [
    '{not json',
    '{"provider":"yandex-cloud",',
    '[]',
    'null',
    '42',
    '"a string"',
    '\u0000\u0000\u0000',
    `{"provider":"yandex-cloud","refreshTokenId":"${'x'.repeat(70 * 1024)}"}`,
    'x'.repeat(70 * 1024),
    '{"__proto__":{"polluted":true},"provider":"oauth2","token":"abc"}',
    '{"provider":"oauth2","token":"abc\\r\\nX-Injected: 1"}',
    '{"provider":"yandex-cloud","refreshTokenId":"\\ud800"}',
    '\ufeff{"provider":"oauth2","token":"bom-first-line-is-fine-but-this-one-has-an-extra":1}',
    // Deeper than JSON.stringify can re-serialise (RangeError): the page names it by position.
    `${'['.repeat(10_000)}${']'.repeat(10_000)}`,
    `${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}`,
  ];
  const generated = fc
    .sample(invalidRequest, { seed, numRuns: Math.max(0, count - fixed.length) })
    .map((m) => {
      // JSON cannot hold `undefined`; such a line is the empty object, still invalid.
      const line = JSON.stringify(m.value);
      return line === undefined ? '{}' : line;
    });
  return [...fixed, ...generated];
}
