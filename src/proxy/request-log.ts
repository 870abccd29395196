/**
 * The log line of a request that reached the upstream, and a hold release
 * that logs its failure instead of throwing it.
 */
import type { BillingContext, Charge } from '../billing/meter.ts';
import type { Hold, Ledger } from '../ledger/port.ts';
import type { Logger } from '../logger.ts';
import { formatAmount } from '../money.ts';
import type { Endpoint, Usage, UsageSource } from '../usage/types.ts';
import type { StreamOutcome } from './relay.ts';

/** Request facts for its log line and its failure logs. */
export interface RequestSummary {
  requestId: string;
  customerId: string;
  endpoint: Endpoint;
  started: number;
  log: Logger;
  model?: string;
}

/** Releases a hold, logging instead of throwing when that fails: the hold then lasts until it expires. */
export async function releaseQuietly(ledger: Ledger, hold: Hold | null, summary: RequestSummary): Promise<void> {
  if (!hold) {
    return;
  }

  try {
    await ledger.release(hold);
  } catch (error) {
    summary.log.error({ err: error, requestId: summary.requestId, holdId: hold.holdId }, 'hold release failed; the hold stays until it expires');
  }
}

export function logRequest(
  summary: RequestSummary,
  context: BillingContext,
  status: number,
  usage: Usage | null,
  source: UsageSource | null,
  charge: Charge | null,
  outcome?: StreamOutcome,
): void {
  summary.log.info(
    {
      requestId: summary.requestId,
      customerId: summary.customerId,
      model: context.model,
      endpoint: context.endpoint,
      status,
      inputTokens: usage?.inputTokens ?? 0,
      cachedInputTokens: usage?.cachedInputTokens ?? 0,
      outputTokens: usage?.outputTokens ?? 0,
      reasoningTokens: usage?.reasoningTokens ?? 0,
      usageSource: source,
      cost: charge ? formatAmount(charge.amount, context.currency) : '0.00',
      currency: context.currency.code,
      streamOutcome: outcome?.outcome,
      clientDisconnected: outcome?.clientDisconnected,
      durationMs: elapsed(summary),
    },
    charge ? 'request billed' : 'request not charged',
  );
}

export function elapsed(summary: RequestSummary): number {
  return Math.round((performance.now() - summary.started) * 100) / 100;
}
