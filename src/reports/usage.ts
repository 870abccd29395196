/**
 * Usage of one customer in a half-open period [from, to), summed from the
 * ledger entries themselves: the TOKENS legs give the token counts (from
 * their meta_data) and the money legs give the cost. Totals are therefore
 * the sum of the entries, to the last unit of precision.
 */
import type { Customer, Ledger, LedgerTransaction } from '../ledger/port.ts';

export interface UsageLine {
  model: string;
  requests: number;
  inputTokens: number;
  cachedInputTokens: number;
  outputTokens: number;
  reasoningTokens: number;
  audioInputTokens: number;
  audioOutputTokens: number;
  /** Cost in minor units of the customer's currency. */
  cost: bigint;
}

export interface UsageSummary {
  customerId: string;
  currency: string;
  from: Date;
  to: Date;
  /** One line per model, sorted by model name. */
  lines: UsageLine[];
  totals: Omit<UsageLine, 'model'>;
  /** References of every ledger transaction the summary covers, in ledger order. */
  references: string[];
}

const COUNTS = [
  ['inputTokens', 'input_tokens'],
  ['cachedInputTokens', 'cached_input_tokens'],
  ['outputTokens', 'output_tokens'],
  ['reasoningTokens', 'reasoning_tokens'],
  ['audioInputTokens', 'audio_input_tokens'],
  ['audioOutputTokens', 'audio_output_tokens'],
] as const;

export async function summarizeUsage(ledger: Ledger, customer: Customer, from: Date, to: Date): Promise<UsageSummary> {
  const [tokenLegs, walletLegs] = await Promise.all([
    ledger.listTransactions({ balanceId: customer.tokensBalanceId, from, to }),
    ledger.listTransactions({ balanceId: customer.walletBalanceId, from, to }),
  ]);

  const usageLegs = [...tokenLegs, ...walletLegs].filter((leg) => isUsageLeg(leg, customer));
  const byEntry = new Map<string, { meta: Record<string, unknown>; cost: bigint; references: string[] }>();

  for (const leg of usageLegs) {
    const entryId = leg.entryId ?? leg.reference;
    const entry = byEntry.get(entryId) ?? { meta: leg.meta, cost: 0n, references: [] };

    if (leg.source === customer.walletBalanceId) {
      entry.cost += leg.amount;
    }
    entry.references.push(leg.reference);
    byEntry.set(entryId, entry);
  }

  const lines = new Map<string, UsageLine>();
  const references: string[] = [];

  for (const entry of byEntry.values()) {
    const model = String(entry.meta.model ?? 'unknown');
    const line = lines.get(model) ?? emptyLine(model);

    line.requests += 1;
    line.cost += entry.cost;
    for (const [field, key] of COUNTS) {
      line[field] += count(entry.meta[key]);
    }

    lines.set(model, line);
    references.push(...entry.references);
  }

  const sorted = [...lines.values()].sort(byModel);
  const { model: _model, ...totals } = sorted.reduce(addLine, emptyLine(''));

  return { customerId: customer.id, currency: customer.currency, from, to, lines: sorted, totals, references };
}

/** Tells whether a leg belongs to a request entry and debits one of the customer's balances. */
function isUsageLeg(leg: LedgerTransaction, customer: Customer): boolean {
  const debitsCustomer = leg.source === customer.walletBalanceId || leg.source === customer.tokensBalanceId;
  return debitsCustomer && leg.entryId !== null && typeof leg.meta.request_id === 'string';
}

function byModel(a: UsageLine, b: UsageLine): number {
  if (a.model === b.model) {
    return 0;
  }
  return a.model < b.model ? -1 : 1;
}

function emptyLine(model: string): UsageLine {
  return {
    model,
    requests: 0,
    inputTokens: 0,
    cachedInputTokens: 0,
    outputTokens: 0,
    reasoningTokens: 0,
    audioInputTokens: 0,
    audioOutputTokens: 0,
    cost: 0n,
  };
}

function addLine(sum: UsageLine, line: UsageLine): UsageLine {
  const next = { ...sum, requests: sum.requests + line.requests, cost: sum.cost + line.cost };
  for (const [field] of COUNTS) {
    next[field] = sum[field] + line[field];
  }
  return next;
}

function count(value: unknown): number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : 0;
}
