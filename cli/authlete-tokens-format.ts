import {
  fingerprint,
  redactAuthleteResult,
  type AuthleteAccessToken,
  type AuthleteTokenCall,
  type AuthleteTokenCallResults,
  type AuthleteTokenList,
} from '../api';
import { plain, type Styler } from './colour';
import { json, keyValueLines } from './format';

const time = (ms: number | undefined): string | undefined =>
  ms === undefined ? undefined : ms === 0 ? 'never' : new Date(ms).toISOString();

/** A token value as people see it: its fingerprint, or the value itself when asked for. */
const tokenText = (value: unknown, show: boolean): string | undefined =>
  typeof value === 'string' && value !== '' ? (show ? value : fingerprint(value)) : undefined;

/** One row per token (hashes are not secrets: the list shows nothing else), then the paging. */
export function formatTokenList(list: AuthleteTokenList, style: Styler = plain): string {
  const header = ['ACCESS TOKEN HASH', 'SUBJECT', 'CLIENT', 'GRANT', 'SCOPES', 'EXPIRES'];
  const rows = list.accessTokens.map((t: AuthleteAccessToken) => [
    t.accessTokenHash,
    t.subject ?? '-',
    t.clientId !== undefined ? String(t.clientId) : '-',
    t.grantType ?? '-',
    (t.scopes ?? []).join(' ') || '-',
    time(t.accessTokenExpiresAt) ?? '-',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const render = (r: string[]) =>
    r
      .map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  const shown = list.accessTokens.length;
  const range = shown > 0 ? `${list.start + 1}-${list.start + shown}` : 'none';
  const lines = rows.length > 0 ? [style.heading(render(header)), ...rows.map(render)] : [];
  const more = list.start + shown < list.totalCount ? `; next page: --start ${list.start + shown}` : '';
  return [...lines, `${range} of ${list.totalCount} token(s)${more}`].join('\n') + '\n';
}

/** What a by-client and/or by-subject revoke would hit. */
export function formatRevokePreview(list: AuthleteTokenList, style: Styler = plain): string {
  const head = `preview: revoke would hit ${list.totalCount} token(s) now (nothing was revoked)\n`;
  return head + formatTokenList(list, style);
}

/** The answer of create, update or reissue: token values as fingerprints unless `show`. */
export function formatCallResult<C extends AuthleteTokenCall>(
  call: C,
  result: AuthleteTokenCallResults[C],
  operationId: string,
  show: boolean,
  style: Styler = plain,
): string {
  const r = result as unknown as Record<string, unknown>;
  const str = (k: string): string | undefined =>
    typeof r[k] === 'string' || typeof r[k] === 'number' ? String(r[k]) : undefined;
  const scopes = Array.isArray(r.scopes) ? (r.scopes as string[]).join(' ') : undefined;
  const expires = typeof r.expiresAt === 'number' ? r.expiresAt : r.accessTokenExpiresAt;
  const hint = show ? '' : ' (fingerprint; --show-token prints the value)';
  return keyValueLines(
    [
      ['operation', operationId],
      ['result', [str('resultCode'), str('resultMessage')].filter(Boolean).join(' ')],
      ['access token', tokenText(r.accessToken, show) && `${tokenText(r.accessToken, show)}${hint}`],
      ['jwt access token', tokenText(r.jwtAccessToken, show)],
      ['refresh token', tokenText(r.refreshToken, show)],
      [
        'id token',
        tokenText(r.idToken, show) && `${tokenText(r.idToken, show)}${call === 'reissue' ? hint : ''}`,
      ],
      ['token response', tokenText(r.responseContent, show)],
      ['token type', str('tokenType')],
      ['subject', str('subject')],
      ['client', str('clientId')],
      ['grant type', str('grantType')],
      ['scopes', scopes],
      ['expires', time(typeof expires === 'number' ? expires : undefined)],
    ],
    style,
  );
}

/** `--json`: Authlete's answer, token values as fingerprints unless `show`. */
export function callResultJson(result: object, show: boolean): string {
  return json(show ? result : redactAuthleteResult(result));
}
