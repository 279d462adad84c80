import type { Verification } from '../../api';
import type { AuthleteAdapter, AuthleteCallOptions } from './adapter';

/** The detail of every verification a connection switched off (the same text for every provider). */
export { VERIFY_OFF_DETAIL } from '../../api/verification';
import { VERIFY_OFF_DETAIL } from '../../api/verification';

export const INTROSPECTION_METHOD = 'Authlete /auth/introspection';
export const TOKEN_LIST_METHOD = 'Authlete /auth/token/get/list';

/** What was revoked (or deleted), as the request named it. */
export interface AuthleteVerifySelector {
  accessTokenIdentifier?: string;
  refreshTokenIdentifier?: string;
  clientIdentifier?: string;
  subject?: string;
}

const now = () => new Date().toISOString();

/** One access token, by introspection: one that still exists is STILL_ACTIVE (a revoke removes it). */
async function introspect(
  a: AuthleteAdapter,
  serviceId: string,
  token: string,
  o: AuthleteCallOptions,
): Promise<Verification> {
  const r = await a.introspect(serviceId, token, o);
  const checkedAt = now();
  const answer = `action ${r.action}${r.resultCode ? `, ${r.resultCode}` : ''}`;
  if (!r.existent) {
    return {
      state: 'VERIFIED',
      method: INTROSPECTION_METHOD,
      checkedAt,
      detail: `introspection of the access token value: existent false, usable false (${answer})`,
    };
  }
  // Even an expired one is not gone: /auth/token/update can extend it, and its refresh token may work.
  return {
    state: 'STILL_ACTIVE',
    method: INTROSPECTION_METHOD,
    checkedAt,
    detail: `introspection of the access token value: existent true, usable ${r.usable}, refreshable ${r.refreshable} (${answer})`,
  };
}

/** By client and/or subject: nothing matching may remain in the token list (any status). */
async function listRemaining(
  a: AuthleteAdapter,
  serviceId: string,
  s: AuthleteVerifySelector,
  o: AuthleteCallOptions,
): Promise<Verification> {
  const query = {
    ...(s.clientIdentifier !== undefined ? { clientIdentifier: s.clientIdentifier } : {}),
    ...(s.subject !== undefined ? { subject: s.subject } : {}),
  };
  // totalCount counts every match whatever the page, so one token of one page answers it.
  const list = await a.list(serviceId, { ...query, start: 0, end: 1, tokenStatus: 'ALL' }, o);
  const checkedAt = now();
  const what = [
    s.subject !== undefined ? `subject ${s.subject}` : '',
    s.clientIdentifier !== undefined ? `client ${s.clientIdentifier}` : '',
  ]
    .filter(Boolean)
    .join(', ');
  if (list.totalCount === 0) {
    return {
      state: 'VERIFIED',
      method: TOKEN_LIST_METHOD,
      checkedAt,
      detail: `token list (${what}, tokenStatus ALL): totalCount 0, no matching token remains`,
    };
  }
  return {
    state: 'STILL_ACTIVE',
    method: TOKEN_LIST_METHOD,
    checkedAt,
    detail: `token list (${what}, tokenStatus ALL): totalCount ${list.totalCount}, ${list.totalCount} matching token(s) still listed`,
  };
}

/**
 * Asks Authlete whether what a revoke (or delete) selected still exists: introspection of the
 * access token, or the token list for by-client / by-subject revokes. A refresh token identifier
 * cannot be checked: introspection takes access tokens, and the list is searched by client or
 * subject only. Failures are thrown, for the activity to classify and retry like the revoke.
 */
export async function verifyAuthleteRevocation(
  a: AuthleteAdapter,
  serviceId: string,
  s: AuthleteVerifySelector,
  o: AuthleteCallOptions = {},
): Promise<Verification> {
  if (!a.verify) {
    return { state: 'UNVERIFIABLE', method: 'none', checkedAt: now(), detail: VERIFY_OFF_DETAIL };
  }
  if (s.accessTokenIdentifier !== undefined) return introspect(a, serviceId, s.accessTokenIdentifier, o);
  if (s.refreshTokenIdentifier !== undefined) {
    return {
      state: 'UNVERIFIABLE',
      method: 'none',
      checkedAt: now(),
      detail:
        'a refresh token cannot be checked: Authlete introspects access tokens, the paired access token is not known to the engine, and the token list is searched by client or subject only',
    };
  }
  return listRemaining(a, serviceId, s, o);
}
