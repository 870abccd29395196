/**
 * The admin API: onboard customers, issue and revoke keys, top up wallets,
 * reload the price list. Every route needs `Authorization: Bearer
 * <TOLLGATE_ADMIN_TOKEN>`. Amounts in JSON are decimal strings in currency
 * units.
 */
import { createHash, timingSafeEqual } from 'node:crypto';

import { Hono } from 'hono';

import type { AlertMonitor } from '../alerts/index.ts';
import { issueKey, bearerToken, type KeyAuthenticator } from '../auth/keys.ts';
import type { Config } from '../config.ts';
import { GatewayError } from '../errors.ts';
import { ReferenceConflictError, type Customer, type CustomerDirectory, type Ledger, type Leg, type TransferReceipt } from '../ledger/port.ts';
import { formatAmount, precisionOf } from '../money.ts';
import { loadPriceList, PricingError, type PriceList } from '../pricing/index.ts';
import { amountParam, jsonBody, requireCustomer } from './params.ts';

/** Prefix of the internal balance that money enters the system from, one per currency (`@World-USD`). */
const WORLD_PREFIX = '@World-';

export interface AdminDependencies {
  config: Config;
  ledger: Ledger;
  directory: CustomerDirectory;
  authenticator: KeyAuthenticator;
  pricing: { current: PriceList };
  /** Checks low-balance alerts after each change of a wallet. */
  alerts: Pick<AlertMonitor, 'check'>;
}

