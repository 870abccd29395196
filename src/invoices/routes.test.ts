import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { Hono } from 'hono';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { buildLegs, type BillingContext } from '../billing/meter.ts';
import { GatewayError, errorResponse } from '../errors.ts';
import type { Customer } from '../ledger/port.ts';
import { SqliteLedger } from '../ledger/sqlite/index.ts';
import { createLogger } from '../logger.ts';
import type { Currency } from '../money.ts';
import { loadPriceList } from '../pricing/index.ts';
import { emptyUsage } from '../usage/types.ts';
import { createInvoiceRoutes } from './routes.ts';

const USD: Currency = { code: 'USD', decimals: 9 };
const PRICES = loadPriceList(fileURLToPath(new URL('../../test/fixtures/pricing.test.yaml', import.meta.url)));

const NOVEMBER = { period_start: '2026-11-01T00:00:00Z', period_end: '2026-12-01T00:00:00Z' };
const ISSUED_AT = '2026-12-02T09:00:00.000Z';

let directory: string;
let ledger: SqliteLedger;
let app: Hono;
let now: Date;

beforeEach(() => {
  directory = mkdtempSync(join(tmpdir(), 'tollgate-invoices-'));
  now = new Date('2026-10-01T00:00:00Z');
  ledger = new SqliteLedger({ path: join(directory, 'ledger.sqlite'), clock: () => now });

  app = new Hono();
  app.route('/admin', createInvoiceRoutes({ ledger, directory: ledger, currencies: new Map([['USD', USD]]), logger: createLogger('silent') }));
  app.onError((error) => {
    if (error instanceof GatewayError) {
      return errorResponse(error);
    }
    return new Response(String(error), { status: 500 });
  });
});

afterEach(async () => {
  await ledger.close();
  rmSync(directory, { recursive: true, force: true });
});

interface Reply {
  status: number;
  headers: Headers;
  text: string;
  body: any;
}

async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Reply> {
  let payload: string | undefined;
  if (typeof body === 'string') {
    payload = body;
  } else if (body !== undefined) {
    payload = JSON.stringify(body);
  }

  const response = await app.request(`/admin${path}`, { method, headers: { 'content-type': 'application/json', ...headers }, body: payload });
  const text = await response.text();
  const json = (response.headers.get('content-type') ?? '').includes('application/json');
  return { status: response.status, headers: response.headers, text, body: json ? JSON.parse(text) : undefined };
}

async function createCustomer(name: string, billing: 'prepaid' | 'postpaid' = 'postpaid'): Promise<Customer> {
  return ledger.createCustomer({ name, billing, currency: 'USD', creditLimit: null });
}

/** Writes one billed request at `at`, with the legs the meter builds. */
async function bill(
  customer: Customer,
  requestId: string,
  at: string,
  model: string,
  tokens: { input: number; cached?: number; output: number; reasoning?: number },
): Promise<void> {
  const context: BillingContext = {
    requestId,
    customer,
    endpoint: 'chat.completions',
    model,
    price: PRICES.resolve(model)!,
    currency: USD,
    pricingVersion: PRICES.version,
  };
  const usage = {
    ...emptyUsage(),
    inputTokens: tokens.input,
    cachedInputTokens: tokens.cached ?? 0,
    outputTokens: tokens.output,
    reasoningTokens: tokens.reasoning ?? 0,
  };

  now = new Date(at);
  await ledger.settle(requestId, buildLegs(context, usage, 'reported').legs, null);
}

/**
 * Writes a month of traffic around November 2026, with entries on both sides
 * of each bound. Costs at the test prices (per 1M: gpt-4o-mini 1/0.5/2,
 * gpt-4.1 7/2/11, o4-mini 13/3/17):
 * nov-01 $0.0019, nov-10 $0.0123, nov-20 $0.0269, nov-30 $0.0032.
 */
async function billMonth(customer: Customer): Promise<void> {
  await bill(customer, 'req_oct_31', '2026-10-31T23:59:59.999Z', 'gpt-4o-mini', { input: 1000, output: 1000 });
  await bill(customer, 'req_nov_01', '2026-11-01T00:00:00.000Z', 'gpt-4o-mini', { input: 1000, cached: 200, output: 500 });
  await bill(customer, 'req_nov_10', '2026-11-10T12:00:00.000Z', 'gpt-4.1', { input: 2000, cached: 1000, output: 300 });
  await bill(customer, 'req_nov_20', '2026-11-20T08:30:00.000Z', 'o4-mini', { input: 500, output: 1200, reasoning: 800 });
  await bill(customer, 'req_nov_30', '2026-11-30T23:59:59.999Z', 'gpt-4o-mini', { input: 3000, output: 100 });
  await bill(customer, 'req_dec_01', '2026-12-01T00:00:00.000Z', 'gpt-4.1', { input: 100, output: 100 });
  now = new Date(ISSUED_AT);
}

