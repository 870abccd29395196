import type Big from 'big.js';

/**
 * Prices of one model, each in currency units per 1M tokens.
 * Reasoning tokens have no rate of their own because they bill as output.
 */
export interface ModelPrice {
  /** Canonical model name, also when the price was resolved through an alias. */
  model: string;
  currency: string;
  /** Uncached text input. */
  input: Big;
  /** Cached input; equals `input` when the price list sets no cache discount. */
  cachedInput: Big;
  /** Text output, reasoning included. */
  output: Big;
  /** Audio input, or null when the model has no audio input rate. */
  audioInput: Big | null;
  /** Audio output, or null when the model has no audio output rate. */
  audioOutput: Big | null;
  /** The model's own maximum output tokens per completion; 0 for a model without output (embeddings). */
  maxOutputTokens: number;
  /** Output tokens assumed for a prepaid hold when the request sets no output cap. */
  defaultMaxOutputTokens: number;
  /** Path of the price list file that set this price, for error messages. */
  path: string;
}

export interface PriceList {
  /** First 12 hex digits of the SHA-256 of the file's text, stored on every ledger entry. */
  version: string;
  currency: string;
  path: string;
  /** Looks up a model by exact name, then by alias; undefined when neither matches. */
  resolve(model: string): ModelPrice | undefined;
  /** Canonical model names in file order, aliases excluded. */
  models(): string[];
}
