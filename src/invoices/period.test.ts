import { describe, expect, it } from 'vitest';

import { GatewayError } from '../errors.ts';
import { parsePeriod, parseTimestamp } from './period.ts';

function rejection(work: () => unknown): GatewayError {
  try {
    work();
  } catch (error) {
    if (error instanceof GatewayError) {
      return error;
    }
    throw error;
  }
  throw new Error('expected a GatewayError');
}

describe('parseTimestamp', () => {
  it('parses UTC', () => {
    expect(parseTimestamp('2026-11-01T00:00:00Z', 'from').toISOString()).toBe('2026-11-01T00:00:00.000Z');
  });

  it('applies an offset', () => {
    expect(parseTimestamp('2026-11-01T01:30:00+02:00', 'from').toISOString()).toBe('2026-10-31T23:30:00.000Z');
  });

  it('keeps milliseconds', () => {
    expect(parseTimestamp('2026-11-30T23:59:59.999Z', 'from').toISOString()).toBe('2026-11-30T23:59:59.999Z');
  });

  it('accepts zeros below the millisecond', () => {
    expect(parseTimestamp('2026-11-01T00:00:00.123000z', 'from').toISOString()).toBe('2026-11-01T00:00:00.123Z');
  });

  it('accepts a leap day', () => {
    expect(parseTimestamp('2028-02-29T00:00:00Z', 'from').toISOString()).toBe('2028-02-29T00:00:00.000Z');
  });

  it('rejects digits below the millisecond', () => {
    const error = rejection(() => parseTimestamp('2026-11-01T00:00:00.0001Z', 'from'));

    expect(error.code).toBe('invalid_request');
    expect(error.param).toBe('from');
  });

  it('rejects dates that do not exist', () => {
    for (const text of ['2026-02-29T00:00:00Z', '2026-11-31T00:00:00Z', '2026-11-01T24:00:00Z', '2026-11-01T00:60:00Z', '2026-11-01T00:00:00+24:00']) {
      expect(rejection(() => parseTimestamp(text, 'to')).param, text).toBe('to');
    }
  });

  it('rejects instants outside years 0000 to 9999', () => {
    for (const text of ['9999-12-31T23:00:00-02:00', '0000-01-01T00:00:00+01:00']) {
      expect(rejection(() => parseTimestamp(text, 'to')).message, text).toContain('outside the years 0000 to 9999');
    }
  });

  it('accepts years below 100', () => {
    expect(parseTimestamp('0042-03-01T00:00:00Z', 'to').toISOString()).toBe('0042-03-01T00:00:00.000Z');
  });

  it('accepts the last instant of year 9999', () => {
    expect(parseTimestamp('9999-12-31T23:59:59.999Z', 'to').toISOString()).toBe('9999-12-31T23:59:59.999Z');
  });

  it('rejects other formats', () => {
    for (const value of ['2026-11-01', '2026-11-01 00:00:00Z', '2026-11-01T00:00:00', 'November 2026', '', 1793577600000, null, undefined]) {
      expect(rejection(() => parseTimestamp(value, 'to')).message, String(value)).toContain('"to" must be an RFC 3339 timestamp');
    }
  });
});

describe('parsePeriod', () => {
  it('returns both bounds', () => {
    const period = parsePeriod({ period_start: '2026-11-01T00:00:00Z', period_end: '2026-12-01T00:00:00Z' });

    expect(period.start.toISOString()).toBe('2026-11-01T00:00:00.000Z');
    expect(period.end.toISOString()).toBe('2026-12-01T00:00:00.000Z');
  });

  it('rejects an empty period', () => {
    const error = rejection(() => parsePeriod({ period_start: '2026-11-01T00:00:00Z', period_end: '2026-11-01T01:00:00+01:00' }));

    expect(error.param).toBe('period_end');
    expect(error.message).toBe('"period_end" (2026-11-01T00:00:00.000Z) must be after "period_start" (2026-11-01T00:00:00.000Z).');
  });
});