/** Creates a customer whose only usage is in November ($0.0019 + $0.0269 = $0.0288) and invoices November. */
async function novemberOnlyCustomer(): Promise<{ customer: Customer; invoiceId: string }> {
  const customer = await createCustomer('Northwind');
  await bill(customer, 'req_nw_1', '2026-11-03T10:00:00.000Z', 'gpt-4o-mini', { input: 1000, cached: 200, output: 500 });
  await bill(customer, 'req_nw_2', '2026-11-17T16:45:00.000Z', 'o4-mini', { input: 500, output: 1200, reasoning: 800 });
  now = new Date(ISSUED_AT);

  const issued = await call('POST', `/customers/${customer.id}/invoices`, NOVEMBER);
  expect(issued.status).toBe(201);
  return { customer, invoiceId: issued.body.id };
}

async function walletBalance(customer: Customer): Promise<bigint> {
  return (await ledger.getBalance(customer.walletBalanceId)).balance;
}

describe('POST /customers/:id/invoices', () => {
  it('issues an invoice over a month of entries', async () => {
    const customer = await createCustomer('Smith & Sons <Labs>');
    await billMonth(customer);

    const response = await call('POST', `/customers/${customer.id}/invoices`, NOVEMBER);

    expect(response.status).toBe(201);
    expect(response.body.id).toMatch(/^inv_[0-9a-f]{32}$/);
    expect(response.body).toEqual({
      id: response.body.id,
      object: 'invoice',
      number: 'TG-2026-000001',
      customer_id: customer.id,
      customer_name: 'Smith & Sons <Labs>',
      period_start: '2026-11-01T00:00:00.000Z',
      period_end: '2026-12-01T00:00:00.000Z',
      currency: 'USD',
      lines: [
        {
          model: 'gpt-4.1',
          requests: 1,
          input_tokens: 2000,
          cached_input_tokens: 1000,
          output_tokens: 300,
          reasoning_tokens: 0,
          audio_input_tokens: 0,
          audio_output_tokens: 0,
          amount: '0.0123',
        },
        {
          model: 'gpt-4o-mini',
          requests: 2,
          input_tokens: 4000,
          cached_input_tokens: 200,
          output_tokens: 600,
          reasoning_tokens: 0,
          audio_input_tokens: 0,
          audio_output_tokens: 0,
          amount: '0.0051',
        },
        {
          model: 'o4-mini',
          requests: 1,
          input_tokens: 500,
          cached_input_tokens: 0,
          output_tokens: 1200,
          reasoning_tokens: 800,
          audio_input_tokens: 0,
          audio_output_tokens: 0,
          amount: '0.0269',
        },
      ],
      total: '0.0443',
      ledger_references: [
        'req_nov_01:tokens',
        'req_nov_01:usd',
        'req_nov_10:tokens',
        'req_nov_10:usd',
        'req_nov_20:tokens',
        'req_nov_20:usd',
        'req_nov_30:tokens',
        'req_nov_30:usd',
      ],
      issued_at: ISSUED_AT,
      amount_paid: '0.00',
      amount_due: '0.0443',
      status: 'open',
      payments: [],
    });
  });

  it('returns the same invoice for the same period', async () => {
    const customer = await createCustomer('Acme');
    await billMonth(customer);
    const first = await call('POST', `/customers/${customer.id}/invoices`, NOVEMBER);

    now = new Date('2026-12-05T00:00:00Z');
    const second = await call('POST', `/customers/${customer.id}/invoices`, { period_start: '2026-11-01T01:00:00+01:00', period_end: '2026-12-01T00:00:00.000Z' });

    expect(second.status).toBe(200);
    expect(second.body).toEqual(first.body);
  });

  it('keeps an issued invoice when a late entry lands in its period', async () => {
    const customer = await createCustomer('Acme');
    await billMonth(customer);
    const first = await call('POST', `/customers/${customer.id}/invoices`, NOVEMBER);

    await bill(customer, 'req_late', '2026-11-15T00:00:00.000Z', 'gpt-4.1', { input: 1000, output: 1000 });
    now = new Date(ISSUED_AT);
    const second = await call('POST', `/customers/${customer.id}/invoices`, NOVEMBER);

    expect(second.status).toBe(200);
    expect(second.body.total).toBe('0.0443');
    expect(second.body.ledger_references).toEqual(first.body.ledger_references);
  });

  it('numbers invoices in sequence across customers', async () => {
    const acme = await createCustomer('Acme');
    const globex = await createCustomer('Globex');
    now = new Date(ISSUED_AT);

    const october = await call('POST', `/customers/${acme.id}/invoices`, { period_start: '2026-10-01T00:00:00Z', period_end: '2026-11-01T00:00:00Z' });
    const november = await call('POST', `/customers/${globex.id}/invoices`, NOVEMBER);

    expect(october.body.number).toBe('TG-2026-000001');
    expect(november.body.number).toBe('TG-2026-000002');
  });

  it('issues an empty invoice for a period without usage', async () => {
    const customer = await createCustomer('Acme');
    now = new Date(ISSUED_AT);

    const response = await call('POST', `/customers/${customer.id}/invoices`, NOVEMBER);

    expect(response.status).toBe(201);
    expect(response.body.lines).toEqual([]);
    expect(response.body.total).toBe('0.00');
    expect(response.body.status).toBe('paid');
  });

  it('accepts an adjacent period', async () => {
    const customer = await createCustomer('Acme');
    await billMonth(customer);
    await call('POST', `/customers/${customer.id}/invoices`, NOVEMBER);

    const october = await call('POST', `/customers/${customer.id}/invoices`, { period_start: '2026-10-01T00:00:00Z', period_end: '2026-11-01T00:00:00Z' });

    expect(october.status).toBe(201);
    expect(october.body.number).toBe('TG-2026-000002');
    expect(october.body.total).toBe('0.003');
    expect(october.body.ledger_references).toEqual(['req_oct_31:tokens', 'req_oct_31:usd']);
  });

  it('rejects a period that overlaps another invoice', async () => {
    const customer = await createCustomer('Acme');
    await billMonth(customer);
    const november = await call('POST', `/customers/${customer.id}/invoices`, NOVEMBER);
    const overlapping = [
      { period_start: '2026-11-15T00:00:00Z', period_end: '2026-12-01T00:00:00Z' },
      { period_start: '2026-10-15T00:00:00Z', period_end: '2026-11-01T00:00:00.001Z' },
      { period_start: '2026-10-01T00:00:00Z', period_end: '2026-12-02T00:00:00Z' },
      { period_start: '2026-11-30T23:59:59.999Z', period_end: '2026-12-02T00:00:00Z' },
    ];

    for (const period of overlapping) {
      const response = await call('POST', `/customers/${customer.id}/invoices`, period);

      expect(response.status).toBe(409);
      expect(response.body.error.code).toBe('conflict');
      expect(response.body.error.message).toContain(`invoice TG-2026-000001 (${november.body.id})`);
      expect(response.body.error.message).toContain('covers 2026-11-01T00:00:00.000Z to 2026-12-01T00:00:00.000Z');
    }
    const list = await call('GET', `/customers/${customer.id}/invoices`);
    expect(list.body.data.length).toBe(1);
  });

  it('rejects a period that ends in the future', async () => {
    const customer = await createCustomer('Acme');
    now = new Date('2026-11-30T12:00:00Z');

    const response = await call('POST', `/customers/${customer.id}/invoices`, NOVEMBER);

    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('invalid_request');
    expect(response.body.error.param).toBe('period_end');
    expect(response.body.error.message).toContain('after the current time (2026-11-30T12:00:00.000Z)');
  });

  it('accepts a period that ends now', async () => {
    const customer = await createCustomer('Acme');
    now = new Date('2026-12-01T00:00:00Z');

    const response = await call('POST', `/customers/${customer.id}/invoices`, NOVEMBER);

    expect(response.status).toBe(201);
  });

  it('rejects a prepaid customer', async () => {
    const customer = await createCustomer('Prepaid Co', 'prepaid');
    now = new Date(ISSUED_AT);

    const response = await call('POST', `/customers/${customer.id}/invoices`, NOVEMBER);

    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('invalid_request');
    expect(response.body.error.message).toBe(`Customer ${customer.id} is prepaid: prepaid customers get statements, not invoices.`);
  });

  it('rejects invalid periods', async () => {
    const customer = await createCustomer('Acme');
    now = new Date(ISSUED_AT);
    const cases = [
      { body: { period_end: '2026-12-01T00:00:00Z' }, param: 'period_start' },
      { body: { period_start: '2026-11-01T00:00:00Z' }, param: 'period_end' },
      { body: { period_start: '2026-11-01', period_end: '2026-12-01T00:00:00Z' }, param: 'period_start' },
      { body: { period_start: 'last month', period_end: '2026-12-01T00:00:00Z' }, param: 'period_start' },
      { body: { period_start: 1793577600000, period_end: '2026-12-01T00:00:00Z' }, param: 'period_start' },
      { body: { period_start: '2026-11-01T00:00:00Z', period_end: '2026-11-31T00:00:00Z' }, param: 'period_end' },
      { body: { period_start: '2026-11-01T00:00:00Z', period_end: '2026-11-01T00:00:00Z' }, param: 'period_end' },
      { body: { period_start: '2026-11-01T00:00:00Z', period_end: '2026-10-01T00:00:00Z' }, param: 'period_end' },
    ];

    for (const { body, param } of cases) {
      const response = await call('POST', `/customers/${customer.id}/invoices`, body);

      expect(response.status, JSON.stringify(body)).toBe(400);
      expect(response.body.error.code, JSON.stringify(body)).toBe('invalid_request');
      expect(response.body.error.param, JSON.stringify(body)).toBe(param);
    }
    const list = await call('GET', `/customers/${customer.id}/invoices`);
    expect(list.body.data).toEqual([]);
  });

  it('rejects a body that is not JSON', async () => {
    const customer = await createCustomer('Acme');

    const response = await call('POST', `/customers/${customer.id}/invoices`, 'period=november');

    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('invalid_json');
  });

  it('returns 404 for an unknown customer', async () => {
    const issued = await call('POST', '/customers/cus_missing/invoices', NOVEMBER);
    const listed = await call('GET', '/customers/cus_missing/invoices');

    expect(issued.status).toBe(404);
    expect(issued.body.error.message).toBe('No customer with id cus_missing.');
    expect(listed.status).toBe(404);
  });
});

