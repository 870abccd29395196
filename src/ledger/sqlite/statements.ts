/** Prepared statements for the embedded ledger's file. */
import type { DatabaseSync, StatementSync } from 'node:sqlite';

/** Prepares `sql` so that integer columns read back as bigint: amounts exceed 2^53 in minor units. */
export function prepareBigInt(db: DatabaseSync, sql: string): StatementSync {
  const statement = db.prepare(sql);
  statement.setReadBigInts(true);
  return statement;
}
