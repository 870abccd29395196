/**
 * Versioned schema of the embedded ledger. Each migration runs once, in
 * order, inside a transaction; PRAGMA user_version records the last one.
 */
export const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE balances (
    balance_id TEXT PRIMARY KEY,
    indicator TEXT,
    currency TEXT NOT NULL,
    balance INTEGER NOT NULL DEFAULT 0,
    credit_balance INTEGER NOT NULL DEFAULT 0,
    debit_balance INTEGER NOT NULL DEFAULT 0,
    inflight_debit_balance INTEGER NOT NULL DEFAULT 0,
    version INTEGER NOT NULL DEFAULT 0,
    meta_data TEXT NOT NULL DEFAULT '{}',
    created_at TEXT NOT NULL
  ) STRICT;

  CREATE UNIQUE INDEX balances_by_indicator ON balances (indicator, currency) WHERE indicator IS NOT NULL;

  CREATE TABLE transactions (
    transaction_id TEXT PRIMARY KEY,
    entry_id TEXT,
    reference TEXT NOT NULL UNIQUE,
    source TEXT NOT NULL REFERENCES balances (balance_id),
    destination TEXT NOT NULL REFERENCES balances (balance_id),
    currency TEXT NOT NULL,
    precision INTEGER NOT NULL,
    amount INTEGER NOT NULL CHECK (amount > 0),
    status TEXT NOT NULL CHECK (status = 'APPLIED'),
    meta_data TEXT NOT NULL DEFAULT '{}',
    created_at TEXT NOT NULL
  ) STRICT;

  CREATE INDEX transactions_by_entry ON transactions (entry_id) WHERE entry_id IS NOT NULL;
  CREATE INDEX transactions_by_source ON transactions (source, created_at);
  CREATE INDEX transactions_by_destination ON transactions (destination, created_at);

  -- Open holds only: a released hold is deleted, and its amount leaves the
  -- balance's inflight_debit_balance in the same transaction. Keeping them
  -- apart from the transactions keeps each request's writes to few pages.
  CREATE TABLE holds (
    hold_id TEXT PRIMARY KEY,
    reference TEXT NOT NULL UNIQUE,
    balance_id TEXT NOT NULL REFERENCES balances (balance_id),
    currency TEXT NOT NULL,
    amount INTEGER NOT NULL CHECK (amount > 0),
    expires_at TEXT NOT NULL,
    meta_data TEXT NOT NULL DEFAULT '{}',
    created_at TEXT NOT NULL
  ) STRICT;

  CREATE INDEX holds_by_expiry ON holds (expires_at);

  CREATE TABLE customers (
    customer_id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    billing TEXT NOT NULL CHECK (billing IN ('prepaid', 'postpaid')),
    currency TEXT NOT NULL,
    credit_limit INTEGER,
    wallet_balance_id TEXT NOT NULL REFERENCES balances (balance_id),
    tokens_balance_id TEXT NOT NULL REFERENCES balances (balance_id),
    created_at TEXT NOT NULL
  ) STRICT;

  CREATE TABLE api_keys (
    key_id TEXT PRIMARY KEY,
    customer_id TEXT NOT NULL REFERENCES customers (customer_id),
    key_hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    revoked_at TEXT
  ) STRICT;
  `,
  `
  -- An issued invoice is never updated. Periods are UTC timestamps in
  -- toISOString() form, so text order is time order. Total is in minor units.
  CREATE TABLE invoices (
    invoice_id TEXT PRIMARY KEY,
    sequence INTEGER NOT NULL UNIQUE CHECK (sequence > 0),
    number TEXT NOT NULL UNIQUE,
    customer_id TEXT NOT NULL REFERENCES customers (customer_id),
    period_start TEXT NOT NULL,
    period_end TEXT NOT NULL CHECK (period_end > period_start),
    currency TEXT NOT NULL,
    total INTEGER NOT NULL CHECK (total >= 0),
    document TEXT NOT NULL,
    issued_at TEXT NOT NULL,
    UNIQUE (customer_id, period_start, period_end)
  ) STRICT;

  CREATE INDEX invoices_by_customer ON invoices (customer_id, period_start);

  -- One low-balance alert per customer; threshold is in minor units of the
  -- customer's currency. armed = 0 after the alert fired, until the available
  -- amount is back at or above the threshold.
  CREATE TABLE balance_alerts (
    customer_id TEXT PRIMARY KEY REFERENCES customers (customer_id),
    threshold INTEGER NOT NULL CHECK (threshold > 0),
    armed INTEGER NOT NULL DEFAULT 1 CHECK (armed IN (0, 1)),
    last_fired_at TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
  ) STRICT;
  `,
  `
  CREATE TABLE currency_settings (
    currency TEXT PRIMARY KEY,
    decimals INTEGER NOT NULL
  ) STRICT;
  `,
];