describe('GET /customers/:id/invoices', () => {
  it('lists invoices by period without references', async () => {
    const customer = await createCustomer('Acme');
    await billMonth(customer);
    const november = await call('POST', `/customers/${customer.id}/invoices`, NOVEMBER);
    const october = await call('POST', `/customers/${customer.id}/invoices`, { period_start: '2026-10-01T00:00:00Z', period_end: '2026-11-01T00:00:00Z' });

    const response = await call('GET', `/customers/${customer.id}/invoices`);

    expect(response.status).toBe(200);
    expect(response.body.object).toBe('list');
    expect(response.body.data.map((invoice: any) => invoice.id)).toEqual([october.body.id, november.body.id]);
    expect(response.body.data[1].total).toBe('0.0443');
    expect(response.body.data[1].status).toBe('open');
    expect(response.body.data[1].ledger_references).toBeUndefined();
  });
});

describe('GET /invoices/:id', () => {
  it('returns the invoice as JSON', async () => {
    const customer = await createCustomer('Acme');
    await billMonth(customer);
    const issued = await call('POST', `/customers/${customer.id}/invoices`, NOVEMBER);

    const response = await call('GET', `/invoices/${issued.body.id}`);

    expect(response.status).toBe(200);
    expect(response.body).toEqual(issued.body);
  });

  it('renders escaped HTML for ?format=html', async () => {
    const customer = await createCustomer('Smith & Sons <Labs>');
    await billMonth(customer);
    const issued = await call('POST', `/customers/${customer.id}/invoices`, NOVEMBER);

    const response = await call('GET', `/invoices/${issued.body.id}?format=html`);

    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=UTF-8');
    expect(response.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(response.text).toContain('<p class="customer-name">Smith &amp; Sons &lt;Labs&gt;</p>');
    expect(response.text).not.toContain('<Labs>');
    expect(response.text).toContain('<tr class="total"><th>Total</th><td>USD 0.0443</td></tr>');
    expect(response.text).toContain('<tr><th>Amount paid</th><td>USD 0.0000</td></tr>');
    expect(response.text).toContain('<tr class="balance"><th>Amount due</th><td>USD 0.0443</td></tr>');
    expect(response.text).toContain('<span class="badge badge-open">Open</span>');
    expect(response.text).not.toContain('<script');
  });

  it('renders HTML for Accept: text/html', async () => {
    const customer = await createCustomer('Acme');
    now = new Date(ISSUED_AT);
    const issued = await call('POST', `/customers/${customer.id}/invoices`, NOVEMBER);

    const response = await call('GET', `/invoices/${issued.body.id}`, undefined, { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' });

    expect(response.headers.get('content-type')).toBe('text/html; charset=UTF-8');
    expect(response.text).toContain('TG-2026-000001');
  });

  it('rejects an unknown format', async () => {
    const customer = await createCustomer('Acme');
    now = new Date(ISSUED_AT);
    const issued = await call('POST', `/customers/${customer.id}/invoices`, NOVEMBER);

    const response = await call('GET', `/invoices/${issued.body.id}?format=pdf`);

    expect(response.status).toBe(400);
    expect(response.body.error.param).toBe('format');
  });

  it('returns 404 for an unknown invoice', async () => {
    const json = await call('GET', '/invoices/inv_missing');
    const html = await call('GET', '/invoices/inv_missing?format=html');

    expect(json.status).toBe(404);
    expect(json.body.error.message).toBe('No invoice with id inv_missing.');
    expect(html.status).toBe(404);
    expect(html.body.error.code).toBe('not_found');
  });
});

describe('POST /invoices/:id/payments', () => {
  it('records a partial and then a full payment', async () => {
    const { customer, invoiceId } = await novemberOnlyCustomer();
    expect(await walletBalance(customer)).toBe(-28_800_000n);

    now = new Date('2026-12-10T14:00:00Z');
    const partial = await call('POST', `/invoices/${invoiceId}/payments`, { amount: '0.01', reference: 'wire-1' });

    expect(partial.status).toBe(201);
    expect(partial.body.payment).toEqual({ transaction_id: partial.body.payment.transaction_id, reference: 'wire-1', amount: '0.01', paid_at: '2026-12-10T14:00:00.000Z' });
    expect(partial.body.invoice.amount_paid).toBe('0.01');
    expect(partial.body.invoice.amount_due).toBe('0.0188');
    expect(partial.body.invoice.status).toBe('partially_paid');
    expect(await walletBalance(customer)).toBe(-18_800_000n);

    now = new Date('2026-12-20T09:30:00Z');
    const full = await call('POST', `/invoices/${invoiceId}/payments`, { amount: '0.0188', reference: 'wire-2' });

    expect(full.status).toBe(201);
    expect(full.body.invoice.amount_paid).toBe('0.0288');
    expect(full.body.invoice.amount_due).toBe('0.00');
    expect(full.body.invoice.status).toBe('paid');
    expect(full.body.invoice.payments.map((payment: any) => [payment.paid_at, payment.reference, payment.amount])).toEqual([
      ['2026-12-10T14:00:00.000Z', 'wire-1', '0.01'],
      ['2026-12-20T09:30:00.000Z', 'wire-2', '0.0188'],
    ]);
    expect(await walletBalance(customer)).toBe(0n);
    expect((await ledger.getInternalBalance('@World-USD', 'USD'))?.balance).toBe(-28_800_000n);
  });

  it('writes the payment transfer to the ledger', async () => {
    const { customer, invoiceId } = await novemberOnlyCustomer();

    const response = await call('POST', `/invoices/${invoiceId}/payments`, { amount: '0.0288', reference: 'card-9' });
    const transaction = await ledger.findTransaction(`invoice-payment:${invoiceId}:card-9`);

    expect(transaction?.transactionId).toBe(response.body.payment.transaction_id);
    expect(transaction?.destination).toBe(customer.walletBalanceId);
    expect(transaction?.amount).toBe(28_800_000n);
    expect(transaction?.meta).toEqual({
      description: 'Payment of invoice TG-2026-000001',
      customer_id: customer.id,
      invoice_id: invoiceId,
      payment_reference: 'card-9',
    });
  });

  it('records a reference once', async () => {
    const { customer, invoiceId } = await novemberOnlyCustomer();
    const first = await call('POST', `/invoices/${invoiceId}/payments`, { amount: '0.01', reference: 'wire-1' });

    const again = await call('POST', `/invoices/${invoiceId}/payments`, { amount: '0.01', reference: 'wire-1' });

    expect(again.status).toBe(200);
    expect(again.body.payment).toEqual(first.body.payment);
    expect(again.body.invoice.amount_paid).toBe('0.01');
    expect(again.body.invoice.payments.length).toBe(1);
    expect(await walletBalance(customer)).toBe(-18_800_000n);
  });

  it('rejects a reused reference with another amount', async () => {
    const { customer, invoiceId } = await novemberOnlyCustomer();
    await call('POST', `/invoices/${invoiceId}/payments`, { amount: '0.01', reference: 'wire-1' });

    const response = await call('POST', `/invoices/${invoiceId}/payments`, { amount: '0.02', reference: 'wire-1' });

    expect(response.status).toBe(409);
    expect(response.body.error.code).toBe('conflict');
    expect(response.body.error.param).toBe('reference');
    expect(await walletBalance(customer)).toBe(-18_800_000n);
  });

  it('rejects an overpayment and changes nothing', async () => {
    const { customer, invoiceId } = await novemberOnlyCustomer();
    await call('POST', `/invoices/${invoiceId}/payments`, { amount: '0.01', reference: 'wire-1' });

    const response = await call('POST', `/invoices/${invoiceId}/payments`, { amount: '0.018800001', reference: 'wire-2' });
    const invoice = await call('GET', `/invoices/${invoiceId}`);

    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('invalid_amount');
    expect(response.body.error.message).toBe('"amount" (0.018800001 USD) is more than the 0.0188 USD still due on invoice TG-2026-000001.');
    expect(await walletBalance(customer)).toBe(-18_800_000n);
    expect(await ledger.findTransaction(`invoice-payment:${invoiceId}:wire-2`)).toBeNull();
    expect(invoice.body.amount_paid).toBe('0.01');
  });

  it('rejects any payment on a paid invoice', async () => {
    const { customer, invoiceId } = await novemberOnlyCustomer();
    await call('POST', `/invoices/${invoiceId}/payments`, { amount: '0.0288', reference: 'wire-1' });

    const response = await call('POST', `/invoices/${invoiceId}/payments`, { amount: '0.000000001', reference: 'wire-2' });

    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('invalid_amount');
    expect(await walletBalance(customer)).toBe(0n);
  });

  it('rejects bad amounts and changes nothing', async () => {
    const { customer, invoiceId } = await novemberOnlyCustomer();

    for (const amount of ['-1', '1e3', '0.0000000001', '', '0', ' 0.01', 0.01, null]) {
      const response = await call('POST', `/invoices/${invoiceId}/payments`, { amount, reference: 'wire-1' });

      expect(response.status, JSON.stringify(amount)).toBe(400);
      expect(response.body.error.code, JSON.stringify(amount)).toBe('invalid_amount');
      expect(response.body.error.param, JSON.stringify(amount)).toBe('amount');
    }
    const invoice = await call('GET', `/invoices/${invoiceId}`);
    expect(await walletBalance(customer)).toBe(-28_800_000n);
    expect(await ledger.listTransactionsByMeta('invoice_id', invoiceId)).toEqual([]);
    expect(invoice.body.status).toBe('open');
  });

  it('rejects a bad reference', async () => {
    const { customer, invoiceId } = await novemberOnlyCustomer();

    for (const reference of ['', 'has space', 'x'.repeat(129), 42, undefined]) {
      const response = await call('POST', `/invoices/${invoiceId}/payments`, { amount: '0.01', reference });

      expect(response.status, String(reference)).toBe(400);
      expect(response.body.error.param, String(reference)).toBe('reference');
    }
    expect(await walletBalance(customer)).toBe(-28_800_000n);
  });

  it('serializes concurrent payments', async () => {
    const { customer, invoiceId } = await novemberOnlyCustomer();

    const responses = await Promise.all([
      call('POST', `/invoices/${invoiceId}/payments`, { amount: '0.02', reference: 'wire-1' }),
      call('POST', `/invoices/${invoiceId}/payments`, { amount: '0.02', reference: 'wire-2' }),
    ]);

    expect(responses.map((response) => response.status).sort()).toEqual([201, 400]);
    expect(await walletBalance(customer)).toBe(-8_800_000n);
  });

  it('returns 404 for an unknown invoice', async () => {
    const response = await call('POST', '/invoices/inv_missing/payments', { amount: '1.00', reference: 'wire-1' });

    expect(response.status).toBe(404);
    expect(response.body.error.code).toBe('not_found');
  });
});
