import { emptyUsage } from '../usage/types.ts';
import type { Endpoint, Usage } from '../usage/types.ts';
import { countTokens } from './encoding.ts';
import { estimateInputTokens } from './input.ts';

/**
 * Estimates the usage of a request whose upstream reported none: its input
 * estimate, plus the tokens of the output text it returned.
 * NOTE: hidden reasoning tokens and audio are not in `outputText`, so the
 * estimate is low for reasoning and audio models.
 */
export function estimateUsage(endpoint: Endpoint, body: Record<string, unknown>, outputText: string, model: string): Usage {
  const usage = emptyUsage();

  usage.inputTokens = estimateInputTokens(endpoint, body, model);
  usage.outputTokens = endpoint === 'embeddings' ? 0 : countTokens(outputText, model);

  return usage;
}
