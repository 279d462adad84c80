import type { refreshTokenService } from '@yandex-cloud/nodejs-sdk/iam-v1';
import type { AccessPolicy } from './access';
import { checkMaxLength, invalidArgument, notFound, permissionDenied } from './rpc-error';
import type { TokenStore } from './store';

const ONEOF_MEMBERS = [
  ['refreshTokenId', 'refresh_token_id'],
  ['refreshToken', 'refresh_token'],
  ['revokeFilter', 'revoke_filter'],
] as const;

export interface RevokeSelection {
  subjectId: string;
  refreshTokenIds: string[];
}

/**
 * Decides which tokens a Revoke request covers. The request's oneof arrives as key presence on the
 * decoded message (the SDK codec only sets keys that were on the wire).
 * Tokens of a subject the caller may not revoke for are reported as not found, so ids and values
 * cannot be probed; a filter naming such a subject is PERMISSION_DENIED.
 */
export function selectTokensToRevoke(
  store: TokenStore,
  access: AccessPolicy,
  request: refreshTokenService.RevokeRefreshTokenRequest,
  callerSubjectId: string,
): RevokeSelection {
  const present = ONEOF_MEMBERS.filter(([key]) => request[key] !== undefined).map(
    ([, protoName]) => protoName,
  );
  if (present.length > 1) {
    throw invalidArgument(
      `only one of ${ONEOF_MEMBERS.map(([, n]) => n).join(', ')} may be set, got ${present.join(', ')}`,
    );
  }

  if (request.refreshTokenId !== undefined) {
    checkMaxLength('refresh_token_id', request.refreshTokenId, 50);
    const t = store.findActiveById(request.refreshTokenId);
    if (!t || !access.allows(callerSubjectId, 'revoke', t.subjectId))
      throw notFound(`refresh token ${request.refreshTokenId} not found`);
    return { subjectId: t.subjectId, refreshTokenIds: [t.id] };
  }

  if (request.refreshToken !== undefined) {
    checkMaxLength('refresh_token', request.refreshToken, 1000);
    const t = store.findActiveByValue(request.refreshToken);
    if (!t || !access.allows(callerSubjectId, 'revoke', t.subjectId))
      throw notFound('refresh token not found');
    return { subjectId: t.subjectId, refreshTokenIds: [t.id] };
  }

  const filter = request.revokeFilter;
  if (filter) {
    checkMaxLength('revoke_filter.client_id', filter.clientId, 50);
    checkMaxLength('revoke_filter.subject_id', filter.subjectId, 50);
    checkMaxLength('revoke_filter.client_instance_info', filter.clientInstanceInfo, 1000);
  }
  // No oneof member at all means "every token of the caller", as the API reference documents.
  const subjectId = filter?.subjectId || callerSubjectId;
  if (!access.allows(callerSubjectId, 'revoke', subjectId)) throw permissionDenied();
  const refreshTokenIds = store
    .activeOf(subjectId)
    .filter((t) => !filter?.clientId || t.clientId === filter.clientId)
    .filter((t) => !filter?.clientInstanceInfo || t.clientInstanceInfo === filter.clientInstanceInfo)
    .map((t) => t.id);
  return { subjectId, refreshTokenIds };
}
