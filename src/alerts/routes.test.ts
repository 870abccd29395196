import { fileURLToPath } from 'node:url';

import { Hono } from 'hono';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { createAdminRoutes } from '../admin/routes.ts';
import { KeyAuthenticator } from '../auth/keys.ts';
import { loadConfig } from '../config.ts';
import { errorResponse, GatewayError } from '../errors.ts';
import type { Customer } from '../ledger/port.ts';
import { createLogger } from '../logger.ts';
import { loadPriceList } from '../pricing/index.ts';
import { captureLogger, CURRENCIES, openLedgerFixture, type LedgerFixture } from './ledger-fixture.testing.ts';
import { AlertMonitor } from './monitor.ts';
import { createAlertRoutes } from './routes.ts';
import { AlertStore } from './store.ts';

const ADMIN_TOKEN = 'alerts-admin-token-0123456789';
const PRICING_FILE = fileURLToPath(new URL('../../test/fixtures/pricing.test.yaml', import.meta.url));

let now: Date;
let fixture: LedgerFixture;
let store: AlertStore;
let app: Hono;
let customer: Customer;

beforeEach(async () => {
  now = new Date('2026-11-05T10:00:00.000Z');
  fixture = openLedgerFixture(() => now);
  store = new AlertStore(fixture.ledger);

  const config = loadConfig({
    UPSTREAM_API_KEY: 'sk-unused',
    TOLLGATE_ADMIN_TOKEN: ADMIN_TOKEN,
    PRICING_FILE,
    LEDGER_PATH: fixture.path,
  });
  const ledger = fixture.ledger;

  // The admin sub-app with the alert routes mounted after its token check,
  // as the gateway mounts them.
  const admin = createAdminRoutes({
    config,
    ledger,
    directory: ledger,
    authenticator: new KeyAuthenticator(ledger, { ttlMs: 1_000, max: 10 }),
    pricing: { current: loadPriceList(PRICING_FILE) },
    alerts: new AlertMonitor({ ledger, store, currencies: config.currencies, logger: createLogger('silent') }),
  });
  admin.route('/', createAlertRoutes({ store, directory: ledger, ledger, currencies: config.currencies }));

  app = new Hono();
  app.route('/admin', admin);
  app.onError((error) => {
    if (error instanceof GatewayError) {
      return errorResponse(error);
    }
    throw error;
  });

  customer = await fixture.createCustomer();
  await fixture.topUp(customer, '10.00');
});

afterEach(async () => {
  await fixture.close();
});

