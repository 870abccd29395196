/**
 * Report periods: half-open [from, to) ranges given as RFC 3339 timestamps
 * in the query string, such as `?from=2026-11-01T00:00:00Z&to=2026-12-01T00:00:00Z`.
 */
import { GatewayError } from '../errors.ts';

export interface Period {
  /** Start, inclusive. */
  from: Date;
  /** End, exclusive. */
  to: Date;
}

/** The query parameters of a period: each one's values, as Hono's `c.req.queries(name)` returns them. */
export interface PeriodQuery {
  from: string[] | undefined;
  to: string[] | undefined;
}

const EXAMPLE = '2026-11-01T00:00:00Z';

const RFC_3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;

/**
 * Bounds of the instants accepted: the ledger compares ISO strings, which
 * sort by time only while the year has four digits.
 */
const YEAR_0 = new Date(0).setUTCFullYear(0, 0, 1);
const YEAR_10000 = Date.UTC(10_000, 0, 1);

/**
 * Parses the required `from` and `to` parameters of a period.
 * Throws a 400 GatewayError naming the parameter when one is missing,
 * repeated or not an RFC 3339 timestamp, or when `from` is not before `to`.
 */
export function parsePeriod(query: PeriodQuery): Period {
  const from = parseTimestampParam('from', query.from);
  const to = parseTimestampParam('to', query.to);

  if (from.getTime() >= to.getTime()) {
    throw new GatewayError(
      'invalid_request',
      `"to" (${formatTimestamp(to)}) must be later than "from" (${formatTimestamp(from)}): the period is [from, to).`,
      { param: 'to' },
    );
  }
  return { from, to };
}

/**
 * Parses an optional period: when both parameters are absent, returns the
 * current month so far, from the first day of the month (UTC) to `now`.
 * Giving only one of them is a 400.
 */
export function parseOptionalPeriod(query: PeriodQuery, now: Date): Period {
  if (query.from === undefined && query.to === undefined) {
    return monthToDate(now);
  }

  const missing = query.from === undefined ? 'from' : 'to';
  if (query.from === undefined || query.to === undefined) {
    throw new GatewayError(
      'invalid_request',
      `Missing "${missing}": give both "from" and "to" as RFC 3339 timestamps such as ${EXAMPLE}, or neither for the current month so far.`,
      { param: missing },
    );
  }
  return parsePeriod(query);
}

/** Returns [first instant of the month of `now` in UTC, `now`). */
export function monthToDate(now: Date): Period {
  const from = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
  return { from, to: now };
}

/** Formats an instant in UTC as RFC 3339, with milliseconds only when they are not zero. */
export function formatTimestamp(date: Date): string {
  return date.toISOString().replace(/\.000Z$/, 'Z');
}

/**
 * Parses one RFC 3339 timestamp (date, time and offset all required) into a
 * Date. Returns null when the text is not one, or names a day or time that
 * does not exist.
 *
 * Ledger timestamps have millisecond precision, so a fraction below a
 * millisecond is rounded up: an entry at t is in [from, to) exactly when
 * t >= from and t < to, which for whole milliseconds t is the same as
 * comparing with the rounded-up bounds.
 */
export function parseTimestamp(text: string): Date | null {
  const match = RFC_3339.exec(text);
  if (!match) {
    return null;
  }

  const [, year, month, day, hour, minute, second, fraction = '', zulu, sign, offsetHour, offsetMinute] = match;
  const fields = { year: Number(year), month: Number(month), day: Number(day), hour: Number(hour), minute: Number(minute), second: Number(second) };

  // NOTE: a leap second (second 60), which RFC 3339 allows, is rejected because Date cannot represent it.
  const valid =
    fields.month >= 1 &&
    fields.month <= 12 &&
    fields.day >= 1 &&
    fields.day <= daysInMonth(fields.year, fields.month) &&
    fields.hour <= 23 &&
    fields.minute <= 59 &&
    fields.second <= 59;
  if (!valid) {
    return null;
  }

  let offsetMinutes = 0;
  if (zulu === undefined) {
    const hours = Number(offsetHour);
    const minutes = Number(offsetMinute);
    if (hours > 23 || minutes > 59) {
      return null;
    }
    offsetMinutes = (sign === '-' ? -1 : 1) * (hours * 60 + minutes);
  }

  // setUTCFullYear, unlike Date.UTC, takes years 0 to 99 literally.
  const date = new Date(0);
  date.setUTCFullYear(fields.year, fields.month - 1, fields.day);
  date.setUTCHours(fields.hour, fields.minute - offsetMinutes, fields.second, roundedUpMilliseconds(fraction));

  const time = date.getTime();
  return time >= YEAR_0 && time < YEAR_10000 ? date : null;
}

function parseTimestampParam(name: 'from' | 'to', values: string[] | undefined): Date {
  if (values === undefined || values.length === 0) {
    throw new GatewayError(
      'invalid_request',
      `Missing "${name}": give the ${name === 'from' ? 'start (inclusive)' : 'end (exclusive)'} of the period as an RFC 3339 timestamp such as ${EXAMPLE}.`,
      { param: name },
    );
  }
  if (values.length > 1) {
    throw new GatewayError('invalid_request', `"${name}" is given ${values.length} times; give it once.`, { param: name });
  }

  const text = values[0]!;
  const date = parseTimestamp(text);
  if (date === null) {
    // A "+" left unencoded in a query string arrives as a space.
    const hint = / \d{2}:\d{2}$/.test(text) ? ' Encode a "+" offset as %2B in the query string.' : '';
    throw new GatewayError(
      'invalid_request',
      `Invalid "${name}" ${JSON.stringify(text)}: expected an RFC 3339 timestamp with a time zone between years 0000 and 9999 UTC, such as ${EXAMPLE}.${hint}`,
      { param: name },
    );
  }
  return date;
}

function daysInMonth(year: number, month: number): number {
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
  return days[month - 1]!;
}

/** Converts the digits after the decimal point to whole milliseconds, rounding any remainder up. */
function roundedUpMilliseconds(fraction: string): number {
  const milliseconds = Number(fraction.slice(0, 3).padEnd(3, '0'));
  return /[1-9]/.test(fraction.slice(3)) ? milliseconds + 1 : milliseconds;
}
