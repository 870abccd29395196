/**
 * End to end: the real gateway on loopback with the embedded ledger in a
 * temporary file, the upstream simulator serving the recorded fixtures, and
 * the official openai client as the customer.
 */
import Big from 'big.js';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { formatAmount, toMinorUnits } from '../src/money.ts';
import { loadPriceList } from '../src/pricing/index.ts';
import { ADMIN_TOKEN, TEST_PRICING, UPSTREAM_KEY, startTestGateway, type TestGateway } from './helpers/gateway.ts';
import { loadManifest, scenarioFromFixture, type ManifestEntry } from './helpers/upstream-simulator.ts';

const USD = { code: 'USD', decimals: 9 };
const prices = loadPriceList(TEST_PRICING);
const manifest = loadManifest();
const TOPUP = '100.00';
const TOPUP_UNITS = 100_000_000_000n;

let t: TestGateway;
const issuedKeys: string[] = [];

beforeAll(async () => {
  t = await startTestGateway();
});

afterAll(async () => {
  await t?.close();
});

async function customer(options: Parameters<TestGateway['createCustomer']>[0] = { topup: TOPUP }) {
  const created = await t.createCustomer(options);
  issuedKeys.push(created.key);
  return created;
}

function endpointOf(entry: ManifestEntry): 'chat' | 'completions' | 'embeddings' | 'responses' {
  if (entry.endpoint.includes('/responses')) return 'responses';
  if (entry.endpoint.includes('/embeddings')) return 'embeddings';
  if (entry.endpoint.includes('chat/completions')) return 'chat';
  return 'completions';
}

/** The model a test requests: the fixture's own, or a priced stand-in where the recording names none. */
function modelOf(entry: ManifestEntry): string {
  const model = entry.request.model;
  if (typeof model !== 'string') return 'gpt-4o-mini';
  if (model.startsWith('any')) return 'llama-server';
  return model;
}

/** Cost computed here from the manifest's numbers and the price list's rates, independently of src/pricing. */
function expectedCost(model: string, usage: Record<string, unknown>): bigint {
  const price = prices.resolve(model)!;
  const n = (key: string) => new Big(String(usage[key] ?? 0));

  const audioIn = n('audio_input_tokens');
  const audioOut = n('audio_output_tokens');
  const cached = n('cached_input_tokens');
  const uncachedText = n('input_tokens').minus(cached).minus(audioIn);
  const textOut = n('output_tokens').minus(audioOut);

  let total = uncachedText.times(price.input).plus(cached.times(price.cachedInput)).plus(textOut.times(price.output));
  if (audioIn.gt(0)) total = total.plus(audioIn.times(price.audioInput!));
  if (audioOut.gt(0)) total = total.plus(audioOut.times(price.audioOutput!));

  return toMinorUnits(total.div(1_000_000), USD);
}

/** Sends the request that a fixture responds to, consumes the response, and returns the request id. */
async function callFixture(client: OpenAI, entry: ManifestEntry, extra: Record<string, unknown> = {}): Promise<{ requestId: string; error: unknown; chunks: unknown[] }> {
  const model = modelOf(entry);
  const stream = entry.request.stream === true;
  const streamOptions = entry.request.stream_options as Record<string, unknown> | undefined;
  const chunks: unknown[] = [];
  let requestId = '';
  let error: unknown = null;

  try {
    const kind = endpointOf(entry);
    let call;

    if (kind === 'chat') {
      call = client.chat.completions.create({ model, messages: [{ role: 'user', content: 'Say hello.' }], stream, ...(stream && streamOptions ? { stream_options: streamOptions } : {}), ...extra } as never);
    } else if (kind === 'completions') {
      call = client.completions.create({ model, prompt: 'Say hello.', stream, ...(stream && streamOptions ? { stream_options: streamOptions } : {}), ...extra } as never);
    } else if (kind === 'embeddings') {
      call = client.embeddings.create({ model, input: 'The food was delicious.', encoding_format: 'float', ...extra } as never);
    } else {
      call = client.responses.create({ model, input: 'Name three trees.', stream, ...extra } as never);
    }

    const { data, response } = await (call as unknown as { withResponse(): Promise<{ data: unknown; response: Response }> }).withResponse();
    requestId = response.headers.get('x-tollgate-request-id') ?? '';

    if (stream) {
      for await (const chunk of data as AsyncIterable<unknown>) {
        chunks.push(chunk);
      }
    }
  } catch (caught) {
    error = caught;
    if (caught instanceof OpenAI.APIError && caught.headers) {
      requestId ||= caught.headers.get('x-tollgate-request-id') ?? '';
    }
  }

  return { requestId, error, chunks };
}

