import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import type { Customer } from '../ledger/port.ts';
import { SqliteLedger } from '../ledger/sqlite/index.ts';
import { parseAmount } from '../money.ts';
import { captureLogger, CURRENCIES, openLedgerFixture, USD, type CapturedLogger, type LedgerFixture } from './ledger-fixture.testing.ts';
import { AlertMonitor, type AlertMonitorOptions } from './monitor.ts';
import { verifySignature } from './signature.ts';
import { AlertStore } from './store.ts';
import { WebhookReceiver } from './webhook-receiver.testing.ts';

const SECRET = 'whsec_monitor_test';
const NOW = new Date('2026-11-05T10:00:00.000Z');

let fixture: LedgerFixture;
let store: AlertStore;
let receiver: WebhookReceiver;
let url: string;
let log: CapturedLogger;
let monitors: AlertMonitor[];

beforeEach(async () => {
  fixture = openLedgerFixture(() => NOW);
  store = new AlertStore(fixture.ledger);
  receiver = new WebhookReceiver();
  url = await receiver.start();
  log = captureLogger();
  monitors = [];
});

afterEach(async () => {
  for (const monitor of monitors) {
    await monitor.close();
  }
  await receiver.close();
  await fixture.close();
});

function createMonitor(options: Partial<AlertMonitorOptions> = {}): AlertMonitor {
  const monitor = new AlertMonitor({
    ledger: fixture.ledger,
    store,
    currencies: CURRENCIES,
    logger: log.logger,
    webhookUrl: url,
    webhookSecret: SECRET,
    delivery: { retryDelayMs: () => 5 },
    clock: () => NOW,
    ...options,
  });
  monitors.push(monitor);
  return monitor;
}

async function prepaidWithAlert(topUp: string, threshold: string): Promise<Customer> {
  const customer = await fixture.createCustomer();
  await fixture.topUp(customer, topUp);
  store.put(customer.id, parseAmount(threshold, USD));
  return customer;
}

/** Returns the data of every balance.low event received, in order. */
function receivedData(): unknown[] {
  return receiver.requests.map((request) => (JSON.parse(request.body) as { data: unknown }).data);
}

function warnings(): Array<Record<string, unknown>> {
  return log.lines.filter((line) => line.level === 40);
}