/** Sends an admin request; a string body is sent as is, so that invalid JSON can be tested. */
async function call(method: string, path: string, body?: unknown, token = ADMIN_TOKEN): Promise<{ status: number; body: any }> {
  let text: string | undefined;
  if (typeof body === 'string') {
    text = body;
  } else if (body !== undefined) {
    text = JSON.stringify(body);
  }

  const response = await app.request(`/admin${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: text,
  });
  return { status: response.status, body: await response.json() };
}

describe('PUT /admin/customers/{id}/alert', () => {
  it('creates an alert with 201', async () => {
    const response = await call('PUT', `/customers/${customer.id}/alert`, { threshold: '5.00' });

    expect(response.status).toBe(201);
    expect(response.body).toEqual({
      customer_id: customer.id,
      object: 'balance_alert',
      currency: 'USD',
      threshold: '5.00',
      state: 'armed',
      available: '10.00',
      last_fired_at: null,
      created_at: '2026-11-05T10:00:00.000Z',
      updated_at: '2026-11-05T10:00:00.000Z',
    });
  });

  it('stores the threshold in minor units', async () => {
    await call('PUT', `/customers/${customer.id}/alert`, { threshold: '5.000000001' });

    expect(store.get(customer.id)!.threshold).toBe(5_000_000_001n);
  });

  it('updates an alert with 200', async () => {
    await call('PUT', `/customers/${customer.id}/alert`, { threshold: '5.00' });
    now = new Date('2026-11-05T11:00:00.000Z');

    const response = await call('PUT', `/customers/${customer.id}/alert`, { threshold: '7.5' });

    expect(response.status).toBe(200);
    expect(response.body.threshold).toBe('7.50');
    expect(response.body.created_at).toBe('2026-11-05T10:00:00.000Z');
    expect(response.body.updated_at).toBe('2026-11-05T11:00:00.000Z');
  });

  it.each([
    ['zero', '0'],
    ['zero with decimals', '0.00'],
    ['a negative amount', '-1'],
    ['an exponent', '1e3'],
    ['a digit below the precision', '0.0000000001'],
    ['an empty string', ''],
    ['a number', 5],
    ['null', null],
    ['an amount above the storable maximum', '9223372036.854775808'],
  ])('rejects %s with 400 invalid_amount', async (_case, threshold) => {
    const response = await call('PUT', `/customers/${customer.id}/alert`, { threshold });

    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('invalid_amount');
    expect(response.body.error.param).toBe('threshold');
    expect(response.body.error.type).toBe('invalid_request_error');
    expect(store.get(customer.id)).toBeNull();
  });

  it('accepts the storable maximum', async () => {
    const response = await call('PUT', `/customers/${customer.id}/alert`, { threshold: '9223372036.854775807' });

    expect(response.status).toBe(201);
    expect(response.body.threshold).toBe('9223372036.854775807');
  });

  it('rejects a missing threshold', async () => {
    const response = await call('PUT', `/customers/${customer.id}/alert`, {});

    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('invalid_amount');
  });

  it('keeps the old threshold after an invalid one', async () => {
    await call('PUT', `/customers/${customer.id}/alert`, { threshold: '5.00' });

    const response = await call('PUT', `/customers/${customer.id}/alert`, { threshold: '-2' });

    expect(response.status).toBe(400);
    expect(store.get(customer.id)!.threshold).toBe(5_000_000_000n);
  });

  it('rejects a body that is not JSON', async () => {
    const response = await call('PUT', `/customers/${customer.id}/alert`, '{"threshold":');

    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('invalid_json');
  });

  it('rejects a postpaid customer', async () => {
    const postpaid = await fixture.createCustomer('postpaid');

    const response = await call('PUT', `/customers/${postpaid.id}/alert`, { threshold: '5.00' });

    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('invalid_request');
    expect(response.body.error.message).toBe(`Customer ${postpaid.id} is postpaid; low-balance alerts apply to prepaid customers only.`);
    expect(store.get(postpaid.id)).toBeNull();
  });

  it('returns 404 for an unknown customer', async () => {
    const response = await call('PUT', '/customers/cus_unknown/alert', { threshold: '5.00' });

    expect(response.status).toBe(404);
    expect(response.body.error.code).toBe('not_found');
    expect(response.body.error.message).toBe('No customer with id cus_unknown.');
  });

  it('requires the admin token', async () => {
    const response = await call('PUT', `/customers/${customer.id}/alert`, { threshold: '5.00' }, 'wrong-token-0123456789');

    expect(response.status).toBe(401);
    expect(response.body.error.code).toBe('invalid_admin_token');
    expect(store.get(customer.id)).toBeNull();
  });
});

describe('GET /admin/customers/{id}/alert', () => {
  it('shows an armed alert with the available amount', async () => {
    await call('PUT', `/customers/${customer.id}/alert`, { threshold: '5.00' });
    await fixture.spend(customer, '2.25');

    const response = await call('GET', `/customers/${customer.id}/alert`);

    expect(response.status).toBe(200);
    expect(response.body.state).toBe('armed');
    expect(response.body.available).toBe('7.75');
    expect(response.body.threshold).toBe('5.00');
  });

  it('shows a fired alert', async () => {
    const log = captureLogger();
    const monitor = new AlertMonitor({ ledger: fixture.ledger, store, currencies: CURRENCIES, logger: log.logger });
    await call('PUT', `/customers/${customer.id}/alert`, { threshold: '5.00' });
    await fixture.spend(customer, '6.00');
    now = new Date('2026-11-05T12:00:00.000Z');
    await monitor.check(customer);
    await monitor.close();

    const response = await call('GET', `/customers/${customer.id}/alert`);

    expect(response.body.state).toBe('fired');
    expect(response.body.available).toBe('4.00');
    expect(response.body.last_fired_at).toBe('2026-11-05T12:00:00.000Z');
  });

  it('returns 404 when the customer has no alert', async () => {
    const response = await call('GET', `/customers/${customer.id}/alert`);

    expect(response.status).toBe(404);
    expect(response.body.error.code).toBe('not_found');
    expect(response.body.error.message).toBe(`Customer ${customer.id} has no low-balance alert.`);
  });

  it('returns 404 for an unknown customer', async () => {
    const response = await call('GET', '/customers/cus_unknown/alert');

    expect(response.status).toBe(404);
    expect(response.body.error.message).toBe('No customer with id cus_unknown.');
  });
});

describe('DELETE /admin/customers/{id}/alert', () => {
  it('removes the alert', async () => {
    await call('PUT', `/customers/${customer.id}/alert`, { threshold: '5.00' });

    const response = await call('DELETE', `/customers/${customer.id}/alert`);

    expect(response.status).toBe(200);
    expect(response.body).toEqual({ customer_id: customer.id, object: 'balance_alert', deleted: true });
    expect(store.get(customer.id)).toBeNull();
  });

  it('returns 404 when there is no alert', async () => {
    const response = await call('DELETE', `/customers/${customer.id}/alert`);

    expect(response.status).toBe(404);
    expect(response.body.error.code).toBe('not_found');
  });

  it('returns 404 for an unknown customer', async () => {
    const response = await call('DELETE', '/customers/cus_unknown/alert');

    expect(response.status).toBe(404);
    expect(response.body.error.message).toBe('No customer with id cus_unknown.');
  });

  it('requires the admin token', async () => {
    await call('PUT', `/customers/${customer.id}/alert`, { threshold: '5.00' });

    const response = await call('DELETE', `/customers/${customer.id}/alert`, undefined, 'wrong-token-0123456789');

    expect(response.status).toBe(401);
    expect(store.get(customer.id)).not.toBeNull();
  });
});
