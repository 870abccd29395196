/**
 * Billing periods from request input: RFC 3339 timestamps, half-open
 * [start, end). Every rejection is a 400 that names the parameter.
 */
import { GatewayError } from '../errors.ts';

export interface Period {
  start: Date;
  end: Date;
}

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?([Zz]|[+-]\d{2}:\d{2})$/;

/**
 * Parses an RFC 3339 timestamp such as "2026-11-01T00:00:00Z". Rejects dates
 * that do not exist (2026-02-30). Also rejects digits below the millisecond:
 * ledger timestamps have millisecond precision, so a truncated bound would
 * select another period than the one written.
 */
export function parseTimestamp(value: unknown, param: string): Date {
  const match = typeof value === 'string' ? RFC3339.exec(value) : null;

  if (!match) {
    throw new GatewayError('invalid_request', `"${param}" must be an RFC 3339 timestamp such as "2026-11-01T00:00:00Z", got ${JSON.stringify(value ?? null)}.`, { param });
  }

  const [, year, month, day, hour, minute, second, fraction = '', offset] = match;

  if (/[1-9]/.test(fraction.slice(3))) {
    throw new GatewayError('invalid_request', `"${param}" has digits below the millisecond, which the ledger does not record: ${value as string}.`, { param });
  }

  // setUTCFullYear, unlike Date.UTC, does not map the years 0 to 99 to 1900 to 1999.
  const calendar = new Date(0);
  calendar.setUTCFullYear(Number(year), Number(month) - 1, Number(day));
  calendar.setUTCHours(Number(hour), Number(minute), Number(second));
  const exists =
    calendar.getUTCFullYear() === Number(year) &&
    calendar.getUTCMonth() === Number(month) - 1 &&
    calendar.getUTCDate() === Number(day) &&
    calendar.getUTCHours() === Number(hour) &&
    calendar.getUTCMinutes() === Number(minute) &&
    calendar.getUTCSeconds() === Number(second);
  const offsetValid = /^[Zz]$/.test(offset!) || (Number(offset!.slice(1, 3)) < 24 && Number(offset!.slice(4, 6)) < 60);

  if (!exists || !offsetValid) {
    throw new GatewayError('invalid_request', `"${param}" is not a valid date and time: ${value as string}.`, { param });
  }

  const milliseconds = fraction.slice(0, 3).padEnd(3, '0');
  const instant = new Date(`${year}-${month}-${day}T${hour}:${minute}:${second}.${milliseconds}${offset!.toUpperCase()}`);

  // Stored periods are compared as toISOString() text, which sorts by time only for years 0000 to 9999.
  if (instant.getUTCFullYear() < 0 || instant.getUTCFullYear() > 9999) {
    throw new GatewayError('invalid_request', `"${param}" is outside the years 0000 to 9999 in UTC: ${value as string}.`, { param });
  }
  return instant;
}

/** Parses `period_start` and `period_end` from a request body and checks that start < end. */
export function parsePeriod(body: Record<string, unknown>): Period {
  const start = parseTimestamp(body.period_start, 'period_start');
  const end = parseTimestamp(body.period_end, 'period_end');

  if (start.getTime() >= end.getTime()) {
    throw new GatewayError('invalid_request', `"period_end" (${end.toISOString()}) must be after "period_start" (${start.toISOString()}).`, { param: 'period_end' });
  }

  return { start, end };
}
