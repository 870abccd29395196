import { describe, expect, it } from 'vitest';
import type { SseEvent } from '../sse/reader.ts';
import { StreamUsageReader } from './stream.ts';
import type { Endpoint } from './types.ts';

function event(data: unknown, type = 'message'): SseEvent {
  return { event: type, data: typeof data === 'string' ? data : JSON.stringify(data) };
}

function read(endpoint: Endpoint, events: SseEvent[]): StreamUsageReader {
  const reader = new StreamUsageReader(endpoint);
  for (const item of events) {
    reader.observe(item);
  }
  reader.finish();
  return reader;
}

const choice = { index: 0, delta: { content: 'x' }, finish_reason: null };

describe('StreamUsageReader', () => {
  it('replaces usage instead of adding it', () => {
    const reader = read('chat.completions', [
      event({ choices: [choice], usage: { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 } }),
      event({ choices: [choice], usage: { prompt_tokens: 7, completion_tokens: 2, total_tokens: 9 } }),
      event({ choices: [], usage: { prompt_tokens: 7, completion_tokens: 2, total_tokens: 9 } }),
    ]);

    expect(reader.usage?.inputTokens).toBe(7);
    expect(reader.usage?.outputTokens).toBe(2);
  });

  it('ignores a null usage after a real one', () => {
    const reader = read('chat.completions', [
      event({ choices: [], usage: { prompt_tokens: 7, completion_tokens: 2 } }),
      event({ choices: [choice], usage: null }),
    ]);

    expect(reader.usage?.inputTokens).toBe(7);
  });

  it('reads x_groq.usage without top-level usage', () => {
    const reader = read('chat.completions', [
      event({ choices: [choice], x_groq: { id: 'req_1', usage: { prompt_tokens: 21, completion_tokens: 12 } } }),
    ]);

    expect(reader.usage?.inputTokens).toBe(21);
  });

  it('prefers top-level usage over x_groq.usage', () => {
    const reader = read('chat.completions', [
      event({
        choices: [choice],
        usage: { prompt_tokens: 5, completion_tokens: 1 },
        x_groq: { usage: { prompt_tokens: 99, completion_tokens: 99 } },
      }),
    ]);

    expect(reader.usage?.inputTokens).toBe(5);
  });

  it('reads llama.cpp timings beside usage', () => {
    const reader = read('chat.completions', [
      event({ choices: [], usage: { prompt_tokens: 42, completion_tokens: 8 }, timings: { cache_n: 36 } }),
    ]);

    expect(reader.usage?.cachedInputTokens).toBe(36);
  });

  it.each([
    ['choices absent', { usage: { prompt_tokens: 1 } }, true],
    ['choices null', { choices: null, usage: { prompt_tokens: 1 } }, true],
    ['choices empty', { choices: [], usage: { prompt_tokens: 1 } }, true],
    ['choices empty without usage', { choices: [], prompt_filter_results: [] }, false],
    ['choices empty with null usage', { choices: [], usage: null }, false],
    ['a choice and usage', { choices: [choice], usage: { prompt_tokens: 1 } }, false],
    ['an error and usage', { error: { message: 'boom' }, usage: { prompt_tokens: 1 } }, false],
  ])('sets usageOnly for %s to %s', (_name, chunk, expected) => {
    const reader = new StreamUsageReader('chat.completions');

    expect(reader.observe(event(chunk)).usageOnly).toBe(expected);
  });

  it('compares [DONE] after trimming', () => {
    const reader = new StreamUsageReader('chat.completions');

    expect(reader.observe(event(' [DONE]\n')).done).toBe(true);
    expect(reader.outcome).toBe('completed');
  });

  it('reports truncated without an end marker', () => {
    const reader = read('chat.completions', [event({ choices: [choice] })]);

    expect(reader.outcome).toBe('truncated');
  });

  it('reads a string error', () => {
    const reader = new StreamUsageReader('chat.completions');

    expect(reader.observe(event({ error: 'model crashed' })).error).toBe(true);
    expect(reader.errorMessage).toBe('model crashed');
  });

  it('reads an unwrapped error object', () => {
    const reader = read('chat.completions', [event({ object: 'error', message: 'bad request', code: 400 })]);

    expect(reader.outcome).toBe('error');
    expect(reader.errorMessage).toBe('bad request');
  });

  it('reads finish_reason error', () => {
    const reader = new StreamUsageReader('chat.completions');
    const chunk = { choices: [{ index: 0, delta: {}, finish_reason: 'error' }] };

    expect(reader.observe(event(chunk)).error).toBe(true);
    expect(reader.errorMessage).toBe('the upstream reported an error without a message');
  });

  it('reports error even after [DONE]', () => {
    const reader = read('chat.completions', [event({ error: { message: 'overloaded', code: 500 } }), event('[DONE]')]);

    expect(reader.outcome).toBe('error');
  });

  it('keeps the first error message', () => {
    const reader = read('chat.completions', [event({ error: { message: 'first' } }), event({ error: 'second' })]);

    expect(reader.errorMessage).toBe('first');
  });

  it('ignores data that is not JSON', () => {
    const reader = new StreamUsageReader('chat.completions');

    expect(reader.observe(event('hello'))).toEqual({ usageOnly: false, done: false, terminal: false, error: false });
    expect(reader.usage).toBeNull();
  });

  it('tolerates choices that are not objects', () => {
    const reader = read('chat.completions', [event({ choices: [null, 5, 'x', { delta: null }] })]);

    expect(reader.outputText).toBe('');
  });

  it('ignores Responses usage outside terminal events', () => {
    const reader = read('responses', [
      event({ type: 'response.in_progress', response: { usage: { input_tokens: 5, output_tokens: 1 } } }),
    ]);

    expect(reader.usage).toBeNull();
  });

  it('reads usage of response.failed', () => {
    const reader = new StreamUsageReader('responses');
    const failed = {
      type: 'response.failed',
      response: { error: { code: 'server_error', message: 'failed midway' }, usage: { input_tokens: 5, output_tokens: 2 } },
    };

    expect(reader.observe(event(failed, 'response.failed'))).toEqual({
      usageOnly: false,
      done: false,
      terminal: true,
      error: true,
    });
    expect(reader.usage?.outputTokens).toBe(2);
    expect(reader.outcome).toBe('error');
    expect(reader.errorMessage).toBe('failed midway');
  });

  it('reads a Responses error event without JSON', () => {
    const reader = new StreamUsageReader('responses');

    expect(reader.observe(event('upstream went away', 'error')).error).toBe(true);
    expect(reader.outcome).toBe('error');
  });

  it('collects Responses function calls', () => {
    const reader = read('responses', [
      event({ type: 'response.output_item.added', item: { type: 'function_call', name: 'get_weather' } }),
      event({ type: 'response.function_call_arguments.delta', delta: '{"city":' }),
      event({ type: 'response.function_call_arguments.delta', delta: '"Oslo"}' }),
      event({ type: 'response.output_text.done', text: 'ignored' }),
    ]);

    expect(reader.outputText).toBe('get_weather{"city":"Oslo"}');
  });

  it('collects legacy function_call deltas', () => {
    const reader = read('chat.completions', [
      event({ choices: [{ index: 0, delta: { function_call: { name: 'lookup', arguments: '{}' } } }] }),
    ]);

    expect(reader.outputText).toBe('lookup{}');
  });

  it('rejects observe after finish', () => {
    const reader = read('chat.completions', []);

    expect(() => reader.observe(event('[DONE]'))).toThrow(/after finish/);
  });
});

describe('StreamUsageReader reasoning text', () => {
  it('counts streamed reasoning as output text', () => {
    const reader = new StreamUsageReader('chat.completions');

    reader.observe({ event: 'message', data: JSON.stringify({ choices: [{ index: 0, delta: { reasoning_content: 'Think. ' } }] }) });
    reader.observe({ event: 'message', data: JSON.stringify({ choices: [{ index: 0, delta: { reasoning: 'More. ' } }] }) });
    reader.observe({ event: 'message', data: JSON.stringify({ choices: [{ index: 0, delta: { content: 'Paris.' } }] }) });

    expect(reader.outputText).toBe('Think. More. Paris.');
  });

  it('counts reasoning sent in both fields once', () => {
    const reader = new StreamUsageReader('chat.completions');

    reader.observe({ event: 'message', data: JSON.stringify({ choices: [{ index: 0, delta: { reasoning_content: 'Same. ', reasoning: 'Same. ' } }] }) });

    expect(reader.outputText).toBe('Same. ');
  });
});
