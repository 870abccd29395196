/**
 * Token counting with OpenAI's BPE encodings (gpt-tokenizer). Both encodings
 * load when this module is imported, so the first request does not wait for
 * them.
 */
import { countTokens as countCl100k } from 'gpt-tokenizer/encoding/cl100k_base';
import { countTokens as countO200k } from 'gpt-tokenizer/encoding/o200k_base';
import type { EncodeOptions } from 'gpt-tokenizer/GptEncoding';

export type EncodingName = 'o200k_base' | 'cl100k_base';

/** Counts the tokens of one string. */
export type TokenCounter = (text: string) => number;

/** GPT-3.5, GPT-4 (not 4o or 4.1), the embedding models and the 002 base models use cl100k_base. */
const CL100K_MODEL_PATTERN = /^(gpt-3\.5|gpt-35|gpt-4(-|$)|text-embedding-|davinci-002|babbage-002)/;

/**
 * Counts special-token text such as "<|endoftext|>" as ordinary text, as the
 * API does. By default gpt-tokenizer throws on it.
 */
const PLAIN_TEXT: EncodeOptions = { disallowedSpecial: new Set<string>() };

/**
 * Picks the encoding for a model name. A provider prefix such as "openai/" is
 * ignored. Models of other vendors get o200k_base: their own tokenizers
 * differ, so any count for them is an estimate.
 */
export function encodingFor(model: string): EncodingName {
  const name = model.slice(model.lastIndexOf('/') + 1).toLowerCase();
  return CL100K_MODEL_PATTERN.test(name) ? 'cl100k_base' : 'o200k_base';
}

/** Returns a counter bound to the model's encoding, so a request chooses its encoding once. */
export function tokenCounterFor(model: string): TokenCounter {
  const count = encodingFor(model) === 'cl100k_base' ? countCl100k : countO200k;
  return (text) => (text.length === 0 ? 0 : count(text, PLAIN_TEXT));
}

export function countTokens(text: string, model: string): number {
  return tokenCounterFor(model)(text);
}
