import { describe, expect, it } from 'vitest';

import { emptyUsage } from '../usage/types.ts';
import { estimateUsage } from './index.ts';

describe('estimateUsage', () => {
  const body = { messages: [{ role: 'user', content: 'Name a colour in two words.' }] };

  it('estimates input and counts the output text', () => {
    expect(estimateUsage('chat.completions', body, 'Hello, world!', 'gpt-4o-mini')).toEqual({
      ...emptyUsage(),
      inputTokens: 14,
      outputTokens: 4,
    });
  });

  it('counts no output for embeddings', () => {
    const usage = estimateUsage('embeddings', { input: 'the quick brown fox' }, 'ignored', 'text-embedding-3-small');

    expect(usage.inputTokens).toBe(4);
    expect(usage.outputTokens).toBe(0);
  });

  it('leaves subsets and provider totals empty', () => {
    const usage = estimateUsage('chat.completions', body, 'Hello, world!', 'gpt-4o-mini');

    expect(usage.cachedInputTokens).toBe(0);
    expect(usage.reasoningTokens).toBe(0);
    expect(usage.reportedTotalTokens).toBeNull();
    expect(usage.cacheWriteTokens).toBeNull();
  });
});
