import { generateKeyPairSync } from 'node:crypto';
import { evidenceStatuses, providerKeys, type EvidenceRecord, type EvidenceStatus } from '../../api';

/** A fresh Ed25519 key pair as PEM (PKCS#8 private, SPKI public), as `npm start` writes one. */
export function ed25519Pem(): { privateKey: string; publicKey: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKey: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

const hex = (n: number, len: number): string => (n >>> 0).toString(16).padStart(len, '0').slice(-len);

/**
 * The i-th of a deterministic set of realistic records: single revocations and bulk-job targets over
 * every provider and status, with null fields, nested provider references and verifications, and
 * text that CSV must quote (commas, quotes, line breaks, non-ASCII).
 */
export function evidenceRecord(i: number, base = Date.UTC(2026, 0, 1), prefix = 'op'): EvidenceRecord {
  const single = i % 10 === 0;
  const job = `bulk-${prefix}-${Math.floor(i / 5000)}`;
  const operationId = single ? `revoke-${prefix}-${hex(i * 2654435761, 8)}-${i}` : job;
  const targetKey = single ? 'request' : `target/${i}`;
  const provider = providerKeys[i % providerKeys.length] ?? 'oauth2';
  const status: EvidenceStatus = evidenceStatuses[i % evidenceStatuses.length] ?? 'REVOKED';
  const failed = status === 'FAILED' || status === 'CANCELLED';
  const requestedAt = new Date(base + i * 1000).toISOString();
  const targets = [
    `refreshTokenId rt-${i}`,
    `revokeFilter subjectId=aje${i % 97}, clientId=yc.oauth.public-sdk`,
    `token sha256:${hex(i * 40503, 16)}`,
    `subject "o'brien-${i}"\nline two`,
    `Zoë's grant #${i}, continue URI`,
  ];
  return {
    recordId: `${operationId}/${targetKey}`,
    operationId,
    jobId: single ? null : job,
    targetKey,
    provider,
    connection: i % 3 === 0 ? 'prod' : 'default',
    target: targets[i % targets.length] ?? '',
    tokenFingerprint: i % 4 === 1 ? null : `sha256:${hex(i * 2246822519, 16)}`,
    subject: i % 6 === 2 ? null : i % 13 === 0 ? `Zoë, "Z" ${i % 50}` : `user-${i % 997}`,
    requestedBy: i % 2 ? 'hr-offboarding' : 'alice@host, on call',
    requestedAt,
    revokedAt: failed ? null : new Date(base + i * 1000 + 450).toISOString(),
    providerReference:
      i % 3 === 0
        ? { operationId: `e0m${hex(i, 12)}` }
        : i % 3 === 1
          ? { count: (i % 4) + 1, ids: [`rt-${i}`, `rt-${i + 1}`] }
          : {},
    verification:
      i % 4 === 0
        ? null
        : {
            state: i % 4 === 1 ? 'VERIFIED' : i % 4 === 2 ? 'UNVERIFIABLE' : 'STILL_ACTIVE',
            method: i % 4 === 2 ? 'none' : 'RFC 7662 token introspection',
            checkedAt: new Date(base + i * 1000 + 700).toISOString(),
            detail: i % 4 === 2 ? 'Google has no way to ask, "revoked" is all it says' : 'active: false',
          },
    attempts: (i % 3) + 1,
    status,
    errorCode: status === 'FAILED' ? 'UNAVAILABLE' : status === 'CANCELLED' ? 'CANCELLED' : null,
  };
}

/** Appends records `from` … `to - 1` in batches of `batch` (the fast path a bulk page takes). */
export async function fillLedger(
  ledger: { append(records: readonly EvidenceRecord[]): Promise<unknown> },
  from: number,
  to: number,
  options: { batch?: number; base?: number; prefix?: string } = {},
): Promise<void> {
  const batch = options.batch ?? 1000;
  for (let i = from; i < to; i += batch) {
    const records = [];
    for (let j = i; j < Math.min(to, i + batch); j++)
      records.push(evidenceRecord(j, options.base, options.prefix));
    await ledger.append(records);
  }
}
