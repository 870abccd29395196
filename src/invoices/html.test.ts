import { describe, expect, it } from 'vitest';

import { alignFractions, escapeHtml, formatPeriod, groupDigits, renderInvoiceHtml } from './html.ts';
import type { InvoiceView } from './types.ts';

const USD = { code: 'USD', decimals: 9 };

function invoice(overrides: Partial<InvoiceView> = {}): InvoiceView {
  return {
    id: 'inv_0123',
    object: 'invoice',
    number: 'TG-2026-000007',
    customer_id: 'cus_42',
    customer_name: 'Acme',
    period_start: '2026-11-01T00:00:00.000Z',
    period_end: '2026-12-01T00:00:00.000Z',
    currency: 'USD',
    lines: [
      {
        model: 'gpt-4.1',
        requests: 1204,
        input_tokens: 1234567,
        cached_input_tokens: 1000,
        output_tokens: 98765,
        reasoning_tokens: 0,
        audio_input_tokens: 0,
        audio_output_tokens: 0,
        amount: '1234.5',
      },
    ],
    total: '1234.5',
    ledger_references: ['req_1:tokens', 'req_1:usd'],
    issued_at: '2026-12-02T09:00:00.000Z',
    amount_paid: '0.00',
    amount_due: '1234.5',
    status: 'open',
    payments: [],
    ...overrides,
  };
}

describe('escapeHtml', () => {
  it('escapes the five special characters', () => {
    expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe('&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;');
  });
});

describe('groupDigits', () => {
  it('groups the whole part only', () => {
    expect(groupDigits('1234567.123456789')).toBe('1,234,567.123456789');
  });

  it('keeps short numbers', () => {
    expect(groupDigits('999')).toBe('999');
  });

  it('keeps the sign', () => {
    expect(groupDigits('-1000.5')).toBe('-1,000.5');
  });
});

describe('alignFractions', () => {
  it('pads to the longest fraction', () => {
    expect(alignFractions(['4.3624125', '27.74', '0.15889366'])).toEqual(['4.36241250', '27.74000000', '0.15889366']);
  });

  it('keeps whole numbers when no amount has a fraction', () => {
    expect(alignFractions(['12', '3'])).toEqual(['12', '3']);
  });
});

describe('formatPeriod', () => {
  it('shows a calendar month as a day range', () => {
    expect(formatPeriod('2026-11-01T00:00:00.000Z', '2026-12-01T00:00:00.000Z')).toBe('1–30 November 2026');
  });

  it('shows one day as a date', () => {
    expect(formatPeriod('2026-11-05T00:00:00.000Z', '2026-11-06T00:00:00.000Z')).toBe('5 November 2026');
  });

  it('shows whole days across months', () => {
    expect(formatPeriod('2026-11-15T00:00:00.000Z', '2026-12-15T00:00:00.000Z')).toBe('15 November – 14 December 2026');
  });

  it('shows whole days across years', () => {
    expect(formatPeriod('2026-12-15T00:00:00.000Z', '2027-01-15T00:00:00.000Z')).toBe('15 December 2026 – 14 January 2027');
  });

  it('shows times when a bound is not midnight', () => {
    expect(formatPeriod('2026-11-01T00:00:00.000Z', '2026-11-15T12:30:00.000Z')).toBe('1 November 2026, 00:00 UTC – 15 November 2026, 12:30 UTC');
  });
});

