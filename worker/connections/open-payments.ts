import { createPrivateKey, type KeyObject } from 'node:crypto';
import { loadBase64Key, loadKey } from '@interledger/http-signature-utils';
import { z } from 'zod';
import { OpenPaymentsAdapter } from '../../activities/open-payments/adapter';
import { ConfigError } from '../../common/config-error';
import type { ConnectionSection } from './section';

const absoluteHttpUrl = z
  .string()
  .refine((s) => URL.canParse(s) && /^https?:$/.test(new URL(s).protocol), 'must be an absolute http(s) URL');

const schema = z
  .strictObject({
    /** PEM (PKCS#8) Ed25519 private key file. */
    privateKeyFile: z.string().min(1).optional(),
    /** The private key inline: PEM, or base64 of the PEM (as Rafiki's PRIVATE_KEY and `loadBase64Key`). */
    privateKey: z.string().min(1).optional(),
    /** The key id the client's JWKS publishes this key under. */
    keyId: z.string().min(1, 'must not be empty').max(255, 'must be at most 255 characters'),
    /** The client's wallet address; its `/jwks.json` is checked before a 401 on a retry counts as "already revoked". */
    walletAddressUrl: absoluteHttpUrl.optional(),
    /** Allow http:// manage and continue URLs (local emulators only). */
    allowInsecureHttp: z.boolean().optional(),
    /** Per request; the activity (60 s) may make two: the DELETE and, on an ambiguous 401, the JWKS check. */
    requestTimeoutMs: z.number().int().positive().max(25_000, 'must be at most 25000').optional(),
    /** The AS's GNAP token introspection endpoint (RFC 9767); revokes are verified only when set. */
    introspectionEndpoint: absoluteHttpUrl.optional(),
    /** RFC 9767 `resource_server` sent with each introspection (how the AS knows this caller). */
    resourceServer: z
      .string()
      .min(1, 'must not be empty')
      .max(255, 'must be at most 255 characters')
      .optional(),
    /** Verify each revoked token by introspection. @default true */
    verify: z.boolean().optional(),
  })
  .refine((c) => (c.privateKeyFile === undefined) !== (c.privateKey === undefined), {
    message: 'set exactly one of privateKeyFile, privateKey',
    path: ['privateKeyFile'],
  });

function isEd25519Private(key: KeyObject | undefined): key is KeyObject {
  return key?.type === 'private' && key.asymmetricKeyType === 'ed25519';
}

/**
 * The connection's signing key. Thrown when unreadable or not an Ed25519 private key: ConfigError
 * naming the field. Messages never include key material (a wrong inline key may still be a secret).
 */
export function loadSigningKey(name: string, c: { privateKeyFile?: string; privateKey?: string }): KeyObject {
  if (c.privateKeyFile !== undefined) {
    const field = `open-payments.${name}.privateKeyFile`;
    let key: KeyObject;
    try {
      // The library's loader checks the curve too; its messages hold the path only.
      key = loadKey(c.privateKeyFile);
    } catch (err) {
      const reason = err instanceof Error ? err.message : 'unreadable';
      throw new ConfigError(field, `${reason} (need a PEM Ed25519 private key)`);
    }
    if (!isEd25519Private(key)) throw new ConfigError(field, 'is not an Ed25519 private key');
    return key;
  }
  const field = `open-payments.${name}.privateKey`;
  const text = (c.privateKey ?? '').trim();
  let key: KeyObject | undefined;
  try {
    key = text.startsWith('-----BEGIN') ? createPrivateKey(text) : loadBase64Key(text);
  } catch {
    key = undefined;
  }
  if (!isEd25519Private(key)) {
    throw new ConfigError(field, 'is not an Ed25519 private key (PEM, or base64 of the PEM)');
  }
  return key;
}

export const openPaymentsConnections: ConnectionSection<typeof schema, OpenPaymentsAdapter> = {
  schema,
  build: (name, c) =>
    new OpenPaymentsAdapter({
      privateKey: loadSigningKey(name, c),
      keyId: c.keyId,
      ...(c.walletAddressUrl !== undefined ? { walletAddressUrl: c.walletAddressUrl } : {}),
      ...(c.allowInsecureHttp !== undefined ? { allowInsecureHttp: c.allowInsecureHttp } : {}),
      ...(c.requestTimeoutMs !== undefined ? { requestTimeoutMs: c.requestTimeoutMs } : {}),
      ...(c.introspectionEndpoint !== undefined ? { introspectionEndpoint: c.introspectionEndpoint } : {}),
      ...(c.resourceServer !== undefined ? { resourceServer: c.resourceServer } : {}),
      ...(c.verify !== undefined ? { verify: c.verify } : {}),
    }),
};
