/** Usage of non-streamed responses, and where Chat/Completions payloads carry it. */
import type { Endpoint, Usage } from './types.ts';
import { isRecord, recordOrEmpty } from './json.ts';
import type { JsonRecord } from './json.ts';
import { normalizeUsage } from './normalize.ts';

/**
 * Returns the usage of a parsed non-streamed response body of the endpoint,
 * or null when the body reports none.
 */
export function usageFromBody(endpoint: Endpoint, body: unknown): Usage | null {
  if (!isRecord(body)) {
    return null;
  }

  switch (endpoint) {
    case 'chat.completions':
    case 'completions':
      return chatUsageOf(body);
    case 'embeddings':
      return embeddingsUsageOf(body);
    case 'responses':
      return normalizeUsage(body.usage);
  }
}

/**
 * Returns the usage of a Chat/Completions body or stream chunk: the
 * top-level `usage` when it is a usage object, else `x_groq.usage`, where
 * Groq reported usage in 2024.
 */
export function chatUsageOf(payload: JsonRecord): Usage | null {
  return (
    normalizeUsage(payload.usage, { timings: payload.timings }) ??
    normalizeUsage(recordOrEmpty(payload.x_groq).usage)
  );
}

/** Embeddings report only `prompt_tokens` and `total_tokens`, so other counters are ignored. */
function embeddingsUsageOf(body: JsonRecord): Usage | null {
  const usage = recordOrEmpty(body.usage);
  return normalizeUsage({
    prompt_tokens: usage.prompt_tokens,
    input_tokens: usage.input_tokens,
    total_tokens: usage.total_tokens,
  });
}
