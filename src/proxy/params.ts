/**
 * Checks of the request fields that size the prepaid hold, so that a value
 * the hold arithmetic cannot use is a 400 before any hold, not a failure
 * later. The upstream validates everything else.
 */
import { GatewayError } from '../errors.ts';

/** Upper bounds well above what any current model accepts; they only keep the hold arithmetic finite. */
const LIMITS: Record<string, { min: number; max: number }> = {
  n: { min: 1, max: 128 },
  best_of: { min: 1, max: 128 },
  max_tokens: { min: 0, max: 10_000_000 },
  max_completion_tokens: { min: 0, max: 10_000_000 },
  max_output_tokens: { min: 0, max: 10_000_000 },
};

export function checkSizingParams(body: Record<string, unknown>): void {
  for (const [param, { min, max }] of Object.entries(LIMITS)) {
    const value = body[param];

    if (value === undefined || value === null) {
      continue;
    }
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      throw new GatewayError('invalid_request', `"${param}" must be an integer from ${min} to ${max}, got ${JSON.stringify(value)}.`, { param });
    }
  }
}