async function wallet(customerId: string) {
  const { body } = await t.admin('GET', `/customers/${customerId}`);
  return body as { balance: string; held: string; available: string; tokens_used: string };
}

async function usdLeg(requestId: string) {
  const legs = await t.gateway.ledger.entryTransactions(requestId);
  return legs.find((leg) => leg.currency === 'USD');
}

const billedFixtures = manifest.filter((entry) => entry.http_status === 200 && entry.expected_usage.present);

describe('billing of every fixture through the openai client', () => {
  it.each(billedFixtures.map((entry) => [entry.file, entry] as const))('%s', async (_file, entry) => {
    const { id, key } = await customer();
    t.simulator.enqueue(scenarioFromFixture(entry));

    const { requestId, error } = await callFixture(t.client(key), entry);

    expect(error).toBeNull();
    const usage = entry.expected_usage;
    const cost = expectedCost(modelOf(entry), usage);
    const legs = await t.gateway.ledger.entryTransactions(requestId);
    const tokens = legs.find((leg) => leg.currency === 'TOKENS');
    const usd = legs.find((leg) => leg.currency === 'USD');

    expect(legs).toHaveLength(2);
    expect(tokens?.amount).toBe(BigInt(Number(usage.input_tokens) + Number(usage.output_tokens)));
    expect(usd?.amount).toBe(cost);
    expect(usd?.meta).toMatchObject({
      request_id: requestId,
      customer_id: id,
      model: modelOf(entry),
      input_tokens: usage.input_tokens,
      cached_input_tokens: usage.cached_input_tokens,
      output_tokens: usage.output_tokens,
      reasoning_tokens: usage.reasoning_tokens,
      usage_source: 'reported',
      pricing_version: prices.version,
    });
    expect(await wallet(id)).toMatchObject({ balance: formatAmount(TOPUP_UNITS - cost, USD), held: '0.00' });
  });
});

describe('streams without usable usage', () => {
  const byFile = (file: string) => manifest.find((entry) => entry.file === file)!;

  it.each(['openai-chat-stream-no-usage.sse', 'lmstudio-chat-stream-ignores-stream-options.sse'])('%s is charged an estimate', async (file) => {
    const { id, key } = await customer();
    t.simulator.enqueue(scenarioFromFixture(byFile(file)));

    const { requestId, error } = await callFixture(t.client(key), byFile(file));

    expect(error).toBeNull();
    const usd = await usdLeg(requestId);
    expect(usd?.meta.usage_source).toBe('estimated');
    expect(usd!.amount > 0n).toBe(true);
    expect(await wallet(id)).toMatchObject({ balance: formatAmount(TOPUP_UNITS - usd!.amount, USD), held: '0.00' });
  });

  it('recovers usage from an event cut off at end of stream', async () => {
    const entry = byFile('synthetic-sse-eof-without-terminating-blank-line.sse');
    const { id, key } = await customer();
    t.simulator.enqueue(scenarioFromFixture(entry));

    const { requestId } = await callFixture(t.client(key), entry);

    const usd = await usdLeg(requestId);
    const cost = expectedCost('gpt-4o-mini', { input_tokens: 9, output_tokens: 3 });
    expect(usd?.meta).toMatchObject({ usage_source: 'recovered', input_tokens: 9, output_tokens: 3 });
    expect(usd?.amount).toBe(cost);
    expect((await wallet(id)).balance).toBe(formatAmount(TOPUP_UNITS - cost, USD));
  });

  it('charges an estimate for output relayed before a mid-stream error', async () => {
    const entry = byFile('openai-chat-stream-error-midway.sse');
    const { id, key } = await customer();
    t.simulator.enqueue(scenarioFromFixture(entry));

    const { requestId, error, chunks } = await callFixture(t.client(key), entry);

    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect(chunks.length).toBeGreaterThan(0);
    const usd = await usdLeg(requestId);
    expect(usd?.meta.usage_source).toBe('estimated');
    expect((await wallet(id)).balance).toBe(formatAmount(TOPUP_UNITS - usd!.amount, USD));
  });

  it('charges nothing for a Responses stream that failed before any output', async () => {
    const entry = byFile('openai-responses-stream-error-insufficient-quota.sse');
    const { id, key } = await customer();
    t.simulator.enqueue(scenarioFromFixture(entry));

    const { requestId, error } = await callFixture(t.client(key), entry);

    expect(error).not.toBeNull();
    expect(await t.gateway.ledger.entryTransactions(requestId)).toEqual([]);
    expect(await wallet(id)).toMatchObject({ balance: '100.00', held: '0.00' });
  });
});

