/**
 * Usage, outcome and output text of a streamed response, read event by
 * event from the parsed SSE stream.
 */
import type { SseEvent } from '../sse/reader.ts';
import type { Endpoint, Usage } from './types.ts';
import { chatUsageOf } from './body.ts';
import { errorMessageOf, isRecord, parseJson, recordOrEmpty } from './json.ts';
import type { JsonRecord } from './json.ts';
import { normalizeUsage } from './normalize.ts';
import { chunkOutputText, responsesOutputText } from './output-text.ts';

/** What one event was, for a relay that decides whether to forward it. */
export interface StreamObservation {
  /**
   * A Chat/Completions chunk with absent, null or empty `choices` that
   * carries a usage object: the chunk that `stream_options.include_usage`
   * adds. A chunk with empty `choices` and no usage, such as Azure's first
   * chunk, is not one.
   */
  usageOnly: boolean;
  /** The data is `[DONE]`. */
  done: boolean;
  /** A Responses API terminal event: `response.completed`, `response.incomplete` or `response.failed`. */
  terminal: boolean;
  /**
   * An error event: data with a non-null top-level `error`, a choice with
   * `finish_reason: "error"`, a Responses `error` event or `response.failed`.
   */
  error: boolean;
}

export type StreamOutcome = 'completed' | 'error' | 'truncated';

const MISSING_ERROR_MESSAGE = 'the upstream reported an error without a message';
const RESPONSES_TERMINAL_EVENTS = new Set(['response.completed', 'response.incomplete', 'response.failed']);

/**
 * Reads one stream. Usage is replaced by each later report, never summed,
 * because upstreams repeat it (Groq), send running totals (vLLM continuous
 * usage) or send zero placeholders first (Ollama).
 */
export class StreamUsageReader {
  readonly #endpoint: Endpoint;
  #usage: Usage | null = null;
  #outputText = '';
  #sawEnd = false;
  #sawError = false;
  #errorMessage: string | null = null;
  #finished = false;

  constructor(endpoint: Endpoint) {
    this.#endpoint = endpoint;
  }

  /** Reads one event. Call it for every event of the stream, in order. */
  observe(event: SseEvent): StreamObservation {
    if (this.#finished) {
      throw new Error('StreamUsageReader.observe() was called after finish(). Use a new reader for each stream.');
    }

    const observation: StreamObservation = { usageOnly: false, done: false, terminal: false, error: false };
    if (event.data.trim() === '[DONE]') {
      this.#sawEnd = true;
      observation.done = true;
      return observation;
    }

    const payload = parseJson(event.data);
    if (this.#endpoint === 'responses') {
      this.#observeResponsesEvent(event, payload, observation);
    } else if (isRecord(payload)) {
      this.#observeChunk(payload, observation);
    }
    return observation;
  }

  /** Marks the end of the stream, after which `observe` throws. */
  finish(): void {
    this.#finished = true;
  }

  /** The last usage the stream reported, or null when it reported none. */
  get usage(): Usage | null {
    return this.#usage;
  }

  /** Visible output seen so far, for counting output tokens locally when usage is missing. */
  get outputText(): string {
    return this.#outputText;
  }

  /**
   * The stream's outcome: `error` once an error event was seen, else
   * `completed` once `[DONE]`, `response.completed` or
   * `response.incomplete` was seen, else `truncated`.
   */
  get outcome(): StreamOutcome {
    if (this.#sawError) {
      return 'error';
    }
    return this.#sawEnd ? 'completed' : 'truncated';
  }

  /** The first message that an error event carried, or null when the stream had no error. */
  get errorMessage(): string | null {
    if (!this.#sawError) {
      return null;
    }
    return this.#errorMessage ?? MISSING_ERROR_MESSAGE;
  }

  #observeChunk(chunk: JsonRecord, observation: StreamObservation): void {
    const usage = chatUsageOf(chunk);
    if (usage !== null) {
      this.#usage = usage;
    }

    const choices = Array.isArray(chunk.choices) ? chunk.choices : [];
    this.#outputText += chunkOutputText(this.#endpoint, choices);

    observation.error = this.#readChunkError(chunk, choices);

    const noChoices = chunk.choices === undefined || chunk.choices === null || isEmptyArray(chunk.choices);
    observation.usageOnly = noChoices && isRecord(chunk.usage) && !observation.error;
  }

  /** Records an error that the chunk reports and returns whether it reports one. */
  #readChunkError(chunk: JsonRecord, choices: unknown[]): boolean {
    if (chunk.error !== undefined && chunk.error !== null) {
      this.#recordError(errorMessageOf(chunk.error));
      return true;
    }

    // Older vLLM releases format errors as an unwrapped object with `object: "error"`.
    if (chunk.object === 'error') {
      this.#recordError(errorMessageOf(chunk));
      return true;
    }

    // OpenRouter ends a choice with finish_reason "error" when the provider fails mid-stream.
    if (choices.some((choice) => recordOrEmpty(choice).finish_reason === 'error')) {
      this.#recordError(null);
      return true;
    }
    return false;
  }

  #observeResponsesEvent(event: SseEvent, payload: unknown, observation: StreamObservation): void {
    const data = recordOrEmpty(payload);
    const type = typeof data.type === 'string' ? data.type : event.event;

    if (RESPONSES_TERMINAL_EVENTS.has(type)) {
      this.#observeResponsesTerminal(type, recordOrEmpty(data.response), observation);
      return;
    }

    // Error events carry `message` at the top level or nested under `error`,
    // and both shapes occur.
    if (type === 'error' || event.event === 'error' || (data.error !== undefined && data.error !== null)) {
      observation.error = true;
      this.#recordError(errorMessageOf(data.error) ?? errorMessageOf(data));
      return;
    }

    this.#outputText += responsesOutputText(type, data);
  }

  #observeResponsesTerminal(type: string, response: JsonRecord, observation: StreamObservation): void {
    observation.terminal = true;

    const usage = normalizeUsage(response.usage);
    if (usage !== null) {
      this.#usage = usage;
    }

    if (type === 'response.failed') {
      observation.error = true;
      this.#recordError(errorMessageOf(response.error));
    } else {
      this.#sawEnd = true;
    }
  }

  #recordError(message: string | null): void {
    this.#sawError = true;
    this.#errorMessage ??= message;
  }
}

function isEmptyArray(value: unknown): boolean {
  return Array.isArray(value) && value.length === 0;
}
