import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import type { Customer, Ledger } from '../ledger/port.ts';
import { createLogger } from '../logger.ts';
import { bill, NOVEMBER, seedNovember, startReportHarness, type ReportHarness } from './report-fixtures.testing.ts';
import { buildStatement, logStatementProblems } from './statement.ts';

const FROM = new Date(NOVEMBER.from);
const TO = new Date(NOVEMBER.to);
const NOVEMBER_QUERY = `from=${NOVEMBER.from}&to=${NOVEMBER.to}`;

let harness: ReportHarness;
let a: Customer;

beforeEach(async () => {
  harness = startReportHarness('2026-10-01T00:00:00Z');
  ({ a } = await seedNovember(harness));
});

afterEach(async () => {
  await harness.close();
});

async function statementOf(customer: Customer, query = NOVEMBER_QUERY): Promise<any> {
  const response = await harness.app.request(`/admin/customers/${customer.id}/statement?${query}`);
  expect(response.status).toBe(200);
  return response.json();
}

/** Writes a postpaid customer's November: usage, an invoice payment and a refund to card. */
async function seedPostpaid(): Promise<Customer> {
  const { ledger } = harness;

  harness.setTime('2026-10-15T00:00:00Z');
  const customer = await harness.createCustomer({ billing: 'postpaid', creditLimit: 50_000_000_000n });
  await bill(ledger, customer, 'req_p0', 'gpt-4o-mini', { inputTokens: 3_000_000 });

  harness.setTime('2026-11-03T00:00:00Z');
  await ledger.transfer({
    reference: 'payment:inv_oct',
    source: '@World-USD',
    destination: customer.walletBalanceId,
    currency: 'USD',
    precision: 1_000_000_000n,
    amount: 3_000_000_000n,
    allowOverdraft: true,
    description: 'Invoice payment',
    meta: { customer_id: customer.id, invoice_id: 'inv_oct' },
  });

  harness.setTime('2026-11-12T00:00:00Z');
  await bill(ledger, customer, 'req_p1', 'gpt-4.1-mini', { inputTokens: 1_000_000, outputTokens: 200_000 });

  harness.setTime('2026-11-25T00:00:00Z');
  await ledger.transfer({
    reference: 'refund:card-7',
    source: customer.walletBalanceId,
    destination: '@World-USD',
    currency: 'USD',
    precision: 1_000_000_000n,
    amount: 250_000_000n,
    allowOverdraft: true,
    description: 'Refund to card',
    meta: { customer_id: customer.id },
  });

  return customer;
}

