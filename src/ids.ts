/** Ids of ledger rows and requests. */
import { randomBytes } from 'node:crypto';

/**
 * Returns an id that sorts by creation time: 12 hex digits of milliseconds,
 * then 16 random hex digits (64 bits). Time-ordered keys make inserts append
 * to the end of each B-tree index instead of dirtying pages all over it.
 */
export function newId(prefix: string): string {
  return `${prefix}_${Date.now().toString(16).padStart(12, '0')}${randomBytes(8).toString('hex')}`;
}
