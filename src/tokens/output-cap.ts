/**
 * The number of output tokens a request may produce, used to size its
 * prepaid hold.
 */
import type { ModelPrice } from '../pricing/types.ts';
import type { Endpoint } from '../usage/types.ts';

/** The legacy Completions API writes at most 16 tokens when `max_tokens` is absent. */
const COMPLETIONS_DEFAULT_MAX_TOKENS = 16;

/**
 * Returns the output token cap of a request. The cap is the one the request
 * sets, else the model's default for holds. It never exceeds the model's own
 * maximum, and it is multiplied by the number of completions requested:
 * - chat.completions: `max_completion_tokens`, else `max_tokens`, times `n`.
 * - completions: `max_tokens`, else 16, times max(`n`, `best_of`) because
 *   the API generates and bills best_of completions, times the number of
 *   prompts in a prompt list.
 * - responses: `max_output_tokens`.
 * - embeddings: 0.
 * A value that is not a non-negative integer is ignored, as if absent.
 */
export function requestedOutputCap(endpoint: Endpoint, body: Record<string, unknown>, price: ModelPrice): number {
  switch (endpoint) {
    case 'embeddings':
      return 0;

    case 'chat.completions': {
      const requested = tokenCount(body.max_completion_tokens) ?? tokenCount(body.max_tokens);
      return capAtModelMaximum(requested ?? price.defaultMaxOutputTokens, price) * completionsPerPrompt(body.n);
    }

    case 'completions': {
      const requested = tokenCount(body.max_tokens) ?? COMPLETIONS_DEFAULT_MAX_TOKENS;
      const completions = Math.max(completionsPerPrompt(body.n), completionsPerPrompt(body.best_of));
      return capAtModelMaximum(requested, price) * completions * promptCount(body.prompt);
    }

    case 'responses':
      return capAtModelMaximum(tokenCount(body.max_output_tokens) ?? price.defaultMaxOutputTokens, price);
  }
}

function tokenCount(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : undefined;
}

function capAtModelMaximum(tokens: number, price: ModelPrice): number {
  return Math.min(tokens, price.maxOutputTokens);
}

function completionsPerPrompt(value: unknown): number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 1 ? value : 1;
}

/** Counts the prompts: one per element of a list of strings or token-id lists, else one. */
function promptCount(prompt: unknown): number {
  if (!Array.isArray(prompt) || prompt.length === 0 || typeof prompt[0] === 'number') {
    return 1;
  }

  return prompt.length;
}
