/**
 * Reading the client's request body: a size limit enforced while reading,
 * JSON parsing, and the one rewrite billing needs (stream_options) done
 * without re-serialising numbers that JavaScript would round.
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

/**
 * Returns the body text with `stream_options.include_usage` set to true.
 *
 * When the client sent no stream_options, the key is inserted after the
 * opening brace and every other byte stays as sent. Otherwise the body is
 * re-serialised with every number kept as its source text (JSON.rawJSON),
 * so a 64-bit `seed` is not rounded on the way upstream.
 */
export function withIncludeUsage(text: string, body: Record<string, unknown>): string {
  if (!('stream_options' in body)) {
    const brace = text.indexOf('{');
    const rest = text.slice(brace + 1);
    const separator = /^\s*}/.test(rest) ? '' : ',';
    return `${text.slice(0, brace + 1)}"stream_options":{"include_usage":true}${separator}${rest}`;
  }

  const rawJSON = (JSON as unknown as JsonWithRaw).rawJSON;
  const keepNumbers: ReviverWithSource = (_key, value, context) =>
    typeof value === 'number' && context.source !== undefined ? rawJSON(context.source) : value;

  const preserved = JSON.parse(text, keepNumbers as Parameters<typeof JSON.parse>[1]) as Record<string, unknown>;
  const options = preserved.stream_options;
  const merged = options !== null && typeof options === 'object' && !Array.isArray(options) ? options : {};

  preserved.stream_options = { ...merged, include_usage: true };
  return JSON.stringify(preserved);
}

function tooLarge(limit: number): GatewayError {
  return new GatewayError('request_too_large', `The request body is larger than the limit of ${limit} bytes.`);
}
