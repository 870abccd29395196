/**
 * Reading admin requests: the JSON body, amounts, and the customer a path
 * names, each rejected with a 4xx in OpenAI's error shape.
 */
import type { Context } from 'hono';

import { GatewayError } from '../errors.ts';
import type { Customer, CustomerDirectory } from '../ledger/port.ts';
import { AmountError, formatAmount, parseAmount, type Currency } from '../money.ts';

/** Parses a body that must be a JSON object; 400 invalid_json otherwise. */
export async function jsonBody(c: Context): Promise<Record<string, unknown>> {
  let value: unknown;

  try {
    value = await c.req.json();
  } catch {
    throw new GatewayError('invalid_json', 'The request body is not valid JSON.');
  }

  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new GatewayError('invalid_json', 'The request body must be a JSON object.');
  }
  return value as Record<string, unknown>;
}

/** The largest amount one ledger row holds: SQLite stores amounts as signed 64-bit integers. */
const MAX_LEDGER_AMOUNT = 2n ** 63n - 1n;

/** Parses a decimal-string amount; 400 invalid_amount naming `param` otherwise. */
export function amountParam(value: unknown, currency: Currency, param = 'amount'): bigint {
  let units: bigint;

  try {
    units = parseAmount(value, currency);
  } catch (error) {
    if (error instanceof AmountError) {
      throw new GatewayError('invalid_amount', `"${param}": ${error.message}`, { param });
    }
    throw error;
  }

  if (units > MAX_LEDGER_AMOUNT) {
    throw new GatewayError('invalid_amount', `"${param}": ${value as string} is larger than the ledger can store (at most ${formatAmount(MAX_LEDGER_AMOUNT, currency)} ${currency.code}).`, { param });
  }
  return units;
}

/** Returns the customer with that id; 404 not_found otherwise. */
export async function requireCustomer(directory: CustomerDirectory, customerId: string): Promise<Customer> {
  const customer = await directory.getCustomer(customerId);
  if (!customer) {
    throw new GatewayError('not_found', `No customer with id ${customerId}.`);
  }
  return customer;
}

/** Returns the customer's configured currency. Throws a 500 GatewayError when it is not configured. */
export function currencyOf(currencies: ReadonlyMap<string, Currency>, customer: Customer): Currency {
  const currency = currencies.get(customer.currency);
  if (!currency) {
    throw new GatewayError(
      'internal_error',
      `Customer ${customer.id} is billed in ${customer.currency}, which is not among the configured currencies; add it to "currencies" in the configuration.`,
    );
  }
  return currency;
}
