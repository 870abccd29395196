/**
 * CSV as RFC 4180 writes it: fields separated by commas, records ended by
 * CRLF, and a field quoted (with inner quotes doubled) only when it contains
 * a comma, a double quote, CR or LF.
 */

const NEEDS_QUOTES = /[",\r\n]/;

export function formatCsv(records: readonly (readonly string[])[]): string {
  return records.map((record) => `${record.map(quoteField).join(',')}\r\n`).join('');
}

function quoteField(field: string): string {
  return NEEDS_QUOTES.test(field) ? `"${field.replaceAll('"', '""')}"` : field;
}
