import type { Status as SdkStatus } from '@yandex-cloud/nodejs-sdk/google/rpc/status';
import { scrubSecrets, type Status } from '../../api';

type Detail = Status['details'][number];
type Any = SdkStatus['details'][number];

const REQUEST_INFO = 'type.googleapis.com/google.rpc.RequestInfo';
const ERROR_INFO = 'type.googleapis.com/google.rpc.ErrorInfo';
const BAD_REQUEST = 'type.googleapis.com/google.rpc.BadRequest';

interface Field {
  no: number;
  bytes: Uint8Array;
}

function readVarint(buf: Uint8Array, at: number): [value: number, next: number] {
  let value = 0;
  let shift = 0;
  let i = at;
  for (;;) {
    const byte = buf[i++];
    if (byte === undefined || shift > 49) throw new RangeError('truncated varint');
    value += (byte & 0x7f) * 2 ** shift;
    if (byte < 0x80) return [value, i];
    shift += 7;
  }
}

/**
 * The length-delimited fields of a protobuf message, in order; other wire types are skipped. The
 * SDK ships google.rpc.Status but no codecs for the google.rpc error details, whose fields are all
 * strings or string maps.
 */
function lengthDelimitedFields(buf: Uint8Array): Field[] {
  const fields: Field[] = [];
  let i = 0;
  while (i < buf.length) {
    const [tag, afterTag] = readVarint(buf, i);
    const wireType = tag & 7;
    i = afterTag;
    if (wireType === 0) i = readVarint(buf, i)[1];
    else if (wireType === 1) i += 8;
    else if (wireType === 5) i += 4;
    else if (wireType === 2) {
      const [length, start] = readVarint(buf, i);
      if (start + length > buf.length) throw new RangeError('truncated field');
      fields.push({ no: Math.floor(tag / 8), bytes: buf.subarray(start, start + length) });
      i = start + length;
    } else throw new RangeError(`unsupported wire type ${wireType}`);
  }
  return fields;
}

const text = (bytes: Uint8Array): string => Buffer.from(bytes).toString('utf8');

/** proto3 JSON of one google.rpc detail; a type the engine does not know keeps its bytes as base64. */
function detailJson(any: Any, secrets: ReadonlyArray<string | undefined>): Detail {
  const scrub = (s: string) => scrubSecrets(s, secrets);
  try {
    const fields = lengthDelimitedFields(any.value);
    const str = (no: number) => fields.filter((f) => f.no === no).map((f) => scrub(text(f.bytes)))[0];
    if (any.typeUrl === REQUEST_INFO) {
      const [requestId, servingData] = [str(1), str(2)];
      return {
        '@type': REQUEST_INFO,
        ...(requestId ? { requestId } : {}),
        ...(servingData ? { servingData } : {}),
      };
    }
    if (any.typeUrl === ERROR_INFO) {
      const metadata: Record<string, string> = {};
      for (const entry of fields.filter((f) => f.no === 3)) {
        const kv = lengthDelimitedFields(entry.bytes);
        const key = kv.find((f) => f.no === 1);
        const value = kv.find((f) => f.no === 2);
        metadata[key ? text(key.bytes) : ''] = value ? scrub(text(value.bytes)) : '';
      }
      return { '@type': ERROR_INFO, reason: str(1) ?? '', domain: str(2) ?? '', metadata };
    }
    if (any.typeUrl === BAD_REQUEST) {
      const fieldViolations = fields
        .filter((f) => f.no === 1)
        .map((f) => {
          const v = lengthDelimitedFields(f.bytes);
          const get = (no: number) => scrub(text(v.find((x) => x.no === no)?.bytes ?? new Uint8Array()));
          return { field: get(1), description: get(2) };
        });
      return { '@type': BAD_REQUEST, fieldViolations };
    }
  } catch {
    // Not what its type URL says: keep it undecoded below rather than lose it.
  }
  const raw = Buffer.from(any.value);
  // Bytes cannot be scrubbed in place; a detail that echoes a secret keeps only its type.
  if (secrets.some((s) => s !== undefined && s.length >= 6 && raw.includes(s))) {
    return { '@type': any.typeUrl, redacted: true };
  }
  return { '@type': any.typeUrl, value: raw.toString('base64') };
}

/** The google.rpc details of a Yandex Status (an error trailer or an Operation's error), as JSON. */
export function statusDetailsJson(
  details: readonly Any[] | undefined,
  secrets: ReadonlyArray<string | undefined> = [],
): Detail[] {
  return (details ?? []).map((d) => detailJson(d, secrets));
}
