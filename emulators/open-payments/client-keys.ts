import { generateKeyPairSync } from 'node:crypto';
import { generateJwk, type JWK } from '@interledger/http-signature-utils';

export interface ClientKey {
  keyId: string;
  /** PKCS#8 PEM of the Ed25519 private key, as a connection's `privateKey` / `privateKeyFile` takes it. */
  privateKeyPem: string;
  /** The public half as the client's wallet address publishes it. */
  jwk: JWK;
}

/** A fresh Ed25519 client key pair (for tests and the demo). */
export function generateClientKey(keyId: string): ClientKey {
  const { privateKey } = generateKeyPairSync('ed25519');
  return {
    keyId,
    privateKeyPem: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
    jwk: generateJwk({ privateKey, keyId }),
  };
}
