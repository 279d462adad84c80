import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import {
  connect as connectHttp2,
  createSecureServer,
  type ClientHttp2Session,
  type ServerHttp2Session,
  type IncomingHttpHeaders,
  type OutgoingHttpHeaders,
} from 'node:http2';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generate } from 'selfsigned';

export interface TestPki {
  dir: string;
  caCertPath: string;
  serverCertPath: string;
  serverKeyPath: string;
  clientCertPath: string;
  clientKeyPath: string;
}

/** A test CA, a server certificate for localhost/127.0.0.1 and a client certificate, as PEM files. */
export async function createTestPki(): Promise<TestPki> {
  const dir = mkdtempSync(join(tmpdir(), 'revocation-pki-'));
  const common = { keyType: 'ec', curve: 'P-256', algorithm: 'sha256' } as const;
  const ca = await generate([{ name: 'commonName', value: 'revocation test CA' }], {
    ...common,
    extensions: [
      { name: 'basicConstraints', cA: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true },
    ],
  });
  const signer = { key: ca.private, cert: ca.cert };
  const server = await generate([{ name: 'commonName', value: 'localhost' }], {
    ...common,
    ca: signer,
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 2, value: 'localhost' },
          { type: 7, ip: '127.0.0.1' },
        ],
      },
    ],
  });
  const client = await generate([{ name: 'commonName', value: 'revocation-worker' }], {
    ...common,
    ca: signer,
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true },
      { name: 'extKeyUsage', clientAuth: true },
    ],
  });
  const file = (name: string, pem: string) => {
    const path = join(dir, name);
    writeFileSync(path, pem, { mode: 0o600 });
    return path;
  };
  return {
    dir,
    caCertPath: file('ca.pem', ca.cert),
    serverCertPath: file('server.pem', server.cert),
    serverKeyPath: file('server-key.pem', server.private),
    clientCertPath: file('client.pem', client.cert),
    clientKeyPath: file('client-key.pem', client.private),
  };
}

export interface TlsFront {
  /** `127.0.0.1:<port>`, to use as TEMPORAL_ADDRESS. */
  address: string;
  /** gRPC calls forwarded to Temporal. */
  forwarded: number;
  /** gRPC calls refused for a missing or wrong API key. */
  refusedApiKey: number;
  /** TLS handshakes that failed (for example without a client certificate). */
  handshakeFailures: number;
  close(): Promise<void>;
}

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'proxy-connection']);

function forwardable(headers: IncomingHttpHeaders, drop: readonly string[]): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  for (const [k, v] of Object.entries(headers))
    if (v !== undefined && !HOP_BY_HOP.has(k) && !drop.includes(k)) out[k] = v;
  return out;
}

/**
 * A TLS front for a plaintext Temporal dev server, as a TLS-terminating proxy or Temporal Cloud
 * would be: HTTP/2 over TLS with ALPN h2, a client certificate signed by the test CA required, and
 * (optionally) `authorization: Bearer <apiKey>` on every call. Each gRPC stream goes through as is:
 * request headers and body, then response headers, body and trailers.
 */
export async function startTlsFront(options: {
  pki: TestPki;
  upstream: string;
  apiKey?: string;
}): Promise<TlsFront> {
  let upstream: ClientHttp2Session | undefined;
  const session = () => {
    if (!upstream || upstream.closed || upstream.destroyed) {
      upstream = connectHttp2(`http://${options.upstream}`);
      upstream.on('error', () => undefined);
    }
    return upstream;
  };
  const server = createSecureServer({
    key: readFileSync(options.pki.serverKeyPath),
    cert: readFileSync(options.pki.serverCertPath),
    ca: readFileSync(options.pki.caCertPath),
    requestCert: true,
    rejectUnauthorized: true,
    ALPNProtocols: ['h2'],
  });
  const sessions = new Set<ServerHttp2Session>();
  const front: TlsFront = {
    address: '',
    forwarded: 0,
    refusedApiKey: 0,
    handshakeFailures: 0,
    close: () =>
      new Promise((resolve) => {
        upstream?.close();
        server.close(() => resolve());
        // Open client sessions would keep close() waiting.
        for (const s of sessions) s.destroy();
      }),
  };
  server.on('session', (s) => {
    sessions.add(s);
    s.once('close', () => sessions.delete(s));
  });
  server.on('tlsClientError', () => front.handshakeFailures++);
  server.on('stream', (stream, headers) => {
    stream.on('error', () => undefined);
    if (options.apiKey !== undefined && headers.authorization !== `Bearer ${options.apiKey}`) {
      front.refusedApiKey++;
      stream.respond(
        {
          ':status': 200,
          'content-type': 'application/grpc',
          'grpc-status': '16', // UNAUTHENTICATED
          'grpc-message': 'invalid API key',
        },
        { endStream: true },
      );
      return;
    }
    front.forwarded++;
    const up = session().request(forwardable(headers, [':scheme', ':authority', 'authorization']));
    up.on('error', () => stream.destroy());
    stream.on('close', () => up.close());
    let trailers: OutgoingHttpHeaders | undefined;
    up.on('trailers', (t) => (trailers = forwardable(t, [])));
    up.on('response', (h) => {
      const response = forwardable(h, []);
      if ('grpc-status' in h) {
        // Trailers-only response (an error at once): headers and end of stream together.
        stream.respond(response, { endStream: true });
        return;
      }
      stream.respond(response, { waitForTrailers: true });
      stream.on('wantTrailers', () => stream.sendTrailers(trailers ?? {}));
      up.pipe(stream);
    });
    stream.pipe(up);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  front.address = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  return front;
}
