/**
 * The connection to the OpenAI-compatible upstream (undici). Only the
 * headers in FORWARDED_REQUEST_HEADERS reach it; the customer's key never
 * does, and the upstream key is set here and nowhere else.
 */
import { Pool, errors as undiciErrors } from 'undici';
import type { Dispatcher } from 'undici';

import { GatewayError } from '../errors.ts';

const FORWARDED_REQUEST_HEADERS = ['accept', 'openai-beta', 'user-agent', 'x-stainless-helper-method'];

/** Response headers passed back to the client: content type, upstream ids, processing time and rate limits. */
const RETURNED_RESPONSE_HEADERS = new Set([
  'content-type',
  'x-request-id',
  'openai-processing-ms',
  'openai-version',
  'retry-after',
  'retry-after-ms',
]);

const STREAM_OPTIONS_RETRY_MS = 60 * 60 * 1000;

export interface UpstreamOptions {
  baseUrl: URL;
  apiKey: string;
  connectTimeoutMs: number;
  headersTimeoutMs: number;
  bodyTimeoutMs: number;
}

export interface UpstreamResponse {
  status: number;
  headers: Record<string, string>;
  contentType: string;
  body: Dispatcher.ResponseData['body'];
}

export class Upstream {
  readonly #pool: Pool;
  readonly #basePath: string;
  readonly #apiKey: string;

  /** Until when streams are sent without stream_options, in ms since the epoch. */
  #streamOptionsRejectedUntil = 0;

  constructor(options: UpstreamOptions) {
    this.#pool = new Pool(options.baseUrl.origin, {
      connect: { timeout: options.connectTimeoutMs },
      headersTimeout: options.headersTimeoutMs,
      bodyTimeout: options.bodyTimeoutMs,
      keepAliveTimeout: 30_000,
    });
    this.#basePath = options.baseUrl.pathname.replace(/\/+$/, '');
    this.#apiKey = options.apiKey;
  }

  /**
   * Sends one POST upstream. `route` is the path after the base URL, such as
   * '/chat/completions'. Connection failures become 502 and timeouts before
   * the response headers 504, in OpenAI's error shape.
   */
  async post(route: string, search: string, body: string | Uint8Array, clientHeaders: Headers, signal: AbortSignal): Promise<UpstreamResponse> {
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'accept-encoding': 'identity',
      authorization: `Bearer ${this.#apiKey}`,
    };

    for (const name of FORWARDED_REQUEST_HEADERS) {
      const value = clientHeaders.get(name);
      if (value !== null) {
        headers[name] = value;
      }
    }

    try {
      const response = await this.#pool.request({
        method: 'POST',
        path: `${this.#basePath}${route}${search}`,
        headers,
        body,
        signal,
      });

      return {
        status: response.statusCode,
        headers: returnedHeaders(response.headers),
        contentType: String(response.headers['content-type'] ?? ''),
        body: response.body,
      };
    } catch (error) {
      throw toGatewayError(error);
    }
  }

  /**
   * Returns whether the upstream recently rejected stream_options (older Azure
   * api-versions, Groq in 2024); usage then comes from the finish chunk or
   * is estimated.
   */
  rejectsStreamOptions(): boolean {
    return Date.now() < this.#streamOptionsRejectedUntil;
  }

  /** Sends streams without stream_options for the next hour, after which the upstream is asked again. */
  markStreamOptionsRejected(): void {
    this.#streamOptionsRejectedUntil = Date.now() + STREAM_OPTIONS_RETRY_MS;
  }

  /** Waits for the responses in progress, then closes the connections. */
  async close(): Promise<void> {
    await this.#pool.close();
  }

  /** Aborts the responses in progress and closes the connections. */
  async destroy(): Promise<void> {
    await this.#pool.destroy();
  }
}

function returnedHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const kept: Record<string, string> = {};

  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) {
      continue;
    }
    if (RETURNED_RESPONSE_HEADERS.has(name) || name.startsWith('x-ratelimit-')) {
      kept[name] = Array.isArray(value) ? value.join(', ') : value;
    }
  }
  return kept;
}

/** Maps an undici failure before the response headers to a client-facing error without upstream details. */
export function toGatewayError(error: unknown): GatewayError {
  if (error instanceof GatewayError) {
    return error;
  }
  if (error instanceof undiciErrors.HeadersTimeoutError || error instanceof undiciErrors.ConnectTimeoutError) {
    return new GatewayError('upstream_timeout', 'The upstream timed out before it responded.', { cause: error });
  }
  return new GatewayError('upstream_error', 'The upstream could not be reached.', { cause: error });
}
