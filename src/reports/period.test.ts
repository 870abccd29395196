import { describe, expect, it } from 'vitest';

import { GatewayError } from '../errors.ts';
import { formatTimestamp, monthToDate, parseOptionalPeriod, parsePeriod, parseTimestamp } from './period.ts';

function iso(text: string): string | null {
  return parseTimestamp(text)?.toISOString() ?? null;
}

function rejection(run: () => unknown): { status: number; param: string | null; message: string } {
  try {
    run();
  } catch (error) {
    if (error instanceof GatewayError) {
      return { status: error.status, param: error.param, message: error.message };
    }
    throw error;
  }
  throw new Error('expected a GatewayError');
}

describe('parseTimestamp', () => {
  it('parses UTC with Z', () => {
    expect(iso('2026-11-01T00:00:00Z')).toBe('2026-11-01T00:00:00.000Z');
  });

  it('accepts lowercase t and z', () => {
    expect(iso('2026-11-01t08:30:00z')).toBe('2026-11-01T08:30:00.000Z');
  });

  it('converts a positive offset to UTC', () => {
    expect(iso('2026-11-01T00:30:00+01:00')).toBe('2026-10-31T23:30:00.000Z');
  });

  it('converts a negative offset to UTC', () => {
    expect(iso('2026-11-30T23:00:00-05:30')).toBe('2026-12-01T04:30:00.000Z');
  });

  it('keeps milliseconds', () => {
    expect(iso('2026-11-01T00:00:00.123Z')).toBe('2026-11-01T00:00:00.123Z');
  });

  it('pads a short fraction', () => {
    expect(iso('2026-11-01T00:00:00.5Z')).toBe('2026-11-01T00:00:00.500Z');
  });

  it('rounds a sub-millisecond fraction up', () => {
    expect(iso('2026-11-01T00:00:00.1231Z')).toBe('2026-11-01T00:00:00.124Z');
  });

  it('keeps a fraction with trailing zeros', () => {
    expect(iso('2026-11-01T00:00:00.123000Z')).toBe('2026-11-01T00:00:00.123Z');
  });

  it('takes two-digit years literally', () => {
    expect(iso('0099-01-01T00:00:00Z')).toBe('0099-01-01T00:00:00.000Z');
  });

  it('accepts a leap day', () => {
    expect(iso('2028-02-29T00:00:00Z')).toBe('2028-02-29T00:00:00.000Z');
  });

  it.each([
    ['a date without time', '2026-11-01'],
    ['a time without zone', '2026-11-01T00:00:00'],
    ['a space separator', '2026-11-01 00:00:00Z'],
    ['a word', 'yesterday'],
    ['a Unix time', '1793491200'],
    ['an empty string', ''],
    ['February 30', '2026-02-30T00:00:00Z'],
    ['February 29 of a common year', '2026-02-29T00:00:00Z'],
    ['February 29 of 2100', '2100-02-29T00:00:00Z'],
    ['month 13', '2026-13-01T00:00:00Z'],
    ['day 0', '2026-11-00T00:00:00Z'],
    ['hour 24', '2026-11-01T24:00:00Z'],
    ['minute 60', '2026-11-01T00:60:00Z'],
    ['a leap second', '2026-12-31T23:59:60Z'],
    ['offset hour 24', '2026-11-01T00:00:00+24:00'],
    ['an offset without colon', '2026-11-01T00:00:00+0100'],
    ['a year past 9999 UTC', '9999-12-31T23:30:00-01:00'],
    ['a year before 0000 UTC', '0000-01-01T00:30:00+01:00'],
  ])('rejects %s', (_case, text) => {
    expect(parseTimestamp(text)).toBeNull();
  });
});

describe('formatTimestamp', () => {
  it('drops zero milliseconds', () => {
    expect(formatTimestamp(new Date('2026-11-01T00:00:00.000Z'))).toBe('2026-11-01T00:00:00Z');
  });

  it('keeps other milliseconds', () => {
    expect(formatTimestamp(new Date('2026-11-01T00:00:00.250Z'))).toBe('2026-11-01T00:00:00.250Z');
  });
});

