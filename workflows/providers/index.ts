import type { ProviderKey, RevocationRequest } from '../../api';
import { revokeAtAuthlete } from './authlete';
import { revokeAtGoogleIdentityPlatform } from './google-identity-platform';
import { revokeAtOAuth2 } from './oauth2';
import { revokeAtOpenPayments } from './open-payments';
import type { ProviderContext, ProviderResult } from './types';
import { revokeAtYandexCloud } from './yandex-cloud';

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
