/**
 * Low-balance alerts of prepaid customers. After every change of a wallet
 * the gateway calls check(): when the available amount (balance minus holds,
 * read from the ledger) is below the customer's threshold and the alert is
 * armed, the alert fires once. It logs a warning, posts a `balance.low`
 * webhook and disarms. When the available amount is at or above the
 * threshold again, the alert is re-armed. The armed state is stored, so an
 * alert fires at most once per downward crossing, also across restarts and
 * across processes that share the ledger file.
 */
import { randomBytes } from 'node:crypto';

import type { Customer, Ledger } from '../ledger/port.ts';
import type { Logger } from '../logger.ts';
import { formatAmount, type Currency } from '../money.ts';
import type { AlertStore, BalanceAlert } from './store.ts';
import { WebhookSender, type WebhookSenderOptions } from './webhook.ts';

export interface BalanceLowEvent {
  type: 'balance.low';
  id: string;
  created_at: string;
  data: {
    customer_id: string;
    currency: string;
    /** Decimal strings in currency units. */
    available: string;
    threshold: string;
  };
}

export interface AlertMonitorOptions {
  ledger: Pick<Ledger, 'getBalance'>;
  store: AlertStore;
  currencies: ReadonlyMap<string, Currency>;
  logger: Logger;
  /** URL that `balance.low` events are posted to; without it, alerts are only logged. */
  webhookUrl?: string | URL | null;
  /** HMAC key of the webhook signature; required with webhookUrl. */
  webhookSecret?: string | null;
  /** Timeout, attempts and retry delays of webhook delivery. */
  delivery?: Omit<WebhookSenderOptions, 'url' | 'secret' | 'logger'>;
  /** Time source of the event's created_at; defaults to the system clock. */
  clock?: () => Date;
}

export class AlertMonitor {
  readonly #ledger: Pick<Ledger, 'getBalance'>;
  readonly #store: AlertStore;
  readonly #currencies: ReadonlyMap<string, Currency>;
  readonly #logger: Logger;
  readonly #clock: () => Date;
  readonly #webhook: WebhookSender | null;

  /** Tail of the queue of checks per customer id, so checks of one customer never overlap. */
  readonly #queues = new Map<string, Promise<void>>();
  #closed = false;

  constructor(options: AlertMonitorOptions) {
    this.#ledger = options.ledger;
    this.#store = options.store;
    this.#currencies = options.currencies;
    this.#logger = options.logger;
    this.#clock = options.clock ?? (() => new Date());

    if (options.webhookUrl) {
      if (!options.webhookSecret) {
        throw new Error('a webhook secret is required when a webhook URL is set');
      }
      this.#webhook = new WebhookSender({
        ...options.delivery,
        url: options.webhookUrl,
        secret: options.webhookSecret,
        logger: options.logger,
      });
    } else {
      this.#webhook = null;
    }
  }

  /**
   * Fires or re-arms the customer's alert for the wallet's current available
   * amount. Resolves once the state is stored and the webhook is queued,
   * before the webhook is delivered. Never rejects: a failure is logged,
   * because a wallet change must not fail over its alert.
   */
  async check(customer: Customer): Promise<void> {
    if (this.#closed || customer.billing !== 'prepaid') {
      return;
    }

    const previous = this.#queues.get(customer.id) ?? Promise.resolve();
    const current = previous.then(() => this.#evaluate(customer)).catch((error: unknown) => {
      this.#logger.error({ err: error, customerId: customer.id }, 'balance alert check failed');
    });
    this.#queues.set(customer.id, current);

    await current;

    if (this.#queues.get(customer.id) === current) {
      this.#queues.delete(customer.id);
    }
  }

  /** Resolves when every webhook queued so far has been delivered, given up or cancelled. */
  async flush(): Promise<void> {
    await this.#webhook?.flush();
  }

  /**
   * Waits for checks in progress, cancels scheduled webhook retries and waits
   * for attempts in flight (each ends within the delivery timeout). Checks
   * after close do nothing.
   */
  async close(): Promise<void> {
    this.#closed = true;
    await Promise.all(this.#queues.values());
    await this.#webhook?.close();
  }

  async #evaluate(customer: Customer): Promise<void> {
    if (this.#closed) {
      return;
    }

    const alert = this.#store.get(customer.id);
    if (!alert) {
      return;
    }

    const currency = this.#currencyOf(customer);
    const wallet = await this.#ledger.getBalance(customer.walletBalanceId);
    const available = wallet.balance - wallet.held;

    if (available < alert.threshold) {
      // Only the caller whose conditional update disarmed the alert fires it.
      if (alert.armed && this.#store.disarm(customer.id, alert.threshold)) {
        this.#fire(customer, currency, alert, available);
      }
      return;
    }

    if (!alert.armed && this.#store.arm(customer.id)) {
      this.#logger.info(
        {
          customerId: customer.id,
          available: formatAmount(available, currency),
          threshold: formatAmount(alert.threshold, currency),
        },
        'balance back at or above the alert threshold; alert re-armed',
      );
    }
  }

  #fire(customer: Customer, currency: Currency, alert: BalanceAlert, available: bigint): void {
    const event: BalanceLowEvent = {
      type: 'balance.low',
      id: `evt_${randomBytes(12).toString('hex')}`,
      created_at: this.#clock().toISOString(),
      data: {
        customer_id: customer.id,
        currency: currency.code,
        available: formatAmount(available, currency),
        threshold: formatAmount(alert.threshold, currency),
      },
    };

    this.#logger.warn(
      { customerId: customer.id, currency: currency.code, available: event.data.available, threshold: event.data.threshold, eventId: event.id },
      'available balance is below the alert threshold',
    );

    void this.#webhook?.send(event);
  }

  #currencyOf(customer: Customer): Currency {
    const currency = this.#currencies.get(customer.currency);
    if (!currency) {
      throw new Error(`currency ${customer.currency} of customer ${customer.id} is not configured`);
    }
    return currency;
  }
}
