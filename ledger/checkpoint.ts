import type { KeyObject } from 'node:crypto';
import { CompactSign, compactVerify } from 'jose';
import { canonicalJson, sha256Hex } from './canonical';

export type CheckpointKind = 'interval' | 'job-end' | 'purge';

export interface StreamHead {
  seq: number;
  hash: string;
}

/** Where a purge cut one stream: the last removed row and how many rows it removed. */
export interface PurgedStream extends StreamHead {
  count: number;
}

/** What a checkpoint signs: every stream's head at that moment, bound to the previous checkpoint. */
export interface CheckpointPayload {
  v: 1;
  /** 1, 2, 3, … in the order checkpoints were written (across every writer). */
  id: number;
  kind: CheckpointKind;
  reason: string;
  at: string;
  heads: Record<string, StreamHead>;
  /** SHA-256 (hex) of the previous checkpoint's JWS, or null for the first. */
  prev: string | null;
  purge?: { before: string; streams: Record<string, PurgedStream> };
}

export const CHECKPOINT_TYP = 'evidence-checkpoint+jws';

export async function signCheckpoint(payload: CheckpointPayload, key: KeyObject): Promise<string> {
  return new CompactSign(new TextEncoder().encode(canonicalJson(payload)))
    .setProtectedHeader({ alg: 'EdDSA', typ: CHECKPOINT_TYP })
    .sign(key);
}

/** The payload of a checkpoint whose signature verifies with `key`; throws when it does not. */
export async function verifyCheckpoint(jws: string, key: KeyObject): Promise<CheckpointPayload> {
  const { payload, protectedHeader } = await compactVerify(jws, key, { algorithms: ['EdDSA'] });
  if (protectedHeader.typ !== CHECKPOINT_TYP) throw new Error(`typ is ${String(protectedHeader.typ)}`);
  const parsed = JSON.parse(new TextDecoder().decode(payload)) as CheckpointPayload;
  if (parsed.v !== 1 || typeof parsed.id !== 'number' || typeof parsed.heads !== 'object')
    throw new Error('not a ledger checkpoint payload');
  return parsed;
}

export const checkpointHash = (jws: string): string => sha256Hex(jws);
