/**
 * The shapes of an invoice as stored and as served. Amounts are decimal
 * strings in currency units, as everywhere in the admin API. Timestamps are
 * RFC 3339 strings in UTC.
 */

/** Usage of one model in the invoiced period. */
export interface InvoiceLine {
  model: string;
  requests: number;
  input_tokens: number;
  cached_input_tokens: number;
  output_tokens: number;
  reasoning_tokens: number;
  audio_input_tokens: number;
  audio_output_tokens: number;
  amount: string;
}

/** The issued document, stored once and never changed. */
export interface InvoiceDocument {
  id: string;
  object: 'invoice';
  number: string;
  customer_id: string;
  customer_name: string;
  /** Start of the half-open period [period_start, period_end). */
  period_start: string;
  period_end: string;
  currency: string;
  lines: InvoiceLine[];
  /** Sum of the line amounts: the usage cost of the period. */
  total: string;
  /** References of every ledger transaction the invoice covers, in ledger order. */
  ledger_references: string[];
  issued_at: string;
}

export type InvoiceStatus = 'open' | 'partially_paid' | 'paid';

/** A payment against an invoice, as read from its ledger transaction. */
export interface InvoicePayment {
  transaction_id: string;
  /** The reference the payment was recorded with, unique per invoice. */
  reference: string;
  amount: string;
  paid_at: string;
}

/** The document with its payment state, which is always read from the ledger. */
export interface InvoiceView extends InvoiceDocument {
  amount_paid: string;
  amount_due: string;
  status: InvoiceStatus;
  payments: InvoicePayment[];
}
