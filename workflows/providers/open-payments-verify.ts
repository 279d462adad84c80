import type { OpenPaymentsRequest } from '../../api';
import type { ProviderContext, ProviderResult, VerifyResult } from './types';

/** Asks the provider whether what was revoked still works (stub until its verification lands). */
export function verifyAtOpenPayments(
  _r: OpenPaymentsRequest,
  _result: ProviderResult,
  _ctx: ProviderContext,
): Promise<VerifyResult> {
  return Promise.resolve({
    state: 'UNVERIFIABLE',
    method: 'none',
    checkedAt: new Date().toISOString(),
    detail: 'verification for this provider is not built yet',
  });
}
