import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { InsufficientFundsError, ReferenceConflictError, TOKENS, type Customer, type Leg } from '../port.ts';
import { SqliteLedger } from './index.ts';

const USD_PRECISION = 1_000_000_000n;

let directory: string;
let ledger: SqliteLedger;

beforeEach(() => {
  directory = mkdtempSync(join(tmpdir(), 'tollgate-ledger-'));
  ledger = new SqliteLedger({ path: join(directory, 'ledger.sqlite') });
});

afterEach(async () => {
  await ledger.close();
  rmSync(directory, { recursive: true, force: true });
});

function topupLeg(customer: Customer, amount: bigint, reference: string): Leg {
  return {
    reference,
    source: '@World-USD',
    destination: customer.walletBalanceId,
    currency: 'USD',
    precision: USD_PRECISION,
    amount,
    allowOverdraft: true,
    description: 'top-up',
    meta: {},
  };
}

function usageLegs(customer: Customer, requestId: string, tokens: bigint, amount: bigint): Leg[] {
  return [
    {
      reference: `${requestId}:tokens`,
      source: customer.tokensBalanceId,
      destination: '@System-Tokens',
      currency: TOKENS,
      precision: 1n,
      amount: tokens,
      allowOverdraft: true,
      description: 'tokens',
      meta: { request_id: requestId },
    },
    {
      reference: `${requestId}:usd`,
      source: customer.walletBalanceId,
      destination: '@Revenue',
      currency: 'USD',
      precision: USD_PRECISION,
      amount,
      allowOverdraft: true,
      description: 'usage',
      meta: { request_id: requestId },
    },
  ];
}

function holdRequest(customer: Customer, reference: string, amount: bigint, floor = 0n) {
  return {
    reference,
    balanceId: customer.walletBalanceId,
    currency: 'USD',
    amount,
    floor,
    expiresAt: new Date(Date.now() + 60_000),
    meta: {},
  };
}

async function prepaid(): Promise<Customer> {
  return ledger.createCustomer({ name: 'Ada', billing: 'prepaid', currency: 'USD', creditLimit: null });
}

