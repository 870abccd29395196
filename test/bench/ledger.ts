/**
 * `node test/bench/ledger.ts`: times the two ledger writes of every billed request,
 * the prepaid hold and the settlement, without HTTP. It calls the billing
 * functions of the gateway (src/billing/meter.ts) on an embedded ledger in a
 * temporary directory, and measures how many WAL pages one request writes.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import { placeHold, settle, type BillingContext } from '../../src/billing/meter.ts';
import { SqliteLedger } from '../../src/ledger/sqlite/index.ts';
import { parseAmount, precisionOf, type Currency } from '../../src/money.ts';
import { loadPriceList } from '../../src/pricing/index.ts';
import type { Usage } from '../../src/usage/types.ts';
import { percentiles } from './stats.ts';

const PRICING_FILE = fileURLToPath(new URL('../fixtures/pricing.test.yaml', import.meta.url));
const USD: Currency = { code: 'USD', decimals: 9 };
const MODEL = 'gpt-4o-mini';

/** Requests whose WAL growth is measured; small enough that no automatic checkpoint runs in between. */
const WAL_PROBE_REQUESTS = 20;

/** SQLite's default wal_autocheckpoint, in pages; the embedded ledger does not change it. */
const AUTOCHECKPOINT_PAGES = 1000;

/** Bytes of the WAL file header and of each frame header, from SQLite's WAL file format. */
const WAL_HEADER_BYTES = 32;
const WAL_FRAME_HEADER_BYTES = 24;

/** An operation slower than this, in ms, is counted as a stall. */
const STALL_MS = 1;

const USAGE = `Usage: node test/bench/ledger.ts [--requests N] [--ledger-sync normal|full|both]

Times the ledger's hold and settle per request (default 3000 requests, both sync modes).
`;

interface ModeTiming {
  ledgerSync: 'normal' | 'full';
  hold: Float64Array;
  settle: Float64Array;
  /** WAL pages written per request, hold and settle together; null when a checkpoint spoiled the probe. */
  walPagesPerRequest: number | null;
}

async function timeMode(ledgerSync: 'normal' | 'full', requests: number): Promise<ModeTiming> {
  const directory = mkdtempSync(join(tmpdir(), 'tollgate-ledger-bench-'));
  const path = join(directory, 'ledger.sqlite');
  const ledger = new SqliteLedger({ path, sync: ledgerSync });

  try {
    const prices = loadPriceList(PRICING_FILE);
    const price = prices.resolve(MODEL)!;
    const customer = await ledger.createCustomer({ name: 'Ledger benchmark', billing: 'prepaid', currency: USD.code, creditLimit: null });
    await ledger.transfer({
      reference: 'topup:ledger-bench',
      source: `@World-${USD.code}`,
      destination: customer.walletBalanceId,
      currency: USD.code,
      precision: precisionOf(USD),
      amount: parseAmount('100000.00', USD),
      allowOverdraft: true,
      description: 'Wallet top-up',
      meta: {},
    });

    const usage: Usage = { inputTokens: 24, cachedInputTokens: 0, outputTokens: 17, reasoningTokens: 0, audioInputTokens: 0, audioOutputTokens: 0, cacheWriteTokens: null, reportedTotalTokens: 41 };
    const hold = new Float64Array(requests);
    const settleMs = new Float64Array(requests);
    const pageSize = pageSizeOf(path);
    const walBefore = walFrames(path, pageSize);
    let walPagesPerRequest: number | null = null;

    for (let index = 0; index < requests; index += 1) {
      const context: BillingContext = {
        requestId: `req_${randomBytes(12).toString('hex')}`,
        customer,
        endpoint: 'chat.completions',
        model: MODEL,
        price,
        currency: USD,
        pricingVersion: prices.version,
      };

      const started = performance.now();
      const placed = await placeHold(ledger, context, { inputTokens: 30, outputTokens: 64 }, 900);
      const held = performance.now();
      await settle(ledger, context, usage, 'reported', placed);

      hold[index] = held - started;
      settleMs[index] = performance.now() - held;

      if (index + 1 === WAL_PROBE_REQUESTS) {
        const written = walFrames(path, pageSize) - walBefore;
        walPagesPerRequest = written > 0 && written < AUTOCHECKPOINT_PAGES ? written / WAL_PROBE_REQUESTS : null;
      }
    }

    return { ledgerSync, hold, settle: settleMs, walPagesPerRequest };
  } finally {
    await ledger.close();
    rmSync(directory, { recursive: true, force: true });
  }
}

