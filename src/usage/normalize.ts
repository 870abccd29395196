/**
 * Normalises a provider's usage object to `Usage`, with OpenAI's subset
 * semantics: cached and audio input tokens are part of the input count, and
 * reasoning and audio output tokens are part of the output count.
 */
import type { Usage } from './types.ts';
import { firstTokenCount, isRecord, recordOrEmpty, tokenCount } from './json.ts';
import type { JsonRecord } from './json.ts';

/** Keys of which at least one must be a count for an object to be a usage report. */
const COUNTER_KEYS = ['prompt_tokens', 'input_tokens', 'completion_tokens', 'output_tokens', 'total_tokens'];

/**
 * Builds a `Usage` from a Chat Completions, Completions, Embeddings or
 * Responses usage object. `extras.timings` is llama.cpp's `timings` object,
 * a sibling of `usage` whose `cache_n` is the cached prompt count of builds
 * without `prompt_tokens_details`.
 *
 * Returns null when `usage` is not an object with at least one token
 * counter. Missing or invalid counters count as 0; `total_tokens` is kept
 * only as `reportedTotalTokens` and never billed.
 */
export function normalizeUsage(usage: unknown, extras: { timings?: unknown } = {}): Usage | null {
  if (!isRecord(usage) || !COUNTER_KEYS.some((key) => tokenCount(usage[key]) !== undefined)) {
    return null;
  }

  const promptDetails = recordOrEmpty(usage.prompt_tokens_details);
  const inputDetails = recordOrEmpty(usage.input_tokens_details);
  const completionDetails = recordOrEmpty(usage.completion_tokens_details);
  const outputDetails = recordOrEmpty(usage.output_tokens_details);
  const timings = recordOrEmpty(extras.timings);

  const inputTokens = firstTokenCount(usage.prompt_tokens, usage.input_tokens);
  const cachedInputTokens = firstTokenCount(
    promptDetails.cached_tokens,
    inputDetails.cached_tokens,
    usage.prompt_cache_hit_tokens,
    timings.cache_n,
  );
  const reasoningTokens = firstTokenCount(completionDetails.reasoning_tokens, outputDetails.reasoning_tokens);
  const reportedTotalTokens = tokenCount(usage.total_tokens) ?? null;
  const outputTokens = billableOutputTokens(usage, inputTokens, reasoningTokens, reportedTotalTokens);

  // Subset counts larger than their total are invalid reports. Clamping keeps
  // `total - subset` non-negative for pricing.
  return {
    inputTokens,
    cachedInputTokens: Math.min(cachedInputTokens, inputTokens),
    outputTokens,
    reasoningTokens: Math.min(reasoningTokens, outputTokens),
    audioInputTokens: Math.min(firstTokenCount(promptDetails.audio_tokens), inputTokens),
    audioOutputTokens: Math.min(firstTokenCount(completionDetails.audio_tokens), outputTokens),
    cacheWriteTokens: tokenCount(inputDetails.cache_write_tokens) ?? null,
    reportedTotalTokens,
  };
}

/**
 * Returns the output count with reasoning included. xAI reports reasoning
 * tokens outside `completion_tokens` (its total is prompt + completion +
 * reasoning), so when the total adds up only that way, reasoning is added.
 */
function billableOutputTokens(
  usage: JsonRecord,
  inputTokens: number,
  reasoningTokens: number,
  reportedTotalTokens: number | null,
): number {
  const completionTokens = firstTokenCount(usage.completion_tokens, usage.output_tokens);

  const reasoningOutside =
    reportedTotalTokens !== null &&
    reportedTotalTokens === inputTokens + completionTokens + reasoningTokens &&
    reportedTotalTokens !== inputTokens + completionTokens;

  return reasoningOutside ? completionTokens + reasoningTokens : completionTokens;
}
