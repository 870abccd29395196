/**
 * A real embedded ledger in a temporary file for alert tests, with helpers
 * that move money the way the gateway does: top-ups from @World-USD, and
 * usage entries built by the meter from the test price list.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';

import { buildLegs, type BillingContext } from '../billing/meter.ts';
import type { Billing, Customer } from '../ledger/port.ts';
import { SqliteLedger } from '../ledger/sqlite/index.ts';
import { createLogger, type Logger } from '../logger.ts';
import { parseAmount, precisionOf, type Currency } from '../money.ts';
import { loadPriceList } from '../pricing/index.ts';
import { emptyUsage } from '../usage/types.ts';

export const USD: Currency = { code: 'USD', decimals: 9 };
export const CURRENCIES: ReadonlyMap<string, Currency> = new Map([['USD', USD]]);

const PRICING_FILE = fileURLToPath(new URL('../../test/fixtures/pricing.test.yaml', import.meta.url));

/** gpt-4o-mini costs 1 USD per 1M uncached input tokens in the test price list. */
const MODEL = 'gpt-4o-mini';
const INPUT_TOKENS_PER_USD = 1_000_000n;

export interface LedgerFixture {
  path: string;
  ledger: SqliteLedger;
  /** Opens another connection to the same file, as a second gateway process would. */
  openAnother(): SqliteLedger;
  createCustomer(billing?: Billing, creditLimit?: string): Promise<Customer>;
  topUp(customer: Customer, amount: string): Promise<void>;
  /** Writes a usage entry that costs exactly `amount` USD, a multiple of 0.000001 (one input token). */
  spend(customer: Customer, amount: string): Promise<void>;
  close(): Promise<void>;
}

export function openLedgerFixture(clock?: () => Date): LedgerFixture {
  const directory = mkdtempSync(join(tmpdir(), 'tollgate-alerts-'));
  const path = join(directory, 'ledger.sqlite');
  const ledger = new SqliteLedger({ path, clock });
  const others: SqliteLedger[] = [];
  const priceList = loadPriceList(PRICING_FILE);
  let sequence = 0;

  return {
    path,
    ledger,
    openAnother() {
      const other = new SqliteLedger({ path, clock });
      others.push(other);
      return other;
    },
    createCustomer(billing = 'prepaid', creditLimit) {
      return ledger.createCustomer({
        name: `Customer ${(sequence += 1)}`,
        billing,
        currency: 'USD',
        creditLimit: creditLimit === undefined ? null : parseAmount(creditLimit, USD),
      });
    },
    async topUp(customer, amount) {
      sequence += 1;
      await ledger.transfer({
        reference: `topup:${customer.id}:ref-${sequence}`,
        source: '@World-USD',
        destination: customer.walletBalanceId,
        currency: 'USD',
        precision: precisionOf(USD),
        amount: parseAmount(amount, USD),
        allowOverdraft: true,
        description: 'Wallet top-up',
        meta: { customer_id: customer.id, topup_reference: `ref-${sequence}` },
      });
    },
    async spend(customer, amount) {
      sequence += 1;
      const context: BillingContext = {
        requestId: `req_alerts_${sequence}`,
        customer,
        endpoint: 'chat.completions',
        model: MODEL,
        price: priceList.resolve(MODEL)!,
        currency: USD,
        pricingVersion: priceList.version,
      };
      const inputTokens = (parseAmount(amount, USD) * INPUT_TOKENS_PER_USD) / precisionOf(USD);
      const usage = { ...emptyUsage(), inputTokens: Number(inputTokens) };
      const { legs } = buildLegs(context, usage, 'reported');
      await ledger.settle(context.requestId, legs, null);
    },
    async close() {
      for (const other of others) {
        await other.close();
      }
      await ledger.close();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}

export interface CapturedLogger {
  logger: Logger;
  /** Parsed JSON log lines, oldest first. */
  lines: Array<Record<string, unknown>>;
}

export function captureLogger(): CapturedLogger {
  const lines: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(JSON.parse(chunk.toString('utf8')) as Record<string, unknown>);
      callback();
    },
  });
  return { logger: createLogger('debug', sink), lines };
}
