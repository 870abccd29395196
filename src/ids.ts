/** Ids of ledger rows and requests. */
import { randomFillSync } from 'node:crypto';

/** Random bytes are drawn 4 KiB at a time: one system call per 512 ids instead of one per id. */
const POOL_SIZE = 4096;
const RANDOM_BYTES = 8;

const pool = Buffer.alloc(POOL_SIZE);
let offset = POOL_SIZE;

/**
 * Returns an id that sorts by creation time: 12 hex digits of milliseconds,
 * then 16 random hex digits (64 bits). Time-ordered keys make inserts append
 * to the end of each B-tree index instead of dirtying pages all over it.
 */
export function newId(prefix: string): string {
  if (offset + RANDOM_BYTES > POOL_SIZE) {
    randomFillSync(pool);
    offset = 0;
  }

  const random = pool.toString('hex', offset, offset + RANDOM_BYTES);
  offset += RANDOM_BYTES;

  return `${prefix}_${Date.now().toString(16).padStart(12, '0')}${random}`;
}
