/**
 * Issued invoices in the `invoices` table of the ledger's SQLite file. The
 * store only inserts and reads: an issued invoice is never updated. Payment
 * state is not stored here because it is read from the ledger.
 */
import { randomUUID } from 'node:crypto';
import type { StatementSync } from 'node:sqlite';

import type { SqliteLedger } from '../ledger/sqlite/index.ts';
import type { InvoiceDocument } from './types.ts';
import { prepareBigInt } from '../ledger/sqlite/statements.ts';

export interface StoredInvoice {
  document: InvoiceDocument;
  /** The total in minor units of the invoice's currency. */
  total: bigint;
}

/** Everything of an invoice except what the store assigns: id, number and issue time. */
export type InvoiceDraft = Omit<InvoiceDocument, 'id' | 'object' | 'number' | 'issued_at'>;

export type IssueOutcome =
  | { kind: 'created'; invoice: StoredInvoice }
  | { kind: 'existing'; invoice: StoredInvoice }
  | { kind: 'overlap'; invoice: StoredInvoice };

interface InvoiceRow {
  document: string;
  total: bigint;
}

export class InvoiceStore {
  readonly #ledger: SqliteLedger;
  readonly #statements: ReturnType<typeof prepareStatements>;

  constructor(ledger: SqliteLedger) {
    this.#ledger = ledger;
    this.#statements = prepareStatements(ledger);
  }

  /**
   * Inserts the invoice unless the customer already has one for exactly this
   * period (returned as 'existing') or for a period that overlaps it
   * (returned as 'overlap', nothing inserted). The checks, the next number
   * and the insert run in one transaction, so two concurrent issues of one
   * period produce one invoice.
   */
  issue(draft: InvoiceDraft, totalUnits: bigint): IssueOutcome {
    const start = new Date(draft.period_start).toISOString();
    const end = new Date(draft.period_end).toISOString();

    return this.#ledger.runInTransaction((): IssueOutcome => {
      const same = this.#statements.samePeriod.get(draft.customer_id, start, end) as InvoiceRow | undefined;
      if (same) {
        return { kind: 'existing', invoice: toStored(same) };
      }

      const overlapping = this.#statements.overlapping.get(draft.customer_id, end, start) as InvoiceRow | undefined;
      if (overlapping) {
        return { kind: 'overlap', invoice: toStored(overlapping) };
      }

      const { last } = this.#statements.lastSequence.get() as { last: bigint };
      const sequence = last + 1n;
      const issuedAt = this.#ledger.now();
      const document: InvoiceDocument = {
        id: `inv_${randomUUID().replaceAll('-', '')}`,
        object: 'invoice',
        number: invoiceNumber(issuedAt, sequence),
        ...draft,
        period_start: start,
        period_end: end,
        issued_at: issuedAt.toISOString(),
      };

      this.#statements.insert.run(
        document.id,
        sequence,
        document.number,
        document.customer_id,
        start,
        end,
        document.currency,
        totalUnits,
        JSON.stringify(document),
        document.issued_at,
      );

      return { kind: 'created', invoice: { document, total: totalUnits } };
    });
  }

  get(invoiceId: string): StoredInvoice | null {
    const row = this.#statements.byId.get(invoiceId) as InvoiceRow | undefined;
    return row ? toStored(row) : null;
  }

  /** Lists a customer's invoices, oldest period first. */
  listByCustomer(customerId: string): StoredInvoice[] {
    const rows = this.#statements.byCustomer.all(customerId) as unknown as InvoiceRow[];
    return rows.map(toStored);
  }
}

/** Formats the number as TG-<year of issue>-<sequence>, the sequence counting every invoice of the database. */
export function invoiceNumber(issuedAt: Date, sequence: bigint): string {
  return `TG-${issuedAt.getUTCFullYear()}-${sequence.toString().padStart(6, '0')}`;
}

function prepareStatements(ledger: SqliteLedger) {
  const prepare = (sql: string): StatementSync => prepareBigInt(ledger.database, sql);

  return {
    samePeriod: prepare('SELECT document, total FROM invoices WHERE customer_id = ? AND period_start = ? AND period_end = ?'),
    // Half-open periods [a, b) and [c, d) overlap when a < d and c < b.
    overlapping: prepare(
      'SELECT document, total FROM invoices WHERE customer_id = ? AND period_start < ? AND ? < period_end ORDER BY period_start LIMIT 1',
    ),
    lastSequence: prepare('SELECT coalesce(max(sequence), 0) AS last FROM invoices'),
    insert: prepare(
      `INSERT INTO invoices
        (invoice_id, sequence, number, customer_id, period_start, period_end, currency, total, document, issued_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    byId: prepare('SELECT document, total FROM invoices WHERE invoice_id = ?'),
    byCustomer: prepare('SELECT document, total FROM invoices WHERE customer_id = ? ORDER BY period_start, sequence'),
  };
}

function toStored(row: InvoiceRow): StoredInvoice {
  return { document: JSON.parse(row.document) as InvoiceDocument, total: row.total };
}
