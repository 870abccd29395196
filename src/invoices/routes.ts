/**
 * Admin routes for postpaid invoices, mounted under /admin (the parent app
 * checks the admin token):
 *
 *   POST /customers/:id/invoices   {"period_start","period_end"}: 201, or 200 for a period already invoiced
 *   GET  /customers/:id/invoices   the customer's invoices, without their ledger references
 *   GET  /invoices/:id             JSON, or the printable page with ?format=html or Accept: text/html
 *   POST /invoices/:id/payments    {"amount","reference"}: 201, or 200 for a reference already recorded
 */
import { Hono, type Context } from 'hono';

import { GatewayError } from '../errors.ts';
import type { CustomerDirectory } from '../ledger/port.ts';
import type { SqliteLedger } from '../ledger/sqlite/index.ts';
import type { Logger } from '../logger.ts';
import type { Currency } from '../money.ts';
import { renderInvoiceHtml } from './html.ts';
import { assertInvoiceable, issueInvoice } from './issue.ts';
import { invoiceView, recordPayment } from './payments.ts';
import { parsePeriod } from './period.ts';
import { InvoiceStore, type StoredInvoice } from './store.ts';
import { amountParam, jsonBody, requireCustomer } from '../admin/params.ts';

export interface InvoiceRouteDependencies {
  ledger: SqliteLedger;
  directory: CustomerDirectory;
  currencies: Map<string, Currency>;
  logger: Logger;
}

const PAYMENT_REFERENCE = /^[A-Za-z0-9._:-]{1,128}$/;

/** The page needs no script and no external asset, so the policy allows only its inline styles. */
const HTML_SECURITY_POLICY = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'";

export function createInvoiceRoutes(deps: InvoiceRouteDependencies): Hono {
  const routes = new Hono();
  const store = new InvoiceStore(deps.ledger);

  routes.post('/customers/:id/invoices', async (c) => {
    const customer = await requireCustomer(deps.directory, c.req.param('id'));
    assertInvoiceable(customer);

    const period = parsePeriod(await jsonBody(c));
    const currency = currencyOf(deps, customer.currency);
    const { invoice, created } = await issueInvoice(deps.ledger, store, customer, currency, period);

    if (created) {
      deps.logger.info(
        { invoiceId: invoice.document.id, number: invoice.document.number, customerId: customer.id, total: invoice.document.total, currency: currency.code },
        'invoice issued',
      );
    }
    return c.json(await invoiceView(deps.ledger, invoice, currency), created ? 201 : 200);
  });

  routes.get('/customers/:id/invoices', async (c) => {
    const customer = await requireCustomer(deps.directory, c.req.param('id'));
    const currency = currencyOf(deps, customer.currency);
    const data = [];

    // A month of traffic can mean hundreds of thousands of references, so the
    // list leaves them out. GET /invoices/:id serves them.
    for (const invoice of store.listByCustomer(customer.id)) {
      const { ledger_references: _references, ...view } = await invoiceView(deps.ledger, invoice, currency);
      data.push(view);
    }
    return c.json({ object: 'list', data });
  });

  routes.get('/invoices/:id', async (c) => {
    const invoice = requireInvoice(store, c.req.param('id'));
    const currency = currencyOf(deps, invoice.document.currency);
    const view = await invoiceView(deps.ledger, invoice, currency);

    if (!wantsHtml(c)) {
      return c.json(view);
    }

    c.header('content-security-policy', HTML_SECURITY_POLICY);
    return c.html(renderInvoiceHtml(view, currency));
  });

  routes.post('/invoices/:id/payments', async (c) => {
    const invoice = requireInvoice(store, c.req.param('id'));
    const currency = currencyOf(deps, invoice.document.currency);
    const customer = await requireCustomer(deps.directory, invoice.document.customer_id);
    const body = await jsonBody(c);
    const amount = amountParam(body.amount, currency);
    const reference = body.reference;

    if (typeof reference !== 'string' || !PAYMENT_REFERENCE.test(reference)) {
      throw new GatewayError(
        'invalid_request',
        '"reference" must be 1 to 128 characters of letters, digits, ".", "_", ":" or "-"; the same reference records one payment.',
        { param: 'reference' },
      );
    }

    const { payment, created } = await recordPayment(deps.ledger, invoice, customer, currency, { amount, reference });

    if (created) {
      deps.logger.info(
        { invoiceId: invoice.document.id, customerId: customer.id, reference, amount: payment.amount, transactionId: payment.transaction_id },
        'invoice payment recorded',
      );
    }
    return c.json({ payment, invoice: await invoiceView(deps.ledger, invoice, currency) }, created ? 201 : 200);
  });

  return routes;
}

function requireInvoice(store: InvoiceStore, invoiceId: string): StoredInvoice {
  const invoice = store.get(invoiceId);
  if (!invoice) {
    throw new GatewayError('not_found', `No invoice with id ${invoiceId}.`);
  }
  return invoice;
}

/** Looks up the currency of a customer or invoice. A currency missing from the configuration is a server fault, not a bad request. */
function currencyOf(deps: InvoiceRouteDependencies, code: string): Currency {
  const currency = deps.currencies.get(code);
  if (!currency) {
    throw new Error(`currency ${code} is not configured, so its precision is unknown`);
  }
  return currency;
}

/** Chooses HTML for ?format=html, or without a format when Accept prefers text/html to application/json. */
function wantsHtml(c: Context): boolean {
  const format = c.req.query('format');

  if (format !== undefined) {
    if (format !== 'html' && format !== 'json') {
      throw new GatewayError('invalid_request', `"format" must be "html" or "json", got ${JSON.stringify(format)}.`, { param: 'format' });
    }
    return format === 'html';
  }

  const accept = (c.req.header('accept') ?? '').toLowerCase();
  const html = accept.indexOf('text/html');
  const json = accept.indexOf('application/json');
  return html !== -1 && (json === -1 || html < json);
}

