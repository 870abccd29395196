import { describe, expect, it } from 'vitest';

import { AUDIO_PART_TOKENS, FILE_PART_TOKENS, IMAGE_PART_TOKENS, REPLY_PRIMING_TOKENS, RESPONSES_REQUEST_TOKENS } from './allowances.ts';
import { countTokens, estimateInputTokens } from './index.ts';

const MODEL = 'gpt-4o-mini';

function chat(body: Record<string, unknown>): number {
  return estimateInputTokens('chat.completions', body, MODEL);
}

/** Tokens of a text: the message rule's counts are written out against it. */
function t(text: string): number {
  return countTokens(text, MODEL);
}

describe('estimateInputTokens chat.completions', () => {
  it('applies the message rule to one message', () => {
    // 3 framing + "user" (1) + 7 content + 3 reply priming.
    expect(chat({ messages: [{ role: 'user', content: 'Name a colour in two words.' }] })).toBe(14);
  });

  it('adds framing for every message', () => {
    const body = {
      messages: [
        { role: 'system', content: 'You are a terse code reviewer.' },
        { role: 'user', content: 'Name a colour in two words.' },
      ],
    };

    // (3 + 1 + 7) + (3 + 1 + 7) + 3.
    expect(chat(body)).toBe(25);
  });

  it('adds one token for a name', () => {
    const without = chat({ messages: [{ role: 'user', content: 'hello' }] });
    const named = chat({ messages: [{ role: 'user', name: 'alice', content: 'hello' }] });

    expect(named - without).toBe(t('alice') + 1);
  });

  it('counts text parts like string content', () => {
    const asString = chat({ messages: [{ role: 'user', content: 'Name a colour in two words.' }] });
    const asParts = chat({ messages: [{ role: 'user', content: [{ type: 'text', text: 'Name a colour in two words.' }] }] });

    expect(asParts).toBe(asString);
  });

  it('counts an image part as the fixed allowance', () => {
    const image = { type: 'image_url', image_url: { url: `data:image/png;base64,${'A'.repeat(100_000)}` } };
    const body = { messages: [{ role: 'user', content: [{ type: 'text', text: 'hello' }, image] }] };

    expect(chat(body)).toBe(3 + 1 + 1 + IMAGE_PART_TOKENS + REPLY_PRIMING_TOKENS);
  });

  it('counts an audio part as the fixed allowance', () => {
    const audio = { type: 'input_audio', input_audio: { data: 'UklGRg'.repeat(1000), format: 'wav' } };

    expect(chat({ messages: [{ role: 'user', content: [audio] }] })).toBe(3 + 1 + AUDIO_PART_TOKENS + 3);
  });

  it('counts a file part as the fixed allowance', () => {
    const file = { type: 'file', file: { file_id: 'file-abc' } };

    expect(chat({ messages: [{ role: 'user', content: [file] }] })).toBe(3 + 1 + FILE_PART_TOKENS + 3);
  });

  it('counts tool definitions as JSON', () => {
    const tools = [
      {
        type: 'function',
        function: {
          name: 'get_weather',
          description: 'Current weather for a city',
          parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
        },
      },
    ];
    const messages = [{ role: 'user', content: 'hello' }];

    expect(chat({ messages, tools }) - chat({ messages })).toBe(t(JSON.stringify(tools)));
  });

  it('counts tool calls and tool results', () => {
    const args = '{"city":"Lisbon"}';
    const body = {
      messages: [
        { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: args } }] },
        { role: 'tool', tool_call_id: 'call_1', content: 'Sunny, 24 C' },
      ],
    };
    const call = t(JSON.stringify({ name: 'get_weather', arguments: args }));

    expect(chat(body)).toBe((3 + t('assistant') + call) + (3 + t('tool') + t('call_1') + t('Sunny, 24 C')) + 3);
  });

  it('counts a json_schema response format', () => {
    const schema = { name: 'colour', schema: { type: 'object', properties: { colour: { type: 'string' } } } };
    const messages = [{ role: 'user', content: 'hello' }];

    expect(chat({ messages, response_format: { type: 'json_schema', json_schema: schema } }) - chat({ messages })).toBe(t(JSON.stringify(schema)));
  });

  it('uses the model encoding', () => {
    const messages = [{ role: 'user', content: '😀 emoji' }];

    expect(estimateInputTokens('chat.completions', { messages }, 'gpt-4o')).toBe(9);
    expect(estimateInputTokens('chat.completions', { messages }, 'gpt-3.5-turbo')).toBe(10);
  });

  it('counts only reply priming without messages', () => {
    expect(chat({})).toBe(REPLY_PRIMING_TOKENS);
  });
});

