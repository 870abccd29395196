import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

import { emptyUsage } from '../usage/types.ts';
import type { Usage } from '../usage/types.ts';
import { PricingError, costOf, holdCostOf, loadPriceList, parsePriceList } from './index.ts';

const TEST_PRICES = loadPriceList(fileURLToPath(new URL('../../test/fixtures/pricing.test.yaml', import.meta.url)));

interface ManifestEntry {
  file: string;
  expected_usage: Record<string, number | null | boolean | string>;
}

const MANIFEST = JSON.parse(
  readFileSync(new URL('../../test/fixtures/upstream/manifest.json', import.meta.url), 'utf8'),
) as { fixtures: ManifestEntry[] };

/** Builds a Usage from a manifest entry's expected_usage. */
function fixtureUsage(file: string): Usage {
  const entry = MANIFEST.fixtures.find((fixture) => fixture.file === file);
  if (entry === undefined) {
    throw new Error(`fixture ${file} is not in manifest.json`);
  }

  const expected = entry.expected_usage;
  return {
    ...emptyUsage(),
    inputTokens: expected.input_tokens as number,
    cachedInputTokens: expected.cached_input_tokens as number,
    outputTokens: expected.output_tokens as number,
    reasoningTokens: expected.reasoning_tokens as number,
    audioInputTokens: expected.audio_input_tokens as number,
    audioOutputTokens: expected.audio_output_tokens as number,
  };
}

function usageOf(fields: Partial<Usage>): Usage {
  return { ...emptyUsage(), ...fields };
}

function priceOf(model: string) {
  const price = TEST_PRICES.resolve(model);
  if (price === undefined) {
    throw new Error(`${model} is not in the test price list`);
  }
  return price;
}

const SINGLE_RATE = parsePriceList(
  'currency: USD\nmodels:\n  m:\n    input: "0.075"\n    output: "0.1"\n    max_output_tokens: 100\n',
  'single.yaml',
).resolve('m')!;

describe('costOf', () => {
  it('prices 1,234 tokens at $0.075 per 1M exactly', () => {
    const cost = costOf(SINGLE_RATE, usageOf({ inputTokens: 1234 }));

    expect(cost.toFixed()).toBe('0.00009255');
  });

  it('does not round like a float', () => {
    // 3 × 0.1 is 0.30000000000000004 in floating point.
    const cost = costOf(SINGLE_RATE, usageOf({ outputTokens: 3 }));

    expect(cost.toFixed()).toBe('0.0000003');
  });

  it('costs nothing for empty usage', () => {
    expect(costOf(SINGLE_RATE, emptyUsage()).toFixed()).toBe('0');
  });

  it('splits cached input and bills reasoning as output', () => {
    const usage = fixtureUsage('openai-chat-nonstream-cached-reasoning.json');

    // o4-mini test rates: input 13, cached 3, output 17 per 1M.
    // 386 uncached × 13 + 1920 cached × 3 + 421 output × 17 = 5018 + 5760 + 7157.
    expect(costOf(priceOf('o4-mini'), usage).toFixed()).toBe('0.017935');
  });

  it('ignores the reasoning subset', () => {
    const usage = fixtureUsage('openai-chat-nonstream-cached-reasoning.json');
    const withoutReasoning = { ...usage, reasoningTokens: 0 };

    expect(costOf(priceOf('o4-mini'), usage).eq(costOf(priceOf('o4-mini'), withoutReasoning))).toBe(true);
  });

  it('prices audio tokens at the audio rates', () => {
    const usage = fixtureUsage('openai-chat-nonstream-audio.json');

    // gpt-4o-audio-preview test rates: input 37, output 41, audio input 43, audio output 47.
    // 38 text in × 37 + 58 audio in × 43 + 12 text out × 41 + 126 audio out × 47
    // = 1406 + 2494 + 492 + 5922.
    expect(costOf(priceOf('gpt-4o-audio-preview'), usage).toFixed()).toBe('0.010314');
  });

  it('prices a cache hit from another provider', () => {
    const usage = fixtureUsage('deepseek-chat-nonstream-cache-hit.json');

    // deepseek-chat test rates: input 67, cached 6, output 71.
    // 22 uncached × 67 + 1280 cached × 6 + 88 output × 71 = 1474 + 7680 + 6248.
    expect(costOf(priceOf('deepseek-chat'), usage).toFixed()).toBe('0.015402');
  });

  it('rejects audio input for a model without an audio rate', () => {
    const call = () => costOf(priceOf('gpt-4o-mini'), usageOf({ inputTokens: 10, audioInputTokens: 4 }));

    expect(call).toThrow(PricingError);
    expect(call).toThrow(/pricing\.test\.yaml: model "gpt-4o-mini": field "audio_input": missing/);
  });

  it('rejects audio output for a model without an audio rate', () => {
    const call = () => costOf(priceOf('gpt-4o-mini'), usageOf({ outputTokens: 10, audioOutputTokens: 4 }));

    expect(call).toThrow(PricingError);
    expect(call).toThrow(/model "gpt-4o-mini": field "audio_output"/);
  });

  it('rejects cached input larger than the input', () => {
    const call = () => costOf(SINGLE_RATE, usageOf({ inputTokens: 10, cachedInputTokens: 11 }));

    expect(call).toThrow(RangeError);
  });

  it('rejects cached plus audio input larger than the input', () => {
    const call = () => costOf(priceOf('gpt-4o-audio-preview'), usageOf({ inputTokens: 10, cachedInputTokens: 6, audioInputTokens: 5 }));

    expect(call).toThrow(/cached \(6\) plus audio \(5\) input tokens exceed the 10 input tokens/);
  });

  it('rejects audio output larger than the output', () => {
    const call = () => costOf(priceOf('gpt-4o-audio-preview'), usageOf({ outputTokens: 5, audioOutputTokens: 6 }));

    expect(call).toThrow(RangeError);
  });

  it.each([[-1], [1.5], [Number.NaN]])('rejects a token count of %s', (count) => {
    expect(() => costOf(SINGLE_RATE, usageOf({ inputTokens: count }))).toThrow(RangeError);
  });
});

describe('holdCostOf', () => {
  it('prices input at the uncached rate and output at the output rate', () => {
    // gpt-4o-mini test rates: input 1 (cached 0.5, unused), output 2.
    expect(holdCostOf(priceOf('gpt-4o-mini'), 1000, 500).toFixed()).toBe('0.002');
  });

  it('is exact for small counts', () => {
    expect(holdCostOf(SINGLE_RATE, 1234, 0).toFixed()).toBe('0.00009255');
  });

  it('rejects a negative estimate', () => {
    expect(() => holdCostOf(SINGLE_RATE, -1, 0)).toThrow(RangeError);
  });
});
