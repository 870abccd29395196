/**
 * The wallet statement of one customer and period. It lists the opening
 * balance and every wallet transaction of the period by kind (top-ups,
 * invoice payments, usage, other). The closing balance is computed from them
 * and checked against the ledger's own balance at the end of the period.
 */
import type { Customer, Ledger, LedgerTransaction } from '../ledger/port.ts';
import type { Logger } from '../logger.ts';
import { formatAmount, type Currency } from '../money.ts';
import type { Period } from './period.ts';
import { formatTimestamp } from './period.ts';
import { usageTotalsJson, type UsageLineJson } from './usage-report.ts';
import { summarizeUsage, type UsageSummary } from './usage.ts';

export interface StatementItem {
  transactionId: string;
  /** The ledger transaction's created_at, as RFC 3339 in UTC. */
  time: string;
  /** The top-up reference given by the admin for top-ups, else the ledger reference. */
  reference: string;
  /** Minor units. A positive amount credits the wallet, a negative one debits it. */
  amount: bigint;
  /** Payments only: the invoice that the payment settles. */
  invoiceId?: string;
  description?: string;
}

export interface Statement {
  customer: Customer;
  period: Period;
  openingBalance: bigint;
  topups: StatementItem[];
  payments: StatementItem[];
  usage: UsageSummary;
  /** Wallet transactions of no known kind, such as a manual correction. */
  other: StatementItem[];
  /** opening + top-ups + payments − usage + other. */
  closingBalance: bigint;
  /** The ledger's balance of the wallet just before the end of the period. */
  ledgerClosingBalance: bigint;
  reconciled: boolean;
}

/**
 * Builds the statement from the ledger. Every applied wallet transaction of
 * the period lands in exactly one list. So `reconciled` is false only when
 * the ledger's balances disagree with its transactions, or when a write
 * landed in the period between the statement's separate reads, which can
 * happen only while `to` is in the future.
 */
export async function buildStatement(ledger: Ledger, customer: Customer, period: Period): Promise<Statement> {
  const wallet = customer.walletBalanceId;
  const [openingBalance, transactions, usage, ledgerClosingBalance] = await Promise.all([
    ledger.balanceAt(wallet, period.from),
    ledger.listTransactions({ balanceId: wallet, from: period.from, to: period.to }),
    summarizeUsage(ledger, customer, period.from, period.to),
    ledger.balanceAt(wallet, period.to),
  ]);

  const usageReferences = new Set(usage.references);
  const topups: StatementItem[] = [];
  const payments: StatementItem[] = [];
  const other: StatementItem[] = [];

  for (const transaction of transactions) {
    if (usageReferences.has(transaction.reference)) {
      continue;
    }

    const credit = transaction.destination === wallet;
    const topupReference = transaction.meta.topup_reference;
    const invoiceId = transaction.meta.invoice_id;

    if (credit && typeof topupReference === 'string') {
      topups.push({ ...itemOf(transaction, wallet), reference: topupReference });
    } else if (credit && typeof invoiceId === 'string') {
      payments.push({ ...itemOf(transaction, wallet), invoiceId });
    } else {
      other.push({ ...itemOf(transaction, wallet), description: descriptionOf(transaction) });
    }
  }

  const closingBalance = openingBalance + sum(topups) + sum(payments) - usage.totals.cost + sum(other);

  return {
    customer,
    period,
    openingBalance,
    topups,
    payments,
    usage,
    other,
    closingBalance,
    ledgerClosingBalance,
    reconciled: closingBalance === ledgerClosingBalance,
  };
}

/** Logs a statement that lists unclassified transactions (warning) or does not reconcile (error). */
export function logStatementProblems(logger: Logger, statement: Statement): void {
  const context = {
    customerId: statement.customer.id,
    from: formatTimestamp(statement.period.from),
    to: formatTimestamp(statement.period.to),
  };

  if (statement.other.length > 0) {
    const references = statement.other.map((item) => item.reference);
    logger.warn({ ...context, references }, 'statement lists wallet transactions that are neither top-ups, invoice payments nor usage as "other"');
  }

  if (!statement.reconciled) {
    logger.error(
      { ...context, closingBalance: statement.closingBalance.toString(), ledgerClosingBalance: statement.ledgerClosingBalance.toString() },
      'statement does not reconcile: the closing balance computed from the wallet transactions differs from the ledger balance',
    );
  }
}

export function statementJson(statement: Statement, currency: Currency) {
  const amount = (units: bigint) => formatAmount(units, currency);
  const itemJson = (item: StatementItem) => ({
    transaction_id: item.transactionId,
    time: item.time,
    reference: item.reference,
    ...(item.invoiceId === undefined ? {} : { invoice_id: item.invoiceId }),
    ...(item.description === undefined ? {} : { description: item.description }),
    amount: amount(item.amount),
  });
  const usageLines: UsageLineJson[] = statement.usage.lines.map((line) => ({ model: line.model, ...usageTotalsJson(line, currency) }));

  return {
    object: 'statement',
    customer_id: statement.customer.id,
    billing: statement.customer.billing,
    currency: statement.customer.currency,
    from: formatTimestamp(statement.period.from),
    to: formatTimestamp(statement.period.to),
    opening_balance: amount(statement.openingBalance),
    topups: { lines: statement.topups.map(itemJson), total: amount(sum(statement.topups)) },
    payments: { lines: statement.payments.map(itemJson), total: amount(sum(statement.payments)) },
    usage: { lines: usageLines, total: amount(statement.usage.totals.cost) },
    other: { lines: statement.other.map(itemJson), total: amount(sum(statement.other)) },
    closing_balance: amount(statement.closingBalance),
    ledger_closing_balance: amount(statement.ledgerClosingBalance),
    reconciled: statement.reconciled,
  };
}

function itemOf(transaction: LedgerTransaction, wallet: string): StatementItem {
  return {
    transactionId: transaction.transactionId,
    time: formatTimestamp(new Date(transaction.createdAt)),
    reference: transaction.reference,
    amount: transaction.destination === wallet ? transaction.amount : -transaction.amount,
  };
}

function descriptionOf(transaction: LedgerTransaction): string {
  return typeof transaction.meta.description === 'string' ? transaction.meta.description : '';
}

function sum(items: readonly StatementItem[]): bigint {
  return items.reduce((total, item) => total + item.amount, 0n);
}