describe('renderInvoiceHtml', () => {
  it('escapes every value from the invoice', () => {
    const html = renderInvoiceHtml(
      invoice({
        customer_name: '<img src=x onerror=alert(1)>',
        lines: [{ ...invoice().lines[0]!, model: 'model<b>' }],
        payments: [{ transaction_id: 'txn_1', reference: 'ref"&<', amount: '1.00', paid_at: '2026-12-10T14:00:00.000Z' }],
      }),
      USD,
    );

    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(html).toContain('<td class="model">model&lt;b&gt;</td>');
    expect(html).toContain('<td class="mono">ref&quot;&amp;&lt;</td>');
    expect(html).not.toContain('<img');
    expect(html).not.toContain('model<b>');
  });

  it('shows lines and totals with grouped digits', () => {
    const html = renderInvoiceHtml(invoice(), USD);

    expect(html).toContain(
      '<tr><td class="model">gpt-4.1</td><td class="num">1,204</td><td class="num">1,234,567</td><td class="num">1,000</td><td class="num">98,765</td><td class="num">0</td><td class="num amount">1,234.5</td></tr>',
    );
    expect(html).toContain('<tr><th>Subtotal</th><td>USD 1,234.50</td></tr>');
    expect(html).toContain('<tr class="total"><th>Total</th><td>USD 1,234.50</td></tr>');
    expect(html).toContain('<tr><th>Amount paid</th><td>USD 0.00</td></tr>');
    expect(html).toContain('<tr class="balance"><th>Amount due</th><td>USD 1,234.50</td></tr>');
  });

  it('aligns line amounts on the decimal point', () => {
    const line = invoice().lines[0]!;
    const html = renderInvoiceHtml(invoice({ lines: [{ ...line, model: 'a', amount: '4.3624125' }, { ...line, model: 'b', amount: '27.74' }] }), USD);

    expect(html).toContain('<td class="num amount">4.3624125</td>');
    expect(html).toContain('<td class="num amount">27.7400000</td>');
  });

  it('shows the invoice facts', () => {
    const html = renderInvoiceHtml(invoice(), USD);

    expect(html).toContain('<title>Invoice TG-2026-000007 · Acme</title>');
    expect(html).toContain('<dt>Issue date</dt><dd>2 December 2026</dd>');
    expect(html).toContain('<dt>Service period</dt><dd>1–30 November 2026</dd>');
    expect(html).toContain('Customer ID <span class="mono">cus_42</span>');
    expect(html).toContain('This invoice covers 2 ledger transactions.');
    expect(html).toContain('to 9 decimal places (0.000000001 USD)');
  });

  it('adds audio columns only when a line has audio', () => {
    const plain = renderInvoiceHtml(invoice(), USD);
    const audio = renderInvoiceHtml(invoice({ lines: [{ ...invoice().lines[0]!, audio_input_tokens: 5, audio_output_tokens: 7 }] }), USD);

    expect(plain).not.toContain('Audio in');
    expect(audio).toContain('<th class="num">Audio in</th><th class="num">Audio out</th>');
    expect(audio).toContain('<td class="num">5</td><td class="num">7</td>');
  });

  it('says when the period had no usage', () => {
    const html = renderInvoiceHtml(invoice({ lines: [], total: '0.00', amount_due: '0.00', status: 'paid' }), USD);

    expect(html).toContain('<td class="empty" colspan="7">No usage in this period.</td>');
  });

  it('labels each status', () => {
    expect(renderInvoiceHtml(invoice({ status: 'open' }), USD)).toContain('<span class="badge badge-open">Open</span>');
    expect(renderInvoiceHtml(invoice({ status: 'partially_paid' }), USD)).toContain('<span class="badge badge-partially_paid">Partially paid</span>');
    expect(renderInvoiceHtml(invoice({ status: 'paid' }), USD)).toContain('<span class="badge badge-paid">Paid</span>');
  });

  it('lists payments', () => {
    const html = renderInvoiceHtml(
      invoice({ payments: [{ transaction_id: 'txn_1', reference: 'wire-1', amount: '1000.00', paid_at: '2026-12-10T14:05:00.000Z' }] }),
      USD,
    );

    expect(html).toContain('<tr><td>10 December 2026, 14:05 UTC</td><td class="mono">wire-1</td><td class="num">USD 1,000.00</td></tr>');
  });

  it('loads no script and no external asset', () => {
    const html = renderInvoiceHtml(invoice(), USD);

    expect(html).not.toMatch(/<script|<link|<img|src=|href=|url\(|@import/i);
  });
});
