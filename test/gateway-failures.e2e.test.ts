/**
 * Failure paths of the real gateway: an upstream that cannot be reached,
 * times out, breaks mid-stream or rejects stream_options; usage above the
 * hold; and a shutdown with requests in flight.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import Big from 'big.js';
import OpenAI from 'openai';
import { afterEach, describe, expect, it } from 'vitest';

import { formatAmount } from '../src/money.ts';
import { startTestGateway, type TestGateway } from './helpers/gateway.ts';
import { loadManifest, scenarioFromFixture } from './helpers/upstream-simulator.ts';

const USD = { code: 'USD', decimals: 9 };
const manifest = loadManifest();
const fixture = (file: string) => manifest.find((entry) => entry.file === file)!;
const chat = { model: 'gpt-4o-mini', messages: [{ role: 'user' as const, content: 'Say hello.' }], max_tokens: 100 };

let t: TestGateway | undefined;

afterEach(async () => {
  await t?.close();
  t = undefined;
});

async function wallet(customerId: string) {
  return (await t!.admin('GET', `/customers/${customerId}`)).body as { balance: string; held: string };
}

/** Reads the hold of one `chat` request from the 402 that a nearly empty wallet gets. */
async function holdOfChat(): Promise<bigint> {
  const probe = await t!.createCustomer({ topup: '0.000000001' });
  const error = (await t!.client(probe.key).chat.completions.create({ ...chat }).catch((caught: Error) => caught)) as Error;
  return BigInt(new Big(/hold of ([0-9.]+) USD/.exec(error.message)![1]!).times(1_000_000_000).toFixed(0));
}

function chatBody(usage: { prompt_tokens: number; completion_tokens: number }): Buffer {
  return Buffer.from(
    JSON.stringify({
      id: 'chatcmpl-1',
      object: 'chat.completion',
      created: 0,
      model: 'gpt-4o-mini',
      choices: [{ index: 0, message: { role: 'assistant', content: 'Hello.' }, finish_reason: 'stop' }],
      usage: { ...usage, total_tokens: usage.prompt_tokens + usage.completion_tokens },
    }),
  );
}

describe('upstream failures', () => {
  it('answers 502 when the upstream is unreachable', async () => {
    t = await startTestGateway({ UPSTREAM_BASE_URL: 'http://127.0.0.1:1/v1' });
    const { id, key } = await t.createCustomer({ topup: '10.00' });

    const error = (await t.client(key).chat.completions.create(chat).catch((caught: unknown) => caught)) as InstanceType<typeof OpenAI.APIError>;

    expect(error.status).toBe(502);
    expect((error.error as { code: string }).code).toBe('upstream_error');
    expect(await wallet(id)).toEqual(expect.objectContaining({ balance: '10.00', held: '0.00' }));
  });

  it('answers 504 when the upstream sends no headers in time', async () => {
    t = await startTestGateway({ UPSTREAM_HEADERS_TIMEOUT_MS: '200' });
    const { id, key } = await t.createCustomer({ topup: '10.00' });
    t.simulator.enqueue({ status: 200, headers: { 'content-type': 'application/json' }, body: chatBody({ prompt_tokens: 5, completion_tokens: 5 }), headersDelayMs: 1000 });

    const error = (await t.client(key).chat.completions.create(chat).catch((caught: unknown) => caught)) as InstanceType<typeof OpenAI.APIError>;

    expect(error.status).toBe(504);
    expect(await wallet(id)).toEqual(expect.objectContaining({ balance: '10.00', held: '0.00' }));
  });

  it('charges an estimate when the upstream breaks mid-stream', async () => {
    t = await startTestGateway();
    const { id, key } = await t.createCustomer({ topup: '10.00' });
    t.simulator.enqueue(scenarioFromFixture(fixture('openai-chat-stream-include-usage.sse'), { cutAfterBytes: 1200, chunkSize: 300, delayMs: 10 }));

    const { data, response } = await t.client(key).chat.completions.create({ ...chat, stream: true }).withResponse();
    const requestId = response.headers.get('x-tollgate-request-id')!;
    let received = 0;
    const failure = await (async () => {
      for await (const _chunk of data) received += 1;
    })().catch((caught: unknown) => caught);

    const legs = await t.gateway.ledger.entryTransactions(requestId);
    const usd = legs.find((leg) => leg.currency === 'USD')!;
    expect(received).toBeGreaterThan(0);
    expect(failure).toBeInstanceOf(Error);
    expect(usd.meta.usage_source).toBe('estimated');
    expect(await wallet(id)).toEqual(expect.objectContaining({ balance: formatAmount(10_000_000_000n - usd.amount, USD), held: '0.00' }));
  });

  it('retries without stream_options when the upstream rejects them', async () => {
    t = await startTestGateway();
    const { id, key } = await t.createCustomer({ topup: '10.00' });
    t.simulator.enqueue(
      scenarioFromFixture(fixture('groq-error-400-stream-options-unsupported-2024.json')),
      scenarioFromFixture(fixture('lmstudio-chat-stream-ignores-stream-options.sse')),
    );

    const { data, response } = await t.client(key).chat.completions.create({ ...chat, stream: true }).withResponse();
    for await (const _chunk of data) {
      // Consume the stream.
    }

    const [first, second] = t.simulator.requests.map((request) => JSON.parse(request.body));
    const usd = (await t.gateway.ledger.entryTransactions(response.headers.get('x-tollgate-request-id')!)).find((leg) => leg.currency === 'USD')!;
    expect(first.stream_options).toEqual({ include_usage: true });
    expect(second.stream_options).toBeUndefined();
    expect(usd.meta.usage_source).toBe('estimated');
    expect((await wallet(id)).held).toBe('0.00');
  });
});