describe('upstream errors', () => {
  const errorFixtures = manifest.filter((entry) => entry.http_status >= 400);

  it.each(errorFixtures.map((entry) => [entry.file, entry] as const))('%s charges nothing and releases the hold', async (_file, entry) => {
    const { id, key } = await customer();
    t.simulator.enqueue(scenarioFromFixture(entry));

    const { error } = await callFixture(t.client(key), { ...entry, request: { ...entry.request, stream: false } });

    expect(error).toBeInstanceOf(OpenAI.APIError);
    // 401, 402 and 429 insufficient_quota are about the gateway's own upstream account.
    const aboutGatewayAccount = [401, 402].includes(entry.http_status) || entry.file === 'openai-error-429-insufficient-quota.json';
    const expectedStatus = aboutGatewayAccount ? 502 : entry.http_status;
    expect((error as InstanceType<typeof OpenAI.APIError>).status).toBe(expectedStatus);
    expect(await wallet(id)).toMatchObject({ balance: '100.00', held: '0.00' });
  });

  it('never passes the upstream 401 body to the client', async () => {
    const entry = manifest.find((fixture) => fixture.file === 'openai-error-401-invalid-api-key.json')!;
    const { key } = await customer();
    t.simulator.enqueue(scenarioFromFixture(entry));

    const response = await fetch(`${t.gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }),
    });
    const body: any = await response.json();

    expect(response.status).toBe(502);
    expect(body.error.code).toBe('upstream_error');
    expect(JSON.stringify(body)).not.toContain('sk-');
  });

  it('passes the upstream status and rate-limit headers through', async () => {
    const entry = manifest.find((fixture) => fixture.file === 'openai-error-429-rate-limit.json')!;
    const { key } = await customer();
    t.simulator.enqueue(scenarioFromFixture(entry));

    const response = await fetch(`${t.gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }),
    });

    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBe('2');
    expect(response.headers.get('x-ratelimit-reset-tokens')).toBe('1.332s');
    expect(response.headers.get('x-request-id')).toBe(entry.headers['x-request-id']);
    expect(await response.json()).toEqual(JSON.parse(scenarioFromFixture(entry).body.toString('utf8')));
  });
});

