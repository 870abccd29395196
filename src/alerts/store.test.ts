import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import type { Customer } from '../ledger/port.ts';
import { SqliteLedger } from '../ledger/sqlite/index.ts';
import { openLedgerFixture, type LedgerFixture } from './ledger-fixture.testing.ts';
import { AlertStore } from './store.ts';

let now: Date;
let fixture: LedgerFixture;
let store: AlertStore;
let customer: Customer;

beforeEach(async () => {
  now = new Date('2026-11-05T10:00:00.000Z');
  fixture = openLedgerFixture(() => now);
  store = new AlertStore(fixture.ledger);
  customer = await fixture.createCustomer();
});

afterEach(async () => {
  await fixture.close();
});

describe('AlertStore', () => {
  it('creates an armed alert', () => {
    const { alert, created } = store.put(customer.id, 5_000_000_000n);

    expect(created).toBe(true);
    expect(alert).toEqual({
      customerId: customer.id,
      threshold: 5_000_000_000n,
      armed: true,
      lastFiredAt: null,
      createdAt: '2026-11-05T10:00:00.000Z',
      updatedAt: '2026-11-05T10:00:00.000Z',
    });
  });

  it('returns null for a customer without an alert', () => {
    expect(store.get(customer.id)).toBeNull();
  });

  it('keeps the state when the same threshold is set again', () => {
    store.put(customer.id, 5_000_000_000n);
    store.disarm(customer.id, 5_000_000_000n);
    now = new Date('2026-11-05T11:00:00.000Z');

    const { alert, created } = store.put(customer.id, 5_000_000_000n);

    expect(created).toBe(false);
    expect(alert.armed).toBe(false);
    expect(alert.updatedAt).toBe('2026-11-05T10:00:00.000Z');
  });

  it('re-arms when the threshold changes', () => {
    store.put(customer.id, 5_000_000_000n);
    store.disarm(customer.id, 5_000_000_000n);
    now = new Date('2026-11-05T11:00:00.000Z');

    const { alert, created } = store.put(customer.id, 7_500_000_000n);

    expect(created).toBe(false);
    expect(alert.threshold).toBe(7_500_000_000n);
    expect(alert.armed).toBe(true);
    expect(alert.lastFiredAt).toBe('2026-11-05T10:00:00.000Z');
    expect(alert.createdAt).toBe('2026-11-05T10:00:00.000Z');
    expect(alert.updatedAt).toBe('2026-11-05T11:00:00.000Z');
  });

  it('disarms only once', () => {
    store.put(customer.id, 5_000_000_000n);

    expect(store.disarm(customer.id, 5_000_000_000n)).toBe(true);
    expect(store.disarm(customer.id, 5_000_000_000n)).toBe(false);
    expect(store.get(customer.id)!.armed).toBe(false);
    expect(store.get(customer.id)!.lastFiredAt).toBe('2026-11-05T10:00:00.000Z');
  });

  it('does not disarm with a stale threshold', () => {
    store.put(customer.id, 5_000_000_000n);
    store.put(customer.id, 2_000_000_000n);

    expect(store.disarm(customer.id, 5_000_000_000n)).toBe(false);
    expect(store.get(customer.id)!.armed).toBe(true);
  });

  it('does not disarm a missing alert', () => {
    expect(store.disarm(customer.id, 5_000_000_000n)).toBe(false);
  });

  it('arms a disarmed alert once', () => {
    store.put(customer.id, 5_000_000_000n);
    store.disarm(customer.id, 5_000_000_000n);

    expect(store.arm(customer.id)).toBe(true);
    expect(store.arm(customer.id)).toBe(false);
    expect(store.get(customer.id)!.armed).toBe(true);
  });

  it('deletes an alert', () => {
    store.put(customer.id, 5_000_000_000n);

    expect(store.delete(customer.id)).toBe(true);
    expect(store.get(customer.id)).toBeNull();
    expect(store.delete(customer.id)).toBe(false);
  });

  it('lets one of two connections disarm', () => {
    const other = new AlertStore(fixture.openAnother());
    store.put(customer.id, 5_000_000_000n);

    expect(other.disarm(customer.id, 5_000_000_000n)).toBe(true);
    expect(store.disarm(customer.id, 5_000_000_000n)).toBe(false);
  });

  it('keeps the state after reopening the file', async () => {
    store.put(customer.id, 5_000_000_000n);
    store.disarm(customer.id, 5_000_000_000n);

    const reopened = new SqliteLedger({ path: fixture.path });
    const alert = new AlertStore(reopened).get(customer.id);
    await reopened.close();

    expect(alert!.armed).toBe(false);
    expect(alert!.threshold).toBe(5_000_000_000n);
  });

  it('rejects an alert for an unknown customer', () => {
    expect(() => store.put('cus_unknown', 5_000_000_000n)).toThrow('FOREIGN KEY constraint failed');
  });

  it('rejects a threshold of zero', () => {
    expect(() => store.put(customer.id, 0n)).toThrow('CHECK constraint failed');
  });
});
