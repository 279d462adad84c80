import { ApplicationFailure } from '@temporalio/workflow';
import type { OpenPaymentsRequest } from '../../api';
import type { ProviderContext, ProviderResult } from './types';

/** STUB(open-payments): replaced by the Open Payments implementation. */
export async function revokeAtOpenPayments(
  _r: OpenPaymentsRequest,
  _ctx: ProviderContext,
): Promise<ProviderResult> {
  throw ApplicationFailure.nonRetryable('open-payments is not implemented yet', 'UNIMPLEMENTED');
}
