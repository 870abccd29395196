/**
 * The billed request path, for every OpenAI-compatible endpoint Tollgate
 * serves: authenticate, read and check the body, price the model, hold the
 * maximum cost, call the upstream, read usage, write the ledger entry, and
 * only then complete the response.
 */
import type { Context } from 'hono';

import type { AlertMonitor } from '../alerts/index.ts';
import { placeHold, settle, type BillingContext } from '../billing/meter.ts';
import type { Config } from '../config.ts';
import { GatewayError } from '../errors.ts';
import type { Customer, Hold, Ledger } from '../ledger/port.ts';
import type { Logger } from '../logger.ts';
import type { PriceList } from '../pricing/index.ts';
import { estimateInputTokens, estimateUsage, requestedOutputCap } from '../tokens/index.ts';
import { usageFromBody } from '../usage/extract.ts';
import type { Endpoint, Usage, UsageSource } from '../usage/types.ts';
import { parseJsonObject, readBody, rewriteBody } from './body.ts';
import type { InFlight } from './in-flight.ts';
import { checkSizingParams } from './params.ts';
import { outputTextOfBody } from './output-text.ts';
import { relayStream, type StreamOutcome } from './relay.ts';
import { logRequest, releaseQuietly, type RequestSummary } from './request-log.ts';
import { readText, responseHeaders, upstreamError } from './upstream-error.ts';
import { toGatewayError, type Upstream, type UpstreamResponse } from './upstream.ts';

export interface ProxyDependencies {
  config: Config;
  ledger: Ledger;
  pricing: { current: PriceList };
  upstream: Upstream;
  inFlight: InFlight;
  /** Checks low-balance alerts after each change of a wallet. */
  alerts: Pick<AlertMonitor, 'check'>;
}

/** Path of each endpoint below the upstream base URL. */
const UPSTREAM_ROUTES: Record<Endpoint, string> = {
  'chat.completions': '/chat/completions',
  completions: '/completions',
  embeddings: '/embeddings',
  responses: '/responses',
};

export function createProxyHandler(endpoint: Endpoint, deps: ProxyDependencies) {
  return async function proxy(c: Context): Promise<Response> {
    const started = performance.now();
    const requestId: string = c.get('requestId');
    const customer: Customer = c.get('customer');
    const log: Logger = c.get('log');

    if (deps.inFlight.closing) {
      throw new GatewayError('shutting_down', 'The gateway is shutting down; retry the request.');
    }

    let finish!: () => void;
    void deps.inFlight.track(new Promise<void>((resolve) => (finish = resolve)));

    const summary: RequestSummary = { requestId, customerId: customer.id, endpoint, started, log };

    try {
      return await handle(c, endpoint, deps, summary, finish);
    } catch (error) {
      finish();
      throw error;
    }
  };
}