describe('requests rejected before the upstream', () => {
  async function post(path: string, key: string | null, body: string, headers: Record<string, string> = {}): Promise<{ status: number; body: any; upstreamCalls: number }> {
    const before = t.simulator.requests.length;
    const response = await fetch(`${t.gateway.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}), ...headers },
      body,
    });
    return { status: response.status, body: await response.json(), upstreamCalls: t.simulator.requests.length - before };
  }

  const chat = JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }], max_tokens: 1000 });

  it('answers 402 when the wallet cannot cover the hold', async () => {
    const { id, key } = await customer({ topup: '0.000001' });

    const result = await post('/v1/chat/completions', key, chat);

    expect(result.status).toBe(402);
    expect(result.body.error.code).toBe('insufficient_quota');
    expect(result.body.error.type).toBe('insufficient_quota');
    expect(result.body.error.message).toMatch(/needs a hold of 0\.\d+ USD .* only 0\.000001 USD available/);
    expect(result.upstreamCalls).toBe(0);
    expect(await wallet(id)).toMatchObject({ balance: '0.000001', held: '0.00' });
    const line = t.logs.map((text) => JSON.parse(text)).find((entry) => entry.code === 'insufficient_quota' && entry.customerId === id);
    expect(line).toMatchObject({ msg: 'request finished', status: 402, path: '/v1/chat/completions' });
  });

  it('answers 401 for a missing key', async () => {
    const result = await post('/v1/chat/completions', null, chat);

    expect(result.status).toBe(401);
    expect(result.body.error.code).toBe('invalid_api_key');
    expect(result.upstreamCalls).toBe(0);
  });

  it('answers 401 for an unknown key', async () => {
    const result = await post('/v1/chat/completions', 'tg-not-a-real-key', chat);

    expect(result.status).toBe(401);
    expect(result.upstreamCalls).toBe(0);
  });

  it('answers 401 for a revoked key', async () => {
    const { key, keyId } = await customer();
    const revoked = await t.admin('DELETE', `/keys/${keyId}`);

    const result = await post('/v1/chat/completions', key, chat);

    expect(revoked.status).toBe(200);
    expect(result.status).toBe(401);
  });

  it('answers 404 for a model without a price', async () => {
    const { key } = await customer();

    const result = await post('/v1/chat/completions', key, JSON.stringify({ model: 'gpt-unpriced', messages: [] }));

    expect(result.status).toBe(404);
    expect(result.body.error).toMatchObject({ code: 'model_not_found', param: 'model' });
    expect(result.upstreamCalls).toBe(0);
  });

  it('answers 400 for invalid JSON', async () => {
    const { key } = await customer();

    const result = await post('/v1/chat/completions', key, '{"model": ');

    expect(result.status).toBe(400);
    expect(result.body.error.code).toBe('invalid_json');
    expect(result.upstreamCalls).toBe(0);
  });

  it('answers 413 for a body over the limit', async () => {
    const { key } = await customer();
    const large = JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x'.repeat(t.config.maxBodyBytes) }] });

    const result = await post('/v1/chat/completions', key, large);

    expect(result.status).toBe(413);
    expect(result.body.error.code).toBe('request_too_large');
    expect(result.upstreamCalls).toBe(0);
  });

  it('answers 404 for a path it does not bill', async () => {
    const { key } = await customer();

    const result = await post('/v1/images/generations', key, '{}');

    expect(result.status).toBe(404);
    expect(result.body.error.code).toBe('not_found');
    expect(result.upstreamCalls).toBe(0);
  });
});

describe('streaming relay', () => {
  const includeUsage = manifest.find((entry) => entry.file === 'openai-chat-stream-include-usage.sse')!;

  it('strips the injected usage chunk for a client that did not ask', async () => {
    const { key } = await customer();
    t.simulator.enqueue(scenarioFromFixture(includeUsage));

    const { chunks, error } = await callFixture(t.client(key), { ...includeUsage, request: { ...includeUsage.request, stream_options: undefined } });

    const upstreamBody = JSON.parse(t.simulator.requests.at(-1)!.body);
    expect(error).toBeNull();
    expect(upstreamBody.stream_options).toEqual({ include_usage: true });
    expect(chunks.every((chunk) => Array.isArray((chunk as { choices: unknown[] }).choices) && (chunk as { choices: unknown[] }).choices.length > 0)).toBe(true);
  });

  it('keeps the usage chunk for a client that asked', async () => {
    const { key } = await customer();
    t.simulator.enqueue(scenarioFromFixture(includeUsage));

    const { chunks } = await callFixture(t.client(key), includeUsage);

    expect((chunks.at(-1) as { usage: { prompt_tokens: number } }).usage.prompt_tokens).toBe(27);
  });

  it('forwards the body unchanged apart from stream_options', async () => {
    const { key } = await customer();
    t.simulator.enqueue(scenarioFromFixture(includeUsage));
    const body = '{"model":"gpt-4.1-mini","seed":12345678901234567890,"temperature":1.0,"messages":[{"role":"user","content":"hi"}],"stream":true}';

    const response = await fetch(`${t.gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body,
    });
    await response.text();

    expect(t.simulator.requests.at(-1)!.body).toBe(`{"stream_options":{"include_usage":true},${body.slice(1)}`);
  });

  it('leaves a client output cap alone', async () => {
    const { key } = await customer();
    t.simulator.enqueue(scenarioFromFixture(includeUsage));
    const body = '{"model":"gpt-4.1-mini","max_tokens":77,"messages":[{"role":"user","content":"hi"}],"stream":true,"stream_options":{"include_usage":true}}';

    const response = await fetch(`${t.gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body,
    });
    await response.text();

    expect(t.simulator.requests.at(-1)!.body).toBe(body);
  });

  it('rejects an n the hold cannot size', async () => {
    const { key } = await customer();
    const before = t.simulator.requests.length;

    const response = await fetch(`${t.gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4o-mini', n: 1e15, messages: [{ role: 'user', content: 'hi' }] }),
    });
    const error = ((await response.json()) as { error: { code: string; param: string; message: string } }).error;

    expect(response.status).toBe(400);
    expect(error.param).toBe('n');
    expect(error.message).toBe('"n" must be an integer from 1 to 128, got 1000000000000000.');
    expect(t.simulator.requests.length).toBe(before);
  });

  it('sends the first chunk before the upstream has finished', async () => {
    const { key } = await customer();
    t.simulator.enqueue(scenarioFromFixture(includeUsage, { chunkSize: 1000, delayMs: 100 }));

    const stream = await t.client(key).chat.completions.create({ model: 'gpt-4.1-mini', messages: [{ role: 'user', content: 'hi' }], stream: true });
    const iterator = stream[Symbol.asyncIterator]();
    const first = await iterator.next();

    expect(first.done).toBe(false);
    expect(t.simulator.openResponses).toBe(1);
    while (!(await iterator.next()).done) {
      // Drain the rest so the request completes.
    }
  });

  it('charges the reported usage when the client disconnects mid-stream', async () => {
    const { id, key } = await customer();
    t.simulator.enqueue(scenarioFromFixture(includeUsage, { chunkSize: 150, delayMs: 40 }));
    const controller = new AbortController();

    const { data, response } = await t.client(key).chat.completions
      .create({ model: 'gpt-4.1-mini', messages: [{ role: 'user', content: 'hi' }], stream: true }, { signal: controller.signal })
      .withResponse();
    const requestId = response.headers.get('x-tollgate-request-id')!;
    for await (const _chunk of data) {
      controller.abort();
      break;
    }

    const usd = await waitFor(() => usdLeg(requestId));
    const cost = expectedCost('gpt-4.1-mini', includeUsage.expected_usage);
    expect(usd.meta.usage_source).toBe('reported');
    expect(usd.amount).toBe(cost);
    expect(await wallet(id)).toMatchObject({ balance: formatAmount(TOPUP_UNITS - cost, USD), held: '0.00' });
  });
});

