import Big from 'big.js';
import { describe, expect, it } from 'vitest';

import { AmountError, formatAmount, fromMinorUnits, parseAmount, toMinorUnits, type Currency } from './money.ts';

const USD: Currency = { code: 'USD', decimals: 9 };

describe('parseAmount', () => {
  it('parses whole and fractional amounts', () => {
    expect(parseAmount('12', USD)).toBe(12_000_000_000n);
    expect(parseAmount('12.5', USD)).toBe(12_500_000_000n);
    expect(parseAmount('0.000000001', USD)).toBe(1n);
  });

  it('accepts trailing zeros past the precision', () => {
    expect(parseAmount('1.0000000000', USD)).toBe(1_000_000_000n);
  });

  it('keeps amounts above 2^53 exact', () => {
    expect(parseAmount('9007199254.740993123', USD)).toBe(9_007_199_254_740_993_123n);
  });

  it.each(['-1', '1e3', '', ' 1', '1.', '.5', '01', '0', '0.000', 'abc', '0x10', '1,000'])('rejects %j', (text) => {
    expect(() => parseAmount(text, USD)).toThrow(AmountError);
  });

  it('rejects digits below the precision', () => {
    expect(() => parseAmount('0.0000000001', USD)).toThrow('USD has 9 decimals, so the smallest amount is 0.000000001');
  });

  it('rejects values that are not strings', () => {
    expect(() => parseAmount(12 as unknown, USD)).toThrow(AmountError);
  });
});

describe('formatAmount', () => {
  it('trims trailing zeros down to two decimals', () => {
    expect(formatAmount(12_500_000_000n, USD)).toBe('12.50');
    expect(formatAmount(92_550n, USD)).toBe('0.00009255');
    expect(formatAmount(0n, USD)).toBe('0.00');
  });

  it('formats negative amounts', () => {
    expect(formatAmount(-1n, USD)).toBe('-0.000000001');
  });
});

describe('toMinorUnits', () => {
  it('converts an exact cost without rounding', () => {
    expect(toMinorUnits(new Big('0.00009255'), USD)).toBe(92_550n);
  });

  it('rounds half up once', () => {
    expect(toMinorUnits(new Big('0.0000000015'), USD)).toBe(2n);
    expect(toMinorUnits(new Big('0.0000000014999'), USD)).toBe(1n);
  });

  it('round-trips through fromMinorUnits', () => {
    expect(fromMinorUnits(92_550n, USD).toString()).toBe('0.00009255');
  });
});
