import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';

const ENCODING = 'binary/encrypted';
const KEY_ID = 'encryption-key-id';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** Named AES-256 keys; `currentKeyId` encrypts, every key decrypts. */
export interface CodecKeyring {
  currentKeyId: string;
  keys: ReadonlyMap<string, Buffer>;
}

/** Thrown when a payload names a key this process does not have, or fails authentication. */
export class PayloadDecryptionError extends Error {
  override readonly name = 'PayloadDecryptionError';
  constructor(
    message: string,
    readonly keyId: string,
    options?: { cause: unknown },
  ) {
    super(message, options);
  }
}

const utf8 = (s: string) => new TextEncoder().encode(s);

/**
 * AES-256-GCM over the whole proto-encoded payload, so metadata such as the encoding is hidden too.
 * Layout of `data`: 12-byte IV, ciphertext, 16-byte tag. Payloads not marked encrypted pass through.
 */
export class AesGcmPayloadCodec implements PayloadCodec {
  constructor(private readonly keyring: CodecKeyring) {
    const current = keyring.keys.get(keyring.currentKeyId);
    if (!current) throw new Error(`codec key "${keyring.currentKeyId}" is not in the keyring`);
    for (const [id, key] of keyring.keys) {
      if (key.length !== 32) throw new Error(`codec key "${id}" must be 32 bytes, got ${key.length}`);
    }
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    const keyId = this.keyring.currentKeyId;
    const key = this.keyring.keys.get(keyId) as Buffer;
    return payloads.map((payload) => {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const plain = temporal.api.common.v1.Payload.encode(payload).finish();
      const data = Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
      return { metadata: { encoding: utf8(ENCODING), [KEY_ID]: utf8(keyId) }, data };
    });
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => {
      const encoding = payload.metadata?.encoding;
      if (!encoding || Buffer.from(encoding).toString() !== ENCODING) return payload;
      const keyIdBytes = payload.metadata?.[KEY_ID];
      const keyId = keyIdBytes ? Buffer.from(keyIdBytes).toString() : '';
      const key = this.keyring.keys.get(keyId);
      if (!key)
        throw new PayloadDecryptionError(`no codec key "${keyId}" configured to decrypt this payload`, keyId);
      const data = Buffer.from(payload.data ?? new Uint8Array());
      const iv = data.subarray(0, IV_BYTES);
      const tag = data.subarray(data.length - TAG_BYTES);
      const decipher = createDecipheriv('aes-256-gcm', key, iv);
      decipher.setAuthTag(tag);
      try {
        const plain = Buffer.concat([
          decipher.update(data.subarray(IV_BYTES, data.length - TAG_BYTES)),
          decipher.final(),
        ]);
        return temporal.api.common.v1.Payload.decode(plain);
      } catch (cause) {
        throw new PayloadDecryptionError(`payload failed authentication with codec key "${keyId}"`, keyId, {
          cause,
        });
      }
    });
  }
}
