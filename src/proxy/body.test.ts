import { describe, expect, it } from 'vitest';

import { rewriteBody } from './body.ts';

describe('rewriteBody', () => {
  it('inserts new keys and keeps every other byte', () => {
    const text = '{ "model":"m", "seed": 12345678901234567890 }';

    const result = rewriteBody(text, JSON.parse(text), { includeUsage: true, add: { max_completion_tokens: 100 } });

    expect(result).toBe('{"stream_options":{"include_usage":true},"max_completion_tokens":100, "model":"m", "seed": 12345678901234567890 }');
  });

  it('inserts into an empty object without a trailing comma', () => {
    expect(rewriteBody('{}', {}, { includeUsage: false, add: { max_output_tokens: 5 } })).toBe('{"max_output_tokens":5}');
  });

  it('returns the text unchanged without changes', () => {
    expect(rewriteBody('{"a":1}', { a: 1 }, { includeUsage: false, add: {} })).toBe('{"a":1}');
  });

  it('merges into the client stream_options and keeps large numbers', () => {
    const text = '{"seed":12345678901234567890,"temperature":1.0,"stream_options":{"include_obfuscation":false}}';

    const result = rewriteBody(text, JSON.parse(text), { includeUsage: true, add: {} });

    expect(result).toBe('{"seed":12345678901234567890,"temperature":1.0,"stream_options":{"include_obfuscation":false,"include_usage":true}}');
  });

  it('replaces a cap set to null', () => {
    const text = '{"max_completion_tokens":null,"seed":12345678901234567890}';

    const result = rewriteBody(text, JSON.parse(text), { includeUsage: false, add: { max_completion_tokens: 64 } });

    expect(result).toBe('{"max_completion_tokens":64,"seed":12345678901234567890}');
  });
});
