/**
 * Test fixtures for the report modules. The ledger is the embedded one, in a
 * temporary file with a simulated clock. Billed requests use the meter's own
 * legs and the test price list, and top-ups have the admin API's shape. A
 * small Hono app mounts the report routes the way the gateway does.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';

import { Hono } from 'hono';

import { bearerToken, issueKey, KeyAuthenticator } from '../auth/keys.ts';
import { buildLegs } from '../billing/meter.ts';
import { errorResponse, GatewayError } from '../errors.ts';
import type { Customer } from '../ledger/port.ts';
import { SqliteLedger } from '../ledger/sqlite/index.ts';
import { createLogger } from '../logger.ts';
import { precisionOf, type Currency } from '../money.ts';
import { loadPriceList } from '../pricing/index.ts';
import { emptyUsage, type Usage } from '../usage/types.ts';
import { createReportRoutes } from './routes.ts';
import { createSelfServiceRoutes } from './self-service.ts';

export const USD: Currency = { code: 'USD', decimals: 9 };
export const CURRENCIES = new Map([['USD', USD]]);

const PRICES = loadPriceList(fileURLToPath(new URL('../../test/fixtures/pricing.test.yaml', import.meta.url)));

export interface ReportHarness {
  ledger: SqliteLedger;
  /** Moves the simulated clock of the ledger and of the self-service default period. */
  setTime(iso: string): void;
  now(): Date;
  /** JSON log lines written by the routes. */
  logs: Array<Record<string, unknown>>;
  /** App with the admin report routes under /admin and the self-service routes under /v1/billing. */
  app: Hono;
  createCustomer(options?: { billing?: 'prepaid' | 'postpaid'; creditLimit?: bigint }): Promise<Customer>;
  /** Issues a key for the customer and returns the key itself. */
  issueKey(customer: Customer): Promise<string>;
  close(): Promise<void>;
}