describe('estimateInputTokens completions', () => {
  const model = 'gpt-3.5-turbo-instruct';

  it('counts a string prompt', () => {
    expect(estimateInputTokens('completions', { prompt: 'List three things to do before driving:' }, model)).toBe(8);
  });

  it('sums a list of prompts', () => {
    expect(estimateInputTokens('completions', { prompt: ['hello world', 'Hello, world!'] }, model)).toBe(6);
  });

  it('counts token ids as their number', () => {
    expect(estimateInputTokens('completions', { prompt: [15339, 1917, 0] }, model)).toBe(3);
  });

  it('sums lists of token ids', () => {
    expect(estimateInputTokens('completions', { prompt: [[1, 2], [3, 4, 5]] }, model)).toBe(5);
  });

  it('counts the suffix', () => {
    expect(estimateInputTokens('completions', { prompt: 'hello', suffix: 'hello world' }, model)).toBe(3);
  });
});

describe('estimateInputTokens embeddings', () => {
  const model = 'text-embedding-3-small';

  it('counts a string input', () => {
    expect(estimateInputTokens('embeddings', { input: 'the quick brown fox' }, model)).toBe(4);
  });

  it('sums a list of inputs without framing', () => {
    expect(estimateInputTokens('embeddings', { input: ['the quick brown fox', 'jumps over the lazy dog twice'] }, model)).toBe(11);
  });

  it('counts token ids as their number', () => {
    expect(estimateInputTokens('embeddings', { input: [[1, 2, 3], [4]] }, model)).toBe(4);
  });
});

describe('estimateInputTokens responses', () => {
  const fixed = RESPONSES_REQUEST_TOKENS + REPLY_PRIMING_TOKENS;

  function responses(body: Record<string, unknown>): number {
    return estimateInputTokens('responses', body, MODEL);
  }

  it('counts a string input as a user message', () => {
    expect(responses({ input: 'Name three deciduous trees.' })).toBe(fixed + 3 + 1 + 6);
  });

  it('counts instructions as a developer message', () => {
    const instructions = 'You are a terse code reviewer.';

    expect(responses({ instructions, input: 'hello' })).toBe(fixed + (3 + t('developer') + 7) + (3 + 1 + 1));
  });

  it('counts message items with parts', () => {
    const input = [
      { role: 'user', content: [{ type: 'input_text', text: 'hello world' }, { type: 'input_image', image_url: 'https://example.com/a.png' }] },
      { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'Hello, world!' }] },
    ];

    expect(responses({ input })).toBe(fixed + (3 + 1 + 2 + IMAGE_PART_TOKENS) + (3 + t('assistant') + 4));
  });

  it('counts function calls and their outputs', () => {
    const input = [
      { type: 'function_call', call_id: 'call_1', name: 'get_weather', arguments: '{"city":"Lisbon"}' },
      { type: 'function_call_output', call_id: 'call_1', output: 'Sunny, 24 C' },
    ];
    const call = t(JSON.stringify({ name: 'get_weather', arguments: '{"city":"Lisbon"}' }));

    expect(responses({ input })).toBe(fixed + call + t('Sunny, 24 C'));
  });

  it('counts tool definitions as JSON', () => {
    const tools = [{ type: 'function', name: 'get_weather', parameters: { type: 'object', properties: {} } }];

    expect(responses({ input: 'hello', tools }) - responses({ input: 'hello' })).toBe(t(JSON.stringify(tools)));
  });
});