describe('parsePeriod', () => {
  it('returns both bounds', () => {
    const period = parsePeriod({ from: ['2026-11-01T00:00:00Z'], to: ['2026-12-01T00:00:00Z'] });

    expect(period.from.toISOString()).toBe('2026-11-01T00:00:00.000Z');
    expect(period.to.toISOString()).toBe('2026-12-01T00:00:00.000Z');
  });

  it('rejects a missing from', () => {
    const error = rejection(() => parsePeriod({ from: undefined, to: ['2026-12-01T00:00:00Z'] }));

    expect(error.status).toBe(400);
    expect(error.param).toBe('from');
  });

  it('rejects a missing to', () => {
    const error = rejection(() => parsePeriod({ from: ['2026-11-01T00:00:00Z'], to: undefined }));

    expect(error.status).toBe(400);
    expect(error.param).toBe('to');
  });

  it('rejects a repeated from', () => {
    const error = rejection(() => parsePeriod({ from: ['2026-11-01T00:00:00Z', '2026-11-02T00:00:00Z'], to: ['2026-12-01T00:00:00Z'] }));

    expect(error.param).toBe('from');
    expect(error.message).toBe('"from" is given 2 times; give it once.');
  });

  it('rejects a timestamp without zone', () => {
    const error = rejection(() => parsePeriod({ from: ['2026-11-01T00:00:00'], to: ['2026-12-01T00:00:00Z'] }));

    expect(error.param).toBe('from');
    expect(error.message).toBe(
      'Invalid "from" "2026-11-01T00:00:00": expected an RFC 3339 timestamp with a time zone between years 0000 and 9999 UTC, such as 2026-11-01T00:00:00Z.',
    );
  });

  it('hints at an unencoded plus sign', () => {
    const error = rejection(() => parsePeriod({ from: ['2026-11-01T00:00:00Z'], to: ['2026-12-01T00:00:00 01:00'] }));

    expect(error.param).toBe('to');
    expect(error.message).toContain('Encode a "+" offset as %2B in the query string.');
  });

  it('rejects from equal to to', () => {
    const error = rejection(() => parsePeriod({ from: ['2026-11-01T00:00:00Z'], to: ['2026-11-01T01:00:00+01:00'] }));

    expect(error.param).toBe('to');
    expect(error.message).toBe('"to" (2026-11-01T00:00:00Z) must be later than "from" (2026-11-01T00:00:00Z): the period is [from, to).');
  });

  it('rejects from after to', () => {
    const error = rejection(() => parsePeriod({ from: ['2026-12-01T00:00:00Z'], to: ['2026-11-01T00:00:00Z'] }));

    expect(error.status).toBe(400);
    expect(error.param).toBe('to');
  });
});

describe('parseOptionalPeriod', () => {
  const now = new Date('2026-11-20T12:34:56.789Z');

  it('defaults to the month so far', () => {
    const period = parseOptionalPeriod({ from: undefined, to: undefined }, now);

    expect(period.from.toISOString()).toBe('2026-11-01T00:00:00.000Z');
    expect(period.to.toISOString()).toBe('2026-11-20T12:34:56.789Z');
  });

  it('rejects from without to', () => {
    const error = rejection(() => parseOptionalPeriod({ from: ['2026-11-01T00:00:00Z'], to: undefined }, now));

    expect(error.status).toBe(400);
    expect(error.param).toBe('to');
  });

  it('rejects to without from', () => {
    const error = rejection(() => parseOptionalPeriod({ from: undefined, to: ['2026-12-01T00:00:00Z'] }, now));

    expect(error.status).toBe(400);
    expect(error.param).toBe('from');
  });

  it('parses both when given', () => {
    const period = parseOptionalPeriod({ from: ['2026-10-01T00:00:00Z'], to: ['2026-10-02T00:00:00Z'] }, now);

    expect(period.from.toISOString()).toBe('2026-10-01T00:00:00.000Z');
    expect(period.to.toISOString()).toBe('2026-10-02T00:00:00.000Z');
  });
});

describe('monthToDate', () => {
  it('starts the month in UTC, not local time', () => {
    const period = monthToDate(new Date('2026-12-01T00:30:00+01:00'));

    expect(period.from.toISOString()).toBe('2026-11-01T00:00:00.000Z');
  });
});
