import { ApplicationFailure } from '@temporalio/workflow';
import type { GoogleIdentityPlatformRequest } from '../../api';
import type { ProviderContext, ProviderResult } from './types';

/** STUB(google-identity-platform): replaced by the Google Identity Platform implementation. */
export async function revokeAtGoogleIdentityPlatform(
  _r: GoogleIdentityPlatformRequest,
  _ctx: ProviderContext,
): Promise<ProviderResult> {
  throw ApplicationFailure.nonRetryable('google-identity-platform is not implemented yet', 'UNIMPLEMENTED');
}
