/**
 * Requests of the benchmark and the responses of the simulated upstream: one
 * non-streamed and one streamed chat completion, each with the usage that
 * the gateway bills and the charge that usage must produce.
 */
import Big from 'big.js';

import { toMinorUnits, type Currency } from '../../src/money.ts';
import type { PriceList } from '../../src/pricing/index.ts';
import { loadManifest, scenarioFromFixture, type Scenario } from '../helpers/upstream-simulator.ts';

export type Kind = 'nonStream' | 'stream';

export interface Workload {
  kind: Kind;
  /** JSON body of every request; the same bytes go to the upstream directly and to the gateway. */
  requestBody: string;
  upstream: Scenario;
  /** Body size of a complete response, which every measured response must match. */
  responseBytes: number;
  model: string;
  inputTokens: number;
  outputTokens: number;
  /** Charge of one request in minor units, computed here from the price list's rates. */
  charge: bigint;
}

/** The streamed fixture: an OpenAI chat stream whose last chunk before [DONE] carries usage. */
const STREAM_FIXTURE = 'openai-chat-stream-include-usage.sse';

/** Bytes per write of the streamed upstream body, about the size of one small SSE frame. */
const STREAM_WRITE_BYTES = 100;

const MESSAGES = [
  { role: 'system', content: 'You are a concise assistant. Answer in one sentence.' },
  { role: 'user', content: 'Which river flows through the most countries?' },
];

const MAX_TOKENS = 64;

export function buildWorkloads(prices: PriceList, currency: Currency): Record<Kind, Workload> {
  return { nonStream: nonStreamWorkload(prices, currency), stream: streamWorkload(prices, currency) };
}

function nonStreamWorkload(prices: PriceList, currency: Currency): Workload {
  const model = 'gpt-4o-mini';
  const inputTokens = 24;
  const outputTokens = 17;

  const completion = {
    id: 'chatcmpl-bench000000000000000000000',
    object: 'chat.completion',
    created: 1764583502,
    model: 'gpt-4o-mini-2024-07-18',
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content: 'The Danube flows through ten countries, more than any other river.', refusal: null, annotations: [] },
        logprobs: null,
        finish_reason: 'stop',
      },
    ],
    usage: {
      prompt_tokens: inputTokens,
      completion_tokens: outputTokens,
      total_tokens: inputTokens + outputTokens,
      prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
      completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
    },
    service_tier: 'default',
    system_fingerprint: 'fp_bench00000',
  };
  const body = Buffer.from(JSON.stringify(completion));

  return {
    kind: 'nonStream',
    requestBody: JSON.stringify({ model, messages: MESSAGES, max_tokens: MAX_TOKENS }),
    upstream: { status: 200, headers: { 'content-type': 'application/json', 'x-request-id': 'req_bench_nonstream' }, body },
    responseBytes: body.length,
    model,
    inputTokens,
    outputTokens,
    charge: chargeOf(prices, currency, model, inputTokens, outputTokens),
  };
}

function streamWorkload(prices: PriceList, currency: Currency): Workload {
  const entry = loadManifest().find((fixture) => fixture.file === STREAM_FIXTURE);
  if (!entry) {
    throw new Error(`fixture ${STREAM_FIXTURE} not found in test/fixtures/upstream/manifest.json`);
  }

  const model = entry.request.model as string;
  const inputTokens = entry.expected_usage.input_tokens as number;
  const outputTokens = entry.expected_usage.output_tokens as number;
  const cachedTokens = entry.expected_usage.cached_input_tokens as number;
  if (cachedTokens !== 0) {
    throw new Error(`fixture ${STREAM_FIXTURE} reports ${cachedTokens} cached tokens; the expected charge here assumes none`);
  }

  // The request sets stream_options.include_usage itself, so the gateway
  // forwards the body unchanged and relays every frame. Both paths therefore
  // carry the same bytes.
  const upstream = scenarioFromFixture(entry, { chunkSize: STREAM_WRITE_BYTES });
  const requestBody = JSON.stringify({ model, messages: MESSAGES, max_tokens: MAX_TOKENS, stream: true, stream_options: { include_usage: true } });

  return {
    kind: 'stream',
    requestBody,
    upstream,
    responseBytes: upstream.body.length,
    model,
    inputTokens,
    outputTokens,
    charge: chargeOf(prices, currency, model, inputTokens, outputTokens),
  };
}

/** Rates are per 1M tokens; the sum is rounded to minor units once, as the gateway does for each entry. */
function chargeOf(prices: PriceList, currency: Currency, model: string, inputTokens: number, outputTokens: number): bigint {
  const price = prices.resolve(model);
  if (!price) {
    throw new Error(`model ${model} has no price in ${prices.path}`);
  }

  const perMillion = price.input.times(inputTokens).plus(price.output.times(outputTokens));
  return toMinorUnits(perMillion.div(new Big(1_000_000)), currency);
}
