/**
 * The ledger port: what the gateway needs from a double-entry ledger.
 * One adapter per backend implements it (`sqlite/` for the embedded ledger).
 *
 * Amounts are bigint minor units at the currency's fixed precision (see
 * money.ts); TOKENS use precision 1. Every write carries a reference derived
 * from the request or top-up id, and writing the same reference twice
 * changes nothing the second time.
 *
 * The semantics follow Blnk Core's: balances hold credit - debit; a hold is an
 * inflight debit that counts against the available amount (balance minus
 * held debits) until it is released; `@`-prefixed internal balances are
 * created on first use per currency.
 */

export const TOKENS = 'TOKENS';

export type Billing = 'prepaid' | 'postpaid';

export interface Customer {
  id: string;
  name: string;
  billing: Billing;
  currency: string;
  /** Postpaid only: how far the wallet may go below zero; null means no limit. */
  creditLimit: bigint | null;
  walletBalanceId: string;
  tokensBalanceId: string;
  createdAt: string;
}

export interface NewCustomer {
  name: string;
  billing: Billing;
  currency: string;
  creditLimit: bigint | null;
}

export interface ApiKeyRecord {
  keyId: string;
  customerId: string;
  /** Hex SHA-256 of the key; the key itself is never stored. */
  keyHash: string;
  createdAt: string;
  revokedAt: string | null;
}

export interface BalanceSnapshot {
  balanceId: string;
  currency: string;
  /** credit - debit, holds not subtracted. */
  balance: bigint;
  /** Sum of open holds (inflight debits). */
  held: bigint;
}

export interface HoldRequest {
  reference: string;
  balanceId: string;
  currency: string;
  amount: bigint;
  /** The lowest available amount the hold may leave: 0 for prepaid, -creditLimit for postpaid. */
  floor: bigint;
  expiresAt: Date;
  meta: Record<string, unknown>;
}

export interface Hold {
  holdId: string;
  reference: string;
  balanceId: string;
  currency: string;
  amount: bigint;
}

export interface Leg {
  reference: string;
  source: string;
  destination: string;
  currency: string;
  /** 10^decimals of the currency; 1 for TOKENS. */
  precision: bigint;
  amount: bigint;
  allowOverdraft: boolean;
  description: string;
  meta: Record<string, unknown>;
}

export interface EntryReceipt {
  entryId: string;
  /** False when every leg had been written before under the same references. */
  created: boolean;
  legs: Array<{ transactionId: string; reference: string }>;
}

export interface TransferReceipt {
  transactionId: string;
  created: boolean;
}

export interface LedgerTransaction {
  transactionId: string;
  entryId: string | null;
  reference: string;
  source: string;
  destination: string;
  currency: string;
  precision: bigint;
  amount: bigint;
  status: 'APPLIED' | 'INFLIGHT' | 'VOID';
  meta: Record<string, unknown>;
  createdAt: string;
}

export interface TransactionFilter {
  /** Transactions where this balance is the source or the destination. */
  balanceId: string;
  /** Start of the period, inclusive. */
  from?: Date;
  /** End of the period, exclusive. */
  to?: Date;
}

/** The hold cannot be placed: the available amount would fall below the floor. */
export class InsufficientFundsError extends Error {
  override name = 'InsufficientFundsError';
  readonly required: bigint;
  readonly available: bigint;

  constructor(required: bigint, available: bigint) {
    super(`insufficient funds: required ${required}, available ${available}`);
    this.required = required;
    this.available = available;
  }
}

/** A reference was reused for a different write. */
export class ReferenceConflictError extends Error {
  override name = 'ReferenceConflictError';
}

/** The ledger cannot be reached or cannot write. */
export class LedgerUnavailableError extends Error {
  override name = 'LedgerUnavailableError';
}

export interface Ledger {
  /** Places a hold, or throws InsufficientFundsError. */
  hold(request: HoldRequest): Promise<Hold>;

  /** Releases what is left of a hold. Releasing twice is a no-op. */
  release(hold: Hold): Promise<void>;

  /**
   * Posts one entry whose legs are written all or none, then releases `hold`.
   * Funds reserved by the hold stay reserved until the entry is posted.
   */
  settle(entryId: string, legs: Leg[], hold: Hold | null): Promise<EntryReceipt>;

  /** Posts one transaction, such as a top-up; idempotent by reference. */
  transfer(leg: Leg): Promise<TransferReceipt>;

  getBalance(balanceId: string): Promise<BalanceSnapshot>;

  /** Finds a transaction by its reference. */
  findTransaction(reference: string): Promise<LedgerTransaction | null>;

  /** Lists applied transactions of one balance in a half-open period [from, to), oldest first. */
  listTransactions(filter: TransactionFilter): Promise<LedgerTransaction[]>;

  /** Lists applied transactions whose meta_data has `key` equal to `value`, oldest first. */
  listTransactionsByMeta(key: string, value: string): Promise<LedgerTransaction[]>;

  /** Returns a balance as it was just before `at`: applied credits minus debits, holds ignored. */
  balanceAt(balanceId: string, at: Date): Promise<bigint>;

  /** Releases holds whose expiry has passed; returns how many. */
  releaseExpiredHolds(now: Date): Promise<number>;

  close(): Promise<void>;
}

export interface CustomerDirectory {
  createCustomer(customer: NewCustomer): Promise<Customer>;
  getCustomer(customerId: string): Promise<Customer | null>;
  listCustomers(): Promise<Customer[]>;
  addKey(record: { keyId: string; customerId: string; keyHash: string }): Promise<ApiKeyRecord>;
  /** Returns the revoked record, or null when the key id is unknown. */
  revokeKey(keyId: string): Promise<ApiKeyRecord | null>;
  /** Returns the active key with that hash and its customer, or null. */
  findKey(keyHash: string): Promise<{ key: ApiKeyRecord; customer: Customer } | null>;
}
