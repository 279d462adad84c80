import {
  getKeyId,
  validateSignature,
  validateSignatureHeaders,
  type JWK,
  type RequestLike,
} from '@interledger/http-signature-utils';
import type { SignatureCheck } from './public-types';

export interface SignatureFields {
  signature?: string;
  signatureInput?: string;
  keyId?: string;
  created?: number;
}

/** The signature headers as sent, for the request log. */
export function signatureFields(req: RequestLike): SignatureFields {
  const signature = req.headers['signature'];
  const signatureInput = req.headers['signature-input'];
  const out: SignatureFields = {};
  if (typeof signature === 'string') out.signature = signature;
  if (typeof signatureInput === 'string') {
    out.signatureInput = signatureInput;
    const keyId = getKeyId(signatureInput);
    if (keyId !== undefined) out.keyId = keyId;
    const created = /;created=(\d+)/.exec(signatureInput)?.[1];
    if (created !== undefined) out.created = Number(created);
  }
  return out;
}

/**
 * Verifies a request the way Rafiki does, with the library's own verifier: the headers first
 * (`validateSignatureHeaders`), then the client's key by the Signature-Input key id, then
 * `validateSignature` over the exact absolute URL, the lower-case headers and the raw body.
 * `keys` is the client's JWKS, or undefined when the token or grant names no known client.
 */
export async function checkSignature(req: RequestLike, keys: JWK[] | undefined): Promise<SignatureCheck> {
  const { signature, signatureInput, keyId } = signatureFields(req);
  if (signature === undefined || signatureInput === undefined) return 'missing';
  if (!validateSignatureHeaders(req)) return 'malformed';
  if (keys === undefined) return 'no-client';
  const key = keys.find((k) => k.kid === keyId);
  if (!key) return 'unknown-key-id';
  try {
    return (await validateSignature(key, req)) ? 'verified' : 'mismatch';
  } catch {
    // A signature that is not base64, or a key the library cannot import.
    return 'mismatch';
  }
}
