import { Code, fingerprint, type Verification, type YandexRevokeTarget } from '../../api';
import type { YandexCloudAdapter } from './adapter';
import { classifyYandexError } from './errors';

/** The detail of every verification a connection switched off (the same text for every provider). */
export { VERIFY_OFF_DETAIL } from '../../api/verification';
import { VERIFY_OFF_DETAIL } from '../../api/verification';

export const LIST_METHOD = 'RefreshTokenService.List';

/** The largest page RefreshTokenService.List serves (page_size 0-1000). */
const PAGE_SIZE = 1000;

export interface YandexVerifyInput {
  connection: string;
  /** What Revoke was asked to revoke. */
  target: YandexRevokeTarget;
  /** The subject the finished operation names (its metadata), if it named one. */
  subjectId?: string;
  /** The ids the finished operation names as revoked. */
  refreshTokenIds: string[];
  /**
   * Tokens created after this instant (ISO 8601; the workflow's time when it began to verify) are
   * not held against a filter revoke: no revoke before it could have covered them.
   */
  createdBefore: string;
}

const now = () => new Date().toISOString();

/** A Yandex filter value: double-quoted, `"` and `\` escaped. */
const quoted = (v: string) => `"${v.replace(/[\\"]/g, (c) => `\\${c}`)}"`;

/** The List call that finds what the revoke should have left nothing of. */
function listQuery(
  input: YandexVerifyInput,
): { subjectId: string; filter: string; what: string } | undefined {
  const t = input.target;
  if ('refreshTokenId' in t || 'refreshToken' in t) {
    // By id or value: the operation names the subject; without it (gone on a retry) nothing to list.
    if (!input.subjectId) return undefined;
    return { subjectId: input.subjectId, filter: '', what: `subject ${input.subjectId}` };
  }
  if ('revokeFilter' in t) {
    const f = t.revokeFilter;
    const terms = [
      f.clientId !== undefined ? `client_id=${quoted(f.clientId)}` : '',
      f.clientInstanceInfo !== undefined ? `client_instance_info=${quoted(f.clientInstanceInfo)}` : '',
    ].filter(Boolean);
    const subjectId = f.subjectId ?? input.subjectId ?? '';
    const shown = [
      f.clientId !== undefined ? `client_id ${f.clientId}` : '',
      f.clientInstanceInfo !== undefined ? `client_instance_info ${fingerprint(f.clientInstanceInfo)}` : '',
    ].filter(Boolean);
    return {
      subjectId,
      filter: terms.join(' AND '),
      what: [`subject ${subjectId || 'of the caller'}`, ...shown].join(', '),
    };
  }
  return {
    subjectId: input.subjectId ?? '',
    filter: '',
    what: `subject ${input.subjectId || 'of the caller'}`,
  };
}

/** Every page of List; the ids still listed, and how many listed tokens predate the check. */
async function listAll(
  a: YandexCloudAdapter,
  q: { subjectId: string; filter: string },
  createdBefore: number,
): Promise<{ ids: Set<string>; older: number; pages: number }> {
  const ids = new Set<string>();
  let older = 0;
  let pages = 0;
  let pageToken = '';
  do {
    const page = await a.list({
      ...(q.subjectId ? { subjectId: q.subjectId } : {}),
      ...(q.filter ? { filter: q.filter } : {}),
      pageSize: PAGE_SIZE,
      ...(pageToken ? { pageToken } : {}),
    });
    pages += 1;
    for (const t of page.refreshTokens) {
      ids.add(t.id);
      if (!t.createdAt || Date.parse(t.createdAt) <= createdBefore) older += 1;
    }
    pageToken = page.nextPageToken;
  } while (pageToken);
  return { ids, older, pages };
}

/**
 * Lists the subject's refresh tokens after the revoke's operation is done: none of the ids it names
 * may be listed, and after a filter revoke (or a revoke of every token of the caller) no token
 * matching it may remain. PERMISSION_DENIED on List is UNVERIFIABLE (the connection may revoke but
 * not list); other failures are thrown for the activity to classify and retry like the revoke.
 */
export async function verifyYandexRevocation(
  a: YandexCloudAdapter,
  input: YandexVerifyInput,
): Promise<Verification> {
  const unverifiable = (detail: string): Verification => ({
    state: 'UNVERIFIABLE',
    method: 'none',
    checkedAt: now(),
    detail,
  });
  if (!a.verify) return unverifiable(VERIFY_OFF_DETAIL);
  const q = listQuery(input);
  if (!q) {
    return unverifiable(
      'the token was already gone when Revoke was retried, so no operation named its subject: there is no subject to list',
    );
  }
  let listed: Awaited<ReturnType<typeof listAll>>;
  try {
    listed = await listAll(a, q, Date.parse(input.createdBefore));
  } catch (err) {
    if (classifyYandexError(err).code !== Code.PERMISSION_DENIED) throw err;
    return {
      ...unverifiable(
        `RefreshTokenService.List of ${q.what} was refused (PERMISSION_DENIED): the connection's account may revoke but not list these refresh tokens; grant it a role that allows listing them on the subject (viewer or above) to verify`,
      ),
      method: LIST_METHOD,
    };
  }
  const checkedAt = now();
  const kept = input.refreshTokenIds.filter((id) => listed.ids.has(id));
  const byFilter = !('refreshTokenId' in input.target) && !('refreshToken' in input.target);
  const where = `${LIST_METHOD} (${q.what}; ${listed.pages} page${listed.pages === 1 ? '' : 's'})`;
  const revoked = `${input.refreshTokenIds.length} revoked id${input.refreshTokenIds.length === 1 ? '' : 's'}`;
  if (kept.length > 0 || (byFilter && listed.older > 0)) {
    const parts = [
      `${kept.length} of ${revoked} still listed`,
      ...(byFilter ? [`${listed.older} token(s) still match the revoke's selection`] : []),
    ];
    return { state: 'STILL_ACTIVE', method: LIST_METHOD, checkedAt, detail: `${where}: ${parts.join('; ')}` };
  }
  const parts = [
    `none of ${revoked} listed`,
    ...(byFilter ? ["no token matches the revoke's selection"] : []),
  ];
  return { state: 'VERIFIED', method: LIST_METHOD, checkedAt, detail: `${where}: ${parts.join('; ')}` };
}