describe('GET /admin/customers/:id/statement', () => {
  it('returns the prepaid statement', async () => {
    const statement = await statementOf(a);

    expect(statement).toEqual({
      object: 'statement',
      customer_id: a.id,
      billing: 'prepaid',
      currency: 'USD',
      from: '2026-11-01T00:00:00Z',
      to: '2026-12-01T00:00:00Z',
      opening_balance: '9.9998',
      topups: {
        lines: [{ transaction_id: expect.stringMatching(/^txn_/), time: '2026-11-15T08:00:00Z', reference: 'mid-month', amount: '5.00' }],
        total: '5.00',
      },
      payments: { lines: [], total: '0.00' },
      usage: {
        lines: [
          {
            model: 'gpt-4.1-mini',
            requests: 2,
            input_tokens: 2001,
            cached_input_tokens: 1000,
            output_tokens: 301,
            reasoning_tokens: 100,
            audio_input_tokens: 0,
            audio_output_tokens: 0,
            cost: '0.005508',
          },
          {
            model: 'gpt-4o-mini',
            requests: 2,
            input_tokens: 1010,
            cached_input_tokens: 200,
            output_tokens: 507,
            reasoning_tokens: 0,
            audio_input_tokens: 0,
            audio_output_tokens: 0,
            cost: '0.001924',
          },
        ],
        total: '0.007432',
      },
      other: { lines: [], total: '0.00' },
      closing_balance: '14.992368',
      ledger_closing_balance: '14.992368',
      reconciled: true,
    });
  });

  it('logs nothing for a clean statement', async () => {
    await statementOf(a);

    expect(harness.logs).toEqual([]);
  });

  it('takes the opening balance at from', async () => {
    const statement = await statementOf(a, `from=2026-11-15T08:00:00Z&to=${NOVEMBER.to}`);

    expect(statement.opening_balance).toBe('9.9924');
    expect(statement.topups.total).toBe('5.00');
  });

  it('leaves a top-up at to for the next period', async () => {
    const statement = await statementOf(a, `from=${NOVEMBER.from}&to=2026-11-15T08:00:00Z`);

    expect(statement.topups.lines).toEqual([]);
    expect(statement.closing_balance).toBe('9.9924');
    expect(statement.reconciled).toBe(true);
  });

  it('lists invoice payments', async () => {
    const customer = await seedPostpaid();
    const statement = await statementOf(customer);

    expect(statement.payments).toEqual({
      lines: [{ transaction_id: expect.stringMatching(/^txn_/), time: '2026-11-03T00:00:00Z', reference: 'payment:inv_oct', invoice_id: 'inv_oct', amount: '3.00' }],
      total: '3.00',
    });
  });

  it('lists an unknown transfer as other', async () => {
    const customer = await seedPostpaid();
    const statement = await statementOf(customer);

    expect(statement.other).toEqual({
      lines: [{ transaction_id: expect.stringMatching(/^txn_/), time: '2026-11-25T00:00:00Z', reference: 'refund:card-7', description: 'Refund to card', amount: '-0.25' }],
      total: '-0.25',
    });
  });

  it('reconciles a postpaid statement', async () => {
    const customer = await seedPostpaid();
    const statement = await statementOf(customer);

    // -3.00 (October usage) + 3.00 (payment) - 4.00 (3.00 input + 1.00 output of gpt-4.1-mini) - 0.25
    expect(statement.billing).toBe('postpaid');
    expect(statement.opening_balance).toBe('-3.00');
    expect(statement.usage.total).toBe('4.00');
    expect(statement.closing_balance).toBe('-4.25');
    expect(statement.ledger_closing_balance).toBe('-4.25');
    expect(statement.reconciled).toBe(true);
  });

  it('warns about other transactions', async () => {
    const customer = await seedPostpaid();
    await statementOf(customer);

    expect(harness.logs).toHaveLength(1);
    expect(harness.logs[0]).toMatchObject({ level: 40, customerId: customer.id, references: ['refund:card-7'] });
  });

  it('returns zeros for a customer without activity', async () => {
    harness.setTime('2026-10-01T00:00:00Z');
    const idle = await harness.createCustomer();
    const statement = await statementOf(idle);

    expect(statement.opening_balance).toBe('0.00');
    expect(statement.usage).toEqual({ lines: [], total: '0.00' });
    expect(statement.closing_balance).toBe('0.00');
    expect(statement.reconciled).toBe(true);
  });
});

describe('buildStatement', () => {
  /** Wraps the ledger so that its balance at the end of November is one unit too high, as after a corrupted write. */
  function skewedLedger(): Ledger {
    return new Proxy(harness.ledger, {
      get(target, property) {
        if (property === 'balanceAt') {
          return async (balanceId: string, at: Date) => (await target.balanceAt(balanceId, at)) + (at.getTime() === TO.getTime() ? 1n : 0n);
        }
        const value = Reflect.get(target, property, target) as unknown;
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
  }

  it('sums classified transactions', async () => {
    const statement = await buildStatement(harness.ledger, a, { from: FROM, to: TO });

    expect(statement.closingBalance).toBe(14_992_368_000n);
    expect(statement.ledgerClosingBalance).toBe(14_992_368_000n);
  });

  it('reports an arithmetic mismatch', async () => {
    const statement = await buildStatement(skewedLedger(), a, { from: FROM, to: TO });

    expect(statement.closingBalance).toBe(14_992_368_000n);
    expect(statement.ledgerClosingBalance).toBe(14_992_368_001n);
    expect(statement.reconciled).toBe(false);
  });

  it('logs a mismatch as an error', async () => {
    const statement = await buildStatement(skewedLedger(), a, { from: FROM, to: TO });
    const lines: string[] = [];
    const logger = createLogger('info', { write: (line: string) => lines.push(line) });

    logStatementProblems(logger, statement);

    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({
      level: 50,
      customerId: a.id,
      closingBalance: '14992368000',
      ledgerClosingBalance: '14992368001',
    });
  });
});
