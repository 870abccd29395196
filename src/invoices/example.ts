/**
 * Writes the example invoice page (docs/invoice-example.html) from a
 * simulated month: a postpaid customer calls three models of pricing.yaml
 * through November 2026, the invoice is issued on 1 December and half of it
 * is paid on 8 December. Traffic comes from a seeded generator, so every run
 * writes the same amounts; only the generated ids differ.
 *
 *   node src/invoices/example.ts [output path]
 */
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import { Hono } from 'hono';

import { buildLegs, type BillingContext } from '../billing/meter.ts';
import { GatewayError, errorResponse } from '../errors.ts';
import { SqliteLedger } from '../ledger/sqlite/index.ts';
import { createLogger } from '../logger.ts';
import { formatAmount, parseAmount, type Currency } from '../money.ts';
import { loadPriceList } from '../pricing/index.ts';
import { emptyUsage, type Endpoint, type Usage } from '../usage/types.ts';
import { createInvoiceRoutes } from './routes.ts';

const USD: Currency = { code: 'USD', decimals: 9 };
const MONTH_START = Date.parse('2026-11-01T00:00:00Z');
const MONTH_END = Date.parse('2026-12-01T00:00:00Z');

interface Workload {
  model: string;
  endpoint: Endpoint;
  requests: number;
  usage: (random: () => number) => Usage;
}

const WORKLOADS: Workload[] = [
  {
    model: 'gpt-5',
    endpoint: 'responses',
    requests: 1240,
    usage: (random) => {
      const input = between(random, 1500, 9000);
      const output = between(random, 300, 3200);
      return { ...emptyUsage(), inputTokens: input, cachedInputTokens: Math.floor(input * 0.45 * random()), outputTokens: output, reasoningTokens: Math.floor(output * 0.6) };
    },
  },
  {
    model: 'gpt-4.1-mini',
    endpoint: 'chat.completions',
    requests: 3815,
    usage: (random) => {
      const input = between(random, 400, 2600);
      return { ...emptyUsage(), inputTokens: input, cachedInputTokens: Math.floor(input * 0.3 * random()), outputTokens: between(random, 60, 700) };
    },
  },
  {
    model: 'text-embedding-3-small',
    endpoint: 'embeddings',
    requests: 9472,
    usage: (random) => ({ ...emptyUsage(), inputTokens: between(random, 80, 1600) }),
  },
];

const output = process.argv[2] ?? fileURLToPath(new URL('../../docs/invoice-example.html', import.meta.url));
const prices = loadPriceList(fileURLToPath(new URL('../../pricing.yaml', import.meta.url)));
const random = seededRandom('invoice-example-2026-11');

let now = new Date('2026-10-20T10:00:00Z');
const ledger = new SqliteLedger({ path: ':memory:', clock: () => now });
const customer = await ledger.createCustomer({ name: 'Northwind Analytics GmbH', billing: 'postpaid', currency: 'USD', creditLimit: null });

const requests = WORKLOADS.flatMap((workload) =>
  Array.from({ length: workload.requests }, () => ({ workload, at: MONTH_START + Math.floor(random() * (MONTH_END - MONTH_START)), usage: workload.usage(random) })),
).sort((a, b) => a.at - b.at);

for (const [index, request] of requests.entries()) {
  const context: BillingContext = {
    requestId: `req_example_${index}`,
    customer,
    endpoint: request.workload.endpoint,
    model: request.workload.model,
    price: prices.resolve(request.workload.model)!,
    currency: USD,
    pricingVersion: prices.version,
  };

  now = new Date(request.at);
  await ledger.settle(context.requestId, buildLegs(context, request.usage, 'reported').legs, null);
}

const app = new Hono();
app.route('/admin', createInvoiceRoutes({ ledger, directory: ledger, currencies: new Map([['USD', USD]]), logger: createLogger('silent') }));
app.onError((error) => {
  if (error instanceof GatewayError) {
    return errorResponse(error);
  }
  throw error;
});

now = new Date('2026-12-01T09:00:00Z');
const issued = await post(`/admin/customers/${customer.id}/invoices`, { period_start: '2026-11-01T00:00:00Z', period_end: '2026-12-01T00:00:00Z' });

// Half of the total, rounded down to the cent: a plausible first instalment.
const total = parseAmount(issued.total, USD);
const half = (total / 2n / 10_000_000n) * 10_000_000n;
now = new Date('2026-12-08T15:42:00Z');
await post(`/admin/invoices/${issued.id}/payments`, { amount: formatAmount(half, USD), reference: 'SEPA-2026-12-08-4471' });

const page = await app.request(`/admin/invoices/${issued.id}?format=html`);
writeFileSync(output, await page.text());
await ledger.close();

console.log(`wrote ${output}: invoice ${issued.number}, total ${issued.total} USD over ${requests.length} requests`);

async function post(path: string, body: unknown): Promise<Record<string, any>> {
  const response = await app.request(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const json = (await response.json()) as Record<string, any>;

  if (!response.ok) {
    throw new Error(`POST ${path} failed with ${response.status}: ${JSON.stringify(json)}`);
  }
  return json;
}

function between(random: () => number, low: number, high: number): number {
  return low + Math.floor(random() * (high - low + 1));
}

/** Returns a seeded generator of numbers in [0, 1): SHA-256 of the seed and a counter, so the example is the same on every run. */
function seededRandom(seed: string): () => number {
  let counter = 0;

  return () => {
    counter += 1;
    return createHash('sha256').update(`${seed}:${counter}`).digest().readUInt32BE(0) / 2 ** 32;
  };
}
