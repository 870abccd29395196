import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import type { Customer } from '../ledger/port.ts';
import { NOVEMBER, seedNovember, startReportHarness, type ReportHarness } from './report-fixtures.testing.ts';
import { summarizeUsage, type UsageSummary } from './usage.ts';

const FROM = new Date(NOVEMBER.from);
const TO = new Date(NOVEMBER.to);

let harness: ReportHarness;
let a: Customer;
let b: Customer;
let summary: UsageSummary;

beforeEach(async () => {
  harness = startReportHarness('2026-10-01T00:00:00Z');
  ({ a, b } = await seedNovember(harness));
  summary = await summarizeUsage(harness.ledger, a, FROM, TO);
});

afterEach(async () => {
  await harness.close();
});

describe('summarizeUsage', () => {
  it('sums one line per model', () => {
    expect(summary.lines).toEqual([
      {
        model: 'gpt-4.1-mini',
        requests: 2,
        inputTokens: 2001,
        cachedInputTokens: 1000,
        outputTokens: 301,
        reasoningTokens: 100,
        audioInputTokens: 0,
        audioOutputTokens: 0,
        cost: 5_508_000n,
      },
      {
        model: 'gpt-4o-mini',
        requests: 2,
        inputTokens: 1010,
        cachedInputTokens: 200,
        outputTokens: 507,
        reasoningTokens: 0,
        audioInputTokens: 0,
        audioOutputTokens: 0,
        cost: 1_924_000n,
      },
    ]);
  });

  it('sums the totals', () => {
    expect(summary.totals).toEqual({
      requests: 4,
      inputTokens: 3011,
      cachedInputTokens: 1200,
      outputTokens: 808,
      reasoningTokens: 100,
      audioInputTokens: 0,
      audioOutputTokens: 0,
      cost: 7_432_000n,
    });
  });

  it('includes an entry at from', () => {
    expect(summary.references).toContain('req_a1:usd');
  });

  it('includes an entry just before to', () => {
    expect(summary.references).toContain('req_a4:usd');
  });

  it('excludes an entry just before from', () => {
    expect(summary.references).not.toContain('req_a0:usd');
  });

  it('excludes an entry at to', () => {
    expect(summary.references).not.toContain('req_a5:usd');
  });

  it('excludes other customers', () => {
    expect(summary.references).not.toContain('req_b1:usd');
  });

  it('matches the wallet balance change', async () => {
    const opening = await harness.ledger.balanceAt(a.walletBalanceId, FROM);
    const closing = await harness.ledger.balanceAt(a.walletBalanceId, TO);
    const topupsInPeriod = 5_000_000_000n;

    expect(opening + topupsInPeriod - closing).toBe(summary.totals.cost);
  });

  it('matches the tokens balance change', async () => {
    const opening = await harness.ledger.balanceAt(a.tokensBalanceId, FROM);
    const closing = await harness.ledger.balanceAt(a.tokensBalanceId, TO);

    expect(opening - closing).toBe(BigInt(summary.totals.inputTokens + summary.totals.outputTokens));
  });

  it('matches the revenue of both customers', async () => {
    const revenue = await harness.ledger.getInternalBalance('@Revenue', 'USD');
    const opening = await harness.ledger.balanceAt(revenue!.balanceId, FROM);
    const closing = await harness.ledger.balanceAt(revenue!.balanceId, TO);
    const other = await summarizeUsage(harness.ledger, b, FROM, TO);

    expect(closing - opening).toBe(summary.totals.cost + other.totals.cost);
  });

  it('returns no lines for an empty period', async () => {
    const empty = await summarizeUsage(harness.ledger, a, new Date('2026-11-02T00:00:00Z'), new Date('2026-11-03T00:00:00Z'));

    expect(empty.lines).toEqual([]);
    expect(empty.totals.requests).toBe(0);
    expect(empty.totals.cost).toBe(0n);
  });
});
