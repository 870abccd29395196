import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { captureLogger, type CapturedLogger } from './ledger-fixture.testing.ts';
import { verifySignature } from './signature.ts';
import { WebhookReceiver } from './webhook-receiver.testing.ts';
import { backoffDelayMs, parseRetryAfter, WebhookSender, type WebhookSenderOptions } from './webhook.ts';

const SECRET = 'whsec_webhook_test';
const EVENT = {
  type: 'balance.low',
  id: 'evt_0123456789abcdef01234567',
  created_at: '2026-11-05T10:00:00.000Z',
  data: { customer_id: 'cus_1', currency: 'USD', available: '4.00', threshold: '5.00' },
};

let receiver: WebhookReceiver;
let url: string;
let log: CapturedLogger;
let sender: WebhookSender | null;

beforeEach(async () => {
  receiver = new WebhookReceiver();
  url = await receiver.start();
  log = captureLogger();
  sender = null;
});

afterEach(async () => {
  await sender?.close();
  await receiver.close();
});

function createSender(options: Partial<WebhookSenderOptions> = {}): WebhookSender {
  sender = new WebhookSender({ url, secret: SECRET, logger: log.logger, retryDelayMs: () => 5, ...options });
  return sender;
}

function messages(level: number): string[] {
  return log.lines.filter((line) => line.level === level).map((line) => String(line.msg));
}

