import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

import { emptyUsage } from '../usage/types.ts';
import { costOf, loadPriceList, PricingError } from './index.ts';

const SHIPPED_PATH = fileURLToPath(new URL('../../pricing.yaml', import.meta.url));
const TEST_PATH = fileURLToPath(new URL('../../test/fixtures/pricing.test.yaml', import.meta.url));

describe('shipped pricing.yaml', () => {
  const list = loadPriceList(SHIPPED_PATH);

  it('is in USD', () => {
    expect(list.currency).toBe('USD');
  });

  it.each([
    'gpt-5', 'gpt-5-mini', 'gpt-5-nano',
    'gpt-4.1', 'gpt-4.1-mini', 'gpt-4.1-nano',
    'gpt-4o', 'gpt-4o-mini', 'o3', 'o4-mini', 'o3-mini',
    'gpt-4o-audio-preview', 'gpt-3.5-turbo', 'gpt-3.5-turbo-instruct',
    'text-embedding-3-small', 'text-embedding-3-large',
  ])('prices %s', (model) => {
    expect(list.models()).toContain(model);
  });

  it.each([
    ['gpt-4o-2024-08-06', 'gpt-4o'],
    ['gpt-4o-2024-11-20', 'gpt-4o'],
    ['gpt-4o-mini-2024-07-18', 'gpt-4o-mini'],
    ['o4-mini-2025-04-16', 'o4-mini'],
    ['gpt-5-2025-08-07', 'gpt-5'],
  ])('resolves snapshot %s to %s', (alias, model) => {
    expect(list.resolve(alias)?.model).toBe(model);
  });

  it('prices gpt-4o-2024-05-13 on its own', () => {
    expect(list.resolve('gpt-4o-2024-05-13')?.model).toBe('gpt-4o-2024-05-13');
    expect(list.resolve('gpt-4o-2024-05-13')?.input.toFixed()).toBe('5');
  });

  it('gives gpt-4o-audio-preview audio rates', () => {
    const price = list.resolve('gpt-4o-audio-preview')!;

    expect(price.audioInput?.toFixed()).toBe('40');
    expect(price.audioOutput?.toFixed()).toBe('80');
  });

  it('prices the cached reasoning fixture for o4-mini', () => {
    const usage = { ...emptyUsage(), inputTokens: 2306, cachedInputTokens: 1920, outputTokens: 421, reasoningTokens: 320 };

    // 386 × 1.10 + 1920 × 0.275 + 421 × 4.40 = 424.6 + 528 + 1852.4 per 1M.
    expect(costOf(list.resolve('o4-mini')!, usage).toFixed()).toBe('0.002805');
  });

  it('prices the audio fixture for gpt-4o-audio-preview', () => {
    const usage = { ...emptyUsage(), inputTokens: 96, audioInputTokens: 58, outputTokens: 138, audioOutputTokens: 126 };

    // 38 × 2.50 + 58 × 40 + 12 × 10 + 126 × 80 = 95 + 2320 + 120 + 10080 per 1M.
    expect(costOf(list.resolve('gpt-4o-audio-preview')!, usage).toFixed()).toBe('0.012615');
  });
});

describe('test price list', () => {
  const list = loadPriceList(TEST_PATH);
  const manifest = JSON.parse(
    readFileSync(new URL('../../test/fixtures/upstream/manifest.json', import.meta.url), 'utf8'),
  ) as { fixtures: Array<{ file: string; request: { model?: unknown } }> };

  // The llama.cpp fixture's request model is a description, and Azure requests name a deployment.
  const requestModels = manifest.fixtures
    .filter((fixture) => typeof fixture.request.model === 'string' && !fixture.file.startsWith('llamacpp-'))
    .map((fixture) => fixture.request.model as string);

  it('finds request models in the manifest', () => {
    expect(requestModels.length).toBeGreaterThan(20);
  });

  it.each([...new Set(requestModels)])('prices %s', (model) => {
    expect(list.resolve(model)).toBeDefined();
  });

  it('prices llama-server', () => {
    expect(list.resolve('llama-server')?.model).toBe('llama-server');
  });
});

describe('loadPriceList', () => {
  it('rejects a missing file', () => {
    expect(() => loadPriceList('/nonexistent/prices.yaml')).toThrow(PricingError);
    expect(() => loadPriceList('/nonexistent/prices.yaml')).toThrow(/^\/nonexistent\/prices\.yaml: failed to read the price list/);
  });
});
