/**
 * Delivery of signed webhook events (undici). An attempt that fails with a
 * network error, a timeout or a non-2xx status is retried after an
 * exponential backoff with jitter, or after the receiver's Retry-After when
 * that is longer, until `maxAttempts`. Then the delivery gives up with an
 * error log. The signing scheme is described in signature.ts.
 */
import { request } from 'undici';

import type { Logger } from '../logger.ts';
import { signPayload } from './signature.ts';

/** An event object; every field is serialized into the body. */
export interface WebhookEvent {
  /** Event id, sent as `x-tollgate-event-id` and kept across retries. */
  id: string;
  type: string;
}

export interface WebhookSenderOptions {
  url: string | URL;
  secret: string;
  logger: Logger;
  /** Time limit of one attempt, connection to end of response, in milliseconds. */
  timeoutMs?: number;
  /** Attempts per event, the first one included. */
  maxAttempts?: number;
  /** Delay in milliseconds before retry number `retry` (1 for the second attempt). */
  retryDelayMs?: (retry: number) => number;
  /** Longest Retry-After honoured, in milliseconds; a longer one is cut to this. */
  maxRetryAfterMs?: number;
}

export interface DeliveryResult {
  delivered: boolean;
  attempts: number;
  /** Status of the last response, or null when the last attempt got none. */
  status: number | null;
}

export const DEFAULT_TIMEOUT_MS = 10_000;
export const DEFAULT_MAX_ATTEMPTS = 6;
export const DEFAULT_MAX_RETRY_AFTER_MS = 600_000;

const BASE_DELAY_MS = 1_000;
const MAX_DELAY_MS = 60_000;

/**
 * Returns the delay before retry number `retry`: 1 s, 2 s, 4 s and so on,
 * capped at 60 s, of which the upper half is random (jitter), so that many
 * senders that failed together do not retry together.
 */