describe('SqliteLedger', () => {
  it('creates a customer with a wallet and a token balance', async () => {
    const customer = await prepaid();

    const wallet = await ledger.getBalance(customer.walletBalanceId);
    const tokens = await ledger.getBalance(customer.tokensBalanceId);

    expect(wallet).toEqual({ balanceId: customer.walletBalanceId, currency: 'USD', balance: 0n, held: 0n });
    expect(tokens.currency).toBe(TOKENS);
    expect(await ledger.getCustomer(customer.id)).toEqual(customer);
  });

  it('tops up once per reference', async () => {
    const customer = await prepaid();

    const first = await ledger.transfer(topupLeg(customer, 5n * USD_PRECISION, 'topup-1'));
    const second = await ledger.transfer(topupLeg(customer, 5n * USD_PRECISION, 'topup-1'));

    expect(first.created).toBe(true);
    expect(second).toEqual({ transactionId: first.transactionId, created: false });
    expect((await ledger.getBalance(customer.walletBalanceId)).balance).toBe(5n * USD_PRECISION);
    expect((await ledger.getInternalBalance('@World-USD', 'USD'))?.balance).toBe(-5n * USD_PRECISION);
  });

  it('rejects a reused top-up reference with another amount', async () => {
    const customer = await prepaid();
    await ledger.transfer(topupLeg(customer, 5n, 'topup-1'));

    await expect(ledger.transfer(topupLeg(customer, 6n, 'topup-1'))).rejects.toBeInstanceOf(ReferenceConflictError);
    expect((await ledger.getBalance(customer.walletBalanceId)).balance).toBe(5n);
  });

  it('rejects a hold above the available amount', async () => {
    const customer = await prepaid();
    await ledger.transfer(topupLeg(customer, 100n, 'topup-1'));
    await ledger.hold(holdRequest(customer, 'r1:hold', 60n));

    const attempt = ledger.hold(holdRequest(customer, 'r2:hold', 41n));

    await expect(attempt).rejects.toBeInstanceOf(InsufficientFundsError);
    await expect(attempt).rejects.toMatchObject({ required: 41n, available: 40n });
    expect(await ledger.getBalance(customer.walletBalanceId)).toMatchObject({ balance: 100n, held: 60n });
  });

  it('lets a hold reach the credit limit floor', async () => {
    const customer = await ledger.createCustomer({ name: 'Bo', billing: 'postpaid', currency: 'USD', creditLimit: 50n });

    await ledger.hold(holdRequest(customer, 'r1:hold', 50n, -50n));

    await expect(ledger.hold(holdRequest(customer, 'r2:hold', 1n, -50n))).rejects.toBeInstanceOf(InsufficientFundsError);
  });

  it('settles an entry and releases its hold in one step', async () => {
    const customer = await prepaid();
    await ledger.transfer(topupLeg(customer, 100n, 'topup-1'));
    const hold = await ledger.hold(holdRequest(customer, 'r1:hold', 60n));

    const receipt = await ledger.settle('r1', usageLegs(customer, 'r1', 1234n, 45n), hold);

    expect(receipt.created).toBe(true);
    expect(receipt.legs.map((leg) => leg.reference)).toEqual(['r1:tokens', 'r1:usd']);
    expect(await ledger.getBalance(customer.walletBalanceId)).toMatchObject({ balance: 55n, held: 0n });
    expect((await ledger.getBalance(customer.tokensBalanceId)).balance).toBe(-1234n);
    expect((await ledger.getInternalBalance('@Revenue', 'USD'))?.balance).toBe(45n);
    expect((await ledger.getInternalBalance('@System-Tokens', TOKENS))?.balance).toBe(1234n);
    expect(await ledger.openHoldCount()).toBe(0);
  });

  it('writes an entry once when settled twice', async () => {
    const customer = await prepaid();
    await ledger.transfer(topupLeg(customer, 100n, 'topup-1'));

    const first = await ledger.settle('r1', usageLegs(customer, 'r1', 10n, 7n), null);
    const second = await ledger.settle('r1', usageLegs(customer, 'r1', 10n, 7n), null);

    expect(second.created).toBe(false);
    expect(second.legs).toEqual(first.legs);
    expect((await ledger.getBalance(customer.walletBalanceId)).balance).toBe(93n);
  });

  it('writes no leg when one leg fails', async () => {
    const customer = await prepaid();
    const legs = usageLegs(customer, 'r1', 10n, 7n);
    legs[1] = { ...legs[1]!, allowOverdraft: false };

    await expect(ledger.settle('r1', legs, null)).rejects.toBeInstanceOf(InsufficientFundsError);

    expect((await ledger.getBalance(customer.tokensBalanceId)).balance).toBe(0n);
    expect(await ledger.findTransaction('r1:tokens')).toBeNull();
  });

  it('releases expired holds', async () => {
    const customer = await prepaid();
    await ledger.transfer(topupLeg(customer, 100n, 'topup-1'));
    await ledger.hold({ ...holdRequest(customer, 'r1:hold', 30n), expiresAt: new Date(Date.now() - 1000) });
    await ledger.hold(holdRequest(customer, 'r2:hold', 20n));

    const released = await ledger.releaseExpiredHolds(new Date());

    expect(released).toBe(1);
    expect((await ledger.getBalance(customer.walletBalanceId)).held).toBe(20n);
  });

  it('keeps amounts above 2^53 exact', async () => {
    const customer = await prepaid();
    const large = 2n ** 60n + 7n;

    await ledger.transfer(topupLeg(customer, large, 'topup-large'));
    await ledger.settle('r1', usageLegs(customer, 'r1', 1n, large - 3n), null);

    expect((await ledger.getBalance(customer.walletBalanceId)).balance).toBe(3n);
    expect((await ledger.findTransaction('r1:usd'))?.amount).toBe(large - 3n);
  });

  it('never lets concurrent holds exceed the wallet', async () => {
    const customer = await prepaid();
    await ledger.transfer(topupLeg(customer, 1000n, 'topup-1'));

    const attempts = await Promise.allSettled(
      Array.from({ length: 50 }, (_, index) => ledger.hold(holdRequest(customer, `r${index}:hold`, 100n))),
    );

    expect(attempts.filter((attempt) => attempt.status === 'fulfilled')).toHaveLength(10);
    expect(await ledger.getBalance(customer.walletBalanceId)).toMatchObject({ balance: 1000n, held: 1000n });
  });

  it('keeps data across reopening the file', async () => {
    const customer = await prepaid();
    await ledger.transfer(topupLeg(customer, 42n, 'topup-1'));
    await ledger.close();

    ledger = new SqliteLedger({ path: join(directory, 'ledger.sqlite') });

    expect((await ledger.getBalance(customer.walletBalanceId)).balance).toBe(42n);
  });
});

