/**
 * Webhook signatures.
 *
 * Every webhook POST carries two headers:
 * - `x-tollgate-timestamp`: the unix time in seconds when that attempt was sent;
 * - `x-tollgate-signature`: `v1=` followed by the lowercase hex HMAC-SHA256,
 *   keyed with the webhook secret, of the timestamp, a ".", and the raw body
 *   bytes exactly as received.
 *
 * A receiver recomputes the HMAC over the raw body (not a re-serialized
 * parse of it), compares in constant time, and rejects a timestamp far from
 * its own clock so that a captured request cannot be replayed later. Each
 * retry is signed again with a new timestamp but keeps its event id
 * (`x-tollgate-event-id`), so receivers drop duplicates by that id.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_VERSION = 'v1';

/** Default maximum distance, in seconds, between a signature's timestamp and the receiver's clock. */
export const DEFAULT_TOLERANCE_SECONDS = 300;

const TIMESTAMP_PATTERN = /^[0-9]{1,15}$/;
const HMAC_HEX_LENGTH = 64;

/** Computes the `x-tollgate-signature` value for a body sent at `timestamp` (unix seconds). */
export function signPayload(secret: string, timestamp: string, body: string | Uint8Array): string {
  return `${SIGNATURE_VERSION}=${hmacHex(secret, timestamp, body)}`;
}

export interface VerifyOptions {
  /** Maximum age or lead of the timestamp, in seconds; Infinity turns the check off. */
  toleranceSeconds?: number;
  /** The receiver's clock; the current time when left out. */
  now?: Date;
}

/**
 * Checks a received webhook: true when `header` contains a `v1=` signature of
 * `timestamp` and `body` under `secret` and the timestamp is within the
 * tolerance (300 s by default). The header may list several signatures
 * separated by commas; one match is enough.
 */
export function verifySignature(
  secret: string,
  timestamp: string | null | undefined,
  body: string | Uint8Array,
  header: string | null | undefined,
  options: VerifyOptions = {},
): boolean {
  if (typeof timestamp !== 'string' || !TIMESTAMP_PATTERN.test(timestamp) || typeof header !== 'string') {
    return false;
  }

  const tolerance = options.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
  const nowSeconds = Math.floor((options.now ?? new Date()).getTime() / 1000);
  if (Math.abs(nowSeconds - Number(timestamp)) > tolerance) {
    return false;
  }

  const expected = Buffer.from(hmacHex(secret, timestamp, body), 'hex');
  const candidates = header.split(',').map((part) => part.trim());

  return candidates.some((candidate) => {
    const [version, hex] = candidate.split('=', 2);

    if (version !== SIGNATURE_VERSION || hex === undefined || !/^[0-9a-fA-F]+$/.test(hex) || hex.length !== HMAC_HEX_LENGTH) {
      return false;
    }
    return timingSafeEqual(Buffer.from(hex, 'hex'), expected);
  });
}

function hmacHex(secret: string, timestamp: string, body: string | Uint8Array): string {
  return createHmac('sha256', secret).update(`${timestamp}.`, 'utf8').update(body).digest('hex');
}
