/** Guards for reading untrusted JSON from upstream responses. */

export type JsonRecord = Record<string, unknown>;

const EMPTY_RECORD: JsonRecord = Object.freeze({});

export function isRecord(value: unknown): value is JsonRecord {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Returns the value when it is a JSON object, else an empty object, so that nested reads need no checks. */
export function recordOrEmpty(value: unknown): JsonRecord {
  return isRecord(value) ? value : EMPTY_RECORD;
}

/** Returns the value when it is a valid token count (a non-negative integer), else undefined. */
export function tokenCount(value: unknown): number | undefined {
  return Number.isSafeInteger(value) && (value as number) >= 0 ? (value as number) : undefined;
}

/** Returns the first valid token count among the values, or 0 when none is valid. */
export function firstTokenCount(...values: unknown[]): number {
  for (const value of values) {
    const count = tokenCount(value);
    if (count !== undefined) {
      return count;
    }
  }
  return 0;
}

/** Parses JSON text, returning undefined when it is not valid JSON. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Returns the message of an error payload: the string itself, or its `message` field. */
export function errorMessageOf(value: unknown): string | null {
  if (typeof value === 'string') {
    return value;
  }
  if (isRecord(value) && typeof value.message === 'string') {
    return value.message;
  }
  return null;
}