function pageSizeOf(path: string): number {
  const connection = new DatabaseSync(path);

  try {
    const row = connection.prepare('PRAGMA page_size').get() as { page_size: number };
    return row.page_size;
  } finally {
    connection.close();
  }
}

function walFrames(path: string, pageSize: number): number {
  const size = statSync(`${path}-wal`, { throwIfNoEntry: false })?.size ?? 0;
  return size <= WAL_HEADER_BYTES ? 0 : (size - WAL_HEADER_BYTES) / (pageSize + WAL_FRAME_HEADER_BYTES);
}

function render(results: ModeTiming[], requests: number): string {
  const lines = [
    `Ledger writes per request, ${requests} requests per mode, in ms (${process.version}, ${process.platform}).`,
    '',
    '| LEDGER_SYNC | Write | mean | p50 | p90 | p99 | max | over 1 ms |',
    '|---|---|--:|--:|--:|--:|--:|--:|',
  ];

  for (const result of results) {
    for (const [name, samples] of [['hold', result.hold], ['settle', result.settle]] as const) {
      const mean = samples.reduce((sum, value) => sum + value, 0) / samples.length;
      const stalls = samples.filter((value) => value > STALL_MS).length;
      const max = samples.reduce((largest, value) => Math.max(largest, value), 0);
      const { p50, p90, p99 } = percentiles(samples);
      lines.push(`| ${result.ledgerSync} | ${name} | ${mean.toFixed(3)} | ${p50.toFixed(3)} | ${p90.toFixed(3)} | ${p99.toFixed(3)} | ${max.toFixed(3)} | ${stalls} |`);
    }
  }

  lines.push('');
  for (const result of results) {
    const pages = result.walPagesPerRequest;
    lines.push(
      pages === null
        ? `${result.ledgerSync}: WAL pages per request not measured (a checkpoint ran during the probe).`
        : `${result.ledgerSync}: ${pages.toFixed(1)} WAL pages written per request, so an automatic checkpoint (every ${AUTOCHECKPOINT_PAGES} pages) runs about every ${Math.round(AUTOCHECKPOINT_PAGES / pages)} requests.`,
    );
  }
  return lines.join('\n');
}

async function main(): Promise<number> {
  let values;
  try {
    values = parseArgs({ options: { requests: { type: 'string' }, 'ledger-sync': { type: 'string' }, help: { type: 'boolean' } } }).values;
  } catch (error) {
    process.stderr.write(`test/bench/ledger: ${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }

  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }

  const requests = Number(values.requests ?? '3000');
  const mode = (values['ledger-sync'] ?? 'both') as 'normal' | 'full' | 'both';
  if (!Number.isSafeInteger(requests) || requests < WAL_PROBE_REQUESTS || requests > 1_000_000) {
    process.stderr.write(`test/bench/ledger: invalid --requests ${JSON.stringify(values.requests)}: expected an integer from ${WAL_PROBE_REQUESTS} to 1000000\n`);
    return 2;
  }
  if (mode !== 'normal' && mode !== 'full' && mode !== 'both') {
    process.stderr.write(`test/bench/ledger: invalid --ledger-sync ${JSON.stringify(mode)}: expected normal, full or both\n`);
    return 2;
  }

  const modes: Array<'normal' | 'full'> = mode === 'both' ? ['normal', 'full'] : [mode];
  const results: ModeTiming[] = [];
  for (const ledgerSync of modes) {
    results.push(await timeMode(ledgerSync, requests));
  }

  process.stdout.write(`${render(results, requests)}\n`);
  return 0;
}

process.exitCode = await main();