export function createAdminRoutes(deps: AdminDependencies): Hono {
  const admin = new Hono();
  const expected = digest(deps.config.adminToken);

  admin.use('*', async function adminAuth(c, next) {
    const token = bearerToken(c.req.header('authorization'));

    if (token === null || !timingSafeEqual(digest(token), expected)) {
      throw new GatewayError('invalid_admin_token', 'Missing or invalid admin token: send Authorization: Bearer <TOLLGATE_ADMIN_TOKEN>.');
    }
    await next();
  });

  admin.post('/customers', async (c) => {
    const body = await jsonBody(c);
    const name = body.name;
    const billing = body.billing ?? 'prepaid';
    const currencyCode = body.currency ?? deps.pricing.current.currency;

    if (typeof name !== 'string' || name.trim() === '' || name.length > 200) {
      throw new GatewayError('invalid_request', '"name" must be a non-empty string of at most 200 characters.', { param: 'name' });
    }
    if (billing !== 'prepaid' && billing !== 'postpaid') {
      throw new GatewayError('invalid_request', '"billing" must be "prepaid" or "postpaid".', { param: 'billing' });
    }

    const currency = typeof currencyCode === 'string' ? deps.config.currencies.get(currencyCode) : undefined;
    if (!currency) {
      throw new GatewayError('invalid_request', `"currency" must be one of the configured currencies: ${[...deps.config.currencies.keys()].join(', ')}.`, { param: 'currency' });
    }

    let creditLimit: bigint | null = null;
    if (body.credit_limit !== undefined && body.credit_limit !== null) {
      if (billing !== 'postpaid') {
        throw new GatewayError('invalid_request', '"credit_limit" applies to postpaid customers only.', { param: 'credit_limit' });
      }
      creditLimit = amountParam(body.credit_limit, currency, 'credit_limit');
    }

    const customer = await deps.directory.createCustomer({ name: name.trim(), billing, currency: currency.code, creditLimit });
    return c.json(await customerView(deps, customer), 201);
  });

  admin.get('/customers', async (c) => {
    const customers = await deps.directory.listCustomers();
    const data = await Promise.all(customers.map((customer) => customerView(deps, customer)));
    return c.json({ object: 'list', data });
  });

  admin.get('/customers/:id', async (c) => {
    const customer = await requireCustomer(deps.directory, c.req.param('id'));
    return c.json(await customerView(deps, customer));
  });

  admin.post('/customers/:id/keys', async (c) => {
    const customer = await requireCustomer(deps.directory, c.req.param('id'));
    const issued = issueKey();
    const record = await deps.directory.addKey({ keyId: issued.keyId, customerId: customer.id, keyHash: issued.keyHash });

    return c.json({ key_id: record.keyId, key: issued.key, customer_id: customer.id, created_at: record.createdAt }, 201);
  });

  admin.delete('/keys/:keyId', async (c) => {
    const record = await deps.directory.revokeKey(c.req.param('keyId'));
    if (!record) {
      throw new GatewayError('not_found', `No key with id ${c.req.param('keyId')}.`);
    }

    deps.authenticator.forget(record.keyHash);
    return c.json({ key_id: record.keyId, customer_id: record.customerId, revoked_at: record.revokedAt });
  });

  admin.post('/customers/:id/topups', async (c) => {
    const customer = await requireCustomer(deps.directory, c.req.param('id'));
    const body = await jsonBody(c);
    const currency = deps.config.currencies.get(customer.currency)!;
    const amount = amountParam(body.amount, currency, 'amount');
    const reference = body.reference;

    if (typeof reference !== 'string' || !/^[A-Za-z0-9._:-]{1,128}$/.test(reference)) {
      throw new GatewayError('invalid_request', '"reference" must be 1 to 128 characters of letters, digits, ".", "_", ":" or "-"; the same reference tops up once.', { param: 'reference' });
    }

    const receipt = await topup(deps.ledger, {
      reference: `topup:${customer.id}:${reference}`,
      source: `${WORLD_PREFIX}${currency.code}`,
      destination: customer.walletBalanceId,
      currency: currency.code,
      precision: precisionOf(currency),
      amount,
      allowOverdraft: true,
      description: 'Wallet top-up',
      meta: { customer_id: customer.id, topup_reference: reference },
    });
    await deps.alerts.check(customer);

    return c.json(
      {
        transaction_id: receipt.transactionId,
        reference,
        amount: formatAmount(amount, currency),
        created: receipt.created,
        customer: await customerView(deps, customer),
      },
      receipt.created ? 201 : 200,
    );
  });

  admin.post('/pricing/reload', async (c) => {
    try {
      deps.pricing.current = loadPriceList(deps.config.pricingFile);
    } catch (error) {
      if (error instanceof PricingError) {
        throw new GatewayError('invalid_request', `The price list was not reloaded: ${error.message}`);
      }
      throw error;
    }
    return c.json({ version: deps.pricing.current.version, models: deps.pricing.current.models() });
  });

  return admin;
}

/** Posts a top-up; a reference reused with another amount is a 409, not a second top-up. */
async function topup(ledger: Ledger, leg: Leg): Promise<TransferReceipt> {
  try {
    return await ledger.transfer(leg);
  } catch (error) {
    if (error instanceof ReferenceConflictError) {
      throw new GatewayError('conflict', `The top-up reference was already used with a different amount; use a new reference for a new top-up.`, { param: 'reference' });
    }
    throw error;
  }
}

async function customerView(deps: AdminDependencies, customer: Customer) {
  const currency = deps.config.currencies.get(customer.currency) ?? { code: customer.currency, decimals: 0 };
  const wallet = await deps.ledger.getBalance(customer.walletBalanceId);
  const tokens = await deps.ledger.getBalance(customer.tokensBalanceId);

  return {
    id: customer.id,
    object: 'customer',
    name: customer.name,
    billing: customer.billing,
    currency: customer.currency,
    credit_limit: customer.creditLimit === null ? null : formatAmount(customer.creditLimit, currency),
    balance: formatAmount(wallet.balance, currency),
    held: formatAmount(wallet.held, currency),
    available: formatAmount(wallet.balance - wallet.held, currency),
    tokens_used: (-tokens.balance).toString(),
    created_at: customer.createdAt,
  };
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}
