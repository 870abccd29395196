import { describe, expect, it } from 'vitest';

import { formatCsv } from './csv.ts';

describe('formatCsv', () => {
  it('ends every record with CRLF', () => {
    expect(formatCsv([['a', 'b'], ['1', '2']])).toBe('a,b\r\n1,2\r\n');
  });

  it('leaves plain fields unquoted', () => {
    expect(formatCsv([['gpt-4o-mini', 'llama3.2:3b', 'a b']])).toBe('gpt-4o-mini,llama3.2:3b,a b\r\n');
  });

  it('quotes a field with a comma', () => {
    expect(formatCsv([['a,b']])).toBe('"a,b"\r\n');
  });

  it('doubles quotes inside a quoted field', () => {
    expect(formatCsv([['say "hi"']])).toBe('"say ""hi"""\r\n');
  });

  it('quotes fields with line breaks', () => {
    expect(formatCsv([['a\nb', 'c\rd']])).toBe('"a\nb","c\rd"\r\n');
  });

  it('keeps empty fields', () => {
    expect(formatCsv([['', 'x', '']])).toBe(',x,\r\n');
  });

  it('returns nothing for no records', () => {
    expect(formatCsv([])).toBe('');
  });
});
