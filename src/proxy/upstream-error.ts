/**
 * Upstream responses that are not 2xx: the hold is released, nothing is
 * charged, and the client gets the upstream's error, except where the error
 * is about the gateway's own upstream account.
 */
import { GatewayError, errorResponse } from '../errors.ts';
import type { Hold, Ledger } from '../ledger/port.ts';
import { elapsed, releaseQuietly, type RequestSummary } from './request-log.ts';
import type { UpstreamResponse } from './upstream.ts';

/** Largest upstream error body read and passed back to the client. */
const MAX_ERROR_BODY_BYTES = 1 << 20;

export async function upstreamError(
  ledger: Ledger,
  hold: Hold | null,
  upstream: UpstreamResponse,
  text: string,
  summary: RequestSummary,
  finish: () => void,
): Promise<Response> {
  await releaseQuietly(ledger, hold, summary);
  finish();

  summary.log.info(
    { requestId: summary.requestId, customerId: summary.customerId, model: summary.model, endpoint: summary.endpoint, status: upstream.status, durationMs: elapsed(summary) },
    'upstream error; nothing charged',
  );

  // OpenAI's 401 echoes part of the key that was sent: that key is the
  // gateway's own, so the client gets a 502 without the upstream's body.
  if (upstream.status === 401 || upstream.status === 403) {
    summary.log.error({ requestId: summary.requestId, status: upstream.status }, 'the upstream rejected the gateway credentials; check UPSTREAM_API_KEY');
    return errorResponse(new GatewayError('upstream_error', 'The upstream rejected the gateway\'s credentials.'), { 'x-tollgate-request-id': summary.requestId });
  }

  // A 402, or a 429 insufficient_quota, is about the gateway's own upstream
  // account. Passed on, it would read like Tollgate's own 402 for the
  // customer's wallet.
  if (upstream.status === 402 || (upstream.status === 429 && /insufficient_quota/.test(text))) {
    summary.log.error({ requestId: summary.requestId, status: upstream.status }, 'the upstream account of the gateway has no credit or quota left');
    return errorResponse(new GatewayError('upstream_error', 'The gateway\'s upstream account has no quota left; the request was not charged. Retry later.'), { 'x-tollgate-request-id': summary.requestId });
  }

  const headers = responseHeaders(upstream, summary.requestId);

  if (isJsonErrorBody(text)) {
    return new Response(text, { status: upstream.status, headers: { ...headers, 'content-type': 'application/json' } });
  }

  const wrapped = {
    error: {
      message: `The upstream returned HTTP ${upstream.status} without a JSON error body.`,
      type: 'upstream_error',
      param: null,
      code: 'upstream_error',
    },
  };
  return new Response(JSON.stringify(wrapped), { status: upstream.status, headers: { ...headers, 'content-type': 'application/json' } });
}

export function responseHeaders(upstream: UpstreamResponse, requestId: string): Record<string, string> {
  return { ...upstream.headers, 'x-tollgate-request-id': requestId };
}

function isJsonErrorBody(text: string): boolean {
  try {
    const value = JSON.parse(text) as unknown;
    return value !== null && typeof value === 'object' && 'error' in value;
  } catch {
    return false;
  }
}

export async function readText(upstream: UpstreamResponse): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;

  try {
    for await (const chunk of upstream.body as AsyncIterable<Buffer>) {
      size += chunk.byteLength;
      if (size > MAX_ERROR_BODY_BYTES) {
        upstream.body.destroy();
        break;
      }
      chunks.push(chunk);
    }
  } catch {
    // A body cut off mid-way is still passed on as far as it arrived.
  }
  return Buffer.concat(chunks).toString('utf8');
}
