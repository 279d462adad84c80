import { createPrivateKey, type KeyObject } from 'node:crypto';
import { Agent } from 'undici';
import { z } from 'zod';
import {
  OAuth2Adapter,
  type OAuth2ClientCredentials,
  type OAuth2ServerLocation,
  type OAuth2SigningAlg,
} from '../../activities/oauth2/adapter';
import { oauth2ClientAuthMethods, oauth2SigningAlgs } from '../../activities/oauth2/client-auth';
import { ConfigError } from '../../common/config-error';
import { readConfigFile, type ConnectionSection } from './section';

const httpUrl = z
  .string()
  .url('must be an absolute URL')
  .refine((u) => /^https?:\/\//i.test(u), 'must be an http:// or https:// URL')
  .refine((u) => !/^https?:\/\/[^/]*@/i.test(u), 'must not contain credentials');

const schema = z
  .strictObject({
    /** The authorization server's issuer identifier; discovery starts here. */
    issuer: httpUrl.optional(),
    /** Which well-known document to read from the issuer. @default 'oauth2' when no revocationEndpoint is set */
    discovery: z.enum(['oauth2', 'oidc']).optional(),
    /** The RFC 7009 endpoint, when it is not discovered. */
    revocationEndpoint: httpUrl.optional(),
    /** The RFC 7662 endpoint that verifies revokes. @default the discovered `introspection_endpoint` */
    introspectionEndpoint: httpUrl.optional(),
    /** Verify each revoke by introspection (Operation `verification`). @default true */
    verify: z.boolean().optional(),
    clientId: z.string().min(1, 'must not be empty'),
    /** @default client_secret_basic with a secret, private_key_jwt with a key, none without either */
    clientAuthMethod: z.enum(oauth2ClientAuthMethods).optional(),
    clientSecret: z.string().min(1, 'must not be empty').optional(),
    clientSecretFile: z.string().min(1, 'must not be empty').optional(),
    /** PEM private key (PKCS#8, SEC1 or PKCS#1) for private_key_jwt. */
    privateKeyFile: z.string().min(1, 'must not be empty').optional(),
    /** @default from the key: ES256/384/512 by curve, RS256 for RSA, PS256 for RSA-PSS, EdDSA for Ed25519 */
    privateKeyAlg: z.enum(oauth2SigningAlgs).optional(),
    keyId: z.string().min(1, 'must not be empty').optional(),
    /** private_key_jwt `aud`. @default the issuer, else the revocation endpoint */
    assertionAudience: z.string().min(1, 'must not be empty').optional(),
    /** Allow http:// URLs; for local emulators only. @default false */
    allowInsecureRequests: z.boolean().optional(),
    /** PEM CA certificate(s) to trust for this server (a private CA). */
    caFile: z.string().min(1, 'must not be empty').optional(),
    timeoutMs: z.number().int().positive().max(120_000).optional(),
    discoveryTtlMs: z.number().int().nonnegative().optional(),
  })
  .superRefine((c, ctx) => {
    const issue = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message });
    if (c.issuer === undefined && c.revocationEndpoint === undefined) {
      issue('issuer', 'set issuer (to discover the revocation endpoint) or revocationEndpoint');
    }
    if (c.revocationEndpoint !== undefined && c.discovery !== undefined) {
      issue('discovery', 'set either revocationEndpoint or discovery, not both');
    }
    if (!c.allowInsecureRequests) {
      for (const key of ['issuer', 'revocationEndpoint', 'introspectionEndpoint'] as const) {
        if (c[key]?.toLowerCase().startsWith('http://')) {
          issue(key, 'is http://; use https://, or set allowInsecureRequests: true for a local emulator');
        }
      }
    }
    const secrets = [c.clientSecret, c.clientSecretFile].filter((s) => s !== undefined).length;
    if (secrets > 1) issue('clientSecretFile', 'set only one of clientSecret, clientSecretFile');
    const method = authMethod(c);
    const usesSecret = method === 'client_secret_basic' || method === 'client_secret_post';
    if (usesSecret && secrets === 0)
      issue('clientSecret', `${method} needs clientSecret or clientSecretFile`);
    if (!usesSecret && secrets > 0) issue('clientSecret', `is not used by ${method}; remove it`);
    if (method === 'private_key_jwt' && c.privateKeyFile === undefined) {
      issue('privateKeyFile', 'private_key_jwt needs privateKeyFile');
    }
    if (method !== 'private_key_jwt') {
      for (const key of ['privateKeyFile', 'privateKeyAlg', 'keyId', 'assertionAudience'] as const) {
        if (c[key] !== undefined)
          issue(key, `only applies to private_key_jwt (clientAuthMethod is ${method})`);
      }
    }
  });

type OAuth2ConnectionConfig = z.output<typeof schema>;

