import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Payload } from '@temporalio/common';
import { AesGcmPayloadCodec, type CodecKeyring } from '../../worker/payload-codec';

/**
 * A test-only codec endpoint for the Web UI: `POST /decode` and `/encode` with Temporal's remote
 * codec JSON, on 127.0.0.1, answering CORS only for the UI's origin. The Web UI needs one to show
 * anything the worker's codec encrypted, the static summary, details and current details included.
 * No auth: the production codec server (worker/codec-server.ts) has that; this one only serves the
 * browser test.
 */
export interface UiCodecEndpoint {
  url: string;
  /** How many payloads the UI asked to decode: proof the UI used this endpoint. */
  decoded(): number;
  close(): Promise<void>;
}

interface JsonPayload {
  metadata?: Record<string, string>;
  data?: string;
}

const toPayload = (p: JsonPayload): Payload => ({
  metadata: Object.fromEntries(
    Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')]),
  ),
  data: Buffer.from(p.data ?? '', 'base64'),
});

const toJson = (p: Payload): JsonPayload => ({
  metadata: Object.fromEntries(
    Object.entries(p.metadata ?? {}).map(([k, v]) => [
      k,
      Buffer.from(v ?? new Uint8Array()).toString('base64'),
    ]),
  ),
  data: Buffer.from(p.data ?? new Uint8Array()).toString('base64'),
});

async function body(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export async function startUiCodecEndpoint(
  keyring: CodecKeyring,
  uiOrigin: string,
): Promise<UiCodecEndpoint> {
  const codec = new AesGcmPayloadCodec(keyring);
  let decoded = 0;
  const server = createServer((req, res) => {
    if (req.headers.origin === uiOrigin) {
      res.setHeader('Access-Control-Allow-Origin', uiOrigin);
      res.setHeader('Access-Control-Allow-Headers', 'X-Namespace, Content-Type, Authorization');
      res.setHeader('Access-Control-Allow-Methods', 'POST, OPTIONS');
      res.setHeader('Access-Control-Allow-Credentials', 'true');
    }
    if (req.method === 'OPTIONS') {
      res.writeHead(204).end();
      return;
    }
    const op = req.url === '/decode' ? 'decode' : req.url === '/encode' ? 'encode' : undefined;
    if (req.method !== 'POST' || !op) {
      res.writeHead(404).end();
      return;
    }
    body(req)
      .then(async (text) => {
        const payloads = ((JSON.parse(text) as { payloads?: JsonPayload[] }).payloads ?? []).map(toPayload);
        const out = op === 'decode' ? await codec.decode(payloads) : await codec.encode(payloads);
        if (op === 'decode') decoded += payloads.length;
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ payloads: out.map(toJson) }));
      })
      .catch((err: unknown) => {
        res.writeHead(400, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ error: err instanceof Error ? err.name : 'bad request' }));
      });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    decoded: () => decoded,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
