/**
 * The HTTP application: admin routes, the billed /v1 routes, and one error
 * handler that turns every failure into OpenAI's error shape.
 */
import { Hono } from 'hono';

import { createAdminRoutes } from './admin/routes.ts';
import { createAlertRoutes, type AlertMonitor, type AlertStore } from './alerts/index.ts';
import { bearerToken, type KeyAuthenticator } from './auth/keys.ts';
import type { Config } from './config.ts';
import { GatewayError, errorResponse } from './errors.ts';
import { newId } from './ids.ts';
import { createInvoiceRoutes } from './invoices/routes.ts';
import type { Customer, CustomerDirectory, Ledger } from './ledger/port.ts';
import type { SqliteLedger } from './ledger/sqlite/index.ts';
import type { Logger } from './logger.ts';
import type { PriceList } from './pricing/index.ts';
import { createProxyHandler } from './proxy/handler.ts';
import type { InFlight } from './proxy/in-flight.ts';
import type { Upstream } from './proxy/upstream.ts';
import { createReportRoutes } from './reports/routes.ts';
import { createSelfServiceRoutes } from './reports/self-service.ts';

declare module 'hono' {
  interface ContextVariableMap {
    requestId: string;
    log: Logger;
    customer: Customer;
    /** Set when a handler writes the request's log line itself. */
    requestLogged: boolean;
    errorCode: string;
  }
}

export interface AppDependencies {
  config: Config;
  logger: Logger;
  ledger: Ledger;
  directory: CustomerDirectory;
  authenticator: KeyAuthenticator;
  pricing: { current: PriceList };
  upstream: Upstream;
  inFlight: InFlight;
  /** The same ledger as `ledger`; invoices keep their documents in its file. */
  embeddedLedger: SqliteLedger;
  alertStore: AlertStore;
  alerts: AlertMonitor;
  /** The ledger's clock, for default report periods. */
  clock: () => Date;
}

export function createApp(deps: AppDependencies): Hono {
  const app = new Hono();

  app.use('*', async function requestContext(c, next) {
    const started = performance.now();
    const requestId = newId('req');
    c.set('requestId', requestId);
    c.set('log', deps.logger);

    await next();
    c.header('x-tollgate-request-id', requestId);

    if (!c.get('requestLogged')) {
      deps.logger.info(
        {
          requestId,
          customerId: c.get('customer')?.id,
          method: c.req.method,
          path: c.req.path,
          status: c.res.status,
          code: c.get('errorCode'),
          durationMs: Math.round((performance.now() - started) * 100) / 100,
        },
        'request finished',
      );
    }
  });

  app.get('/health', (c) => c.json({ status: 'ok' }));

  const reportDependencies = { ledger: deps.ledger, directory: deps.directory, currencies: deps.config.currencies, logger: deps.logger };
  const admin = createAdminRoutes(deps);
  admin.route('/', createReportRoutes(reportDependencies));
  admin.route('/', createInvoiceRoutes({ ledger: deps.embeddedLedger, directory: deps.directory, currencies: deps.config.currencies, logger: deps.logger }));
  admin.route('/', createAlertRoutes({ store: deps.alertStore, directory: deps.directory, ledger: deps.ledger, currencies: deps.config.currencies }));
  app.route('/admin', admin);

  app.use('/v1/*', async function customerAuth(c, next) {
    const key = bearerToken(c.req.header('authorization'));
    const found = key === null ? null : await deps.authenticator.authenticate(key);

    if (!found) {
      throw new GatewayError('invalid_api_key', 'Missing or invalid API key: send Authorization: Bearer <your Tollgate key>.');
    }

    c.set('customer', found.customer);
    await next();
  });

  app.route('/v1/billing', createSelfServiceRoutes({ ...reportDependencies, clock: deps.clock }));

  app.post('/v1/chat/completions', createProxyHandler('chat.completions', deps));
  app.post('/v1/completions', createProxyHandler('completions', deps));
  app.post('/v1/embeddings', createProxyHandler('embeddings', deps));
  app.post('/v1/responses', createProxyHandler('responses', deps));

  app.get('/v1/models', (c) => {
    const data = deps.pricing.current.models().map((id) => ({ id, object: 'model', created: 0, owned_by: 'tollgate' }));
    return c.json({ object: 'list', data });
  });

  app.notFound((c) => {
    c.set('errorCode', 'not_found');
    const error = new GatewayError('not_found', `Unknown path: ${c.req.method} ${c.req.path}. Tollgate serves POST /v1/chat/completions, /v1/completions, /v1/embeddings and /v1/responses.`);
    return errorResponse(error, { 'x-tollgate-request-id': c.get('requestId') ?? '' });
  });

  app.onError((error, c) => {
    const requestId = c.get('requestId') ?? '';

    if (error instanceof GatewayError) {
      c.set('errorCode', error.code);
      if (error.status >= 500) {
        deps.logger.error({ err: error.cause ?? error, requestId, code: error.code }, error.message);
      }
      return errorResponse(error, { 'x-tollgate-request-id': requestId });
    }

    deps.logger.error({ err: error, requestId }, 'unhandled error');
    const internal = new GatewayError('internal_error', `Internal error; quote request id ${requestId} when reporting it.`);
    return errorResponse(internal, { 'x-tollgate-request-id': requestId });
  });

  return app;
}
