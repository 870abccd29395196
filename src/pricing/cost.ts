/**
 * Exact costs in currency units. Rates are per 1M tokens, so each cost is
 * sum(tokens × rate) × 10^-6, computed with big.js multiplication only: no
 * division, no rounding. Rounding to ledger units happens later, once per
 * ledger entry, in `toMinorUnits`.
 */
import Big from 'big.js';

import type { Usage } from '../usage/types.ts';
import { PricingError } from './errors.ts';
import type { ModelPrice } from './types.ts';

const PER_TOKEN = new Big('0.000001');

/**
 * Returns the exact cost of a usage record. Input splits into uncached text
 * (input − cached − audio input), cached input and audio input. Output
 * splits into text (output − audio output, reasoning included) and audio
 * output.
 *
 * Throws PricingError when the usage has audio tokens but the model has no
 * audio rate. Throws RangeError when a count is not a non-negative integer,
 * or when subsets add up to more than their total.
 */
export function costOf(price: ModelPrice, usage: Usage): Big {
  const input = tokenCount(price, 'inputTokens', usage.inputTokens);
  const cached = tokenCount(price, 'cachedInputTokens', usage.cachedInputTokens);
  const audioInput = tokenCount(price, 'audioInputTokens', usage.audioInputTokens);
  const output = tokenCount(price, 'outputTokens', usage.outputTokens);
  const audioOutput = tokenCount(price, 'audioOutputTokens', usage.audioOutputTokens);

  const uncachedText = input - cached - audioInput;
  if (uncachedText < 0) {
    throw new RangeError(
      `invalid usage for model "${price.model}": cached (${cached}) plus audio (${audioInput}) input tokens exceed the ${input} input tokens`,
    );
  }

  const textOutput = output - audioOutput;
  if (textOutput < 0) {
    throw new RangeError(
      `invalid usage for model "${price.model}": ${audioOutput} audio output tokens exceed the ${output} output tokens`,
    );
  }

  const perMillion = times(uncachedText, price.input)
    .plus(times(cached, price.cachedInput))
    .plus(times(audioInput, audioRate(price, 'audio_input', price.audioInput, audioInput)))
    .plus(times(textOutput, price.output))
    .plus(times(audioOutput, audioRate(price, 'audio_output', price.audioOutput, audioOutput)));

  return perMillion.times(PER_TOKEN);
}

/**
 * Returns the exact cost of a prepaid hold: every estimated input token at the
 * uncached input rate and every output token at the text output rate.
 */
export function holdCostOf(price: ModelPrice, inputTokens: number, outputTokens: number): Big {
  const input = tokenCount(price, 'inputTokens', inputTokens);
  const output = tokenCount(price, 'outputTokens', outputTokens);

  return times(input, price.input).plus(times(output, price.output)).times(PER_TOKEN);
}

function times(tokens: number, rate: Big): Big {
  return rate.times(tokens.toString());
}

function tokenCount(price: ModelPrice, name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`invalid usage for model "${price.model}": ${name} must be a non-negative integer, got ${value}`);
  }

  return value;
}

function audioRate(price: ModelPrice, field: string, rate: Big | null, tokens: number): Big {
  if (rate !== null) {
    return rate;
  }

  if (tokens > 0) {
    throw new PricingError(`missing: the usage has ${tokens} audio tokens but the price list sets no ${field} rate for this model`, {
      file: price.path,
      model: price.model,
      field,
    });
  }

  return new Big(0);
}