describe('wallets under concurrency', () => {
  it('never spends more than the wallet when 50 requests race for 10 holds', async () => {
    const probe = await customer({ topup: '0.000000001' });
    const body = { model: 'gpt-4o-mini', messages: [{ role: 'user' as const, content: 'Write one short sentence about rivers.' }], max_tokens: 10 };
    const holdMessage = (await t.client(probe.key).chat.completions.create(body).catch((error: Error) => error)) as Error;
    const holdText = /hold of ([0-9.]+) USD/.exec(holdMessage.message)![1]!;
    const holdUnits = BigInt(new Big(holdText).times(1_000_000_000).toFixed(0));

    const { id, key } = await customer({ topup: formatAmount(holdUnits * 10n, USD) });
    const usage = { prompt_tokens: 5, completion_tokens: 10, total_tokens: 15 };
    t.simulator.setFallback({
      status: 200,
      headers: { 'content-type': 'application/json' },
      body: Buffer.from(JSON.stringify({ id: 'chatcmpl-1', object: 'chat.completion', created: 0, model: 'gpt-4o-mini', choices: [{ index: 0, message: { role: 'assistant', content: 'Rivers run.' }, finish_reason: 'stop' }], usage })),
      headersDelayMs: 300,
    });

    const client = t.client(key);
    const results = await Promise.allSettled(Array.from({ length: 50 }, () => client.chat.completions.create(body).withResponse()));
    t.simulator.setFallback(null);

    const served = results.filter((result) => result.status === 'fulfilled');
    const rejected = results.filter((result) => result.status === 'rejected');
    const charge = expectedCost('gpt-4o-mini', { input_tokens: 5, output_tokens: 10 });
    const state = await wallet(id);

    expect(served.length).toBeGreaterThanOrEqual(10);
    expect(rejected.every((result) => (result.reason as InstanceType<typeof OpenAI.APIError>).status === 402)).toBe(true);
    expect(state.held).toBe('0.00');
    expect(state.balance).toBe(formatAmount(holdUnits * 10n - charge * BigInt(served.length), USD));
    expect(state.balance.startsWith('-')).toBe(false);
    for (const result of served) {
      const requestId = result.value.response.headers.get('x-tollgate-request-id')!;
      expect((await usdLeg(requestId))?.amount).toBe(charge);
    }
  });
});

