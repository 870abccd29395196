/**
 * Token usage of one upstream response, normalised across providers.
 *
 * Counts are subsets in the way OpenAI reports them: `cachedInputTokens` and
 * `audioInputTokens` are part of `inputTokens`, and `reasoningTokens` and
 * `audioOutputTokens` are part of `outputTokens`. Token counts are plain
 * numbers because they are counts, not money.
 */
export interface Usage {
  /** All prompt tokens, cached ones included. */
  inputTokens: number;
  cachedInputTokens: number;
  /** All billable output tokens, reasoning tokens included. */
  outputTokens: number;
  reasoningTokens: number;
  audioInputTokens: number;
  audioOutputTokens: number;
  /** Tokens written to the provider's prompt cache, when the provider reports them. */
  cacheWriteTokens: number | null;
  /** The provider's own total, kept only to cross-check; never billed. */
  reportedTotalTokens: number | null;
}

/**
 * Origin of a usage record:
 * - `reported`: the upstream's own usage object;
 * - `recovered`: the upstream's usage, read from an event cut off at end of stream;
 * - `estimated`: counted locally with the tokenizer because the upstream sent none.
 */
export type UsageSource = 'reported' | 'recovered' | 'estimated';

/** The OpenAI-compatible endpoints that Tollgate bills. */
export type Endpoint = 'chat.completions' | 'completions' | 'embeddings' | 'responses';

export const ENDPOINT_PATHS: Record<Endpoint, string> = {
  'chat.completions': '/v1/chat/completions',
  completions: '/v1/completions',
  embeddings: '/v1/embeddings',
  responses: '/v1/responses',
};

export function emptyUsage(): Usage {
  return {
    inputTokens: 0,
    cachedInputTokens: 0,
    outputTokens: 0,
    reasoningTokens: 0,
    audioInputTokens: 0,
    audioOutputTokens: 0,
    cacheWriteTokens: null,
    reportedTotalTokens: null,
  };
}