async function handle(c: Context, endpoint: Endpoint, deps: ProxyDependencies, summary: RequestSummary, finish: () => void): Promise<Response> {
  const { config, ledger } = deps;
  const customer: Customer = c.get('customer');

  const bytes = await readBody(c.req.raw, config.maxBodyBytes);
  const body = parseJsonObject(bytes);
  const model = body.model;

  if (typeof model !== 'string' || model === '') {
    throw new GatewayError('invalid_request', 'The request must name a model: "model" is missing or not a string.', { param: 'model' });
  }
  summary.model = model;
  checkSizingParams(body);

  const pricing = deps.pricing.current;
  const price = pricing.resolve(model);
  if (!price) {
    throw new GatewayError('model_not_found', `The model \`${model}\` has no price in this gateway's price list, so it cannot be billed.`, { param: 'model' });
  }

  const currency = config.currencies.get(customer.currency);
  if (!currency || price.currency !== customer.currency) {
    throw new GatewayError('invalid_request', `The model \`${model}\` is priced in ${price.currency}, but this customer is billed in ${customer.currency}.`, { param: 'model' });
  }

  const context: BillingContext = {
    requestId: summary.requestId,
    customer,
    endpoint,
    model,
    price,
    currency,
    pricingVersion: pricing.version,
  };

  const streaming = endpoint !== 'embeddings' && body.stream === true;
  const estimate = {
    inputTokens: estimateInputTokens(endpoint, body, model),
    outputTokens: requestedOutputCap(endpoint, body, price),
  };

  let hold: Hold | null;
  try {
    hold = await placeHold(ledger, context, estimate, config.holdExpirySeconds);
  } catch (error) {
    if (error instanceof GatewayError) {
      throw error;
    }
    throw new GatewayError('ledger_unavailable', 'The billing ledger is unavailable; the request was not sent.', { cause: error });
  }

  const abort = new AbortController();
  let upstream: UpstreamResponse;
  let injected = false;

  try {
    const route = UPSTREAM_ROUTES[endpoint];
    const search = new URL(c.req.url).search;
    const wantsUsage = streaming && endpoint !== 'responses' && !deps.upstream.rejectsStreamOptions() && !includesUsage(body);
    const send = (includeUsage: boolean) => {
      const upstreamBody = includeUsage ? rewriteBody(Buffer.from(bytes).toString('utf8'), body, { includeUsage, add: {} }) : bytes;
      return deps.upstream.post(route, search, upstreamBody, c.req.raw.headers, abort.signal);
    };

    upstream = await send(wantsUsage);
    injected = wantsUsage;

    // Some upstreams reject stream_options with a 400 (older Azure
    // api-versions, Groq in 2024). The request is sent again without it, and
    // only when that succeeds is the upstream taken not to support it: a 400
    // for another reason can quote the body, stream_options included.
    if (injected && upstream.status === 400) {
      const errorText = await readText(upstream);

      if (!/stream_options/i.test(errorText)) {
        c.set('requestLogged', true);
        return await upstreamError(ledger, hold, upstream, errorText, summary, finish);
      }

      injected = false;
      upstream = await send(false);

      if (upstream.status >= 200 && upstream.status < 300) {
        summary.log.warn({ requestId: summary.requestId }, 'upstream rejected stream_options; sending streams without it for an hour and estimating usage when none is sent');
        deps.upstream.markStreamOptionsRejected();
      }
    }
  } catch (error) {
    await releaseQuietly(ledger, hold, summary);
    throw toGatewayError(error);
  }

  // From here on this handler writes the request's log line itself, for
  // streams only once the stream has ended.
  c.set('requestLogged', true);

  if (upstream.status < 200 || upstream.status >= 300) {
    return await upstreamError(ledger, hold, upstream, await readText(upstream), summary, finish);
  }

  if (streaming && upstream.contentType.includes('text/event-stream')) {
    const outgoing = (c.env as { outgoing?: { destroy(): void } } | undefined)?.outgoing;
    return streamResponse(deps, context, body, upstream, abort, injected, hold, summary, finish, outgoing ? () => outgoing.destroy() : undefined);
  }

  return await bufferedResponse(deps, context, body, upstream, hold, summary, finish);
}

