/**
 * Input token estimate of a request, placed as a prepaid hold before the
 * request goes upstream. Each rule leans towards counting more than the
 * upstream reports, and each piece of text is encoded once.
 */
import type { Endpoint } from '../usage/types.ts';
import { estimateChatInput } from './chat.ts';
import { tokenCounterFor } from './encoding.ts';
import type { TokenCounter } from './encoding.ts';
import { countValue } from './parts.ts';
import { estimateResponsesInput } from './responses.ts';

export function estimateInputTokens(endpoint: Endpoint, body: Record<string, unknown>, model: string): number {
  const count = tokenCounterFor(model);

  switch (endpoint) {
    case 'chat.completions':
      return estimateChatInput(body, count);

    case 'responses':
      return estimateResponsesInput(body, count);

    // A completions prompt has no message framing; `suffix` is prompt text too.
    case 'completions':
      return countPrompt(body.prompt, count) + countValue(body.suffix, count);

    case 'embeddings':
      return countPrompt(body.input, count);
  }
}

/**
 * Counts a completions `prompt` or embeddings `input`: a string, a list of
 * strings, a list of token ids or a list of such lists. Token ids count as
 * their number.
 */
function countPrompt(prompt: unknown, count: TokenCounter): number {
  if (typeof prompt === 'string') {
    return count(prompt);
  }

  if (!Array.isArray(prompt)) {
    return countValue(prompt, count);
  }

  let tokens = 0;
  for (const item of prompt) {
    if (typeof item === 'number') {
      tokens += 1;
    } else if (Array.isArray(item) && item.every((id) => typeof id === 'number')) {
      tokens += item.length;
    } else {
      tokens += countValue(item, count);
    }
  }

  return tokens;
}
