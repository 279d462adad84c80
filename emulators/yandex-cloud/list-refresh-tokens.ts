import type { refreshToken, refreshTokenService } from '@yandex-cloud/nodejs-sdk/iam-v1';
import type { AccessPolicy } from './access';
import { parseListFilter } from './list-filter';
import type { YandexRefreshToken } from './public-types';
import { checkMaxLength, invalidArgument, permissionDenied } from './rpc-error';
import { compareListOrder, type TokenStore } from './store';

const DEFAULT_PAGE_SIZE = 100;
const MAX_PAGE_SIZE = 1000;

interface PageCursor {
  createdAtMs: number;
  id: string;
}

// A keyset cursor rather than an offset: revocations between page requests must not make a client
// skip tokens it has not seen yet.
function encodePageToken(last: YandexRefreshToken): string {
  return Buffer.from(JSON.stringify([last.createdAt.getTime(), last.id])).toString('base64url');
}

function decodePageToken(pageToken: string): PageCursor {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(pageToken, 'base64url').toString('utf8'));
    if (Array.isArray(parsed) && parsed.length === 2) {
      const [createdAtMs, id] = parsed as unknown[];
      if (typeof createdAtMs === 'number' && Number.isFinite(createdAtMs) && typeof id === 'string') {
        return { createdAtMs, id };
      }
    }
  } catch {
    // reported below
  }
  throw invalidArgument('page_token: invalid page token');
}

function isAfterCursor(t: YandexRefreshToken, cursor: PageCursor): boolean {
  return compareListOrder(t, { ...t, createdAt: new Date(cursor.createdAtMs), id: cursor.id }) > 0;
}

export function toRefreshTokenMessage(t: YandexRefreshToken): refreshToken.RefreshToken {
  return {
    id: t.id,
    clientInstanceInfo: t.clientInstanceInfo,
    clientId: t.clientId,
    subjectId: t.subjectId,
    createdAt: t.createdAt,
    expiresAt: t.expiresAt,
    lastUsedAt: undefined,
    protectionLevel: t.protectionLevel,
  };
}

export function listRefreshTokens(
  store: TokenStore,
  access: AccessPolicy,
  request: refreshTokenService.ListRefreshTokensRequest,
  callerSubjectId: string,
): refreshTokenService.ListRefreshTokensResponse {
  checkMaxLength('subject_id', request.subjectId, 50);
  checkMaxLength('page_token', request.pageToken, 2000);
  checkMaxLength('filter', request.filter, 1000);
  const pageSize = request.pageSize === 0 ? DEFAULT_PAGE_SIZE : request.pageSize;
  if (!Number.isInteger(pageSize) || pageSize < 0 || pageSize > MAX_PAGE_SIZE) {
    throw invalidArgument(`page_size: must be in range 0-${MAX_PAGE_SIZE}, got ${request.pageSize}`);
  }
  const subjectId = request.subjectId || callerSubjectId;
  if (!access.allows(callerSubjectId, 'list', subjectId)) throw permissionDenied();
  const matches = parseListFilter(request.filter);
  const cursor = request.pageToken ? decodePageToken(request.pageToken) : undefined;

  const remaining = store
    .activeOf(subjectId)
    .filter((t) => matches(t) && (!cursor || isAfterCursor(t, cursor)));
  const page = remaining.slice(0, pageSize);
  const last = page[page.length - 1];
  return {
    refreshTokens: page.map(toRefreshTokenMessage),
    nextPageToken: remaining.length > page.length && last ? encodePageToken(last) : '',
  };
}
