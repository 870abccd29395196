/**
 * Starts and stops a whole gateway: ledger, price list, upstream client and
 * HTTP server. main.ts runs it as a process; tests start it on port 0.
 */
import type { AddressInfo } from 'node:net';

import { serve, type ServerType } from '@hono/node-server';

import { AlertMonitor, AlertStore } from './alerts/index.ts';
import { createApp } from './app.ts';
import { KeyAuthenticator } from './auth/keys.ts';
import { ConfigError, type Config } from './config.ts';
import { CurrencyPrecisionError, SqliteLedger } from './ledger/sqlite/index.ts';
import type { Logger } from './logger.ts';
import { loadPriceList, type PriceList } from './pricing/index.ts';
import { InFlight } from './proxy/in-flight.ts';
import { Upstream } from './proxy/upstream.ts';

/** How often expired holds are released. */
const HOLD_SWEEP_INTERVAL_MS = 60_000;

export interface Gateway {
  url: string;
  ledger: SqliteLedger;
  pricing: { current: PriceList };
  /** Stops accepting requests, waits for in-flight ones and their ledger entries, then closes. */
  close(): Promise<void>;
}

export interface GatewayOptions {
  /** Time source of the ledger; tests pass a simulated clock. */
  clock?: () => Date;
}

export async function startGateway(config: Config, logger: Logger, options: GatewayOptions = {}): Promise<Gateway> {
  if (config.ledger !== 'embedded') {
    throw new ConfigError('invalid setting LEDGER: only "embedded" is available in this version; the Blnk Core adapter is not implemented yet');
  }

  const pricing = { current: loadPriceList(config.pricingFile) };
  const ledger = new SqliteLedger({ path: config.ledgerPath, sync: config.ledgerSync, clock: options.clock });
  try {
    ledger.checkCurrencies(config.currencies.values());
  } catch (error) {
    await ledger.close();
    throw error instanceof CurrencyPrecisionError ? new ConfigError(`invalid setting currencies: ${error.message}`) : error;
  }
  const upstream = new Upstream({
    baseUrl: config.upstreamBaseUrl,
    apiKey: config.upstreamApiKey,
    connectTimeoutMs: config.upstreamConnectTimeoutMs,
    headersTimeoutMs: config.upstreamHeadersTimeoutMs,
    bodyTimeoutMs: config.upstreamBodyTimeoutMs,
  });
  const authenticator = new KeyAuthenticator(ledger, { ttlMs: config.keyCacheTtlMs, max: config.keyCacheMax });
  const inFlight = new InFlight();
  const alertStore = new AlertStore(ledger);
  const alerts = new AlertMonitor({
    ledger,
    store: alertStore,
    currencies: config.currencies,
    logger,
    webhookUrl: config.alertWebhookUrl,
    webhookSecret: config.alertWebhookSecret,
    clock: () => ledger.now(),
  });

  const released = await ledger.releaseExpiredHolds(new Date());
  if (released > 0) {
    logger.warn({ released }, 'released holds that expired while the gateway was down');
  }

  const sweeper = setInterval(() => {
    ledger.releaseExpiredHolds(new Date()).then(
      (count) => count > 0 && logger.warn({ released: count }, 'released expired holds'),
      (error: unknown) => logger.error({ err: error }, 'releasing expired holds failed'),
    );
  }, HOLD_SWEEP_INTERVAL_MS);
  sweeper.unref();

  const app = createApp({ config, logger, ledger, directory: ledger, authenticator, pricing, upstream, inFlight, embeddedLedger: ledger, alertStore, alerts, clock: () => ledger.now() });
  let server: ServerType;
  try {
    server = await listen(app.fetch, config);
  } catch (error) {
    clearInterval(sweeper);
    await alerts.close();
    await upstream.close();
    await ledger.close();
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      throw new ConfigError(`cannot listen on ${config.host}:${config.port}: the address is in use; set PORT to a free port`);
    }
    throw error;
  }

  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}`;

  logger.info({ url, ledger: config.ledger, ledgerPath: config.ledgerPath, pricingVersion: pricing.current.version, upstream: `${config.upstreamBaseUrl.origin}${config.upstreamBaseUrl.pathname}` }, 'tollgate started');

  const close = async () => {
    inFlight.closing = true;
    clearInterval(sweeper);

    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    const drained = await inFlight.drain(config.shutdownGraceMs);
    if (!drained) {
      logger.warn({ pending: inFlight.size }, 'shutdown grace period ended with requests in flight; closing client connections, their usage is still recorded');
    }

    if ('closeAllConnections' in server) {
      server.closeAllConnections();
    }
    await closed;

    // Streams whose client is gone keep reading the upstream for their usage
    // for up to DISCONNECT_DRAIN_MS; after that they are aborted and charged
    // an estimate. Either way their entries are written before the ledger closes.
    const upstreamDone = await Promise.race([
      upstream.close().then(() => true),
      new Promise<false>((resolve) => setTimeout(() => resolve(false), config.disconnectDrainMs).unref()),
    ]);
    if (!upstreamDone) {
      logger.warn({ pending: inFlight.size }, 'aborting upstream responses still open; their usage is charged as an estimate');
      await upstream.destroy();
    }
    await inFlight.drain(config.shutdownGraceMs);

    await alerts.close();
    await ledger.close();
    logger.info('tollgate stopped');
  };

  return { url, ledger, pricing, close };
}

function listen(fetch: (request: Request) => Response | Promise<Response>, config: Config): Promise<ServerType> {
  return new Promise((resolve, reject) => {
    const server = serve({ fetch, port: config.port, hostname: config.host }, () => resolve(server));
    server.once('error', reject);
  });
}
