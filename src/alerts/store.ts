/**
 * Low-balance alert settings in the `balance_alerts` table of the ledger's
 * SQLite file. Only the threshold and the armed state live here. Balances
 * are always read from the ledger.
 */
import type { DatabaseSync, StatementResultingChanges, StatementSync } from 'node:sqlite';
import { prepareBigInt } from '../ledger/sqlite/statements.ts';

/** The part of SqliteLedger that the store needs. */
export interface AlertDatabase {
  readonly database: DatabaseSync;
  runInTransaction<T>(work: () => T): T;
  now(): Date;
}

export interface BalanceAlert {
  customerId: string;
  /** Minor units of the customer's currency; always positive. */
  threshold: bigint;
  /** False from the moment the alert fires until the available amount is back at or above the threshold. */
  armed: boolean;
  lastFiredAt: string | null;
  createdAt: string;
  updatedAt: string;
}

interface AlertRow {
  customer_id: string;
  threshold: bigint;
  armed: bigint;
  last_fired_at: string | null;
  created_at: string;
  updated_at: string;
}

export class AlertStore {
  readonly #db: AlertDatabase;
  readonly #statements: ReturnType<typeof prepareStatements>;

  constructor(db: AlertDatabase) {
    this.#db = db;
    this.#statements = prepareStatements(db.database);
  }

  get(customerId: string): BalanceAlert | null {
    const row = this.#statements.byCustomer.get(customerId) as AlertRow | undefined;
    return row ? toAlert(row) : null;
  }

  /**
   * Sets the threshold of a customer's alert. A new alert starts armed, and
   * so does an alert whose threshold changes. Setting the same threshold
   * again keeps the state, so that a repeated request cannot fire twice.
   */
  put(customerId: string, threshold: bigint): { alert: BalanceAlert; created: boolean } {
    return this.#db.runInTransaction(() => {
      const existing = this.#statements.byCustomer.get(customerId) as AlertRow | undefined;
      const now = this.#db.now().toISOString();

      if (!existing) {
        this.#statements.insert.run(customerId, threshold, now, now);
      } else if (existing.threshold !== threshold) {
        this.#statements.updateThreshold.run(threshold, now, customerId);
      }

      const row = this.#statements.byCustomer.get(customerId) as unknown as AlertRow;
      return { alert: toAlert(row), created: !existing };
    });
  }

  /** Removes a customer's alert; returns false when there was none. */
  delete(customerId: string): boolean {
    return changedOneRow(this.#statements.delete.run(customerId));
  }

  /**
   * Disarms an armed alert that still has `threshold`. Returns true for the
   * one caller that changed the row: every other caller, in this process or
   * another one sharing the file, gets false and must not fire.
   */
  disarm(customerId: string, threshold: bigint): boolean {
    const now = this.#db.now().toISOString();
    return changedOneRow(this.#statements.disarm.run(now, now, customerId, threshold));
  }

  /** Arms a disarmed alert again; returns false when it was armed already or is gone. */
  arm(customerId: string): boolean {
    return changedOneRow(this.#statements.arm.run(this.#db.now().toISOString(), customerId));
  }
}

function prepareStatements(db: DatabaseSync) {
  const prepare = (sql: string): StatementSync => prepareBigInt(db, sql);

  return {
    byCustomer: prepare('SELECT * FROM balance_alerts WHERE customer_id = ?'),
    insert: prepare(
      'INSERT INTO balance_alerts (customer_id, threshold, armed, created_at, updated_at) VALUES (?, ?, 1, ?, ?)',
    ),
    updateThreshold: prepare('UPDATE balance_alerts SET threshold = ?, armed = 1, updated_at = ? WHERE customer_id = ?'),
    delete: prepare('DELETE FROM balance_alerts WHERE customer_id = ?'),
    disarm: prepare(
      'UPDATE balance_alerts SET armed = 0, last_fired_at = ?, updated_at = ? WHERE customer_id = ? AND threshold = ? AND armed = 1',
    ),
    arm: prepare('UPDATE balance_alerts SET armed = 1, updated_at = ? WHERE customer_id = ? AND armed = 0'),
  };
}

/** True when a write changed exactly one row; `changes` is a bigint on statements that read bigints. */
function changedOneRow(result: StatementResultingChanges): boolean {
  return BigInt(result.changes) === 1n;
}

function toAlert(row: AlertRow): BalanceAlert {
  return {
    customerId: row.customer_id,
    threshold: row.threshold,
    armed: row.armed === 1n,
    lastFiredAt: row.last_fired_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
