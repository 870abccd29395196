/**
 * Exact money for the ledger boundary.
 *
 * Every amount that reaches a ledger is a bigint count of minor units at the
 * currency's fixed precision (10^decimals units per currency unit). Amounts
 * travel through the API as decimal strings and are computed with big.js, so
 * no amount ever passes through a JavaScript number.
 *
 * Rounding rule: a cost is computed exactly with big.js and converted to
 * minor units once per ledger entry, rounding half up (away from zero at .5).
 * With the default of 9 decimals for USD, every price per 1M tokens with up
 * to 3 decimals (for example $0.005) prices each single token exactly, so the
 * rule only matters for unusual price lists.
 */
import Big from 'big.js';

export interface Currency {
  code: string;
  /** Digits after the decimal point; the ledger precision is 10^decimals. */
  decimals: number;
}

export class AmountError extends Error {
  override name = 'AmountError';
}

const DECIMAL_PATTERN = /^(0|[1-9][0-9]*)(\.[0-9]+)?$/;

/** Returns 10^decimals, the ledger precision of the currency. */
export function precisionOf(currency: Currency): bigint {
  return 10n ** BigInt(currency.decimals);
}

/**
 * Parses a positive decimal string such as "12.50" into minor units.
 * Rejects signs, exponents, empty strings, zero and any digit below the
 * currency's precision, so that what is parsed is exactly what was written.
 */
export function parseAmount(text: unknown, currency: Currency): bigint {
  if (typeof text !== 'string' || !DECIMAL_PATTERN.test(text)) {
    throw new AmountError(
      `invalid amount ${JSON.stringify(text)}: expected a positive decimal string such as "12.50"`,
    );
  }

  const [whole, fraction = ''] = text.split('.');
  const digits = fraction.replace(/^\./, '');

  if (digits.length > currency.decimals && /[1-9]/.test(digits.slice(currency.decimals))) {
    throw new AmountError(
      `invalid amount "${text}": ${currency.code} has ${currency.decimals} decimals, so the smallest amount is ${formatAmount(1n, currency)}`,
    );
  }

  const units = BigInt(whole!) * precisionOf(currency) + BigInt(digits.slice(0, currency.decimals).padEnd(currency.decimals, '0') || '0');

  if (units === 0n) {
    throw new AmountError(`invalid amount "${text}": it must be greater than zero`);
  }

  return units;
}

/**
 * Formats minor units as a decimal string in currency units, with trailing
 * zeros trimmed down to two decimals: 12500000000n at 9 decimals is "12.50".
 */
export function formatAmount(units: bigint, currency: Currency): string {
  const negative = units < 0n;
  const magnitude = negative ? -units : units;
  const precision = precisionOf(currency);

  const whole = magnitude / precision;
  let fraction = (magnitude % precision).toString().padStart(currency.decimals, '0');
  fraction = fraction.replace(/0+$/, '');

  if (fraction.length < 2 && currency.decimals >= 2) {
    fraction = fraction.padEnd(2, '0');
  }

  const text = fraction.length > 0 ? `${whole}.${fraction}` : `${whole}`;
  return negative ? `-${text}` : text;
}

/**
 * Converts an exact cost in currency units to minor units, rounding half up.
 * This is the one rounding step of an entry.
 */
export function toMinorUnits(amount: Big, currency: Currency): bigint {
  const scaled = amount.times(new Big(precisionOf(currency).toString())).round(0, Big.roundHalfUp);
  return BigInt(scaled.toFixed(0));
}

/** Converts minor units back to an exact big.js amount in currency units. */
export function fromMinorUnits(units: bigint, currency: Currency): Big {
  return new Big(units.toString()).div(new Big(precisionOf(currency).toString()));
}
