import { TypeUrl, type RevokeTokensOperation } from './operation';

export interface NewOperationFields {
  id: string;
  description: string;
  createdAt: Date;
  createdBy: string;
  provider: string;
  connection: string;
  target: string;
}

/** A `revokeTokens` Operation as it is before any provider call: not done, no error, no response. */
export function newRevokeOperation(f: NewOperationFields): RevokeTokensOperation {
  const at = f.createdAt.toISOString();
  return {
    id: f.id,
    description: f.description,
    createdAt: at,
    createdBy: f.createdBy,
    modifiedAt: at,
    done: false,
    metadata: {
      '@type': TypeUrl.revokeTokensMetadata,
      provider: f.provider,
      connection: f.connection,
      phase: 'VALIDATING',
      target: f.target,
      attempts: 0,
      polls: 0,
    },
  };
}

/** The default human description of a revocation; never contains a secret. */
export function defaultDescription(target: string, providerTitle: string): string {
  return `Revoke ${target} at ${providerTitle}`;
}