async function bufferedResponse(
  deps: ProxyDependencies,
  context: BillingContext,
  body: Record<string, unknown>,
  upstream: UpstreamResponse,
  hold: Hold | null,
  summary: RequestSummary,
  finish: () => void,
): Promise<Response> {
  let bytes: Buffer;

  try {
    bytes = Buffer.from(await upstream.body.arrayBuffer());
  } catch (error) {
    // The upstream's response never arrived whole: the client gets nothing,
    // so nothing is charged.
    await releaseQuietly(deps.ledger, hold, summary);
    finish();
    throw toGatewayError(error);
  }

  let parsed: unknown = null;
  try {
    parsed = JSON.parse(bytes.toString('utf8'));
  } catch {
    summary.log.warn({ requestId: context.requestId }, 'upstream returned 2xx with a body that is not JSON; charging estimated usage');
  }

  const outputText = outputTextOfBody(parsed);
  let usage = billableUsage(usageFromBody(context.endpoint, parsed), outputText, true);
  let source: UsageSource = 'reported';

  if (usage === null) {
    usage = estimateUsage(context.endpoint, body, outputText, context.model);
    source = 'estimated';
  }

  try {
    const charge = await settle(deps.ledger, context, usage, source, hold);
    logRequest(summary, context, upstream.status, usage, source, charge);
    void deps.alerts.check(context.customer);
  } catch (error) {
    summary.log.error({ err: error, requestId: context.requestId, customerId: context.customer.id, usage, source }, 'ledger entry failed; the response was withheld');
    await releaseQuietly(deps.ledger, hold, summary);
    finish();
    throw new GatewayError('ledger_unavailable', 'The usage of this response could not be recorded, so the response was withheld.', { cause: error });
  }

  finish();
  return new Response(bytes, { status: upstream.status, headers: responseHeaders(upstream, context.requestId) });
}

function streamResponse(
  deps: ProxyDependencies,
  context: BillingContext,
  body: Record<string, unknown>,
  upstream: UpstreamResponse,
  abort: AbortController,
  injected: boolean,
  hold: Hold | null,
  summary: RequestSummary,
  finish: () => void,
  abortClient: (() => void) | undefined,
): Response {
  const settleStream = async (outcome: StreamOutcome): Promise<boolean> => {
    try {
      let usage = billableUsage(outcome.usage, outcome.outputText, outcome.outcome === 'completed');
      let source: UsageSource = outcome.recovered ? 'recovered' : 'reported';

      if (usage === null) {
        if (outcome.bodyBytes === 0 || (outcome.outcome === 'error' && outcome.outputText === '')) {
          // The upstream failed before the first byte of the body, or reported
          // an error before any output: nothing was served, so nothing is charged.
          await releaseQuietly(deps.ledger, hold, summary);
          logRequest(summary, context, upstream.status, null, null, null, outcome);
          return true;
        }
        usage = estimateUsage(context.endpoint, body, outcome.outputText, context.model);
        source = 'estimated';
      }

      try {
        const charge = await settle(deps.ledger, context, usage, source, hold);
        logRequest(summary, context, upstream.status, usage, source, charge, outcome);
        void deps.alerts.check(context.customer);
        return true;
      } catch (error) {
        summary.log.error({ err: error, requestId: context.requestId, customerId: context.customer.id, usage, source }, 'ledger entry failed after the stream was relayed');
        await releaseQuietly(deps.ledger, hold, summary);
        return false;
      }
    } finally {
      finish();
    }
  };

  const stream = relayStream({
    endpoint: context.endpoint,
    upstream,
    abortUpstream: () => abort.abort(),
    stripUsageChunk: injected,
    drainMs: deps.config.disconnectDrainMs,
    settle: settleStream,
    onError: (error) => summary.log.warn({ err: error, requestId: context.requestId }, 'upstream stream failed'),
    abortClient,
  });

  return new Response(stream, {
    status: upstream.status,
    headers: { ...responseHeaders(upstream, context.requestId), 'cache-control': 'no-cache' },
  });
}

/**
 * Returns the reported usage, or null when it cannot be billed as it is: no
 * usage at all, or zero tokens although output was produced or the stream was
 * cut short. Ollama sends zero placeholders on every chunk before the real
 * usage, so a stream cut before the end can carry only those.
 */
function billableUsage(usage: Usage | null, outputText: string, completed: boolean): Usage | null {
  if (usage === null) {
    return null;
  }

  const empty = usage.inputTokens === 0 && usage.outputTokens === 0;
  return empty && (outputText !== '' || !completed) ? null : usage;
}

function includesUsage(body: Record<string, unknown>): boolean {
  const options = body.stream_options as { include_usage?: unknown } | null | undefined;
  return options !== null && typeof options === 'object' && options.include_usage === true;
}