describe('SqliteLedger queries', () => {
  it('lists the transactions of a period and the balance before it', async () => {
    let now = new Date('2026-11-01T00:00:00.000Z');
    await ledger.close();
    ledger = new SqliteLedger({ path: join(directory, 'clock.sqlite'), clock: () => now });
    const customer = await prepaid();

    await ledger.transfer(topupLeg(customer, 100n, 'topup-1'));
    now = new Date('2026-11-10T12:00:00.000Z');
    await ledger.settle('r1', usageLegs(customer, 'r1', 10n, 7n), null);
    now = new Date('2026-12-01T00:00:00.000Z');
    await ledger.settle('r2', usageLegs(customer, 'r2', 10n, 5n), null);

    const november = await ledger.listTransactions({
      balanceId: customer.walletBalanceId,
      from: new Date('2026-11-01T00:00:00.000Z'),
      to: new Date('2026-12-01T00:00:00.000Z'),
    });

    expect(november.map((transaction) => transaction.reference)).toEqual(['topup-1', 'r1:usd']);
    expect(await ledger.balanceAt(customer.walletBalanceId, new Date('2026-11-10T12:00:00.000Z'))).toBe(100n);
    expect(await ledger.balanceAt(customer.walletBalanceId, new Date('2026-12-01T00:00:00.000Z'))).toBe(93n);
    expect(await ledger.balanceAt(customer.walletBalanceId, new Date('2026-12-02T00:00:00.000Z'))).toBe(88n);
    expect(await ledger.balanceAt(customer.walletBalanceId, new Date('2026-10-01T00:00:00.000Z'))).toBe(0n);
  });

  it('finds transactions by a meta_data value', async () => {
    const customer = await prepaid();
    await ledger.settle('r1', usageLegs(customer, 'r1', 10n, 7n), null);
    await ledger.settle('r2', usageLegs(customer, 'r2', 10n, 7n), null);

    const found = await ledger.listTransactionsByMeta('request_id', 'r2');

    expect(found.map((transaction) => transaction.reference)).toEqual(['r2:tokens', 'r2:usd']);
  });
});

describe('SqliteLedger file sharing', () => {
  it('opens one new file from several processes at once', async () => {
    const { execFile } = await import('node:child_process');
    const module = new URL('./index.ts', import.meta.url).href;
    const path = join(directory, 'shared.sqlite');
    const script = `const { SqliteLedger } = await import(${JSON.stringify(module)}); const ledger = new SqliteLedger({ path: ${JSON.stringify(path)} }); await ledger.createCustomer({ name: 'p', billing: 'prepaid', currency: 'USD', creditLimit: null }); await ledger.close();`;

    const exits = await Promise.all(
      Array.from({ length: 4 }, () => new Promise<number | null>((resolve) => {
        const child = execFile(process.execPath, ['--input-type=module', '-e', script]);
        child.on('exit', (code) => resolve(code));
      })),
    );

    const reopened = new SqliteLedger({ path });
    const customers = await reopened.listCustomers();
    await reopened.close();
    expect(exits).toEqual([0, 0, 0, 0]);
    expect(customers).toHaveLength(4);
  });
});
