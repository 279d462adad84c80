import type { ProviderKey, RevocationRequest } from '../../api';
import { revokeAtAuthlete } from './authlete';
import { verifyAtAuthlete } from './authlete-verify';
import { revokeAtGoogleIdentityPlatform } from './google-identity-platform';
import { verifyAtGoogleIdentityPlatform } from './google-identity-platform-verify';
import { revokeAtOAuth2 } from './oauth2';
import { verifyAtOAuth2 } from './oauth2-verify';
import { revokeAtOpenPayments } from './open-payments';
import { verifyAtOpenPayments } from './open-payments-verify';
import type { ProviderContext, ProviderResult, VerifyResult } from './types';
import { revokeAtYandexCloud } from './yandex-cloud';
import { verifyAtYandexCloud } from './yandex-cloud-verify';

export * from './types';

type Step<P extends ProviderKey> = (
  r: Extract<RevocationRequest, { provider: P }>,
  ctx: ProviderContext,
) => Promise<ProviderResult>;

/** One orchestration step per provider; a new provider adds a row. */
const steps: { [P in ProviderKey]: Step<P> } = {
  'yandex-cloud': revokeAtYandexCloud,
  authlete: revokeAtAuthlete,
  'google-identity-platform': revokeAtGoogleIdentityPlatform,
  'open-payments': revokeAtOpenPayments,
  oauth2: revokeAtOAuth2,
};

export function revokeAtProvider(r: RevocationRequest, ctx: ProviderContext): Promise<ProviderResult> {
  return (steps[r.provider] as Step<typeof r.provider>)(r, ctx);
}

type Verify<P extends ProviderKey> = (
  r: Extract<RevocationRequest, { provider: P }>,
  result: ProviderResult,
  ctx: ProviderContext,
) => Promise<VerifyResult>;

/** One verification step per provider (each in `<provider>-verify.ts`). */
const verifySteps: { [P in ProviderKey]: Verify<P> } = {
  'yandex-cloud': verifyAtYandexCloud,
  authlete: verifyAtAuthlete,
  'google-identity-platform': verifyAtGoogleIdentityPlatform,
  'open-payments': verifyAtOpenPayments,
  oauth2: verifyAtOAuth2,
};

export function verifyAtProvider(
  r: RevocationRequest,
  result: ProviderResult,
  ctx: ProviderContext,
): Promise<VerifyResult> {
  return (verifySteps[r.provider] as Verify<typeof r.provider>)(r, result, ctx);
}
