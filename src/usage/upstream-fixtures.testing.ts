/**
 * Test support: loads the upstream wire fixtures of `test/fixtures/upstream`
 * and runs stream fixtures through `SseFramer` and `StreamUsageReader`.
 */
import { readFileSync } from 'node:fs';
import { SseFramer } from '../sse/reader.ts';
import type { SseEvent, SseFrame } from '../sse/reader.ts';
import { StreamUsageReader } from './stream.ts';
import type { StreamObservation, StreamOutcome } from './stream.ts';
import type { Endpoint, Usage } from './types.ts';

const FIXTURE_DIR = new URL('../../test/fixtures/upstream/', import.meta.url);

/** `expected_usage` of a manifest entry. */
export interface ExpectedUsage {
  present: boolean;
  input_tokens?: number;
  cached_input_tokens?: number;
  output_tokens?: number;
  reasoning_tokens?: number;
  audio_input_tokens?: number;
  audio_output_tokens?: number;
  cache_write_tokens?: number | null;
  reported_total_tokens?: number | null;
  recoverable_usage_if_lenient?: { input_tokens: number; output_tokens: number };
}

export interface UpstreamFixture {
  file: string;
  endpoint: Endpoint;
  httpStatus: number;
  expectedUsage: ExpectedUsage;
}

interface ManifestEntry {
  file: string;
  endpoint: string;
  http_status: number;
  expected_usage: ExpectedUsage;
}

/** Returns every manifest entry, with the endpoint read from its request line. */
export function loadFixtures(): UpstreamFixture[] {
  const manifest = JSON.parse(readFileSync(new URL('manifest.json', FIXTURE_DIR), 'utf8')) as {
    fixtures: ManifestEntry[];
  };

  return manifest.fixtures.map((entry) => ({
    file: entry.file,
    endpoint: endpointOf(entry.endpoint),
    httpStatus: entry.http_status,
    expectedUsage: entry.expected_usage,
  }));
}

export function readFixture(file: string): Uint8Array {
  return new Uint8Array(readFileSync(new URL(file, FIXTURE_DIR)));
}

/** Maps a manifest request line such as `POST https://host/v1/chat/completions` to its endpoint. */
export function endpointOf(requestLine: string): Endpoint {
  if (requestLine.includes('chat/completions')) {
    return 'chat.completions';
  }
  if (requestLine.includes('/v1/completions')) {
    return 'completions';
  }
  if (requestLine.includes('/v1/embeddings')) {
    return 'embeddings';
  }
  if (requestLine.includes('/v1/responses')) {
    return 'responses';
  }
  throw new Error(`no billed endpoint in manifest request line "${requestLine}"`);
}

/** Converts `expected_usage` with `present: true` to the `Usage` it describes. */
export function usageFromManifest(expected: ExpectedUsage): Usage {
  return {
    inputTokens: requireCount(expected.input_tokens, 'input_tokens'),
    cachedInputTokens: requireCount(expected.cached_input_tokens, 'cached_input_tokens'),
    outputTokens: requireCount(expected.output_tokens, 'output_tokens'),
    reasoningTokens: requireCount(expected.reasoning_tokens, 'reasoning_tokens'),
    audioInputTokens: requireCount(expected.audio_input_tokens, 'audio_input_tokens'),
    audioOutputTokens: requireCount(expected.audio_output_tokens, 'audio_output_tokens'),
    cacheWriteTokens: requireKey(expected.cache_write_tokens, 'cache_write_tokens'),
    reportedTotalTokens: requireKey(expected.reported_total_tokens, 'reported_total_tokens'),
  };
}

function requireCount(value: number | undefined, key: string): number {
  if (value === undefined) {
    throw new Error(`manifest expected_usage has no ${key}`);
  }
  return value;
}

function requireKey(value: number | null | undefined, key: string): number | null {
  if (value === undefined) {
    throw new Error(`manifest expected_usage has no ${key}`);
  }
  return value;
}

/** Everything one run of a stream produced. */
export interface StreamRun {
  frames: SseFrame[];
  /** The frame `end()` returned, or null. */
  lastFrame: SseFrame | null;
  events: SseEvent[];
  observations: StreamObservation[];
  /** Usage before the event of `end()`'s frame was observed: what a strict parser would bill. */
  usageBeforeEnd: Usage | null;
  usage: Usage | null;
  outcome: StreamOutcome;
  errorMessage: string | null;
  outputText: string;
}

/** Pushes the chunks through a framer and feeds every event, including `end()`'s, to a reader. */
export function runStream(endpoint: Endpoint, chunks: Uint8Array[]): StreamRun {
  const framer = new SseFramer();
  const reader = new StreamUsageReader(endpoint);
  const frames: SseFrame[] = [];
  const events: SseEvent[] = [];
  const observations: StreamObservation[] = [];

  const observe = (frame: SseFrame): void => {
    if (frame.event !== null) {
      events.push(frame.event);
      observations.push(reader.observe(frame.event));
    }
  };

  for (const chunk of chunks) {
    for (const frame of framer.push(chunk)) {
      frames.push(frame);
      observe(frame);
    }
  }

  const usageBeforeEnd = reader.usage;
  const lastFrame = framer.end();
  if (lastFrame !== null) {
    observe(lastFrame);
  }
  reader.finish();

  return {
    frames,
    lastFrame,
    events,
    observations,
    usageBeforeEnd,
    usage: reader.usage,
    outcome: reader.outcome,
    errorMessage: reader.errorMessage,
    outputText: reader.outputText,
  };
}

/** Returns the bytes of every frame of the run, in order, concatenated. */
export function rawBytesOf(run: StreamRun): Uint8Array {
  const frames = run.lastFrame === null ? run.frames : [...run.frames, run.lastFrame];
  const out = new Uint8Array(frames.reduce((sum, frame) => sum + frame.raw.length, 0));

  let offset = 0;
  for (const frame of frames) {
    out.set(frame.raw, offset);
    offset += frame.raw.length;
  }
  return out;
}

/** Splits the bytes at the given offsets, which must be ascending. */
export function splitAt(bytes: Uint8Array, offsets: number[]): Uint8Array[] {
  const pieces: Uint8Array[] = [];
  let start = 0;
  for (const offset of offsets) {
    pieces.push(bytes.slice(start, offset));
    start = offset;
  }
  pieces.push(bytes.slice(start));
  return pieces;
}
