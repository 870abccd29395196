/**
 * Payments against invoices. A payment is a ledger transfer from the
 * currency's world balance to the customer's wallet, tagged with the invoice
 * id in its meta_data. An invoice's payment state is summed from those
 * transfers on every read and never stored.
 */
import { GatewayError } from '../errors.ts';
import { ReferenceConflictError, type Customer, type Ledger, type LedgerTransaction } from '../ledger/port.ts';
import { formatAmount, precisionOf, type Currency } from '../money.ts';
import type { StoredInvoice } from './store.ts';
import type { InvoicePayment, InvoiceStatus, InvoiceView } from './types.ts';

export interface PaymentResult {
  payment: InvoicePayment;
  /** False when the reference had been recorded before, so no money moved this time. */
  created: boolean;
}

/** Returns the ledger reference of a payment, which makes a reused payment reference write nothing. */
export function paymentLedgerReference(invoiceId: string, reference: string): string {
  return `invoice-payment:${invoiceId}:${reference}`;
}

/** Builds the served invoice: the stored document plus its payment state from the ledger. */
export async function invoiceView(ledger: Ledger, invoice: StoredInvoice, currency: Currency): Promise<InvoiceView> {
  const transactions = await paymentTransactions(ledger, invoice.document.id);
  const paid = transactions.reduce((sum, transaction) => sum + transaction.amount, 0n);
  const due = invoice.total - paid;

  return {
    ...invoice.document,
    amount_paid: formatAmount(paid, currency),
    amount_due: formatAmount(due, currency),
    status: statusOf(paid, due),
    payments: transactions.map((transaction) => paymentOf(transaction, currency)),
  };
}

/**
 * Records a payment of `amount` minor units, idempotent by `reference`: the
 * same reference and amount again returns the first payment and moves no
 * money. Throws 409 when the reference was used with another amount, and
 * 400 when the amount exceeds what is still due.
 */
export async function recordPayment(
  ledger: Ledger,
  invoice: StoredInvoice,
  customer: Customer,
  currency: Currency,
  payment: { amount: bigint; reference: string },
): Promise<PaymentResult> {
  const invoiceId = invoice.document.id;

  return withInvoiceLock(invoiceId, async () => {
    const ledgerReference = paymentLedgerReference(invoiceId, payment.reference);
    const existing = await ledger.findTransaction(ledgerReference);

    if (existing) {
      assertSamePayment(existing, payment, currency);
      return { payment: paymentOf(existing, currency), created: false };
    }

    const paid = (await paymentTransactions(ledger, invoiceId)).reduce((sum, transaction) => sum + transaction.amount, 0n);
    const due = invoice.total - paid;

    if (payment.amount > due) {
      throw new GatewayError(
        'invalid_amount',
        `"amount" (${formatAmount(payment.amount, currency)} ${currency.code}) is more than the ${formatAmount(due, currency)} ${currency.code} still due on invoice ${invoice.document.number}.`,
        { param: 'amount' },
      );
    }

    try {
      await ledger.transfer({
        reference: ledgerReference,
        source: `@World-${currency.code}`,
        destination: customer.walletBalanceId,
        currency: currency.code,
        precision: precisionOf(currency),
        amount: payment.amount,
        allowOverdraft: true,
        description: `Payment of invoice ${invoice.document.number}`,
        meta: { customer_id: customer.id, invoice_id: invoiceId, payment_reference: payment.reference },
      });
    } catch (error) {
      if (error instanceof ReferenceConflictError) {
        throw new GatewayError('conflict', `Payment reference "${payment.reference}" of invoice ${invoiceId} is already used by a different transaction.`, { param: 'reference', cause: error });
      }
      throw error;
    }

    const written = await ledger.findTransaction(ledgerReference);
    if (!written) {
      throw new Error(`transaction ${ledgerReference} was written but cannot be read back`);
    }
    return { payment: paymentOf(written, currency), created: true };
  });
}

async function paymentTransactions(ledger: Ledger, invoiceId: string): Promise<LedgerTransaction[]> {
  const prefix = paymentLedgerReference(invoiceId, '');
  const tagged = await ledger.listTransactionsByMeta('invoice_id', invoiceId);
  return tagged.filter((transaction) => transaction.reference.startsWith(prefix));
}

function assertSamePayment(existing: LedgerTransaction, payment: { amount: bigint; reference: string }, currency: Currency): void {
  if (existing.amount !== payment.amount) {
    throw new GatewayError(
      'conflict',
      `Payment reference "${payment.reference}" was already recorded with amount ${formatAmount(existing.amount, currency)} ${currency.code}, not ${formatAmount(payment.amount, currency)}; use a new reference for another payment.`,
      { param: 'reference' },
    );
  }
}

function paymentOf(transaction: LedgerTransaction, currency: Currency): InvoicePayment {
  return {
    transaction_id: transaction.transactionId,
    reference: String(transaction.meta.payment_reference ?? ''),
    amount: formatAmount(transaction.amount, currency),
    paid_at: transaction.createdAt,
  };
}

function statusOf(paid: bigint, due: bigint): InvoiceStatus {
  if (due <= 0n) {
    return 'paid';
  }
  return paid > 0n ? 'partially_paid' : 'open';
}

const invoiceLocks = new Map<string, Promise<unknown>>();

/**
 * Runs payments of one invoice one at a time, so that two concurrent
 * payments cannot both pass the amount-due check.
 * NOTE: this serializes within one process only. Processes that share one
 * ledger file can still overpay an invoice with racing payments.
 */
async function withInvoiceLock<T>(invoiceId: string, work: () => Promise<T>): Promise<T> {
  const previous = invoiceLocks.get(invoiceId) ?? Promise.resolve();
  const current = previous.then(work);
  const settled = current.catch(() => undefined);

  invoiceLocks.set(invoiceId, settled);
  try {
    return await current;
  } finally {
    if (invoiceLocks.get(invoiceId) === settled) {
      invoiceLocks.delete(invoiceId);
    }
  }
}
