/**
 * Issuing an invoice: the usage of a postpaid customer in a closed period,
 * summed from the ledger by summarizeUsage, frozen into a stored document.
 */
import { GatewayError } from '../errors.ts';
import type { Customer } from '../ledger/port.ts';
import type { SqliteLedger } from '../ledger/sqlite/index.ts';
import { formatAmount, type Currency } from '../money.ts';
import { summarizeUsage, type UsageSummary } from '../reports/usage.ts';
import type { Period } from './period.ts';
import type { InvoiceDraft, InvoiceStore, StoredInvoice } from './store.ts';

export interface IssueResult {
  invoice: StoredInvoice;
  /** False when the customer already had an invoice for exactly this period. */
  created: boolean;
}

/**
 * Issues the invoice of `customer` for `period`, or returns the one already
 * issued for exactly that period. Throws a 400 GatewayError for a prepaid
 * customer or a period that ends after the ledger's current time, and a 409
 * when the period overlaps another invoice of the customer.
 */
export async function issueInvoice(
  ledger: SqliteLedger,
  store: InvoiceStore,
  customer: Customer,
  currency: Currency,
  period: Period,
): Promise<IssueResult> {
  assertInvoiceable(customer);

  const now = ledger.now();
  if (period.end.getTime() > now.getTime()) {
    throw new GatewayError(
      'invalid_request',
      `"period_end" (${period.end.toISOString()}) is after the current time (${now.toISOString()}): usage in the period could still change, so invoice it once it has ended.`,
      { param: 'period_end' },
    );
  }

  const summary = await summarizeUsage(ledger, customer, period.start, period.end);
  const outcome = store.issue(draftOf(customer, currency, summary), summary.totals.cost);

  if (outcome.kind === 'overlap') {
    const other = outcome.invoice.document;
    throw new GatewayError(
      'conflict',
      `The period ${period.start.toISOString()} to ${period.end.toISOString()} overlaps invoice ${other.number} (${other.id}) of customer ${customer.id}, which covers ${other.period_start} to ${other.period_end}.`,
      { param: 'period_start' },
    );
  }

  return { invoice: outcome.invoice, created: outcome.kind === 'created' };
}

/** Throws a 400 GatewayError unless the customer is postpaid. */
export function assertInvoiceable(customer: Customer): void {
  if (customer.billing !== 'postpaid') {
    throw new GatewayError('invalid_request', `Customer ${customer.id} is prepaid: prepaid customers get statements, not invoices.`);
  }
}

function draftOf(customer: Customer, currency: Currency, summary: UsageSummary): InvoiceDraft {
  const lines = summary.lines.map((line) => ({
    model: line.model,
    requests: line.requests,
    input_tokens: line.inputTokens,
    cached_input_tokens: line.cachedInputTokens,
    output_tokens: line.outputTokens,
    reasoning_tokens: line.reasoningTokens,
    audio_input_tokens: line.audioInputTokens,
    audio_output_tokens: line.audioOutputTokens,
    amount: formatAmount(line.cost, currency),
  }));

  return {
    customer_id: customer.id,
    customer_name: customer.name,
    period_start: summary.from.toISOString(),
    period_end: summary.to.toISOString(),
    currency: currency.code,
    lines,
    total: formatAmount(summary.totals.cost, currency),
    ledger_references: summary.references,
  };
}
