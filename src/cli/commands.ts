/**
 * The CLI's commands: each maps its arguments to one admin API call and
 * renders the response as a table, or as the API's JSON with --json.
 */
import { AdminClient, type ApiResponse } from './client.ts';
import { renderInvoice, renderPayment, renderStatement, renderUsageReport } from './render.ts';
import { renderFields, renderTable } from './table.ts';

export class UsageError extends Error {
  override name = 'UsageError';
}

export interface CommandInput {
  positionals: string[];
  flags: Record<string, string | boolean | undefined>;
}

export interface Command {
  /** Words that select the command, e.g. ['customers', 'create']. */
  words: string[];
  usage: string;
  summary: string;
  run(client: AdminClient, input: CommandInput): Promise<{ response: ApiResponse; render: () => string }>;
}

const CUSTOMER_FIELDS = ['id', 'name', 'billing', 'currency', 'credit_limit', 'balance', 'held', 'available', 'tokens_used', 'created_at'];

export const COMMANDS: Command[] = [
  {
    words: ['customers', 'create'],
    usage: 'customers create --name NAME [--billing prepaid|postpaid] [--credit-limit AMOUNT] [--currency CODE]',
    summary: 'create a customer with a wallet and a token balance',
    async run(client, { flags }) {
      const name = requireFlag(flags, 'name');
      const body: Record<string, unknown> = { name, billing: flags.billing ?? 'prepaid' };
      if (flags['credit-limit'] !== undefined) body.credit_limit = String(flags['credit-limit']);
      if (flags.currency !== undefined) body.currency = String(flags.currency);

      const response = await client.call('POST', '/customers', body);
      return { response, render: () => renderFields(object(response), CUSTOMER_FIELDS) };
    },
  },
  {
    words: ['customers', 'list'],
    usage: 'customers list',
    summary: 'list customers with their balances',
    async run(client) {
      const response = await client.call('GET', '/customers');
      const rows = (object(response).data as Array<Record<string, unknown>>).map((customer) => [
        customer.id,
        customer.name,
        customer.billing,
        customer.currency,
        customer.balance,
        customer.held,
        customer.available,
      ]) as string[][];
      return { response, render: () => renderTable(['ID', 'NAME', 'BILLING', 'CURRENCY', 'BALANCE', 'HELD', 'AVAILABLE'], rows) };
    },
  },
  {
    words: ['customers', 'show'],
    usage: 'customers show CUSTOMER_ID',
    summary: 'show one customer and its balance',
    async run(client, { positionals }) {
      const response = await client.call('GET', `/customers/${segment(positionals, 0, 'CUSTOMER_ID')}`);
      return { response, render: () => renderFields(object(response), CUSTOMER_FIELDS) };
    },
  },
  {
    words: ['keys', 'create'],
    usage: 'keys create CUSTOMER_ID',
    summary: 'issue an API key; it is shown once',
    async run(client, { positionals }) {
      const response = await client.call('POST', `/customers/${segment(positionals, 0, 'CUSTOMER_ID')}/keys`);
      return {
        response,
        render: () => `${renderFields(object(response), ['key_id', 'customer_id', 'key'])}\n\nStore the key now: Tollgate keeps only its hash.`,
      };
    },
  },
  {
    words: ['keys', 'revoke'],
    usage: 'keys revoke KEY_ID',
    summary: 'revoke an API key',
    async run(client, { positionals }) {
      const response = await client.call('DELETE', `/keys/${segment(positionals, 0, 'KEY_ID')}`);
      return { response, render: () => renderFields(object(response), ['key_id', 'customer_id', 'revoked_at']) };
    },
  },
  {
    words: ['topup'],
    usage: 'topup CUSTOMER_ID AMOUNT --reference REF',
    summary: 'add funds to a wallet; the same reference tops up once',
    async run(client, { positionals, flags }) {
      const customerId = segment(positionals, 0, 'CUSTOMER_ID');
      const amount = required(positionals, 1, 'AMOUNT');
      const response = await client.call('POST', `/customers/${customerId}/topups`, { amount, reference: requireFlag(flags, 'reference') });
      const body = object(response);
      const customer = body.customer as Record<string, unknown>;
      const note = body.created ? 'Topped up.' : 'This reference was used before: nothing was added.';
      return { response, render: () => `${note}\n${renderFields({ ...body, balance: customer.balance, available: customer.available }, ['transaction_id', 'reference', 'amount', 'balance', 'available'])}` };
    },
  },
  {
    words: ['usage'],
    usage: 'usage CUSTOMER_ID --from TIME --to TIME [--csv]',
    summary: 'usage per model in [from, to), RFC 3339 times',
    async run(client, { positionals, flags }) {
      const query = period(flags);
      const csv = flags.csv === true;
      const response = await client.call('GET', `/customers/${segment(positionals, 0, 'CUSTOMER_ID')}/usage?${query}${csv ? '&format=csv' : ''}`, undefined, csv ? 'text/csv' : 'application/json');
      return { response, render: () => (csv ? response.text.trimEnd() : renderUsageReport(object(response))) };
    },
  },
  {
    words: ['statement'],
    usage: 'statement CUSTOMER_ID --from TIME --to TIME',
    summary: 'opening balance, top-ups, usage and closing balance of a period',
    async run(client, { positionals, flags }) {
      const response = await client.call('GET', `/customers/${segment(positionals, 0, 'CUSTOMER_ID')}/statement?${period(flags)}`);
      return { response, render: () => renderStatement(object(response)) };
    },
  },
  {
    words: ['invoice', 'issue'],
    usage: 'invoice issue CUSTOMER_ID --from TIME --to TIME',
    summary: 'issue the invoice of a postpaid period; the same period returns the same invoice',
    async run(client, { positionals, flags }) {
      const body = { period_start: requireFlag(flags, 'from'), period_end: requireFlag(flags, 'to') };
      const response = await client.call('POST', `/customers/${segment(positionals, 0, 'CUSTOMER_ID')}/invoices`, body);
      return { response, render: () => renderInvoice(object(response)) };
    },
  },
  {
    words: ['invoice', 'list'],
    usage: 'invoice list CUSTOMER_ID',
    summary: 'list the invoices of a customer',
    async run(client, { positionals }) {
      const response = await client.call('GET', `/customers/${segment(positionals, 0, 'CUSTOMER_ID')}/invoices`);
      const rows = ((object(response).data ?? []) as Array<Record<string, string>>).map((invoice) => [
        invoice.number,
        invoice.id,
        invoice.period_start,
        invoice.period_end,
        invoice.total,
        invoice.amount_due,
        invoice.status,
      ]);
      return { response, render: () => (rows.length === 0 ? '(no invoices)' : renderTable(['NUMBER', 'ID', 'PERIOD START', 'PERIOD END', 'TOTAL', 'DUE', 'STATUS'], rows)) };
    },
  },
  {
    words: ['invoice', 'show'],
    usage: 'invoice show INVOICE_ID [--html]',
    summary: 'show an invoice, or its printable HTML page',
    async run(client, { positionals, flags }) {
      const html = flags.html === true;
      const id = segment(positionals, 0, 'INVOICE_ID');
      const response = await client.call('GET', `/invoices/${id}${html ? '?format=html' : ''}`, undefined, html ? 'text/html' : 'application/json');
      return { response, render: () => (html ? response.text : renderInvoice(object(response))) };
    },
  },
  {
    words: ['invoice', 'pay'],
    usage: 'invoice pay INVOICE_ID AMOUNT --reference REF',
    summary: 'record a payment of an invoice; the same reference pays once',
    async run(client, { positionals, flags }) {
      const id = segment(positionals, 0, 'INVOICE_ID');
      const amount = required(positionals, 1, 'AMOUNT');
      const response = await client.call('POST', `/invoices/${id}/payments`, { amount, reference: requireFlag(flags, 'reference') });
      return { response, render: () => renderPayment(object(response)) };
    },
  },
];

function object(response: ApiResponse): Record<string, unknown> {
  if (response.json === null || typeof response.json !== 'object') {
    throw new Error(`expected a JSON object from the gateway, got ${response.contentType || 'no content type'}`);
  }
  return response.json as Record<string, unknown>;
}

function period(flags: CommandInput['flags']): string {
  return new URLSearchParams({ from: requireFlag(flags, 'from'), to: requireFlag(flags, 'to') }).toString();
}

function requireFlag(flags: CommandInput['flags'], name: string): string {
  const value = flags[name];
  if (typeof value !== 'string' || value === '') {
    throw new UsageError(`missing option --${name}`);
  }
  return value;
}

function required(positionals: string[], index: number, name: string): string {
  const value = positionals[index];
  if (value === undefined || value === '') {
    throw new UsageError(`missing argument ${name}`);
  }
  return value;
}

/** Returns a command-line argument encoded as one path segment, so that it cannot change the path. */
function segment(positionals: string[], index: number, name: string): string {
  return encodeURIComponent(required(positionals, index, name));
}
