import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Payload } from '@temporalio/common';
import { AesGcmPayloadCodec, PayloadDecryptionError, type CodecKeyring } from '../common/payload-codec';

export interface CodecServerOptions {
  keyring: CodecKeyring;
  /** The bearer token every request must carry. */
  token: string;
  /** Web UI origins allowed by CORS, exactly as the browser sends them (`https://ui.example.com`). */
  allowedOrigins: readonly string[];
  /** Largest accepted request body. @default 4 MiB */
  maxBodyBytes?: number;
  /** When set, only these namespaces (the `X-Namespace` header) are served. @default all */
  namespaces?: readonly string[];
  /**
   * Also accept the token as the path segment before `/encode` or `/decode`
   * (`http://host:port/<token>/decode`), for a Web UI that cannot send an Authorization header
   * (the dev server's UI has no login, so no access token). @default false
   */
  acceptTokenInPath?: boolean;
}

/** The protocol's JSON form of a payload: protobuf JSON, bytes as base64. */
interface JsonPayload {
  metadata?: Record<string, string>;
  data?: string;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

const DEFAULT_MAX_BODY_BYTES = 4 * 1024 * 1024;
const OPERATIONS = new Set(['encode', 'decode']);
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

const digest = (s: string) => createHash('sha256').update(s).digest();

/** Constant-time comparison: both sides are hashed first, so lengths leak nothing either. */
function sameSecret(given: string, expected: Buffer): boolean {
  return timingSafeEqual(digest(given), expected);
}

function bytesField(value: unknown, field: string): Uint8Array {
  if (value === undefined || value === null) return new Uint8Array();
  if (typeof value !== 'string' || !BASE64.test(value) || value.length % 4 !== 0)
    throw new HttpError(400, `${field} must be base64`);
  return Buffer.from(value, 'base64');
}

function parsePayloads(body: Buffer): Payload[] {
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch {
    throw new HttpError(400, 'body must be JSON {"payloads": [...]}');
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json))
    throw new HttpError(400, 'body must be a JSON object {"payloads": [...]}');
  // Protobuf JSON leaves out empty repeated fields: `{}` is zero payloads (the CLI sends it).
  const list = (json as { payloads?: unknown }).payloads ?? [];
  if (!Array.isArray(list)) throw new HttpError(400, 'payloads must be an array');
  return list.map((item: unknown, i) => {
    if (typeof item !== 'object' || item === null)
      throw new HttpError(400, `payloads[${i}] must be an object`);
    const { metadata, data } = item as { metadata?: unknown; data?: unknown };
    if (
      metadata !== undefined &&
      (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata))
    )
      throw new HttpError(400, `payloads[${i}].metadata must be an object`);
    const meta: Record<string, Uint8Array> = {};
    for (const [k, v] of Object.entries((metadata ?? {}) as Record<string, unknown>))
      meta[k] = bytesField(v, `payloads[${i}].metadata.${k}`);
    return { metadata: meta, data: bytesField(data, `payloads[${i}].data`) };
  });
}

function toJson(payloads: Payload[]): { payloads: JsonPayload[] } {
  return {
    payloads: payloads.map((p) => ({
      metadata: Object.fromEntries(
        Object.entries(p.metadata ?? {}).map(([k, v]) => [
          k,
          Buffer.from(v ?? new Uint8Array()).toString('base64'),
        ]),
      ),
      data: Buffer.from(p.data ?? new Uint8Array()).toString('base64'),
    })),
  };
}

/** Reads the body, refusing it as soon as it passes `max` bytes (declared or actually sent). */
function readBody(req: IncomingMessage, max: number): Promise<Buffer> {
  const tooLarge = () => new HttpError(413, `request body is larger than ${max} bytes`);
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > max) return Promise.reject(tooLarge());
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= max) {
        chunks.push(chunk);
        return;
      }
      // Stop reading, but keep the socket: the 413 still has to go out on it.
      req.off('data', onData);
      req.pause();
      reject(tooLarge());
    };
    req.on('data', onData);
    req.once('end', () => resolve(Buffer.concat(chunks)));
    req.once('error', reject);
  });
}