export function startReportHarness(startIso: string): ReportHarness {
  const directory = mkdtempSync(join(tmpdir(), 'tollgate-reports-'));
  let now = new Date(startIso);
  const clock = () => now;
  const ledger = new SqliteLedger({ path: join(directory, 'ledger.sqlite'), clock });

  const logs: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      logs.push(JSON.parse(chunk.toString('utf8')) as Record<string, unknown>);
      callback();
    },
  });
  const logger = createLogger('info', sink);
  const deps = { ledger, directory: ledger, currencies: CURRENCIES, logger };

  let customerCount = 0;

  return {
    ledger,
    setTime(iso) {
      now = new Date(iso);
    },
    now: clock,
    logs,
    app: buildApp(createReportRoutes(deps), createSelfServiceRoutes({ ...deps, clock }), new KeyAuthenticator(ledger, { ttlMs: 60_000, max: 100 })),
    async createCustomer(options = {}) {
      customerCount += 1;
      return ledger.createCustomer({
        name: `Customer ${customerCount}`,
        billing: options.billing ?? 'prepaid',
        currency: 'USD',
        creditLimit: options.creditLimit ?? null,
      });
    },
    async issueKey(customer) {
      const issued = issueKey();
      await ledger.addKey({ keyId: issued.keyId, customerId: customer.id, keyHash: issued.keyHash });
      return issued.key;
    },
    async close() {
      await ledger.close();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}

/** Writes a billed request's entry, exactly as the meter builds it, and returns its cost in minor units. */
export async function bill(ledger: SqliteLedger, customer: Customer, requestId: string, model: string, counts: Partial<Usage>): Promise<bigint> {
  const price = PRICES.resolve(model);
  if (!price) {
    throw new Error(`the test price list has no model ${model}`);
  }

  const context = { requestId, customer, endpoint: 'chat.completions' as const, model, price, currency: USD, pricingVersion: PRICES.version };
  const { legs, amount } = buildLegs(context, { ...emptyUsage(), ...counts }, 'reported');
  await ledger.settle(requestId, legs, null);
  return amount;
}

/** Tops up the wallet the way `POST /admin/customers/{id}/topups` does. */
export async function topUp(ledger: SqliteLedger, customer: Customer, reference: string, amount: bigint): Promise<void> {
  await ledger.transfer({
    reference: `topup:${customer.id}:${reference}`,
    source: '@World-USD',
    destination: customer.walletBalanceId,
    currency: 'USD',
    precision: precisionOf(USD),
    amount,
    allowOverdraft: true,
    description: 'Wallet top-up',
    meta: { customer_id: customer.id, topup_reference: reference },
  });
}

function buildApp(reports: Hono, selfService: ReturnType<typeof createSelfServiceRoutes>, authenticator: KeyAuthenticator): Hono {
  const app = new Hono<{ Variables: { customer: Customer } }>();

  app.route('/admin', reports);

  app.use('/v1/*', async (c, next) => {
    const key = bearerToken(c.req.header('authorization'));
    const found = key === null ? null : await authenticator.authenticate(key);
    if (!found) {
      throw new GatewayError('invalid_api_key', 'Missing or invalid API key.');
    }

    c.set('customer', found.customer);
    await next();
  });

  app.route('/v1/billing', selfService);

  app.notFound((c) => errorResponse(new GatewayError('not_found', `Unknown path: ${c.req.method} ${c.req.path}.`)));

  app.onError((error) => {
    if (error instanceof GatewayError) {
      return errorResponse(error);
    }
    throw error;
  });

  return app as unknown as Hono;
}

export const NOVEMBER = { from: '2026-11-01T00:00:00Z', to: '2026-12-01T00:00:00Z' };

/**
 * Writes a month of traffic for two prepaid customers. Customer A has
 * entries one millisecond before November, at its first instant, inside it,
 * one millisecond before December and at December's first instant, and a
 * top-up in mid-November. Customer B has one request in November.
 *
 * The test prices per 1M tokens are input 1, cached 0.5 and output 2 for
 * gpt-4o-mini, and input 3, cached 1 and output 5 for gpt-4.1-mini. So the
 * costs in units of 10^-9 USD are a0 200_000, a1 1_900_000, a2 5_500_000,
 * a3 24_000, a4 8_000, a5 1_000 and b1 1_500_000.
 */
export async function seedNovember(harness: ReportHarness): Promise<{ a: Customer; b: Customer }> {
  const { ledger } = harness;

  harness.setTime('2026-10-20T00:00:00Z');
  const a = await harness.createCustomer();
  const b = await harness.createCustomer();

  harness.setTime('2026-10-31T23:59:59.999Z');
  await topUp(ledger, a, 'initial', 10_000_000_000n);
  await topUp(ledger, b, 'b-initial', 1_000_000_000n);
  await bill(ledger, a, 'req_a0', 'gpt-4o-mini', { inputTokens: 100, outputTokens: 50 });

  harness.setTime('2026-11-01T00:00:00.000Z');
  await bill(ledger, a, 'req_a1', 'gpt-4o-mini', { inputTokens: 1000, cachedInputTokens: 200, outputTokens: 500 });

  harness.setTime('2026-11-05T00:00:00.000Z');
  await bill(ledger, b, 'req_b1', 'gpt-4o-mini', { inputTokens: 500, outputTokens: 500 });

  harness.setTime('2026-11-10T12:00:00.000Z');
  await bill(ledger, a, 'req_a2', 'gpt-4.1-mini', { inputTokens: 2000, cachedInputTokens: 1000, outputTokens: 300, reasoningTokens: 100 });

  harness.setTime('2026-11-15T08:00:00.000Z');
  await topUp(ledger, a, 'mid-month', 5_000_000_000n);

  harness.setTime('2026-11-20T00:00:00.000Z');
  await bill(ledger, a, 'req_a3', 'gpt-4o-mini', { inputTokens: 10, outputTokens: 7 });

  harness.setTime('2026-11-30T23:59:59.999Z');
  await bill(ledger, a, 'req_a4', 'gpt-4.1-mini', { inputTokens: 1, outputTokens: 1 });

  harness.setTime('2026-12-01T00:00:00.000Z');
  await bill(ledger, a, 'req_a5', 'gpt-4o-mini', { inputTokens: 1 });

  return { a, b };
}
