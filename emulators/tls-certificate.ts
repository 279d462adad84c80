import { isIP } from 'node:net';
import { generate } from 'selfsigned';

export interface TlsMaterial {
  privateKeyPem: string;
  certificatePem: string;
}

type AltName = { type: 2; value: string } | { type: 7; ip: string };

/**
 * The SDK always dials with TLS (no plaintext through Session) and cannot override the target name,
 * so the certificate must name whatever host the client connects to.
 */
export async function generateSelfSignedCertificate(host: string): Promise<TlsMaterial> {
  const altNames: AltName[] = [
    { type: 2, value: 'localhost' },
    { type: 7, ip: '127.0.0.1' },
    { type: 7, ip: '::1' },
  ];
  const wildcard = host === '0.0.0.0' || host === '::';
  const alreadyNamed = altNames.some((n) => (n.type === 2 ? n.value === host : n.ip === host));
  if (!wildcard && !alreadyNamed)
    altNames.push(isIP(host) ? { type: 7, ip: host } : { type: 2, value: host });

  const pems = await generate([{ name: 'commonName', value: 'localhost' }], {
    // EC keys keep start-up in the tens of milliseconds, which matters for per-test emulators.
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames },
    ],
  });
  return { privateKeyPem: pems.private, certificatePem: pems.cert };
}
