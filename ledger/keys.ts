import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { LedgerConfigError } from './errors';

/** The checkpoint keys: `signing` to write, `verifying` to verify (derived from signing when unset). */
export interface LedgerKeys {
  signing?: KeyObject;
  verifying?: KeyObject;
}

function parse(text: string, option: 'signingKey' | 'publicKey'): KeyObject {
  const trimmed = text.trim();
  let key: KeyObject;
  try {
    if (trimmed.startsWith('{')) {
      const jwk = JSON.parse(trimmed) as Record<string, unknown>;
      key =
        option === 'signingKey'
          ? createPrivateKey({ key: jwk, format: 'jwk' })
          : createPublicKey({ key: jwk, format: 'jwk' });
    } else {
      key = option === 'signingKey' ? createPrivateKey(trimmed) : createPublicKey(trimmed);
    }
  } catch (err) {
    // The cause's message can quote key bytes: keep only its name.
    const what =
      option === 'signingKey'
        ? 'an Ed25519 private key (PEM PKCS#8 or JWK)'
        : 'an Ed25519 public key (PEM SPKI or JWK)';
    throw new LedgerConfigError(option, `is not ${what} (${err instanceof Error ? err.name : 'unreadable'})`);
  }
  if (key.asymmetricKeyType !== 'ed25519')
    throw new LedgerConfigError(
      option,
      `must be an Ed25519 key, not ${key.asymmetricKeyType ?? 'a symmetric key'}`,
    );
  return key;
}

export function loadKeys(options: { signingKey?: string; publicKey?: string }): LedgerKeys {
  const signing = options.signingKey ? parse(options.signingKey, 'signingKey') : undefined;
  const verifying = options.publicKey
    ? parse(options.publicKey, 'publicKey')
    : signing
      ? createPublicKey(signing)
      : undefined;
  return { signing, verifying };
}
