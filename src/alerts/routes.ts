/**
 * Admin routes of low-balance alerts, mounted on the admin sub-app behind
 * its admin token check:
 *
 * - `PUT /customers/{id}/alert` with `{"threshold": "5.00"}` sets the
 *   threshold, an amount in the customer's currency: 201 when the alert is
 *   new, 200 when it existed. The threshold must be greater than zero.
 *   Only prepaid customers can have an alert. A new or changed threshold
 *   arms the alert, and the same threshold again keeps its state. The
 *   alert is evaluated at the next change of the wallet, not by this call.
 * - `GET /customers/{id}/alert` returns the alert, its state and the wallet's
 *   available amount.
 * - `DELETE /customers/{id}/alert` removes it.
 *
 * A customer without an alert gets 404 on GET and DELETE.
 */
import { Hono } from 'hono';

import { GatewayError } from '../errors.ts';
import type { Customer, CustomerDirectory, Ledger } from '../ledger/port.ts';
import { AmountError, formatAmount, parseAmount, type Currency } from '../money.ts';
import type { AlertStore, BalanceAlert } from './store.ts';
import { currencyOf, jsonBody, requireCustomer } from '../admin/params.ts';

export interface AlertRouteDependencies {
  store: AlertStore;
  directory: CustomerDirectory;
  ledger: Pick<Ledger, 'getBalance'>;
  currencies: ReadonlyMap<string, Currency>;
}

/** Largest value of an SQLite INTEGER column, where thresholds are stored in minor units. */
const MAX_THRESHOLD_UNITS = 2n ** 63n - 1n;

export function createAlertRoutes(deps: AlertRouteDependencies): Hono {
  const routes = new Hono();

  routes.put('/customers/:id/alert', async (c) => {
    const customer = await requireCustomer(deps.directory, c.req.param('id'));
    const body = await jsonBody(c);

    if (customer.billing !== 'prepaid') {
      throw new GatewayError('invalid_request', `Customer ${customer.id} is postpaid; low-balance alerts apply to prepaid customers only.`);
    }

    const threshold = thresholdParam(body.threshold, currencyOf(deps.currencies, customer));
    const { alert, created } = deps.store.put(customer.id, threshold);

    return c.json(await alertView(deps, customer, alert), created ? 201 : 200);
  });

  routes.get('/customers/:id/alert', async (c) => {
    const customer = await requireCustomer(deps.directory, c.req.param('id'));
    const alert = deps.store.get(customer.id);

    if (!alert) {
      throw new GatewayError('not_found', `Customer ${customer.id} has no low-balance alert.`);
    }
    return c.json(await alertView(deps, customer, alert));
  });

  routes.delete('/customers/:id/alert', async (c) => {
    const customer = await requireCustomer(deps.directory, c.req.param('id'));

    if (!deps.store.delete(customer.id)) {
      throw new GatewayError('not_found', `Customer ${customer.id} has no low-balance alert.`);
    }
    return c.json({ customer_id: customer.id, object: 'balance_alert', deleted: true });
  });

  return routes;
}

async function alertView(deps: AlertRouteDependencies, customer: Customer, alert: BalanceAlert) {
  const currency = currencyOf(deps.currencies, customer);
  const wallet = await deps.ledger.getBalance(customer.walletBalanceId);

  return {
    customer_id: customer.id,
    object: 'balance_alert',
    currency: currency.code,
    threshold: formatAmount(alert.threshold, currency),
    state: alert.armed ? 'armed' : 'fired',
    available: formatAmount(wallet.balance - wallet.held, currency),
    last_fired_at: alert.lastFiredAt,
    created_at: alert.createdAt,
    updated_at: alert.updatedAt,
  };
}

function thresholdParam(value: unknown, currency: Currency): bigint {
  let units: bigint;

  try {
    units = parseAmount(value, currency);
  } catch (error) {
    if (error instanceof AmountError) {
      throw new GatewayError('invalid_amount', `"threshold": ${error.message}`, { param: 'threshold' });
    }
    throw error;
  }

  if (units > MAX_THRESHOLD_UNITS) {
    throw new GatewayError('invalid_amount', `"threshold": must be at most ${formatAmount(MAX_THRESHOLD_UNITS, currency)}.`, { param: 'threshold' });
  }
  return units;
}