async function waitUntil(condition: () => boolean): Promise<void> {
  while (!condition()) {
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Returns a loopback URL on which nothing listens. */
async function closedPortUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}/hooks`;
}

describe('WebhookSender', () => {
  it('posts the event as JSON', async () => {
    const result = await createSender().send(EVENT);

    expect(result).toEqual({ delivered: true, attempts: 1, status: 204 });
    expect(receiver.requests).toHaveLength(1);
    expect(receiver.requests[0]!.method).toBe('POST');
    expect(receiver.requests[0]!.path).toBe('/hooks/tollgate');
    expect(receiver.requests[0]!.headers['content-type']).toBe('application/json');
    expect(JSON.parse(receiver.requests[0]!.body)).toEqual(EVENT);
  });

  it('sends event id, timestamp and signature headers', async () => {
    const before = Math.floor(Date.now() / 1000);
    await createSender().send(EVENT);
    const after = Math.floor(Date.now() / 1000);

    const { headers, body } = receiver.requests[0]!;
    const timestamp = Number(headers['x-tollgate-timestamp']);

    expect(headers['x-tollgate-event-id']).toBe(EVENT.id);
    expect(timestamp).toBeGreaterThanOrEqual(before);
    expect(timestamp).toBeLessThanOrEqual(after);
    expect(headers['x-tollgate-signature']).toMatch(/^v1=[0-9a-f]{64}$/);
    expect(verifySignature(SECRET, headers['x-tollgate-timestamp'] as string, body, headers['x-tollgate-signature'] as string)).toBe(true);
  });

  it('produces a signature that fails for a tampered body', async () => {
    await createSender().send(EVENT);

    const { headers, body } = receiver.requests[0]!;
    const tampered = body.replace('"4.00"', '"40.00"');

    expect(tampered).not.toBe(body);
    expect(verifySignature(SECRET, headers['x-tollgate-timestamp'] as string, tampered, headers['x-tollgate-signature'] as string)).toBe(false);
  });

  it('retries after a 500 and then succeeds', async () => {
    receiver.respondWith({ status: 500 });

    const result = await createSender().send(EVENT);

    expect(result).toEqual({ delivered: true, attempts: 2, status: 204 });
    expect(receiver.requests).toHaveLength(2);
    expect(receiver.requests[1]!.headers['x-tollgate-event-id']).toBe(EVENT.id);
    expect(receiver.requests[1]!.body).toBe(receiver.requests[0]!.body);
    expect(messages(40)).toEqual(['webhook attempt failed; retrying']);
    expect(messages(30)).toEqual(['webhook delivered']);
  });

  it('retries any non-2xx status', async () => {
    receiver.respondWith({ status: 302, headers: { location: '/elsewhere' } }, { status: 404 }, { status: 429 });

    const result = await createSender().send(EVENT);

    expect(result).toEqual({ delivered: true, attempts: 4, status: 204 });
    expect(receiver.requests).toHaveLength(4);
  });

  it('gives up after the maximum attempts', async () => {
    receiver.respondWith(...Array.from({ length: 6 }, () => ({ status: 503 })));

    const result = await createSender().send(EVENT);

    expect(result).toEqual({ delivered: false, attempts: 6, status: 503 });
    expect(receiver.requests).toHaveLength(6);
    expect(messages(40)).toHaveLength(5);
    expect(messages(50)).toEqual(['webhook delivery failed; giving up']);
  });

  it('logs the event and attempts when giving up', async () => {
    receiver.respondWith({ status: 500 }, { status: 500 });

    await createSender({ maxAttempts: 2 }).send(EVENT);

    const failure = log.lines.find((line) => line.level === 50)!;
    expect(failure.eventId).toBe(EVENT.id);
    expect(failure.attempts).toBe(2);
    expect(failure.status).toBe(500);
    expect(failure.event).toEqual(EVENT);
    expect(failure.host).toBe(new URL(url).host);
  });

  it('keeps the URL path out of the logs', async () => {
    const secretPathUrl = url.replace('/hooks/tollgate', '/hooks/token-in-path-123');
    receiver.respondWith({ status: 500 });

    await createSender({ url: secretPathUrl }).send(EVENT);

    expect(log.lines.some((line) => JSON.stringify(line).includes('token-in-path-123'))).toBe(false);
  });

  it('retries network errors', async () => {
    const result = await createSender({ url: await closedPortUrl(), maxAttempts: 3 }).send(EVENT);

    expect(result).toEqual({ delivered: false, attempts: 3, status: null });
    expect(messages(40)).toHaveLength(2);
    expect(messages(50)).toEqual(['webhook delivery failed; giving up']);
  });

  it('times out a slow receiver and retries', async () => {
    receiver.respondWith({ status: 204, delayMs: 2_000 });

    const started = Date.now();
    const result = await createSender({ timeoutMs: 200 }).send(EVENT);

    expect(result).toEqual({ delivered: true, attempts: 2, status: 204 });
    expect(receiver.requests).toHaveLength(2);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('waits for Retry-After before retrying', async () => {
    receiver.respondWith({ status: 503, headers: { 'retry-after': '1' } });

    const result = await createSender().send(EVENT);

    expect(result).toEqual({ delivered: true, attempts: 2, status: 204 });
    expect(receiver.requests[1]!.receivedAt - receiver.requests[0]!.receivedAt).toBeGreaterThanOrEqual(1_000);
  });

  it('cuts a long Retry-After to the maximum', async () => {
    receiver.respondWith({ status: 429, headers: { 'retry-after': '3600' } });

    const started = Date.now();
    const result = await createSender({ maxRetryAfterMs: 50 }).send(EVENT);

    expect(result).toEqual({ delivered: true, attempts: 2, status: 204 });
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('uses the backoff when it exceeds Retry-After', async () => {
    receiver.respondWith({ status: 503, headers: { 'retry-after': '0' } });

    const result = await createSender({ retryDelayMs: () => 300 }).send(EVENT);

    expect(result.attempts).toBe(2);
    expect(receiver.requests[1]!.receivedAt - receiver.requests[0]!.receivedAt).toBeGreaterThanOrEqual(300);
  });

  it('passes the retry number to the delay function', async () => {
    receiver.respondWith({ status: 500 }, { status: 500 }, { status: 500 });
    const retries: number[] = [];

    await createSender({ retryDelayMs: (retry) => (retries.push(retry), 1) }).send(EVENT);

    expect(retries).toEqual([1, 2, 3]);
  });

  it('cancels a scheduled retry on close', async () => {
    receiver.respondWith({ status: 500 });
    const delivery = createSender({ retryDelayMs: () => 60_000 }).send(EVENT);
    await waitUntil(() => messages(40).length === 1);

    const started = Date.now();
    await sender!.close();

    expect(await delivery).toEqual({ delivered: false, attempts: 1, status: 500 });
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(receiver.requests).toHaveLength(1);
    expect(messages(50)).toEqual(['webhook delivery cancelled by shutdown; the event was not delivered']);
  });

  it('lets an attempt in flight finish on close', async () => {
    receiver.respondWith({ status: 204, delayMs: 300 });
    const delivery = createSender().send(EVENT);
    await receiver.waitForRequests(1);

    await sender!.close();

    expect(await delivery).toEqual({ delivered: true, attempts: 1, status: 204 });
  });

  it('does not retry an attempt that fails during close', async () => {
    receiver.respondWith({ status: 204, delayMs: 5_000 });
    const delivery = createSender({ timeoutMs: 200 }).send(EVENT);
    await receiver.waitForRequests(1);

    const started = Date.now();
    await sender!.close();

    expect(await delivery).toEqual({ delivered: false, attempts: 1, status: null });
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(receiver.requests).toHaveLength(1);
    expect(messages(50)).toEqual(['webhook delivery cancelled by shutdown; the event was not delivered']);
  });

  it('sends nothing after close', async () => {
    const closed = createSender();
    await closed.close();

    const result = await closed.send(EVENT);

    expect(result).toEqual({ delivered: false, attempts: 0, status: null });
    expect(receiver.requests).toHaveLength(0);
  });

  it('waits for deliveries on flush', async () => {
    receiver.respondWith({ status: 500 });
    const webhook = createSender({ retryDelayMs: () => 50 });
    void webhook.send(EVENT);

    await webhook.flush();

    expect(receiver.requests).toHaveLength(2);
  });

  it('rejects a URL that is not http', () => {
    expect(() => new WebhookSender({ url: 'ftp://127.0.0.1/hooks', secret: SECRET, logger: log.logger })).toThrow(
      'invalid webhook URL: expected http or https, got ftp:',
    );
  });

  it('rejects an empty secret', () => {
    expect(() => new WebhookSender({ url, secret: '', logger: log.logger })).toThrow('a webhook secret is required to sign webhook events');
  });
});

describe('backoffDelayMs', () => {
  it.each([
    [1, 0, 500],
    [1, 1, 1_000],
    [2, 0, 1_000],
    [2, 1, 2_000],
    [3, 0.5, 3_000],
    [5, 1, 16_000],
    [7, 1, 60_000],
    [20, 0, 30_000],
  ])('retry %i with random %d waits %i ms', (retry, random, expected) => {
    expect(backoffDelayMs(retry, () => random)).toBe(expected);
  });
});

describe('parseRetryAfter', () => {
  const now = new Date('2026-11-05T10:00:00.000Z');

  it.each([
    ['seconds', '120', 120_000],
    ['zero seconds', '0', 0],
    ['an HTTP date', 'Thu, 05 Nov 2026 10:00:30 GMT', 30_000],
    ['a past HTTP date', 'Thu, 05 Nov 2026 09:00:00 GMT', 0],
    ['the first of several values', ['7', '9'], 7_000],
  ])('reads %s', (_case, value, expected) => {
    expect(parseRetryAfter(value, now)).toBe(expected);
  });

  it.each([
    ['a missing value', undefined],
    ['an empty value', ''],
    ['a negative number', '-5'],
    ['text', 'soon'],
  ])('returns null for %s', (_case, value) => {
    expect(parseRetryAfter(value, now)).toBeNull();
  });
});
