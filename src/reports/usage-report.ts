/**
 * The usage report of one customer and period, as JSON or CSV. Both are
 * views of a UsageSummary, so their totals are the ledger entries' sums.
 */
import { formatAmount, type Currency } from '../money.ts';
import { formatCsv } from './csv.ts';
import { formatTimestamp } from './period.ts';
import type { UsageLine, UsageSummary } from './usage.ts';

export type UsageTotals = Omit<UsageLine, 'model'>;

/** A usage line in JSON: token counts as numbers, cost as a decimal string in currency units. */
export interface UsageTotalsJson {
  requests: number;
  input_tokens: number;
  cached_input_tokens: number;
  output_tokens: number;
  reasoning_tokens: number;
  audio_input_tokens: number;
  audio_output_tokens: number;
  cost: string;
}

export interface UsageLineJson extends UsageTotalsJson {
  model: string;
}

export interface UsageReportJson {
  object: 'usage_report';
  customer_id: string;
  currency: string;
  from: string;
  to: string;
  lines: UsageLineJson[];
  totals: UsageTotalsJson;
}

export const CSV_HEADER = [
  'model',
  'requests',
  'input_tokens',
  'cached_input_tokens',
  'output_tokens',
  'reasoning_tokens',
  'audio_input_tokens',
  'audio_output_tokens',
  'cost',
  'currency',
] as const;

/** The model column of the CSV row that carries the totals. */
export const CSV_TOTAL_LABEL = 'TOTAL';

export function usageReportJson(summary: UsageSummary, currency: Currency): UsageReportJson {
  return {
    object: 'usage_report',
    customer_id: summary.customerId,
    currency: summary.currency,
    from: formatTimestamp(summary.from),
    to: formatTimestamp(summary.to),
    lines: summary.lines.map((line) => ({ model: line.model, ...usageTotalsJson(line, currency) })),
    totals: usageTotalsJson(summary.totals, currency),
  };
}

export function usageTotalsJson(totals: UsageTotals, currency: Currency): UsageTotalsJson {
  return {
    requests: totals.requests,
    input_tokens: totals.inputTokens,
    cached_input_tokens: totals.cachedInputTokens,
    output_tokens: totals.outputTokens,
    reasoning_tokens: totals.reasoningTokens,
    audio_input_tokens: totals.audioInputTokens,
    audio_output_tokens: totals.audioOutputTokens,
    cost: formatAmount(totals.cost, currency),
  };
}

/** Formats the report as CSV: the header, one row per model, then a TOTAL row. */
export function usageReportCsv(summary: UsageSummary, currency: Currency): string {
  const rows = summary.lines.map((line) => csvRow(line.model, line, currency));
  return formatCsv([[...CSV_HEADER], ...rows, csvRow(CSV_TOTAL_LABEL, summary.totals, currency)]);
}

/** Returns a file name such as `usage-cus_1-20261101T000000Z-20261201T000000Z.csv`. */
export function usageReportFilename(summary: UsageSummary): string {
  return `usage-${summary.customerId}-${compactTimestamp(summary.from)}-${compactTimestamp(summary.to)}.csv`;
}

function csvRow(label: string, totals: UsageTotals, currency: Currency): string[] {
  return [
    label,
    String(totals.requests),
    String(totals.inputTokens),
    String(totals.cachedInputTokens),
    String(totals.outputTokens),
    String(totals.reasoningTokens),
    String(totals.audioInputTokens),
    String(totals.audioOutputTokens),
    formatAmount(totals.cost, currency),
    currency.code,
  ];
}

/** Formats an instant in ISO 8601 basic format (no "-" or ":"), which is safe in a file name. */
function compactTimestamp(date: Date): string {
  return formatTimestamp(date).replaceAll('-', '').replaceAll(':', '');
}
