/**
 * The price list: loading and validating pricing.yaml, looking up a model's
 * prices and computing exact costs from them.
 */
import { readFileSync } from 'node:fs';

import { PricingError } from './errors.ts';
import { parsePriceList } from './parse.ts';
import type { PriceList } from './types.ts';

export { costOf, holdCostOf } from './cost.ts';
export { PricingError } from './errors.ts';
export type { PricingErrorLocation } from './errors.ts';
export { parsePriceList } from './parse.ts';
export type { ModelPrice, PriceList } from './types.ts';

/** Reads and validates the price list file at `path`; throws PricingError when it cannot be read or is invalid. */
export function loadPriceList(path: string): PriceList {
  let text: string;

  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new PricingError(`failed to read the price list: ${reason}`, { file: path });
  }

  return parsePriceList(text, path);
}
