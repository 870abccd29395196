import { describe, expect, it } from 'vitest';
import { normalizeUsage } from './normalize.ts';

describe('normalizeUsage', () => {
  it.each([
    ['null', null],
    ['a string', '12'],
    ['an array', [1, 2]],
    ['an empty object', {}],
    ['an object without counters', { queue_time: 0.01, id: 'req_1' }],
  ])('returns null for %s', (_name, usage) => {
    expect(normalizeUsage(usage)).toBeNull();
  });

  it('counts missing keys as zero', () => {
    expect(normalizeUsage({ prompt_tokens: 5 })).toStrictEqual({
      inputTokens: 5,
      cachedInputTokens: 0,
      outputTokens: 0,
      reasoningTokens: 0,
      audioInputTokens: 0,
      audioOutputTokens: 0,
      cacheWriteTokens: null,
      reportedTotalTokens: null,
    });
  });

  it('reads Responses API names', () => {
    const usage = normalizeUsage({
      input_tokens: 100,
      input_tokens_details: { cached_tokens: 60, cache_write_tokens: 30 },
      output_tokens: 50,
      output_tokens_details: { reasoning_tokens: 20 },
      total_tokens: 150,
    });

    expect(usage).toStrictEqual({
      inputTokens: 100,
      cachedInputTokens: 60,
      outputTokens: 50,
      reasoningTokens: 20,
      audioInputTokens: 0,
      audioOutputTokens: 0,
      cacheWriteTokens: 30,
      reportedTotalTokens: 150,
    });
  });

  it('reads audio tokens from both details', () => {
    const usage = normalizeUsage({
      prompt_tokens: 40,
      completion_tokens: 30,
      prompt_tokens_details: { audio_tokens: 25 },
      completion_tokens_details: { audio_tokens: 12 },
    });

    expect(usage?.audioInputTokens).toBe(25);
    expect(usage?.audioOutputTokens).toBe(12);
  });

  it('reads the DeepSeek cache hit count', () => {
    const usage = normalizeUsage({ prompt_tokens: 10, prompt_cache_hit_tokens: 4, prompt_cache_miss_tokens: 6 });

    expect(usage?.cachedInputTokens).toBe(4);
  });

  it('reads llama.cpp timings.cache_n without details', () => {
    const usage = normalizeUsage({ prompt_tokens: 42, completion_tokens: 8 }, { timings: { cache_n: 36, prompt_n: 6 } });

    expect(usage?.cachedInputTokens).toBe(36);
  });

  it('prefers prompt_tokens_details over timings', () => {
    const usage = normalizeUsage(
      { prompt_tokens: 42, prompt_tokens_details: { cached_tokens: 30 } },
      { timings: { cache_n: 36 } },
    );

    expect(usage?.cachedInputTokens).toBe(30);
  });

  it('adds reasoning reported outside completion tokens', () => {
    const usage = normalizeUsage({
      prompt_tokens: 14,
      completion_tokens: 3,
      total_tokens: 229,
      completion_tokens_details: { reasoning_tokens: 212 },
    });

    expect(usage?.outputTokens).toBe(215);
    expect(usage?.reasoningTokens).toBe(212);
  });

  it('keeps reasoning inside completion tokens', () => {
    const usage = normalizeUsage({
      prompt_tokens: 10,
      completion_tokens: 20,
      total_tokens: 30,
      completion_tokens_details: { reasoning_tokens: 5 },
    });

    expect(usage?.outputTokens).toBe(20);
    expect(usage?.reasoningTokens).toBe(5);
  });

  it('clamps reasoning to output tokens', () => {
    const usage = normalizeUsage({
      prompt_tokens: 10,
      completion_tokens: 3,
      completion_tokens_details: { reasoning_tokens: 5 },
    });

    expect(usage?.outputTokens).toBe(3);
    expect(usage?.reasoningTokens).toBe(3);
  });

  it('clamps cached tokens to input tokens', () => {
    const usage = normalizeUsage({ prompt_tokens: 10, prompt_tokens_details: { cached_tokens: 12 } });

    expect(usage?.cachedInputTokens).toBe(10);
  });

  it('never bills from total_tokens', () => {
    const usage = normalizeUsage({ total_tokens: 50 });

    expect(usage?.inputTokens).toBe(0);
    expect(usage?.outputTokens).toBe(0);
    expect(usage?.reportedTotalTokens).toBe(50);
  });

  it.each([
    ['negative', -3],
    ['fractional', 2.5],
    ['a string', '7'],
    ['null', null],
  ])('counts a %s counter as zero', (_name, value) => {
    const usage = normalizeUsage({ prompt_tokens: 9, completion_tokens: value });

    expect(usage?.outputTokens).toBe(0);
  });

  it('ignores Groq timing fields', () => {
    const usage = normalizeUsage({ queue_time: 0.018, prompt_tokens: 21, prompt_time: 0.004, completion_tokens: 12 });

    expect(usage?.inputTokens).toBe(21);
    expect(usage?.outputTokens).toBe(12);
  });
});
