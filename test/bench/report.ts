/**
 * The benchmark's output: a Markdown report for people and one JSON line
 * with every figure for scripts.
 */
import { formatAmount, type Currency } from '../../src/money.ts';
import type { Machine } from './machine.ts';
import type { BenchOptions, LedgerSync } from './options.ts';
import type { Percentiles } from './stats.ts';
import type { Kind } from './workload.ts';

export interface LatencyRow {
  kind: Kind;
  measure: 'total' | 'firstByte';
  direct: Percentiles;
  gateway: Percentiles;
}

export interface BillingCheck {
  /** Requests billed through the gateway, warm-up included. */
  billedRequests: Record<Kind, number>;
  /** Charge per request in minor units. */
  charge: Record<Kind, bigint>;
  topup: bigint;
  expectedBalance: bigint;
  balance: bigint;
  held: string;
  expectedTokens: bigint;
  tokensUsed: bigint;
  passed: boolean;
}

export interface ModeResult {
  ledgerSync: LedgerSync;
  latency: LatencyRow[];
  /** Measured requests per second of wall-clock time. */
  throughput: Record<Kind, { direct: number; gateway: number }>;
  /** Gateway process CPU time per measured gateway request, user plus system, in ms; null without /proc. */
  gatewayCpuMsPerRequest: Record<Kind, number> | null;
  billing: BillingCheck;
}

export interface BenchReport {
  /** `git describe --always --dirty` of the measured tree, or "unknown". */
  revision: string;
  machine: Machine;
  options: BenchOptions;
  currency: Currency;
  startedAt: string;
  durationSeconds: number;
  modes: ModeResult[];
}

const KIND_LABELS: Record<Kind, string> = { nonStream: 'non-streamed', stream: 'streamed' };
const MEASURE_LABELS: Record<LatencyRow['measure'], string> = { total: 'total', firstByte: 'first byte' };

export function renderMarkdown(report: BenchReport): string {
  const { machine, options } = report;
  const lines = [
    '## Tollgate added latency',
    '',
    `Tollgate revision ${report.revision}.`,
    `Machine: ${machine.cpuModel}, ${machine.cores} cores, ${machine.memoryGiB} GiB RAM, ${machine.os} (${machine.kernel}), Node ${machine.node}, ledger on ${machine.ledgerFileSystem}.`,
    `Load: concurrency ${options.concurrency}, ${options.requests} non-streamed and ${options.streamRequests} streamed measured requests per phase in ${options.rounds} rounds, after ${options.warmup} warm-up requests per phase. Run started ${report.startedAt} and took ${report.durationSeconds.toFixed(0)} s.`,
    'Latencies in ms; "added" is gateway minus direct at the same percentile, and "ratio" is gateway divided by direct.',
  ];

  for (const mode of report.modes) {
    lines.push('', `### LEDGER_SYNC=${mode.ledgerSync}`, '');
    lines.push('| Request | Measure | Direct p50 | Direct p90 | Direct p99 | Gateway p50 | Gateway p90 | Gateway p99 | Added p50 | Added p99 | Ratio p50 | Ratio p99 | Direct req/s | Gateway req/s |');
    lines.push('|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|');

    for (const row of mode.latency) {
      const throughput = mode.throughput[row.kind];
      lines.push(
        `| ${KIND_LABELS[row.kind]} | ${MEASURE_LABELS[row.measure]} | ${ms(row.direct.p50)} | ${ms(row.direct.p90)} | ${ms(row.direct.p99)} | ` +
          `${ms(row.gateway.p50)} | ${ms(row.gateway.p90)} | ${ms(row.gateway.p99)} | ` +
          `${signedMs(row.gateway.p50 - row.direct.p50)} | ${signedMs(row.gateway.p99 - row.direct.p99)} | ` +
          `${ratio(row.gateway.p50, row.direct.p50)} | ${ratio(row.gateway.p99, row.direct.p99)} | ` +
          `${throughput.direct.toFixed(0)} | ${throughput.gateway.toFixed(0)} |`,
      );
    }

    if (mode.gatewayCpuMsPerRequest) {
      lines.push('', `Gateway CPU time per request: ${ms(mode.gatewayCpuMsPerRequest.nonStream)} ms non-streamed, ${ms(mode.gatewayCpuMsPerRequest.stream)} ms streamed.`);
    }
    lines.push('', billingLine(mode.billing, report.currency));
  }

  return lines.join('\n');
}

export function renderJson(report: BenchReport): string {
  const modes = report.modes.map((mode) => ({
    ledgerSync: mode.ledgerSync,
    latencyMs: mode.latency.map((row) => ({
      kind: row.kind,
      measure: row.measure,
      direct: roundPercentiles(row.direct),
      gateway: roundPercentiles(row.gateway),
      addedP50: round(row.gateway.p50 - row.direct.p50),
      addedP90: round(row.gateway.p90 - row.direct.p90),
      addedP99: round(row.gateway.p99 - row.direct.p99),
      ratioP50: round(row.gateway.p50 / row.direct.p50),
      ratioP99: round(row.gateway.p99 / row.direct.p99),
    })),
    requestsPerSecond: mode.throughput,
    gatewayCpuMsPerRequest: mode.gatewayCpuMsPerRequest,
    billing: {
      passed: mode.billing.passed,
      billedRequests: mode.billing.billedRequests,
      chargePerRequest: {
        nonStream: formatAmount(mode.billing.charge.nonStream, report.currency),
        stream: formatAmount(mode.billing.charge.stream, report.currency),
      },
      topup: formatAmount(mode.billing.topup, report.currency),
      expectedBalance: formatAmount(mode.billing.expectedBalance, report.currency),
      balance: formatAmount(mode.billing.balance, report.currency),
      held: mode.billing.held,
      expectedTokens: mode.billing.expectedTokens.toString(),
      tokensUsed: mode.billing.tokensUsed.toString(),
      currency: report.currency.code,
    },
  }));

  return JSON.stringify({
    benchmark: 'tollgate-added-latency',
    revision: report.revision,
    startedAt: report.startedAt,
    durationSeconds: round(report.durationSeconds),
    machine: report.machine,
    options: report.options,
    modes,
  });
}

function billingLine(billing: BillingCheck, currency: Currency): string {
  const amount = (units: bigint) => `${formatAmount(units, currency)} ${currency.code}`;
  const charged = billing.topup - billing.balance;
  const verdict = billing.passed ? 'PASSED' : 'FAILED';

  return (
    `Billing check ${verdict}: ${billing.billedRequests.nonStream} non-streamed × ${amount(billing.charge.nonStream)} + ` +
    `${billing.billedRequests.stream} streamed × ${amount(billing.charge.stream)} = ${amount(billing.topup - billing.expectedBalance)} expected; ` +
    `the wallet went from ${amount(billing.topup)} to ${amount(billing.balance)} (${amount(charged)} charged), ${billing.held} ${currency.code} still held, ` +
    `${billing.tokensUsed} tokens recorded (expected ${billing.expectedTokens}).`
  );
}

function ms(value: number): string {
  return value.toFixed(3);
}

function signedMs(value: number): string {
  return `${value >= 0 ? '+' : ''}${value.toFixed(3)}`;
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}

function roundPercentiles(value: Percentiles): Percentiles {
  return { p50: round(value.p50), p90: round(value.p90), p99: round(value.p99) };
}

/** Formats gateway / direct as a multiple, e.g. "10.4x". */
function ratio(gateway: number, direct: number): string {
  return direct > 0 ? `${(gateway / direct).toFixed(1)}x` : 'n/a';
}
