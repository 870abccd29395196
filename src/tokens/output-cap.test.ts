import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

import { loadPriceList } from '../pricing/index.ts';
import type { ModelPrice } from '../pricing/index.ts';
import { requestedOutputCap } from './index.ts';

const PRICES = loadPriceList(fileURLToPath(new URL('../../test/fixtures/pricing.test.yaml', import.meta.url)));

function price(model: string): ModelPrice {
  return PRICES.resolve(model)!;
}

// Test price list: gpt-4o-mini max 16384 with the file default of 1000, gpt-4.1 default 2048,
// gpt-3.5-turbo-instruct max 4096, text-embedding-3-small no output.
const MINI = price('gpt-4o-mini');

describe('requestedOutputCap chat.completions', () => {
  it('takes max_completion_tokens', () => {
    expect(requestedOutputCap('chat.completions', { max_completion_tokens: 300 }, MINI)).toBe(300);
  });

  it('takes max_tokens', () => {
    expect(requestedOutputCap('chat.completions', { max_tokens: 200 }, MINI)).toBe(200);
  });

  it('prefers max_completion_tokens over max_tokens', () => {
    expect(requestedOutputCap('chat.completions', { max_completion_tokens: 300, max_tokens: 200 }, MINI)).toBe(300);
  });

  it('falls back to the file default', () => {
    expect(requestedOutputCap('chat.completions', {}, MINI)).toBe(1000);
  });

  it('falls back to the model default', () => {
    expect(requestedOutputCap('chat.completions', {}, price('gpt-4.1'))).toBe(2048);
  });

  it('caps at the model maximum', () => {
    expect(requestedOutputCap('chat.completions', { max_tokens: 1_000_000 }, MINI)).toBe(16384);
  });

  it('multiplies by n', () => {
    expect(requestedOutputCap('chat.completions', { max_tokens: 200, n: 3 }, MINI)).toBe(600);
  });

  it('multiplies the capped value by n', () => {
    expect(requestedOutputCap('chat.completions', { max_tokens: 1_000_000, n: 2 }, MINI)).toBe(32768);
  });

  it.each([[0], [1], [-2], [1.5], ['3']])('counts one completion for n of %j', (n) => {
    expect(requestedOutputCap('chat.completions', { max_tokens: 200, n }, MINI)).toBe(200);
  });

  it.each([[-1], [2.5], ['100'], [null]])('ignores max_tokens of %j', (value) => {
    expect(requestedOutputCap('chat.completions', { max_tokens: value }, MINI)).toBe(1000);
  });
});

describe('requestedOutputCap completions', () => {
  const instruct = price('gpt-3.5-turbo-instruct');

  it('defaults to 16 tokens', () => {
    expect(requestedOutputCap('completions', { prompt: 'hello' }, instruct)).toBe(16);
  });

  it('takes max_tokens', () => {
    expect(requestedOutputCap('completions', { prompt: 'hello', max_tokens: 100 }, instruct)).toBe(100);
  });

  it('allows max_tokens 0', () => {
    expect(requestedOutputCap('completions', { prompt: 'hello', max_tokens: 0, echo: true }, instruct)).toBe(0);
  });

  it('caps at the model maximum', () => {
    expect(requestedOutputCap('completions', { max_tokens: 10_000 }, instruct)).toBe(4096);
  });

  it('multiplies by n', () => {
    expect(requestedOutputCap('completions', { max_tokens: 100, n: 2 }, instruct)).toBe(200);
  });

  it('multiplies by best_of when larger than n', () => {
    expect(requestedOutputCap('completions', { max_tokens: 100, n: 2, best_of: 5 }, instruct)).toBe(500);
  });

  it('multiplies by the number of prompts', () => {
    expect(requestedOutputCap('completions', { prompt: ['a', 'b', 'c'], max_tokens: 10 }, instruct)).toBe(30);
  });

  it('treats one token-id list as one prompt', () => {
    expect(requestedOutputCap('completions', { prompt: [1, 2, 3], max_tokens: 10 }, instruct)).toBe(10);
  });
});

describe('requestedOutputCap responses', () => {
  it('takes max_output_tokens', () => {
    expect(requestedOutputCap('responses', { max_output_tokens: 64 }, MINI)).toBe(64);
  });

  it('falls back to the default', () => {
    expect(requestedOutputCap('responses', { max_tokens: 64 }, MINI)).toBe(1000);
  });

  it('ignores n', () => {
    expect(requestedOutputCap('responses', { max_output_tokens: 64, n: 4 }, MINI)).toBe(64);
  });
});

describe('requestedOutputCap embeddings', () => {
  it('is 0', () => {
    expect(requestedOutputCap('embeddings', { input: 'hello', max_tokens: 100 }, price('text-embedding-3-small'))).toBe(0);
  });

  it('is 0 for a chat model too', () => {
    expect(requestedOutputCap('embeddings', { input: 'hello' }, MINI)).toBe(0);
  });
});