/**
 * Temporal's remote codec protocol over the project's payload codec: `POST …/encode` and
 * `POST …/decode` with `{payloads: [...]}` bodies, so the Web UI and the CLI show plaintext while
 * the history at rest stays ciphertext. Only the last path segment selects the operation (the
 * protocol lets a server be mounted at any depth). Every request needs the bearer token;
 * CORS answers only the configured origins.
 */
export function createCodecServer(options: CodecServerOptions): Server {
  return createServer(codecRequestHandler(options));
}

/** The request handler of {@link createCodecServer}, for mounting under `node:https` or another server. */
export function codecRequestHandler(
  options: CodecServerOptions,
): (req: IncomingMessage, res: ServerResponse) => void {
  if (!options.token) throw new Error('codec server token must not be empty');
  const codec = new AesGcmPayloadCodec(options.keyring);
  const expected = digest(options.token);
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const origins = new Set(options.allowedOrigins);
  const namespaces = options.namespaces ? new Set(options.namespaces) : undefined;

  function corsHeaders(origin: string | undefined): Record<string, string> {
    if (!origin || !origins.has(origin)) return { Vary: 'Origin' };
    return {
      'Access-Control-Allow-Origin': origin,
      // The UI's "include cross-origin credentials" setting sends cookies; allowed for this exact origin only.
      'Access-Control-Allow-Credentials': 'true',
      Vary: 'Origin',
    };
  }

  function authorized(req: IncomingMessage, pathToken: string | undefined): boolean {
    const header = req.headers.authorization;
    const bearer = header && /^Bearer\s+(.+)$/i.exec(header.trim())?.[1];
    if (bearer && sameSecret(bearer, expected)) return true;
    return options.acceptTokenInPath === true && pathToken !== undefined && sameSecret(pathToken, expected);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const origin = req.headers.origin;
    const cors = corsHeaders(origin);
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      const text = JSON.stringify(body);
      res.writeHead(status, {
        ...cors,
        ...headers,
        'Content-Type': 'application/json',
        'Content-Length': Buffer.byteLength(text),
        'Cache-Control': 'no-store',
      });
      res.end(text);
    };
    try {
      const segments = new URL(req.url ?? '/', 'http://codec.invalid').pathname.split('/').filter(Boolean);
      const operation = segments.at(-1);
      if (!operation || !OPERATIONS.has(operation))
        throw new HttpError(404, 'not found; POST /encode or /decode');
      let pathToken: string | undefined;
      try {
        pathToken = segments.length > 1 ? decodeURIComponent(segments.at(-2) as string) : undefined;
      } catch {
        pathToken = undefined;
      }

      if (origin !== undefined && !origins.has(origin))
        throw new HttpError(403, 'origin not allowed; set REVOCATION_CODEC_SERVER_ALLOWED_ORIGINS');
      if (req.method === 'OPTIONS') {
        res.writeHead(204, {
          ...cors,
          'Access-Control-Allow-Methods': 'POST, OPTIONS',
          'Access-Control-Allow-Headers': 'X-Namespace, Content-Type, Authorization',
          'Access-Control-Max-Age': '600',
        });
        res.end();
        return;
      }
      if (req.method !== 'POST') throw new HttpError(405, 'method not allowed', { Allow: 'POST, OPTIONS' });
      if (!authorized(req, pathToken))
        throw new HttpError(401, 'a valid bearer token is required', { 'WWW-Authenticate': 'Bearer' });
      const namespace = req.headers['x-namespace'];
      if (namespaces && (typeof namespace !== 'string' || !namespaces.has(namespace)))
        throw new HttpError(403, 'X-Namespace is not served by this codec server');

      const payloads = parsePayloads(await readBody(req, maxBodyBytes));
      let result: Payload[];
      try {
        result = operation === 'encode' ? await codec.encode(payloads) : await codec.decode(payloads);
      } catch (err) {
        if (err instanceof PayloadDecryptionError) throw new HttpError(400, err.message);
        throw err;
      }
      send(200, toJson(result));
    } catch (err) {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      if (err instanceof HttpError) {
        // A refused body may still be arriving: answer, then close instead of reading the rest.
        const close: Record<string, string> = err.status === 413 ? { Connection: 'close' } : {};
        send(err.status, { error: err.message, code: err.status }, { ...err.headers, ...close });
      } else send(500, { error: 'internal error', code: 500 });
    }
  }

  return (req, res) => void handle(req, res);
}