export function backoffDelayMs(retry: number, random: () => number = Math.random): number {
  const ceiling = Math.min(BASE_DELAY_MS * 2 ** (retry - 1), MAX_DELAY_MS);
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/**
 * Parses a Retry-After value, seconds or an HTTP date, into milliseconds
 * from `now`; returns null when it is missing or invalid.
 */
export function parseRetryAfter(value: string | string[] | undefined, now: Date = new Date()): number | null {
  const text = (Array.isArray(value) ? value[0] : value)?.trim();

  if (text === undefined || text === '') {
    return null;
  }
  if (/^[0-9]+$/.test(text)) {
    return Number(text) * 1000;
  }

  // Every HTTP-date form starts with the day name; without this check,
  // Date.parse would also take values such as "-5" for dates.
  if (!/^(Mon|Tue|Wed|Thu|Fri|Sat|Sun)/.test(text)) {
    return null;
  }

  const date = Date.parse(text);
  return Number.isNaN(date) ? null : Math.max(0, date - now.getTime());
}

type AttemptOutcome =
  | { ok: true; status: number }
  | { ok: false; status: number | null; retryAfterMs: number | null; error: unknown };

export class WebhookSender {
  readonly #url: URL;
  readonly #secret: string;
  readonly #logger: Logger;
  readonly #timeoutMs: number;
  readonly #maxAttempts: number;
  readonly #retryDelayMs: (retry: number) => number;
  readonly #maxRetryAfterMs: number;

  /** Aborted by close(): cancels scheduled retries and stops new ones. */
  readonly #shutdown = new AbortController();
  readonly #pending = new Set<Promise<DeliveryResult>>();

  constructor(options: WebhookSenderOptions) {
    this.#url = new URL(options.url);

    if (this.#url.protocol !== 'http:' && this.#url.protocol !== 'https:') {
      throw new Error(`invalid webhook URL: expected http or https, got ${this.#url.protocol}`);
    }
    if (options.secret === '') {
      throw new Error('a webhook secret is required to sign webhook events');
    }

    this.#secret = options.secret;
    this.#logger = options.logger;
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.#maxAttempts = options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
    this.#retryDelayMs = options.retryDelayMs ?? ((retry) => backoffDelayMs(retry));
    this.#maxRetryAfterMs = options.maxRetryAfterMs ?? DEFAULT_MAX_RETRY_AFTER_MS;
  }

  /**
   * Delivers `event` in the background, retrying as described above.
   * The promise never rejects. Its result reports whether the event was delivered.
   */
  send(event: WebhookEvent): Promise<DeliveryResult> {
    if (this.#shutdown.signal.aborted) {
      this.#logger.error({ eventId: event.id, eventType: event.type }, 'webhook event not sent: the sender is closed');
      return Promise.resolve({ delivered: false, attempts: 0, status: null });
    }

    const delivery = this.#deliver(event);
    this.#pending.add(delivery);
    void delivery.finally(() => this.#pending.delete(delivery));
    return delivery;
  }

  /** Resolves when every delivery started so far has been delivered, given up or cancelled. */
  async flush(): Promise<void> {
    while (this.#pending.size > 0) {
      await Promise.all(this.#pending);
    }
  }

  /**
   * Cancels scheduled retries, then waits for attempts in flight, which end
   * within timeoutMs. An event left undelivered is logged as an error.
   */
  async close(): Promise<void> {
    this.#shutdown.abort();
    await this.flush();
  }

  async #deliver(event: WebhookEvent): Promise<DeliveryResult> {
    const body = JSON.stringify(event);
    const context = { eventId: event.id, eventType: event.type, host: this.#url.host };

    for (let attempt = 1; ; attempt += 1) {
      const outcome = await this.#attempt(event.id, body);

      if (outcome.ok) {
        this.#logger.info({ ...context, attempts: attempt, status: outcome.status }, 'webhook delivered');
        return { delivered: true, attempts: attempt, status: outcome.status };
      }

      if (this.#shutdown.signal.aborted) {
        this.#logger.error({ ...context, attempts: attempt, event }, 'webhook delivery cancelled by shutdown; the event was not delivered');
        return { delivered: false, attempts: attempt, status: outcome.status };
      }

      if (attempt >= this.#maxAttempts) {
        this.#logger.error(
          { ...context, attempts: attempt, status: outcome.status, err: outcome.error, event },
          'webhook delivery failed; giving up',
        );
        return { delivered: false, attempts: attempt, status: outcome.status };
      }

      const delayMs = this.#delayBeforeRetry(attempt, outcome.retryAfterMs);
      this.#logger.warn(
        { ...context, attempt, status: outcome.status, err: outcome.error, retryInMs: delayMs },
        'webhook attempt failed; retrying',
      );

      if (!(await this.#sleep(delayMs))) {
        this.#logger.error({ ...context, attempts: attempt, event }, 'webhook delivery cancelled by shutdown; the event was not delivered');
        return { delivered: false, attempts: attempt, status: outcome.status };
      }
    }
  }

  async #attempt(eventId: string, body: string): Promise<AttemptOutcome> {
    // The timestamp is taken per attempt, so a late retry still passes the
    // receiver's timestamp tolerance.
    const timestamp = Math.floor(Date.now() / 1000).toString();
    const signal = AbortSignal.timeout(this.#timeoutMs);

    try {
      const response = await request(this.#url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-tollgate-event-id': eventId,
          'x-tollgate-timestamp': timestamp,
          'x-tollgate-signature': signPayload(this.#secret, timestamp, body),
        },
        body,
        signal,
        headersTimeout: this.#timeoutMs,
        bodyTimeout: this.#timeoutMs,
      });
      await response.body.dump();

      if (response.statusCode >= 200 && response.statusCode < 300) {
        return { ok: true, status: response.statusCode };
      }

      return {
        ok: false,
        status: response.statusCode,
        retryAfterMs: parseRetryAfter(response.headers['retry-after']),
        error: new Error(`webhook receiver returned HTTP ${response.statusCode}`),
      };
    } catch (error) {
      return { ok: false, status: null, retryAfterMs: null, error };
    }
  }

  #delayBeforeRetry(retry: number, retryAfterMs: number | null): number {
    const backoff = this.#retryDelayMs(retry);

    if (retryAfterMs === null) {
      return backoff;
    }
    return Math.max(backoff, Math.min(retryAfterMs, this.#maxRetryAfterMs));
  }

  /** Waits `ms`; resolves false instead when close() cancels the wait. */
  #sleep(ms: number): Promise<boolean> {
    const signal = this.#shutdown.signal;

    return new Promise((resolve) => {
      const onAbort = () => {
        clearTimeout(timer);
        resolve(false);
      };
      const timer = setTimeout(() => {
        signal.removeEventListener('abort', onAbort);
        resolve(true);
      }, ms);

      // Without close(), a pending retry must not keep a stopping process alive.
      timer.unref();
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }
}
