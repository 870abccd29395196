import { describe, expect, it } from 'vitest';

import { countTokens, encodingFor } from './index.ts';

describe('countTokens', () => {
  it.each([
    ['Hello, world!', 4],
    ['hello world', 2],
    ['The quick brown fox jumps over the lazy dog.', 10],
    ['Name a colour in two words.', 7],
    ['user', 1],
  ])('counts %j as %i tokens with o200k_base', (text, expected) => {
    expect(countTokens(text, 'gpt-4o')).toBe(expected);
  });

  it('counts an empty string as 0', () => {
    expect(countTokens('', 'gpt-4o')).toBe(0);
  });

  it('counts special-token text as plain text', () => {
    expect(countTokens('<|endoftext|>', 'gpt-4o')).toBe(7);
  });

  it('counts an emoji with o200k_base', () => {
    expect(countTokens('😀 emoji', 'gpt-4o-mini')).toBe(2);
  });

  it('counts an emoji with cl100k_base', () => {
    expect(countTokens('😀 emoji', 'gpt-3.5-turbo')).toBe(3);
  });
});

describe('encodingFor', () => {
  it.each([
    'gpt-4o', 'gpt-4o-mini-2024-07-18', 'gpt-4.1-mini', 'gpt-4.5-preview', 'gpt-5-nano',
    'o1', 'o3', 'o4-mini', 'chatgpt-4o-latest', 'gpt-4o-audio-preview', 'openai/gpt-4o',
  ])('uses o200k_base for %s', (model) => {
    expect(encodingFor(model)).toBe('o200k_base');
  });

  it.each([
    'gpt-3.5-turbo', 'gpt-3.5-turbo-instruct', 'gpt-35-turbo', 'gpt-4', 'gpt-4-turbo', 'gpt-4-0613',
    'text-embedding-3-small', 'text-embedding-ada-002', 'openai/gpt-3.5-turbo',
  ])('uses cl100k_base for %s', (model) => {
    expect(encodingFor(model)).toBe('cl100k_base');
  });

  it.each(['deepseek-chat', 'llama3.2:3b', 'Qwen/Qwen2.5-7B-Instruct', 'grok-3-mini', 'any'])(
    'uses o200k_base for unknown model %s',
    (model) => {
      expect(encodingFor(model)).toBe('o200k_base');
    },
  );
});
