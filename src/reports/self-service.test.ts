import { Hono } from 'hono';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { errorResponse, GatewayError } from '../errors.ts';
import type { Customer } from '../ledger/port.ts';
import { createLogger } from '../logger.ts';
import { CURRENCIES, NOVEMBER, seedNovember, startReportHarness, type ReportHarness } from './report-fixtures.testing.ts';
import { createSelfServiceRoutes } from './self-service.ts';

let harness: ReportHarness;
let a: Customer;
let b: Customer;
let keyA: string;
let keyB: string;

beforeEach(async () => {
  harness = startReportHarness('2026-10-01T00:00:00Z');
  ({ a, b } = await seedNovember(harness));
  keyA = await harness.issueKey(a);
  keyB = await harness.issueKey(b);
});

afterEach(async () => {
  await harness.close();
});

async function get(path: string, key: string | null): Promise<{ status: number; body: any }> {
  const headers: Record<string, string> = key === null ? {} : { authorization: `Bearer ${key}` };
  const response = await harness.app.request(path, { headers });
  return { status: response.status, body: await response.json() };
}

describe('GET /v1/billing/balance', () => {
  it('returns the prepaid balance', async () => {
    const { status, body } = await get('/v1/billing/balance', keyA);

    // 15.00 topped up minus every entry of A: 0.0002 + 0.007432 + 0.000001.
    expect(status).toBe(200);
    expect(body).toEqual({
      object: 'billing.balance',
      currency: 'USD',
      balance: '14.992367',
      held: '0.00',
      available: '14.992367',
      billing: 'prepaid',
      credit_limit: null,
    });
  });

  it('subtracts open holds', async () => {
    await harness.ledger.hold({
      reference: 'req_open:hold',
      balanceId: a.walletBalanceId,
      currency: 'USD',
      amount: 500_000_000n,
      floor: 0n,
      expiresAt: new Date('2026-12-01T00:15:00Z'),
      meta: {},
    });

    const { body } = await get('/v1/billing/balance', keyA);

    expect(body.held).toBe('0.50');
    expect(body.available).toBe('14.492367');
  });

  it('shows a postpaid credit limit', async () => {
    const postpaid = await harness.createCustomer({ billing: 'postpaid', creditLimit: 25_000_000_000n });
    const key = await harness.issueKey(postpaid);

    const { body } = await get('/v1/billing/balance', key);

    expect(body.billing).toBe('postpaid');
    expect(body.credit_limit).toBe('25.00');
    expect(body.balance).toBe('0.00');
  });

  it('returns the balance of the key owner', async () => {
    const { body } = await get('/v1/billing/balance', keyB);

    expect(body.balance).toBe('0.9985');
  });

  it('rejects a request without a key', async () => {
    const { status, body } = await get('/v1/billing/balance', null);

    expect(status).toBe(401);
    expect(body.error.code).toBe('invalid_api_key');
  });

  it('rejects an unknown key', async () => {
    const { status } = await get('/v1/billing/balance', 'tg-not-a-key');

    expect(status).toBe(401);
  });
});

describe('GET /v1/billing/usage', () => {
  it('defaults to the month so far', async () => {
    harness.setTime('2026-11-20T12:00:00Z');

    const { status, body } = await get('/v1/billing/usage', keyA);

    expect(status).toBe(200);
    expect(body.from).toBe('2026-11-01T00:00:00Z');
    expect(body.to).toBe('2026-11-20T12:00:00Z');
    expect(body.totals.requests).toBe(3);
    expect(body.totals.cost).toBe('0.007424');
  });

  it('matches the admin report', async () => {
    const query = `from=${NOVEMBER.from}&to=${NOVEMBER.to}`;

    const own = await get(`/v1/billing/usage?${query}`, keyA);
    const admin = await harness.app.request(`/admin/customers/${a.id}/usage?${query}`);

    expect(own.body).toEqual(await admin.json());
  });

  it('returns the usage of the key owner only', async () => {
    const { body } = await get(`/v1/billing/usage?from=${NOVEMBER.from}&to=${NOVEMBER.to}`, keyB);

    expect(body.customer_id).toBe(b.id);
    expect(body.lines).toEqual([
      {
        model: 'gpt-4o-mini',
        requests: 1,
        input_tokens: 500,
        cached_input_tokens: 0,
        output_tokens: 500,
        reasoning_tokens: 0,
        audio_input_tokens: 0,
        audio_output_tokens: 0,
        cost: '0.0015',
      },
    ]);
  });

  it('ignores a customer id in the query', async () => {
    const { body } = await get(`/v1/billing/usage?from=${NOVEMBER.from}&to=${NOVEMBER.to}&customer_id=${b.id}`, keyA);

    expect(body.customer_id).toBe(a.id);
    expect(body.totals.requests).toBe(4);
  });

  it('has no route to another customer', async () => {
    const { status } = await get(`/v1/billing/customers/${b.id}/usage`, keyA);

    expect(status).toBe(404);
  });

  it('rejects from without to', async () => {
    const { status, body } = await get(`/v1/billing/usage?from=${NOVEMBER.from}`, keyA);

    expect(status).toBe(400);
    expect(body.error.param).toBe('to');
  });

  it('rejects to without from', async () => {
    const { status, body } = await get(`/v1/billing/usage?to=${NOVEMBER.to}`, keyA);

    expect(status).toBe(400);
    expect(body.error.param).toBe('from');
  });

  it('rejects an invalid timestamp', async () => {
    const { status, body } = await get(`/v1/billing/usage?from=2026-11-01&to=${NOVEMBER.to}`, keyA);

    expect(status).toBe(400);
    expect(body.error.param).toBe('from');
  });

  it('rejects from after to', async () => {
    const { status, body } = await get(`/v1/billing/usage?from=${NOVEMBER.to}&to=${NOVEMBER.from}`, keyA);

    expect(status).toBe(400);
    expect(body.error.param).toBe('to');
  });

  it('rejects a request without a key', async () => {
    const { status } = await get(`/v1/billing/usage?from=${NOVEMBER.from}&to=${NOVEMBER.to}`, null);

    expect(status).toBe(401);
  });
});

describe('createSelfServiceRoutes', () => {
  it('rejects requests when mounted without key check', async () => {
    const logger = createLogger('silent');
    const app = new Hono();
    app.route('/v1/billing', createSelfServiceRoutes({ ledger: harness.ledger, directory: harness.ledger, currencies: CURRENCIES, logger }));
    app.onError((error) => (error instanceof GatewayError ? errorResponse(error) : new Response('unexpected error', { status: 500 })));

    const response = await app.request('/v1/billing/balance');

    expect(response.status).toBe(401);
  });
});
