/**
 * Expected charges for end-to-end tests, computed without src/pricing or
 * src/money: the rates come straight from the price list YAML, the
 * arithmetic is big.js, and amounts are bigint units of $0.000000001.
 */
import { readFileSync } from 'node:fs';

import Big from 'big.js';
import { parse } from 'yaml';

/** USD amounts in the ledger have 9 decimals. */
export const USD_DECIMALS = 9;

const UNITS_PER_USD = new Big(10).pow(USD_DECIMALS);
const TOKENS_PER_RATE = 1_000_000;

/** Prices of one model in USD per 1M tokens, null where the price list gives none. */
export interface ModelRates {
  input: Big;
  cachedInput: Big | null;
  output: Big;
  audioInput: Big | null;
  audioOutput: Big | null;
}

/** Token counts as the fixture manifest states them: cached, reasoning and audio counts are subsets of input or output. */
export interface TokenUsage {
  input_tokens: number;
  cached_input_tokens: number;
  output_tokens: number;
  reasoning_tokens: number;
  audio_input_tokens: number;
  audio_output_tokens: number;
}

/** A usage line as the usage report, statement and invoice list it, with the cost in units. */
export interface ExpectedLine extends TokenUsage {
  model: string;
  requests: number;
  cost: bigint;
}

export type ExpectedTotals = Omit<ExpectedLine, 'model'>;

const TOKEN_FIELDS = [
  'input_tokens',
  'cached_input_tokens',
  'output_tokens',
  'reasoning_tokens',
  'audio_input_tokens',
  'audio_output_tokens',
] as const;

/** Reads the rates of every model of a price list file. */
export function loadRates(path: string): Map<string, ModelRates> {
  const document = parse(readFileSync(path, 'utf8')) as { models: Record<string, Record<string, unknown>> };
  const rates = new Map<string, ModelRates>();

  for (const [model, entry] of Object.entries(document.models)) {
    rates.set(model, {
      input: rate(entry.input)!,
      cachedInput: rate(entry.cached_input),
      output: rate(entry.output)!,
      audioInput: rate(entry.audio_input),
      audioOutput: rate(entry.audio_output),
    });
  }
  return rates;
}

/** Returns the usage fields of a manifest entry's expected_usage as numbers. */
export function usageOf(expected: Record<string, unknown>): TokenUsage {
  const usage = {} as TokenUsage;

  for (const field of TOKEN_FIELDS) {
    const value = expected[field] ?? 0;
    if (typeof value !== 'number') {
      throw new Error(`expected_usage.${field} is not a number: ${JSON.stringify(value)}`);
    }
    usage[field] = value;
  }
  return usage;
}

/**
 * Returns the cost of one request in units: uncached text input, cached
 * input, text output and audio each at their rate per 1M tokens, summed
 * exactly and rounded once, half up, to 9 decimals.
 */
export function expectedCost(rates: ModelRates, usage: TokenUsage): bigint {
  const cached = new Big(usage.cached_input_tokens);
  const audioIn = new Big(usage.audio_input_tokens);
  const audioOut = new Big(usage.audio_output_tokens);
  const uncachedText = new Big(usage.input_tokens).minus(cached).minus(audioIn);
  const textOut = new Big(usage.output_tokens).minus(audioOut);

  let perMillion = uncachedText.times(rates.input).plus(textOut.times(rates.output));
  perMillion = perMillion.plus(cached.times(requiredRate(rates.cachedInput, cached, 'cached_input')));
  perMillion = perMillion.plus(audioIn.times(requiredRate(rates.audioInput, audioIn, 'audio_input')));
  perMillion = perMillion.plus(audioOut.times(requiredRate(rates.audioOutput, audioOut, 'audio_output')));

  const units = perMillion.div(TOKENS_PER_RATE).times(UNITS_PER_USD).round(0, Big.roundHalfUp);
  return BigInt(units.toFixed(0));
}

/** Parses a decimal USD string such as "0.05" into units. */
export function usdUnits(amount: string): bigint {
  return BigInt(new Big(amount).times(UNITS_PER_USD).toFixed(0));
}

/** Formats units the way the API writes amounts: 9 decimals with trailing zeros trimmed, but at least 2. */
export function formatUsd(units: bigint): string {
  const text = new Big(units.toString()).div(UNITS_PER_USD).toFixed(USD_DECIMALS);
  const [whole, fraction = ''] = text.split('.');
  return `${whole}.${fraction.replace(/0+$/, '').padEnd(2, '0')}`;
}

/** Sums requests into one line per model, sorted by model name, and the totals. */
export function summarizeExpected(requests: ReadonlyArray<{ model: string; usage: TokenUsage; cost: bigint }>): { lines: ExpectedLine[]; totals: ExpectedTotals } {
  const lines = new Map<string, ExpectedLine>();

  for (const request of requests) {
    const line = lines.get(request.model) ?? emptyLine(request.model);
    addTo(line, 1, request.usage, request.cost);
    lines.set(request.model, line);
  }

  const sorted = [...lines.values()].sort(byModel);
  const totals = emptyLine('');
  for (const line of sorted) {
    addTo(totals, line.requests, line, line.cost);
  }

  const { model: _model, ...totalsWithoutModel } = totals;
  return { lines: sorted, totals: totalsWithoutModel };
}

/** Returns a line or the totals in the JSON shape of the usage report, with the cost formatted. */
export function usageJson(line: ExpectedTotals): Record<string, number | string> {
  return {
    requests: line.requests,
    input_tokens: line.input_tokens,
    cached_input_tokens: line.cached_input_tokens,
    output_tokens: line.output_tokens,
    reasoning_tokens: line.reasoning_tokens,
    audio_input_tokens: line.audio_input_tokens,
    audio_output_tokens: line.audio_output_tokens,
    cost: formatUsd(line.cost),
  };
}

/** Returns a line or the totals as CSV fields after the model column: counts, cost and currency. */
export function usageCsvFields(line: ExpectedTotals): string[] {
  return [String(line.requests), ...TOKEN_FIELDS.map((field) => String(line[field])), formatUsd(line.cost), 'USD'];
}

/** Orders lines by model name in UTF-16 code unit order, as the gateway sorts them, not by locale. */
function byModel(a: ExpectedLine, b: ExpectedLine): number {
  if (a.model === b.model) {
    return 0;
  }
  return a.model < b.model ? -1 : 1;
}

function emptyLine(model: string): ExpectedLine {
  return {
    model,
    requests: 0,
    input_tokens: 0,
    cached_input_tokens: 0,
    output_tokens: 0,
    reasoning_tokens: 0,
    audio_input_tokens: 0,
    audio_output_tokens: 0,
    cost: 0n,
  };
}

function addTo(line: ExpectedLine, requests: number, usage: TokenUsage, cost: bigint): void {
  line.requests += requests;
  line.cost += cost;
  for (const field of TOKEN_FIELDS) {
    line[field] += usage[field];
  }
}

function rate(value: unknown): Big | null {
  return value === undefined || value === null ? null : new Big(String(value));
}

/** Returns the rate of a token kind, failing loudly when tokens of that kind have no price. */
function requiredRate(value: Big | null, tokens: Big, field: string): Big {
  if (value !== null) {
    return value;
  }
  if (tokens.gt(0)) {
    throw new Error(`the price list gives no ${field} rate for a model with ${field} tokens`);
  }
  return new Big(0);
}
