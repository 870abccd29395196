import { describe, expect, it } from 'vitest';
import { usageFromBody } from './extract.ts';
import type { StreamOutcome } from './extract.ts';
import { loadFixtures, readFixture, runStream, usageFromManifest } from './upstream-fixtures.testing.ts';

const successFixtures = loadFixtures().filter((fixture) => fixture.httpStatus === 200);
const streamFixtures = successFixtures.filter((fixture) => fixture.file.endsWith('.sse'));
const bodyFixtures = successFixtures.filter((fixture) => fixture.file.endsWith('.json'));

/** Stream fixtures that do not end with `[DONE]` or a completed Responses event. */
const OUTCOMES: Record<string, StreamOutcome> = {
  'openai-chat-stream-error-midway.sse': 'error',
  'openai-responses-stream-error-insufficient-quota.sse': 'error',
  'openai-responses-stream-error-event-spec-shape.sse': 'error',
  'synthetic-sse-eof-without-terminating-blank-line.sse': 'truncated',
};

/** Stream fixtures whose usage arrives on a chunk without choices, which a relay strips when it asked for usage itself. */
const USAGE_ONLY_CHUNKS = new Set([
  'openai-chat-stream-include-usage.sse',
  'openai-chat-stream-tool-calls.sse',
  'openai-chat-stream-n2.sse',
  'openai-completions-legacy-stream-include-usage.sse',
  'azure-openai-chat-stream-prompt-filter-usage.sse',
  'vllm-chat-stream-continuous-usage.sse',
  'ollama-chat-stream-include-usage.sse',
  'llamacpp-chat-stream-usage-timings.sse',
  'xai-chat-stream-reasoning-outside-completion-tokens.sse',
  'synthetic-sse-framing-edge-cases-crlf.sse',
  'synthetic-sse-eof-without-terminating-blank-line.sse',
  'synthetic-usage-chunk-choices-null.sse',
]);

describe('usage fixtures', () => {
  it('load from the manifest', () => {
    expect(streamFixtures.length).toBeGreaterThanOrEqual(20);
    expect(bodyFixtures.length).toBeGreaterThanOrEqual(6);
    expect(streamFixtures.length + bodyFixtures.length).toBe(successFixtures.length);
  });
});

describe('usageFromBody', () => {
  it.each(bodyFixtures)('reads $file ($endpoint)', ({ file, endpoint, expectedUsage }) => {
    const body: unknown = JSON.parse(new TextDecoder().decode(readFixture(file)));

    const usage = usageFromBody(endpoint, body);

    if (expectedUsage.present) {
      expect(usage).toStrictEqual(usageFromManifest(expectedUsage));
    } else {
      expect(usage).toBeNull();
    }
  });
});

describe('StreamUsageReader', () => {
  it.each(streamFixtures)('reads usage of $file ($endpoint)', ({ file, endpoint, expectedUsage }) => {
    const run = runStream(endpoint, [readFixture(file)]);

    if (expectedUsage.present) {
      expect(run.usage).toStrictEqual(usageFromManifest(expectedUsage));
    } else if (expectedUsage.recoverable_usage_if_lenient === undefined) {
      expect(run.usage).toBeNull();
    } else {
      const recoverable = expectedUsage.recoverable_usage_if_lenient;
      expect(run.usageBeforeEnd).toBeNull();
      expect(run.lastFrame?.event).not.toBeNull();
      expect(run.usage?.inputTokens).toBe(recoverable.input_tokens);
      expect(run.usage?.outputTokens).toBe(recoverable.output_tokens);
    }
  });

  it.each(streamFixtures)('reads outcome of $file', ({ file, endpoint }) => {
    const run = runStream(endpoint, [readFixture(file)]);

    expect(run.outcome).toBe(OUTCOMES[file] ?? 'completed');
  });

  it.each(streamFixtures)('flags the usage-only chunk of $file', ({ file, endpoint }) => {
    const run = runStream(endpoint, [readFixture(file)]);
    const usageOnly = run.observations.filter((observation) => observation.usageOnly);

    expect(usageOnly.length).toBe(USAGE_ONLY_CHUNKS.has(file) ? 1 : 0);
  });

  it('flags only the Azure usage chunk', () => {
    const run = runStream('chat.completions', [readFixture('azure-openai-chat-stream-prompt-filter-usage.sse')]);
    const last = run.observations.length - 1;

    expect(run.observations[0]?.usageOnly).toBe(false);
    expect(run.observations[last - 1]?.usageOnly).toBe(true);
    expect(run.observations[last]?.done).toBe(true);
  });

  it('keeps the chat error message', () => {
    const run = runStream('chat.completions', [readFixture('openai-chat-stream-error-midway.sse')]);

    expect(run.errorMessage).toBe('The server had an error while processing your request. Sorry about that!');
    expect(run.observations.at(-1)?.error).toBe(true);
  });

  it('keeps the nested Responses error message', () => {
    const run = runStream('responses', [readFixture('openai-responses-stream-error-insufficient-quota.sse')]);

    expect(run.errorMessage).toMatch(/^You exceeded your current quota, please check your plan and billing details\./);
    expect(run.observations.map((observation) => observation.error)).toEqual([false, false, true, true]);
    expect(run.observations.at(-1)?.terminal).toBe(true);
  });

  it('keeps the top-level Responses error message', () => {
    const run = runStream('responses', [readFixture('openai-responses-stream-error-event-spec-shape.sse')]);

    expect(run.errorMessage).toBe('An error occurred while processing your request. You can retry your request.');
  });

  it('has no error message after a completed stream', () => {
    const run = runStream('chat.completions', [readFixture('openai-chat-stream-include-usage.sse')]);

    expect(run.errorMessage).toBeNull();
  });

  it('marks the terminal Responses event', () => {
    const run = runStream('responses', [readFixture('openai-responses-stream-incomplete.sse')]);
    const terminal = run.observations.map((observation) => observation.terminal);

    expect(terminal.filter(Boolean).length).toBe(1);
    expect(terminal.at(-1)).toBe(true);
  });

  it('marks [DONE] once', () => {
    const run = runStream('chat.completions', [readFixture('synthetic-sse-framing-edge-cases-crlf.sse')]);
    const done = run.observations.map((observation) => observation.done);

    expect(done.filter(Boolean).length).toBe(1);
    expect(done.at(-1)).toBe(true);
  });

  it.each([
    ['openai-chat-stream-include-usage.sse', 'chat.completions', 'Sure — three habits: drink water, walk daily, sleep well 😴.'],
    [
      'openai-chat-stream-tool-calls.sse',
      'chat.completions',
      'get_weather{"city":"Lisbon"}get_local_time{"timezone":"Europe/Lisbon"}',
    ],
    ['together-chat-stream-finish-eos-usage.sse', 'chat.completions', "Sure! Here's a joke."],
    ['synthetic-sse-framing-edge-cases-crlf.sse', 'chat.completions', 'Grüß dich'],
    [
      'openai-completions-legacy-stream-include-usage.sse',
      'completions',
      '\n\n1. Check the fuel gauge.\n2. Adjust the mirrors.\n3. Fasten',
    ],
    ['openai-responses-stream.sse', 'responses', 'Oak, maple, and birch.'],
  ] as const)('collects output text of %s', (file, endpoint, expected) => {
    const run = runStream(endpoint, [readFixture(file)]);

    expect(run.outputText).toBe(expected);
  });
});
