/**
 * Billing routes for customers, with their own key, mounted under
 * /v1/billing behind the customer key check (which sets `customer`):
 * - `GET /balance`: the wallet balance;
 * - `GET /usage?from=&to=[&format=json|csv]`: the usage report, by default
 *   for the current month so far.
 * A customer can read only their own wallet and usage, because the customer
 * comes from the key and never from the request.
 */
import { Hono, type Context } from 'hono';

import { GatewayError } from '../errors.ts';
import type { Customer } from '../ledger/port.ts';
import { formatAmount } from '../money.ts';
import { parseOptionalPeriod } from './period.ts';
import { currencyOf } from '../admin/params.ts';
import { periodQuery, reportFormat, usageResponse } from './respond.ts';
import type { ReportDependencies } from './routes.ts';
import { summarizeUsage } from './usage.ts';

export interface SelfServiceDependencies extends ReportDependencies {
  /** Time source for the end of the default period. Defaults to the system clock. */
  clock?: () => Date;
}

type SelfServiceEnv = { Variables: { customer: Customer } };

export function createSelfServiceRoutes(deps: SelfServiceDependencies): Hono<SelfServiceEnv> {
  const billing = new Hono<SelfServiceEnv>();
  const clock = deps.clock ?? (() => new Date());

  billing.get('/balance', async (c) => {
    const customer = await authenticatedCustomer(c, deps);
    const currency = currencyOf(deps.currencies, customer);
    const wallet = await deps.ledger.getBalance(customer.walletBalanceId);

    return c.json({
      object: 'billing.balance',
      currency: customer.currency,
      balance: formatAmount(wallet.balance, currency),
      held: formatAmount(wallet.held, currency),
      available: formatAmount(wallet.balance - wallet.held, currency),
      billing: customer.billing,
      credit_limit: customer.creditLimit === null ? null : formatAmount(customer.creditLimit, currency),
    });
  });

  billing.get('/usage', async (c) => {
    const customer = await authenticatedCustomer(c, deps);
    const currency = currencyOf(deps.currencies, customer);
    const period = parseOptionalPeriod(periodQuery(c), clock());
    const format = reportFormat(c);

    const summary = await summarizeUsage(deps.ledger, customer, period.from, period.to);
    return usageResponse(c, summary, currency, format);
  });

  return billing;
}

/**
 * Returns the key's customer as the directory has it now, so that a billing
 * mode or credit limit changed since the key lookup was cached shows at once.
 */
async function authenticatedCustomer(c: Context<SelfServiceEnv>, deps: SelfServiceDependencies): Promise<Customer> {
  const authenticated = c.get('customer') as Customer | undefined;
  const customer = authenticated === undefined ? null : await deps.directory.getCustomer(authenticated.id);

  // Fails closed when the routes are mounted without the customer key check.
  if (customer === null) {
    throw new GatewayError('invalid_api_key', 'Missing or invalid API key: send Authorization: Bearer <your Tollgate key>.');
  }
  return customer;
}