describe('admin API', () => {
  it('rejects a wrong admin token', async () => {
    const response = await fetch(`${t.gateway.url}/admin/customers`, { headers: { authorization: 'Bearer wrong-token' } });

    expect(response.status).toBe(401);
    expect(((await response.json()) as any).error.code).toBe('invalid_admin_token');
  });

  it('tops up once per reference', async () => {
    const { id } = await customer({});

    const first = await t.admin('POST', `/customers/${id}/topups`, { amount: '12.50', reference: 'invoice-7' });
    const second = await t.admin('POST', `/customers/${id}/topups`, { amount: '12.50', reference: 'invoice-7' });

    expect(first.status).toBe(201);
    expect(second.status).toBe(200);
    expect(second.body.transaction_id).toBe(first.body.transaction_id);
    expect(await wallet(id)).toMatchObject({ balance: '12.50', held: '0.00', available: '12.50' });
  });

  it('rejects a reused top-up reference with another amount', async () => {
    const { id } = await customer({});
    await t.admin('POST', `/customers/${id}/topups`, { amount: '1.00', reference: 'same' });

    const again = await t.admin('POST', `/customers/${id}/topups`, { amount: '2.00', reference: 'same' });

    expect(again.status).toBe(409);
    expect(again.body.error).toMatchObject({ code: 'conflict', param: 'reference' });
    expect((await wallet(id)).balance).toBe('1.00');
  });

  it.each(['-1', '1e3', '0.0000000001', '', 'abc'])('rejects the top-up amount %j', async (amount) => {
    const { id } = await customer({});

    const result = await t.admin('POST', `/customers/${id}/topups`, { amount, reference: 'r-1' });

    expect(result.status).toBe(400);
    expect(result.body.error.code).toBe('invalid_amount');
    expect((await wallet(id)).balance).toBe('0.00');
  });

  it('answers 404 for an unknown customer', async () => {
    const result = await t.admin('GET', '/customers/cus_missing');

    expect(result.status).toBe(404);
    expect(result.body.error.code).toBe('not_found');
  });

  it('lets a postpaid customer go into overdraft', async () => {
    const entry = manifest.find((fixture) => fixture.file === 'deepseek-chat-nonstream-cache-hit.json')!;
    const { id, key } = await customer({ billing: 'postpaid' });
    t.simulator.enqueue(scenarioFromFixture(entry));

    const { error } = await callFixture(t.client(key), entry);

    const cost = expectedCost('deepseek-chat', entry.expected_usage);
    expect(error).toBeNull();
    expect(await wallet(id)).toMatchObject({ balance: formatAmount(-cost, USD), held: '0.00' });
  });

  it('holds a postpaid request against its credit limit', async () => {
    const { key } = await customer({ billing: 'postpaid', creditLimit: '0.000001' });
    const before = t.simulator.requests.length;

    const result = await t.client(key).chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }], max_tokens: 1000 }).catch((error: unknown) => error);

    expect((result as InstanceType<typeof OpenAI.APIError>).status).toBe(402);
    expect(t.simulator.requests.length).toBe(before);
  });
});

describe('logs', () => {
  it('contain no secret', () => {
    const text = t.logs.join('');

    expect(text).toContain('request billed');
    expect(text).not.toContain(UPSTREAM_KEY);
    expect(text).not.toContain(ADMIN_TOKEN);
    for (const key of issuedKeys) {
      expect(text).not.toContain(key);
    }
  });
});

async function waitFor<T>(probe: () => Promise<T | undefined | null>, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;

  while (Date.now() < deadline) {
    const value = await probe();
    if (value) return value;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`waitFor: nothing after ${timeoutMs} ms`);
}
