import { ApplicationFailure } from '@temporalio/workflow';
import type { OAuth2Request } from '../../api';
import type { ProviderContext, ProviderResult } from './types';

/** STUB(oauth2): replaced by the OAuth 2.0 (RFC 7009) implementation. */
export async function revokeAtOAuth2(_r: OAuth2Request, _ctx: ProviderContext): Promise<ProviderResult> {
  throw ApplicationFailure.nonRetryable('oauth2 is not implemented yet', 'UNIMPLEMENTED');
}
