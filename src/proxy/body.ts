/**
 * Reading the client's request body: a size limit enforced while reading,
 * JSON parsing, and the rewrites billing needs (stream_options and an output
 * cap) done without re-serialising numbers that JavaScript would round.
 */
import { GatewayError } from '../errors.ts';

/** Reads at most `limit` bytes of a request body; throws 413 past that. */
export async function readBody(request: Request, limit: number): Promise<Uint8Array> {
  const declared = request.headers.get('content-length');

  if (declared !== null && Number(declared) > limit) {
    throw tooLarge(limit);
  }
  if (!request.body) {
    return new Uint8Array(0);
  }

  const chunks: Uint8Array[] = [];
  let size = 0;

  for await (const chunk of request.body) {
    size += chunk.byteLength;
    if (size > limit) {
      throw tooLarge(limit);
    }
    chunks.push(chunk);
  }

  return Buffer.concat(chunks);
}

/** Parses a body that must be a JSON object. */
export function parseJsonObject(bytes: Uint8Array): Record<string, unknown> {
  let value: unknown;

  try {
    value = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'));
  } catch (error) {
    throw new GatewayError('invalid_json', `The request body is not valid JSON: ${(error as Error).message}`);
  }

  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new GatewayError('invalid_json', 'The request body must be a JSON object.');
  }
  return value as Record<string, unknown>;
}

interface JsonWithRaw {
  rawJSON(text: string): unknown;
}

type ReviverWithSource = (key: string, value: unknown, context: { source?: string }) => unknown;

export interface BodyChanges {
  /** Set `stream_options.include_usage` to true. */
  includeUsage: boolean;
  /** Top-level fields to set, such as an output cap the request left out or set to null. */
  add: Record<string, number>;
}

/**
 * Returns the body text with the changes billing needs applied.
 *
 * New keys are inserted after the opening brace and every other byte stays
 * as sent. Only when a changed key is already in the body (the client's own
 * stream_options, or a cap set to null) is the body re-serialised, with every number kept as its source text
 * (JSON.rawJSON), so a 64-bit `seed` is not rounded on the way upstream.
 */
export function rewriteBody(text: string, body: Record<string, unknown>, changes: BodyChanges): string {
  const additions: string[] = Object.entries(changes.add).map(([key, value]) => `${JSON.stringify(key)}:${JSON.stringify(value)}`);

  const insertOnly = (!changes.includeUsage || !('stream_options' in body)) && Object.keys(changes.add).every((key) => !(key in body));

  if (insertOnly) {
    if (changes.includeUsage) {
      additions.unshift('"stream_options":{"include_usage":true}');
    }
    if (additions.length === 0) {
      return text;
    }

    const brace = text.indexOf('{');
    const rest = text.slice(brace + 1);
    const separator = /^\s*}/.test(rest) ? '' : ',';
    return `${text.slice(0, brace + 1)}${additions.join(',')}${separator}${rest}`;
  }

  const rawJSON = (JSON as unknown as JsonWithRaw).rawJSON;
  const keepNumbers: ReviverWithSource = (_key, value, context) =>
    typeof value === 'number' && context.source !== undefined ? rawJSON(context.source) : value;

  const preserved = JSON.parse(text, keepNumbers as Parameters<typeof JSON.parse>[1]) as Record<string, unknown>;

  if (changes.includeUsage) {
    const options = preserved.stream_options;
    const merged = options !== null && typeof options === 'object' && !Array.isArray(options) ? options : {};
    preserved.stream_options = { ...merged, include_usage: true };
  }
  Object.assign(preserved, changes.add);
  return JSON.stringify(preserved);
}

function tooLarge(limit: number): GatewayError {
  return new GatewayError('request_too_large', `The request body is larger than the limit of ${limit} bytes.`);
}
