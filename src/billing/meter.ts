/**
 * Billing of one request: the prepaid hold before the upstream call, and the
 * two-leg ledger entry (TOKENS and money) once usage is known.
 */
import type { Currency } from '../money.ts';
import { formatAmount, precisionOf, toMinorUnits } from '../money.ts';
import { GatewayError } from '../errors.ts';
import {
  InsufficientFundsError,
  TOKENS,
  type Customer,
  type EntryReceipt,
  type Hold,
  type Ledger,
  type Leg,
} from '../ledger/port.ts';
import { costOf, holdCostOf } from '../pricing/index.ts';
import type { ModelPrice } from '../pricing/index.ts';
import type { Endpoint, Usage, UsageSource } from '../usage/types.ts';

/** Internal balances that every entry credits. */
export const REVENUE = '@Revenue';
export const SYSTEM_TOKENS = '@System-Tokens';

export interface BillingContext {
  requestId: string;
  customer: Customer;
  endpoint: Endpoint;
  model: string;
  price: ModelPrice;
  currency: Currency;
  pricingVersion: string;
}

export interface Charge {
  /** Money charged, in minor units of the customer's currency. */
  amount: bigint;
  /** Tokens recorded on the TOKENS leg: input plus output. */
  tokens: bigint;
  receipt: EntryReceipt | null;
}

/**
 * Places the prepaid hold for a request's maximum cost, or returns null when
 * no hold is needed (postpaid without a credit limit, or a zero estimate).
 * Throws a 402 insufficient_quota GatewayError when the wallet cannot cover it.
 */
export async function placeHold(
  ledger: Ledger,
  context: BillingContext,
  estimate: { inputTokens: number; outputTokens: number },
  expirySeconds: number,
): Promise<Hold | null> {
  const { customer, currency } = context;

  if (customer.billing === 'postpaid' && customer.creditLimit === null) {
    return null;
  }

  const amount = toMinorUnits(holdCostOf(context.price, estimate.inputTokens, estimate.outputTokens), currency);
  if (amount === 0n) {
    return null;
  }

  const floor = customer.billing === 'prepaid' ? 0n : -(customer.creditLimit ?? 0n);

  try {
    return await ledger.hold({
      reference: `${context.requestId}:hold`,
      balanceId: customer.walletBalanceId,
      currency: currency.code,
      amount,
      floor,
      expiresAt: new Date(Date.now() + expirySeconds * 1000),
      meta: { request_id: context.requestId, customer_id: customer.id, model: context.model },
    });
  } catch (error) {
    if (error instanceof InsufficientFundsError) {
      throw insufficientQuota(context, error, floor, estimate);
    }
    throw error;
  }
}

/** Builds the entry's legs; legs of zero amount are left out. */
export function buildLegs(context: BillingContext, usage: Usage, source: UsageSource): { legs: Leg[]; amount: bigint; tokens: bigint } {
  const { customer, currency, requestId } = context;
  const amount = toMinorUnits(costOf(context.price, usage), currency);
  const tokens = BigInt(usage.inputTokens) + BigInt(usage.outputTokens);

  const meta = {
    request_id: requestId,
    customer_id: customer.id,
    model: context.model,
    endpoint: context.endpoint,
    input_tokens: usage.inputTokens,
    cached_input_tokens: usage.cachedInputTokens,
    output_tokens: usage.outputTokens,
    reasoning_tokens: usage.reasoningTokens,
    audio_input_tokens: usage.audioInputTokens,
    audio_output_tokens: usage.audioOutputTokens,
    usage_source: source,
    pricing_version: context.pricingVersion,
  };

  const legs: Leg[] = [];

  if (tokens > 0n) {
    legs.push({
      reference: `${requestId}:tokens`,
      source: customer.tokensBalanceId,
      destination: SYSTEM_TOKENS,
      currency: TOKENS,
      precision: 1n,
      amount: tokens,
      allowOverdraft: true,
      description: `${context.endpoint} ${context.model} tokens`,
      meta,
    });
  }

  if (amount > 0n) {
    // The hold has already enforced prepaid funds, so once the upstream has
    // responded the charge must not be rejected. It may exceed the hold only
    // by the gap between the estimate and the actual usage.
    legs.push({
      reference: `${requestId}:${currency.code.toLowerCase()}`,
      source: customer.walletBalanceId,
      destination: REVENUE,
      currency: currency.code,
      precision: precisionOf(currency),
      amount,
      allowOverdraft: true,
      description: `${context.endpoint} ${context.model} usage`,
      meta,
    });
  }

  return { legs, amount, tokens };
}

/** Writes the entry for `usage` and releases the hold, in that order. */
export async function settle(ledger: Ledger, context: BillingContext, usage: Usage, source: UsageSource, hold: Hold | null): Promise<Charge> {
  const { legs, amount, tokens } = buildLegs(context, usage, source);

  if (legs.length === 0) {
    if (hold) {
      await ledger.release(hold);
    }
    return { amount, tokens, receipt: null };
  }

  const receipt = await ledger.settle(context.requestId, legs, hold);
  return { amount, tokens, receipt };
}

function insufficientQuota(
  context: BillingContext,
  error: InsufficientFundsError,
  floor: bigint,
  estimate: { inputTokens: number; outputTokens: number },
): GatewayError {
  const { currency, customer } = context;
  const required = formatAmount(error.required, currency);
  const available = formatAmount(error.available - floor, currency);
  const scope = customer.billing === 'prepaid' ? 'the wallet has only' : 'the wallet and its credit limit leave only';
  const remedy = customer.billing === 'prepaid' ? 'Top up the wallet' : 'Pay the open balance or raise the credit limit';

  return new GatewayError(
    'insufficient_quota',
    `This request needs a hold of ${required} ${currency.code} for its maximum cost (${estimate.inputTokens} input and ${estimate.outputTokens} output tokens), but ${scope} ${available} ${currency.code} available. ${remedy}, or send a lower max_tokens, and retry.`,
  );
}
