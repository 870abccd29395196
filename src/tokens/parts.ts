/**
 * Counting of the values shared by Chat Completions and Responses requests:
 * content parts, tool definitions and unknown values.
 */
import { AUDIO_PART_TOKENS, FILE_PART_TOKENS, IMAGE_PART_TOKENS } from './allowances.ts';
import type { TokenCounter } from './encoding.ts';

/** Part types of both APIs whose text is in their `text` field. */
const TEXT_PART_TYPES = new Set(['text', 'input_text', 'output_text', 'summary_text', 'reasoning_text']);
const IMAGE_PART_TYPES = new Set(['image_url', 'input_image']);
const AUDIO_PART_TYPES = new Set(['input_audio', 'audio']);
const FILE_PART_TYPES = new Set(['file', 'input_file']);

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Counts a value of unknown shape: a string as text, anything else as its
 * JSON text, which leans high because it includes keys and punctuation.
 */
export function countValue(value: unknown, count: TokenCounter): number {
  if (value === undefined || value === null) {
    return 0;
  }

  if (typeof value === 'string') {
    return count(value);
  }

  return count(JSON.stringify(value));
}

/** Counts message content: a string, or a list of text, image, audio and file parts. */
export function countContent(content: unknown, count: TokenCounter): number {
  if (!Array.isArray(content)) {
    return countValue(content, count);
  }

  let tokens = 0;
  for (const part of content) {
    tokens += countPart(part, count);
  }

  return tokens;
}

function countPart(part: unknown, count: TokenCounter): number {
  if (!isRecord(part)) {
    return countValue(part, count);
  }

  const type = typeof part.type === 'string' ? part.type : '';

  if (TEXT_PART_TYPES.has(type)) {
    return countValue(part.text, count);
  }

  if (IMAGE_PART_TYPES.has(type)) {
    return IMAGE_PART_TOKENS;
  }

  if (AUDIO_PART_TYPES.has(type)) {
    return AUDIO_PART_TOKENS;
  }

  if (FILE_PART_TYPES.has(type)) {
    return FILE_PART_TOKENS;
  }

  if (type === 'refusal') {
    return countValue(part.refusal, count);
  }

  return countValue(part, count);
}

/**
 * Counts tool or function definitions as their JSON text. OpenAI renders
 * them into the prompt in its own syntax, so this is an estimate.
 */
export function countToolDefinitions(tools: unknown, count: TokenCounter): number {
  if (!Array.isArray(tools) || tools.length === 0) {
    return 0;
  }

  return count(JSON.stringify(tools));
}

/** Counts a call to a tool as the JSON text of its name and arguments. */
export function countToolCall(name: unknown, args: unknown, count: TokenCounter): number {
  return count(JSON.stringify({ name, arguments: args }));
}