describe('AlertMonitor', () => {
  it('stays quiet above the threshold', async () => {
    const monitor = createMonitor();
    const customer = await prepaidWithAlert('10.00', '5.00');
    await fixture.spend(customer, '4.00');

    await monitor.check(customer);
    await monitor.flush();

    expect(receiver.requests).toHaveLength(0);
    expect(store.get(customer.id)!.armed).toBe(true);
  });

  it('fires at exactly the threshold crossing', async () => {
    const monitor = createMonitor();
    const customer = await prepaidWithAlert('10.00', '5.00');

    await fixture.spend(customer, '5.00');
    await monitor.check(customer);
    await monitor.flush();
    expect(receiver.requests).toHaveLength(0);

    await fixture.spend(customer, '0.000001');
    await monitor.check(customer);
    await monitor.flush();
    expect(receivedData()).toEqual([{ customer_id: customer.id, currency: 'USD', available: '4.999999', threshold: '5.00' }]);
  });

  it('fires once when crossing down', async () => {
    const monitor = createMonitor();
    const customer = await prepaidWithAlert('10.00', '5.00');
    await fixture.spend(customer, '6.00');

    await monitor.check(customer);
    await monitor.flush();

    expect(receivedData()).toEqual([{ customer_id: customer.id, currency: 'USD', available: '4.00', threshold: '5.00' }]);
    expect(store.get(customer.id)!.armed).toBe(false);
    expect(store.get(customer.id)!.lastFiredAt).toBe('2026-11-05T10:00:00.000Z');
  });

  it('does not fire again while below', async () => {
    const monitor = createMonitor();
    const customer = await prepaidWithAlert('10.00', '5.00');
    await fixture.spend(customer, '6.00');
    await monitor.check(customer);

    await fixture.spend(customer, '1.00');
    await monitor.check(customer);
    await fixture.spend(customer, '1.00');
    await monitor.check(customer);
    await monitor.flush();

    expect(receiver.requests).toHaveLength(1);
    expect(warnings()).toHaveLength(1);
  });

  it('fires again after a top-up re-arms it', async () => {
    const monitor = createMonitor();
    const customer = await prepaidWithAlert('10.00', '5.00');
    await fixture.spend(customer, '6.00');
    await monitor.check(customer);

    await fixture.topUp(customer, '10.00');
    await monitor.check(customer);
    expect(store.get(customer.id)!.armed).toBe(true);

    await fixture.spend(customer, '10.50');
    await monitor.check(customer);
    await monitor.flush();

    expect(receivedData()).toEqual([
      { customer_id: customer.id, currency: 'USD', available: '4.00', threshold: '5.00' },
      { customer_id: customer.id, currency: 'USD', available: '3.50', threshold: '5.00' },
    ]);
  });

  it('re-arms at exactly the threshold', async () => {
    const monitor = createMonitor();
    const customer = await prepaidWithAlert('10.00', '5.00');
    await fixture.spend(customer, '6.00');
    await monitor.check(customer);

    await fixture.topUp(customer, '1.00');
    await monitor.check(customer);

    expect(store.get(customer.id)!.armed).toBe(true);
    expect(log.lines.at(-1)!.msg).toBe('balance back at or above the alert threshold; alert re-armed');
    expect(log.lines.at(-1)!.available).toBe('5.00');
  });

  it('stays disarmed after a top-up that is not enough', async () => {
    const monitor = createMonitor();
    const customer = await prepaidWithAlert('10.00', '5.00');
    await fixture.spend(customer, '6.00');
    await monitor.check(customer);

    await fixture.topUp(customer, '0.50');
    await monitor.check(customer);

    expect(store.get(customer.id)!.armed).toBe(false);
  });

  it('counts holds against the available amount', async () => {
    const monitor = createMonitor();
    const customer = await prepaidWithAlert('10.00', '5.00');
    await fixture.ledger.hold({
      reference: 'req_held:hold',
      balanceId: customer.walletBalanceId,
      currency: 'USD',
      amount: parseAmount('5.25', USD),
      floor: 0n,
      expiresAt: new Date(Date.now() + 60_000),
      meta: {},
    });

    await monitor.check(customer);
    await monitor.flush();

    expect(receivedData()).toEqual([{ customer_id: customer.id, currency: 'USD', available: '4.75', threshold: '5.00' }]);
  });

  it('logs a warning with the amounts', async () => {
    const monitor = createMonitor();
    const customer = await prepaidWithAlert('10.00', '5.00');
    await fixture.spend(customer, '6.00');

    await monitor.check(customer);

    expect(warnings()).toHaveLength(1);
    expect(warnings()[0]!.msg).toBe('available balance is below the alert threshold');
    expect(warnings()[0]!.customerId).toBe(customer.id);
    expect(warnings()[0]!.available).toBe('4.00');
    expect(warnings()[0]!.threshold).toBe('5.00');
    expect(warnings()[0]!.currency).toBe('USD');
  });

  it('posts a signed balance.low event', async () => {
    const monitor = createMonitor();
    const customer = await prepaidWithAlert('10.00', '5.00');
    await fixture.spend(customer, '6.00');

    await monitor.check(customer);
    await monitor.flush();

    const { headers, body } = receiver.requests[0]!;
    const event = JSON.parse(body) as Record<string, unknown>;

    expect(event.type).toBe('balance.low');
    expect(event.id).toMatch(/^evt_[0-9a-f]{24}$/);
    expect(event.created_at).toBe('2026-11-05T10:00:00.000Z');
    expect(Object.keys(event)).toEqual(['type', 'id', 'created_at', 'data']);
    expect(headers['x-tollgate-event-id']).toBe(event.id);
    expect(warnings()[0]!.eventId).toBe(event.id);
    expect(verifySignature(SECRET, headers['x-tollgate-timestamp'] as string, body, headers['x-tollgate-signature'] as string)).toBe(true);
    expect(verifySignature(SECRET, headers['x-tollgate-timestamp'] as string, body.replace('4.00', '9.00'), headers['x-tollgate-signature'] as string)).toBe(false);
  });

  it('never fires for a postpaid customer', async () => {
    const monitor = createMonitor();
    const customer = await fixture.createCustomer('postpaid');
    store.put(customer.id, parseAmount('5.00', USD));
    await fixture.spend(customer, '20.00');

    await monitor.check(customer);
    await monitor.flush();

    expect(receiver.requests).toHaveLength(0);
    expect(warnings()).toHaveLength(0);
    expect(store.get(customer.id)!.armed).toBe(true);
  });

  it('ignores a customer without an alert', async () => {
    const monitor = createMonitor();
    const customer = await fixture.createCustomer();
    await fixture.topUp(customer, '1.00');

    await monitor.check(customer);
    await monitor.flush();

    expect(receiver.requests).toHaveLength(0);
    expect(log.lines).toHaveLength(0);
  });

  it('fires once for concurrent checks', async () => {
    const monitor = createMonitor();
    const customer = await prepaidWithAlert('10.00', '5.00');
    await fixture.spend(customer, '6.00');

    await Promise.all(Array.from({ length: 20 }, () => monitor.check(customer)));
    await monitor.flush();

    expect(receiver.requests).toHaveLength(1);
    expect(warnings()).toHaveLength(1);
  });

  it('runs checks of one customer one at a time', async () => {
    let running = 0;
    let maxRunning = 0;
    const slowLedger = {
      async getBalance(balanceId: string) {
        running += 1;
        maxRunning = Math.max(maxRunning, running);
        await new Promise((resolve) => setTimeout(resolve, 10));
        running -= 1;
        return fixture.ledger.getBalance(balanceId);
      },
    };
    const monitor = createMonitor({ ledger: slowLedger });
    const customer = await prepaidWithAlert('10.00', '5.00');

    await Promise.all(Array.from({ length: 5 }, () => monitor.check(customer)));

    expect(maxRunning).toBe(1);
  });

  it('fires once across two processes', async () => {
    const other = fixture.openAnother();
    const first = createMonitor();
    const second = createMonitor({ ledger: other, store: new AlertStore(other) });
    const customer = await prepaidWithAlert('10.00', '5.00');
    await fixture.spend(customer, '6.00');

    await Promise.all([first.check(customer), second.check(customer), first.check(customer), second.check(customer)]);
    await first.flush();
    await second.flush();

    expect(receiver.requests).toHaveLength(1);
    expect(warnings()).toHaveLength(1);
  });

  it('does not fire again after a restart', async () => {
    const customer = await prepaidWithAlert('10.00', '5.00');
    await fixture.spend(customer, '6.00');
    const before = createMonitor();
    await before.check(customer);
    await before.close();

    const reopened = new SqliteLedger({ path: fixture.path });
    const after = createMonitor({ ledger: reopened, store: new AlertStore(reopened) });
    await fixture.spend(customer, '1.00');
    await after.check(customer);
    await after.flush();
    await reopened.close();

    expect(receiver.requests).toHaveLength(1);
    expect(warnings()).toHaveLength(1);
  });

  it('fires again after the threshold changes', async () => {
    const monitor = createMonitor();
    const customer = await prepaidWithAlert('10.00', '5.00');
    await fixture.spend(customer, '6.00');
    await monitor.check(customer);

    store.put(customer.id, parseAmount('8.00', USD));
    await monitor.check(customer);
    await monitor.flush();

    expect(receivedData()).toEqual([
      { customer_id: customer.id, currency: 'USD', available: '4.00', threshold: '5.00' },
      { customer_id: customer.id, currency: 'USD', available: '4.00', threshold: '8.00' },
    ]);
  });

  it('only logs without a webhook URL', async () => {
    const monitor = createMonitor({ webhookUrl: null, webhookSecret: null });
    const customer = await prepaidWithAlert('10.00', '5.00');
    await fixture.spend(customer, '6.00');

    await monitor.check(customer);
    await monitor.flush();

    expect(warnings()).toHaveLength(1);
    expect(receiver.requests).toHaveLength(0);
    expect(store.get(customer.id)!.armed).toBe(false);
  });

  it('requires a secret with a webhook URL', () => {
    expect(() => createMonitor({ webhookSecret: null })).toThrow('a webhook secret is required when a webhook URL is set');
  });

  it('delivers after the receiver fails once', async () => {
    receiver.respondWith({ status: 500 });
    const monitor = createMonitor();
    const customer = await prepaidWithAlert('10.00', '5.00');
    await fixture.spend(customer, '6.00');

    await monitor.check(customer);
    await monitor.flush();

    expect(receiver.requests).toHaveLength(2);
    expect(receiver.requests[1]!.body).toBe(receiver.requests[0]!.body);
  });

  it('logs a failed check without rejecting', async () => {
    const monitor = createMonitor({ currencies: new Map() });
    const customer = await prepaidWithAlert('10.00', '5.00');
    await fixture.spend(customer, '6.00');

    await expect(monitor.check(customer)).resolves.toBeUndefined();

    expect(log.lines.at(-1)!.msg).toBe('balance alert check failed');
    expect(log.lines.at(-1)!.customerId).toBe(customer.id);
    expect(store.get(customer.id)!.armed).toBe(true);
  });

  it('does nothing after close', async () => {
    const monitor = createMonitor();
    const customer = await prepaidWithAlert('10.00', '5.00');
    await fixture.spend(customer, '6.00');
    await monitor.close();

    await monitor.check(customer);

    expect(receiver.requests).toHaveLength(0);
    expect(store.get(customer.id)!.armed).toBe(true);
  });
});
