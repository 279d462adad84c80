import * as oauth from 'oauth4webapi';
import { OAuth2ConfigError } from './errors';

/** Client authentication methods of RFC 6749 §2.3 / OpenID Connect Core §9 that the adapter speaks. */
export const oauth2ClientAuthMethods = [
  'client_secret_basic',
  'client_secret_post',
  'private_key_jwt',
  'none',
] as const;
export type OAuth2ClientAuthMethod = (typeof oauth2ClientAuthMethods)[number];

/** JWS algorithms for `private_key_jwt`; `EdDSA` and `Ed25519` (RFC 9864) sign the same way. */
export const oauth2SigningAlgs = [
  'ES256',
  'ES384',
  'ES512',
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'EdDSA',
  'Ed25519',
] as const;
export type OAuth2SigningAlg = (typeof oauth2SigningAlgs)[number];

/** How the client proves who it is; secrets stay in here and never leave the adapter. */
export type OAuth2ClientCredentials =
  | { method: 'client_secret_basic' | 'client_secret_post'; clientSecret: string }
  | {
      method: 'private_key_jwt';
      /** PKCS#8 DER of the client's private key. */
      privateKeyPkcs8: Uint8Array;
      alg: OAuth2SigningAlg;
      /** JWS `kid` header, for servers that hold several keys of the client. */
      keyId?: string;
      /** Assertion `aud`. @default the issuer (or the revocation endpoint when no issuer is known) */
      audience?: string;
    }
  | { method: 'none' };

type ImportParams = Parameters<typeof crypto.subtle.importKey>[2];

function importParams(alg: OAuth2SigningAlg): ImportParams {
  const bits = alg.slice(2);
  switch (alg) {
    case 'ES256':
      return { name: 'ECDSA', namedCurve: 'P-256' };
    case 'ES384':
      return { name: 'ECDSA', namedCurve: 'P-384' };
    case 'ES512':
      return { name: 'ECDSA', namedCurve: 'P-521' };
    case 'RS256':
    case 'RS384':
    case 'RS512':
      return { name: 'RSASSA-PKCS1-v1_5', hash: `SHA-${bits}` };
    case 'PS256':
    case 'PS384':
    case 'PS512':
      return { name: 'RSA-PSS', hash: `SHA-${bits}` };
    case 'EdDSA':
    case 'Ed25519':
      return { name: 'Ed25519' };
  }
}

/**
 * oauth4webapi's ClientAuth for the configured method. For private_key_jwt the key is imported
 * with WebCrypto (non-extractable, sign only); oauth4webapi derives the JWS `alg` from the key, so
 * `EdDSA` (what most servers still register) is put back in the header, and a configured audience
 * replaces the default `aud` (the issuer).
 * Thrown when the key does not fit the algorithm: OAuth2ConfigError.
 */
export async function clientAuthentication(credentials: OAuth2ClientCredentials): Promise<oauth.ClientAuth> {
  switch (credentials.method) {
    case 'client_secret_basic':
      return oauth.ClientSecretBasic(credentials.clientSecret);
    case 'client_secret_post':
      return oauth.ClientSecretPost(credentials.clientSecret);
    case 'none':
      return oauth.None();
    case 'private_key_jwt': {
      const { alg, audience, keyId } = credentials;
      let key: oauth.CryptoKey;
      try {
        key = await crypto.subtle.importKey('pkcs8', credentials.privateKeyPkcs8, importParams(alg), false, [
          'sign',
        ]);
      } catch (cause) {
        // WebCrypto's messages describe the mismatch only, never the key; keep just its name.
        const reason = cause instanceof Error ? cause.name : 'error';
        throw new OAuth2ConfigError(`the private key cannot be used for ${alg} (${reason})`);
      }
      return oauth.PrivateKeyJwt(keyId === undefined ? key : { key, kid: keyId }, {
        [oauth.modifyAssertion]: (header, payload) => {
          if (alg === 'EdDSA') header.alg = 'EdDSA';
          if (audience !== undefined) payload.aud = audience;
        },
      });
    }
  }
}
