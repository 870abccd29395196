/** Plain-text tables for the CLI: left-aligned text, right-aligned numbers. */

const NUMERIC = /^-?[0-9][0-9,]*(\.[0-9]+)?$/;

export function renderTable(headers: string[], rows: Array<Array<string | number | null | undefined>>): string {
  const cells = rows.map((row) => row.map((cell) => (cell === null || cell === undefined ? '' : String(cell))));
  const widths = headers.map((header, column) => Math.max(header.length, ...cells.map((row) => (row[column] ?? '').length)));

  const line = (row: string[]) =>
    row
      .map((cell, column) => (NUMERIC.test(cell) ? cell.padStart(widths[column]!) : cell.padEnd(widths[column]!)))
      .join('  ')
      .trimEnd();

  return [line(headers), line(widths.map((width) => '-'.repeat(width))), ...cells.map(line)].join('\n');
}

/** Renders an object's scalar fields as "key: value" lines. */
export function renderFields(record: Record<string, unknown>, keys: string[]): string {
  const width = Math.max(...keys.map((key) => key.length));
  return keys
    .filter((key) => key in record)
    .map((key) => `${`${key}:`.padEnd(width + 1)} ${formatValue(record[key])}`)
    .join('\n');
}

function formatValue(value: unknown): string {
  if (value === null || value === undefined) {
    return '-';
  }
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}
