import { ApplicationFailure } from '@temporalio/workflow';
import type { AuthleteRequest } from '../../api';
import type { ProviderContext, ProviderResult } from './types';

/** STUB(authlete): replaced by the Authlete implementation. */
export async function revokeAtAuthlete(_r: AuthleteRequest, _ctx: ProviderContext): Promise<ProviderResult> {
  throw ApplicationFailure.nonRetryable('authlete is not implemented yet', 'UNIMPLEMENTED');
}