function authMethod(c: OAuth2ConnectionConfig) {
  if (c.clientAuthMethod) return c.clientAuthMethod;
  if (c.privateKeyFile) return 'private_key_jwt';
  if (c.clientSecret || c.clientSecretFile) return 'client_secret_basic';
  return 'none';
}

const curveAlgs: Record<string, OAuth2SigningAlg> = {
  prime256v1: 'ES256',
  secp384r1: 'ES384',
  secp521r1: 'ES512',
};

/** The JWS algorithm for a key: the configured one if the key can sign with it, else the key's natural one. */
export function algForKey(field: string, key: KeyObject, configured?: OAuth2SigningAlg): OAuth2SigningAlg {
  const type = key.asymmetricKeyType;
  let allowed: OAuth2SigningAlg[];
  if (type === 'ec') {
    const alg = curveAlgs[key.asymmetricKeyDetails?.namedCurve ?? ''];
    if (!alg) throw new ConfigError(field, 'is an EC key on a curve JWS does not use (P-256, P-384, P-521)');
    allowed = [alg];
  } else if (type === 'rsa') {
    allowed = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512'];
  } else if (type === 'rsa-pss') {
    allowed = ['PS256', 'PS384', 'PS512'];
  } else if (type === 'ed25519') {
    allowed = ['EdDSA', 'Ed25519'];
  } else {
    throw new ConfigError(field, `is a ${type ?? 'unknown'} key; use an EC, RSA or Ed25519 key`);
  }
  if (configured === undefined) return allowed[0] as OAuth2SigningAlg;
  if (!allowed.includes(configured)) {
    throw new ConfigError(
      field,
      `is a ${type} key and cannot sign ${configured} (use ${allowed.join(', ')})`,
    );
  }
  return configured;
}

function credentials(name: string, c: OAuth2ConnectionConfig): OAuth2ClientCredentials {
  const method = authMethod(c);
  const prefix = `oauth2.${name}`;
  switch (method) {
    case 'client_secret_basic':
    case 'client_secret_post': {
      const clientSecret =
        c.clientSecret ?? readConfigFile(`${prefix}.clientSecretFile`, c.clientSecretFile as string);
      if (!clientSecret) throw new ConfigError(`${prefix}.clientSecretFile`, 'is empty');
      return { method, clientSecret };
    }
    case 'private_key_jwt': {
      const field = `${prefix}.privateKeyFile`;
      const pem = readConfigFile(field, c.privateKeyFile as string);
      let key: KeyObject;
      try {
        key = createPrivateKey(pem);
      } catch {
        // Never the parser's text: it can quote the input.
        throw new ConfigError(field, 'is not a PEM private key');
      }
      const alg = algForKey(field, key, c.privateKeyAlg);
      return {
        method,
        alg,
        privateKeyPkcs8: new Uint8Array(key.export({ format: 'der', type: 'pkcs8' })),
        ...(c.keyId !== undefined ? { keyId: c.keyId } : {}),
        ...(c.assertionAudience !== undefined ? { audience: c.assertionAudience } : {}),
      };
    }
    case 'none':
      return { method };
  }
}

function server(c: OAuth2ConnectionConfig): OAuth2ServerLocation {
  if (c.revocationEndpoint !== undefined) {
    return {
      revocationEndpoint: c.revocationEndpoint,
      ...(c.issuer !== undefined ? { issuer: c.issuer } : {}),
    };
  }
  return { issuer: c.issuer as string, discovery: c.discovery ?? 'oauth2' };
}

/**
 * `oauth2` connections: any RFC 7009 server, e.g.
 * `{"oauth2": {"keycloak": {"issuer": "https://sso.example.com/realms/main", "discovery": "oidc",
 * "clientId": "revoker", "clientSecretFile": "/run/secrets/revoker"}}}`.
 */
export const oauth2Connections: ConnectionSection<typeof schema, OAuth2Adapter> = {
  schema,
  build: (name, c) =>
    new OAuth2Adapter({
      clientId: c.clientId,
      credentials: credentials(name, c),
      server: server(c),
      ...(c.allowInsecureRequests ? { allowInsecureRequests: true } : {}),
      ...(c.caFile
        ? { dispatcher: new Agent({ connect: { ca: readConfigFile(`oauth2.${name}.caFile`, c.caFile) } }) }
        : {}),
      ...(c.timeoutMs !== undefined ? { timeoutMs: c.timeoutMs } : {}),
      ...(c.discoveryTtlMs !== undefined ? { discoveryTtlMs: c.discoveryTtlMs } : {}),
      ...(c.introspectionEndpoint !== undefined ? { introspectionEndpoint: c.introspectionEndpoint } : {}),
      ...(c.verify !== undefined ? { verify: c.verify } : {}),
    }),
};