describe('client disconnects', () => {
  it('charges a non-streamed answer the client left before', async () => {
    t = await startTestGateway();
    const { id, key } = await t.createCustomer({ topup: '10.00' });
    t.simulator.enqueue({ status: 200, headers: { 'content-type': 'application/json' }, body: chatBody({ prompt_tokens: 1000, completion_tokens: 500 }), headersDelayMs: 400 });
    const controller = new AbortController();

    const call = t.client(key).chat.completions.create(chat, { signal: controller.signal }).catch((error: unknown) => error);
    setTimeout(() => controller.abort(), 100);
    const outcome = await call;

    // gpt-4o-mini in the test price list: (1000 × 1 + 500 × 2) USD per 1M tokens = 0.002 USD.
    const charged = formatAmount(10_000_000_000n - 2_000_000n, USD);
    const deadline = Date.now() + 5000;
    while ((await wallet(id)).balance !== charged && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }

    expect(outcome).toBeInstanceOf(Error);
    expect(await wallet(id)).toEqual(expect.objectContaining({ balance: charged, held: '0.00' }));
  });
});

describe('review cases', () => {
  const sse = (events: unknown[], done = true) =>
    Buffer.from(events.map((event) => `data: ${JSON.stringify(event)}\n\n`).join('') + (done ? 'data: [DONE]\n\n' : ''));
  const chunk = (delta: Record<string, unknown>, usage: unknown = undefined) => ({
    id: 'c',
    object: 'chat.completion.chunk',
    created: 0,
    model: 'gpt-4o-mini',
    choices: [{ index: 0, delta, finish_reason: null }],
    ...(usage === undefined ? {} : { usage }),
  });
  const zeros = { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 };

  it('keeps injecting stream_options after a 400 it did not cause', async () => {
    t = await startTestGateway();
    const { key } = await t.createCustomer({ topup: '10.00' });
    const rejection = { status: 400, headers: { 'content-type': 'application/json' }, body: Buffer.from(JSON.stringify({ error: { message: "Invalid value for 'stream_options.include_obfuscation'.", type: 'invalid_request_error', param: 'stream_options.include_obfuscation', code: null } })) };
    t.simulator.enqueue(rejection, rejection, scenarioFromFixture(fixture('openai-chat-stream-include-usage.sse')));

    const first = await t.client(key).chat.completions.create({ ...chat, stream: true }).catch((error: unknown) => error);
    const second = await t.client(key).chat.completions.create({ ...chat, stream: true });
    for await (const _chunk of second) {
      // Consume the stream.
    }

    expect((first as InstanceType<typeof OpenAI.APIError>).status).toBe(400);
    expect(JSON.parse(t.simulator.requests[2]!.body).stream_options).toEqual({ include_usage: true });
  });

  it('keeps injecting stream_options when the retry without it fails too', async () => {
    t = await startTestGateway();
    const { key } = await t.createCustomer({ topup: '10.00' });
    const rejection = { status: 400, headers: { 'content-type': 'application/json' }, body: Buffer.from(JSON.stringify({ error: { message: "Unknown parameter: 'stream_options'.", type: 'invalid_request_error', param: 'stream_options', code: null } })) };
    const serverError = scenarioFromFixture(fixture('openai-error-500-server-error.json'));
    t.simulator.enqueue(rejection, serverError, scenarioFromFixture(fixture('openai-chat-stream-include-usage.sse')));

    const first = await t.client(key).chat.completions.create({ ...chat, stream: true }).catch((error: unknown) => error);
    const second = await t.client(key).chat.completions.create({ ...chat, stream: true });
    for await (const _chunk of second) {
      // Consume the stream.
    }

    expect((first as InstanceType<typeof OpenAI.APIError>).status).toBe(500);
    expect(JSON.parse(t.simulator.requests[1]!.body).stream_options).toBeUndefined();
    expect(JSON.parse(t.simulator.requests[2]!.body).stream_options).toEqual({ include_usage: true });
  });

  it('charges nothing when the body times out before its first byte', async () => {
    t = await startTestGateway({ UPSTREAM_BODY_TIMEOUT_MS: '200' });
    const { id, key } = await t.createCustomer({ topup: '10.00' });
    t.simulator.enqueue(scenarioFromFixture(fixture('openai-chat-stream-include-usage.sse'), { bodyDelayMs: 1000 }));

    const outcome = await (async () => {
      const stream = await t!.client(key).chat.completions.create({ ...chat, stream: true });
      for await (const _chunk of stream) {
        // Consume until the failure.
      }
    })().catch((error: unknown) => error);

    expect(outcome).toBeInstanceOf(Error);
    expect(await wallet(id)).toEqual(expect.objectContaining({ balance: '10.00', held: '0.00' }));
  });

  it('estimates a cut stream that carried only zero placeholders', async () => {
    t = await startTestGateway();
    const { id, key } = await t.createCustomer({ topup: '10.00' });
    const events = Array.from({ length: 20 }, (_, index) => chunk({ content: `word${index} ` }, zeros));
    t.simulator.enqueue({ status: 200, headers: { 'content-type': 'text/event-stream' }, body: sse(events, false), chunkSize: 200, delayMs: 10, cutAfterBytes: 2000 });

    const { data, response } = await t.client(key).chat.completions.create({ ...chat, stream: true }).withResponse();
    await (async () => {
      for await (const _chunk of data) {
        // Consume until the cut.
      }
    })().catch(() => undefined);

    const usd = (await t.gateway.ledger.entryTransactions(response.headers.get('x-tollgate-request-id')!)).find((leg) => leg.currency === 'USD');
    expect(usd?.meta.usage_source).toBe('estimated');
    expect(usd!.amount > 0n).toBe(true);
    expect((await wallet(id)).held).toBe('0.00');
  });

  it('charges the prompt of a stream left before any visible output', async () => {
    t = await startTestGateway({ DISCONNECT_DRAIN_MS: '100' });
    const { id, key } = await t.createCustomer({ topup: '10.00' });
    const events = Array.from({ length: 40 }, (_, index) => chunk({ reasoning_content: `step ${index}. ` }));
    t.simulator.enqueue({ status: 200, headers: { 'content-type': 'text/event-stream' }, body: sse(events), chunkSize: 60, delayMs: 50 });
    const controller = new AbortController();

    const { data } = await t.client(key).chat.completions.create({ ...chat, stream: true }, { signal: controller.signal }).withResponse();
    for await (const _chunk of data) {
      controller.abort();
      break;
    }

    const deadline = Date.now() + 5000;
    while ((await wallet(id)).balance === '10.00' && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const state = await wallet(id);
    expect(state.balance).not.toBe('10.00');
    expect(state.held).toBe('0.00');
  });

  it('releases the hold when the entry cannot be written', async () => {
    t = await startTestGateway();
    const { id, key } = await t.createCustomer({ topup: '10.00' });
    // Audio tokens for a model without audio rates cannot be priced.
    const body = JSON.parse(chatBody({ prompt_tokens: 100, completion_tokens: 10 }).toString());
    body.usage.prompt_tokens_details = { audio_tokens: 50, cached_tokens: 0 };
    t.simulator.enqueue({ status: 200, headers: { 'content-type': 'application/json' }, body: Buffer.from(JSON.stringify(body)) });

    const error = (await t.client(key).chat.completions.create(chat).catch((caught: unknown) => caught)) as InstanceType<typeof OpenAI.APIError>;

    expect(error.status).toBe(503);
    expect(await wallet(id)).toEqual(expect.objectContaining({ balance: '10.00', held: '0.00' }));
  });

  it('rejects a top-up larger than the ledger holds', async () => {
    t = await startTestGateway();
    const { id } = await t.createCustomer();

    const result = await t.admin('POST', `/customers/${id}/topups`, { amount: '10000000000', reference: 'huge' });

    expect(result.status).toBe(400);
    expect(result.body.error.message).toBe('"amount": 10000000000 is larger than the ledger can store (at most 9223372036.854775807 USD).');
    expect((await wallet(id)).balance).toBe('0.00');
  });

  it('refuses to start when a currency precision changed', async () => {
    t = await startTestGateway();
    const path = t.config.ledgerPath;
    await t.gateway.close();
    await t.simulator.stop();
    t = undefined;
    const directory = mkdtempSync(join(tmpdir(), 'tollgate-config-'));
    const file = join(directory, 'config.json');
    const defaults = JSON.parse(readFileSync(new URL('../config/default.json', import.meta.url), 'utf8'));
    writeFileSync(file, JSON.stringify({ ...defaults, currencies: { USD: { decimals: 6 } } }));

    const started = await startTestGateway({ LEDGER_PATH: path, TOLLGATE_CONFIG: file }).catch((error: unknown) => error);

    expect((started as Error).message).toBe('invalid setting currencies: USD has 9 decimals in this ledger file but 6 in the configuration; amounts are stored at the first precision, so change the configuration back');
    rmSync(directory, { recursive: true, force: true });
  });
});

describe('hold bound', () => {
  it('limits overspending to the gap between usage and hold', async () => {
    t = await startTestGateway();
    const hold = await holdOfChat();
    const { id, key } = await t.createCustomer({ topup: formatAmount(hold * 5n, USD) });
    // Usage far above the estimate: 2,000 prompt tokens for a two-word prompt.
    t.simulator.setFallback({ status: 200, headers: { 'content-type': 'application/json' }, body: chatBody({ prompt_tokens: 2000, completion_tokens: 100 }), headersDelayMs: 300 });

    const client = t.client(key);
    const results = await Promise.allSettled(Array.from({ length: 20 }, () => client.chat.completions.create(chat).withResponse()));

    const served = results.filter((result) => result.status === 'fulfilled');
    const first = served[0] as PromiseFulfilledResult<{ response: Response }>;
    const legs = await t.gateway.ledger.entryTransactions(first.value.response.headers.get('x-tollgate-request-id')!);
    const charge = legs.find((leg) => leg.currency === 'USD')!.amount;
    const balance = hold * 5n - charge * BigInt(served.length);
    const bound = -(charge - hold) * BigInt(served.length);

    expect(charge > hold).toBe(true);
    expect(served.length).toBeGreaterThanOrEqual(5);
    expect((await wallet(id)).balance).toBe(formatAmount(balance, USD));
    expect(balance >= bound).toBe(true);
  });
});

describe('graceful shutdown', () => {
  it('finishes an in-flight stream and its entry', async () => {
    t = await startTestGateway();
    const { key } = await t.createCustomer({ topup: '10.00' });
    t.simulator.enqueue(scenarioFromFixture(fixture('openai-chat-stream-include-usage.sse'), { chunkSize: 400, delayMs: 100 }));

    const { data, response } = await t.client(key).chat.completions.create({ ...chat, stream: true }).withResponse();
    const requestId = response.headers.get('x-tollgate-request-id')!;
    const iterator = data[Symbol.asyncIterator]();
    await iterator.next();

    const closing = t.gateway.close();
    let chunks = 1;
    while (!(await iterator.next()).done) chunks += 1;
    await closing;

    expect(chunks).toBeGreaterThan(1);
    const reopened = await import('../src/ledger/sqlite/index.ts').then(({ SqliteLedger }) => new SqliteLedger({ path: t!.config.ledgerPath }));
    const legs = await reopened.entryTransactions(requestId);
    await reopened.close();
    expect(legs.map((leg) => leg.currency).sort()).toEqual(['TOKENS', 'USD']);

    await t.simulator.stop();
    t = undefined;
  });
});

describe('start', () => {
  it('names the port when the address is in use', async () => {
    t = await startTestGateway();
    const port = new URL(t.gateway.url).port;

    const second = await startTestGateway({ PORT: port }).catch((error: unknown) => error);

    expect((second as Error).message).toBe(`cannot listen on 127.0.0.1:${port}: the address is in use; set PORT to a free port`);
  });
});

describe('models', () => {
  it('lists the priced models without calling the upstream', async () => {
    t = await startTestGateway();
    const { key } = await t.createCustomer();

    const page = await t.client(key).models.list();

    expect(page.data.map((model) => model.id)).toContain('gpt-4o-mini');
    expect(t.simulator.requests).toHaveLength(0);
  });
});
