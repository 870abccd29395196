/**
 * The printable invoice: one self-contained HTML page (inline CSS sized for
 * A4, no scripts, no external assets). Every value taken from the invoice is
 * HTML-escaped.
 */
import type { Currency } from '../money.ts';
import type { InvoiceLine, InvoiceStatus, InvoiceView } from './types.ts';

const SELLER = {
  name: 'Tollgate',
  tagline: 'OpenAI-compatible API gateway',
  service: 'Metered AI model usage',
};

const STATUS_LABELS: Record<InvoiceStatus, string> = {
  open: 'Open',
  partially_paid: 'Partially paid',
  paid: 'Paid',
};

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/** Renders the invoice as a complete HTML document. */
export function renderInvoiceHtml(invoice: InvoiceView, currency: Currency): string {
  const title = `Invoice ${invoice.number} · ${invoice.customer_name}`;

  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${STYLES}</style>
</head>
<body>
<main class="sheet">
${renderMasthead(invoice)}
${renderParties(invoice)}
${renderAmountDue(invoice)}
${renderLines(invoice)}
${renderTotals(invoice)}
${renderPayments(invoice)}
${renderNotes(invoice, currency)}
</main>
</body>
</html>
`;
}

function renderMasthead(invoice: InvoiceView): string {
  return `<header class="masthead">
  <div class="seller">
    <div class="brand"><span class="mark" aria-hidden="true">T</span>${escapeHtml(SELLER.name)}</div>
    <p>${escapeHtml(SELLER.tagline)}<br>${escapeHtml(SELLER.service)}</p>
  </div>
  <div class="heading">
    <h1>Invoice</h1>
    <p class="number">${escapeHtml(invoice.number)}</p>
    <span class="badge badge-${escapeHtml(invoice.status)}">${escapeHtml(STATUS_LABELS[invoice.status])}</span>
  </div>
</header>`;
}

function renderParties(invoice: InvoiceView): string {
  return `<section class="parties">
  <div class="billed-to">
    <h2>Billed to</h2>
    <p class="customer-name">${escapeHtml(invoice.customer_name)}</p>
    <p class="muted">Customer ID <span class="mono">${escapeHtml(invoice.customer_id)}</span></p>
  </div>
  <dl class="facts">
    <dt>Invoice number</dt><dd>${escapeHtml(invoice.number)}</dd>
    <dt>Issue date</dt><dd>${escapeHtml(formatDate(new Date(invoice.issued_at)))}</dd>
    <dt>Service period</dt><dd>${escapeHtml(formatPeriod(invoice.period_start, invoice.period_end))}</dd>
    <dt>Currency</dt><dd>${escapeHtml(invoice.currency)}</dd>
  </dl>
</section>`;
}

function renderAmountDue(invoice: InvoiceView): string {
  return `<section class="due">
  <div>
    <p class="label">Amount due</p>
    <p class="value">${escapeHtml(formatMoney(invoice.amount_due, invoice.currency))}</p>
  </div>
  <div class="due-facts">
    <p><span class="label">Invoice total</span> ${escapeHtml(formatMoney(invoice.total, invoice.currency))}</p>
    <p><span class="label">Paid to date</span> ${escapeHtml(formatMoney(invoice.amount_paid, invoice.currency))}</p>
  </div>
</section>`;
}

function renderLines(invoice: InvoiceView): string {
  const audio = invoice.lines.some((line) => line.audio_input_tokens > 0 || line.audio_output_tokens > 0);
  const headers = ['Requests', 'Input tokens', 'Cached', 'Output tokens', 'Reasoning', ...(audio ? ['Audio in', 'Audio out'] : [])];
  const columns = headers.length + 2;

  const amounts = alignFractions(invoice.lines.map((line) => line.amount));
  const rows = invoice.lines.map((line, index) => renderLine(line, amounts[index]!, audio));
  const body = rows.length > 0 ? rows.join('\n') : `<tr><td class="empty" colspan="${columns}">No usage in this period.</td></tr>`;

  return `<table class="lines">
  <thead>
    <tr><th>Model</th>${headers.map((header) => `<th class="num">${escapeHtml(header)}</th>`).join('')}<th class="num">Amount (${escapeHtml(invoice.currency)})</th></tr>
  </thead>
  <tbody>
${body}
  </tbody>
</table>`;
}

function renderLine(line: InvoiceLine, amount: string, audio: boolean): string {
  const counts = [line.requests, line.input_tokens, line.cached_input_tokens, line.output_tokens, line.reasoning_tokens];
  if (audio) {
    counts.push(line.audio_input_tokens, line.audio_output_tokens);
  }

  const cells = counts.map((count) => `<td class="num">${escapeHtml(groupDigits(String(count)))}</td>`).join('');
  return `    <tr><td class="model">${escapeHtml(line.model)}</td>${cells}<td class="num amount">${escapeHtml(groupDigits(amount))}</td></tr>`;
}

function renderTotals(invoice: InvoiceView): string {
  const [total, paid, due] = alignFractions([invoice.total, invoice.amount_paid, invoice.amount_due]).map((amount) =>
    escapeHtml(formatMoney(amount, invoice.currency)),
  );

  return `<table class="totals">
  <tr><th>Subtotal</th><td>${total}</td></tr>
  <tr class="total"><th>Total</th><td>${total}</td></tr>
  <tr><th>Amount paid</th><td>${paid}</td></tr>
  <tr class="balance"><th>Amount due</th><td>${due}</td></tr>
</table>`;
}

function renderPayments(invoice: InvoiceView): string {
  if (invoice.payments.length === 0) {
    return `<section class="payments">
  <h2>Payments</h2>
  <p class="muted">No payments recorded yet.</p>
</section>`;
  }

  const rows = invoice.payments.map(
    (payment) =>
      `    <tr><td>${escapeHtml(formatDateTime(new Date(payment.paid_at)))}</td><td class="mono">${escapeHtml(payment.reference)}</td><td class="num">${escapeHtml(formatMoney(payment.amount, invoice.currency))}</td></tr>`,
  );

  return `<section class="payments">
  <h2>Payments</h2>
  <table>
    <thead><tr><th>Date</th><th>Reference</th><th class="num">Amount</th></tr></thead>
    <tbody>
${rows.join('\n')}
    </tbody>
  </table>
</section>`;
}

function renderNotes(invoice: InvoiceView, currency: Currency): string {
  const unit = currency.decimals === 0 ? '1' : `0.${'0'.repeat(currency.decimals - 1)}1`;

  return `<footer class="notes">
  <p>Amounts are exact sums of the metered requests, to ${escapeHtml(String(currency.decimals))} decimal places (${escapeHtml(unit)} ${escapeHtml(invoice.currency)}). Cached tokens are part of input tokens and reasoning tokens part of output tokens.</p>
  <p>Period (UTC, end exclusive): <span class="mono">${escapeHtml(invoice.period_start)}</span> to <span class="mono">${escapeHtml(invoice.period_end)}</span>. This invoice covers ${escapeHtml(groupDigits(String(invoice.ledger_references.length)))} ledger transactions.</p>
  <p>Invoice ID <span class="mono">${escapeHtml(invoice.id)}</span> · issued <span class="mono">${escapeHtml(invoice.issued_at)}</span></p>
</footer>`;
}

/** Escapes text for HTML element content and quoted attribute values. */
export function escapeHtml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

/** Groups the whole part of a decimal string by thousands: "-1234567.5" becomes "-1,234,567.5". */
export function groupDigits(decimal: string): string {
  const sign = decimal.startsWith('-') ? '-' : '';
  const [whole = '', fraction] = decimal.slice(sign.length).split('.');
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');

  return fraction === undefined ? `${sign}${grouped}` : `${sign}${grouped}.${fraction}`;
}

/**
 * Pads decimal strings with trailing zeros to the longest fraction among
 * them, so that right-aligned amounts line up on the decimal point. The
 * values do not change.
 */
export function alignFractions(amounts: string[]): string[] {
  const width = Math.max(0, ...amounts.map((amount) => (amount.split('.')[1] ?? '').length));

  return amounts.map((amount) => {
    const [whole, fraction = ''] = amount.split('.');
    return width === 0 ? amount : `${whole}.${fraction.padEnd(width, '0')}`;
  });
}

/** Formats a decimal amount with its currency code, e.g. "USD 1,234.50". */
export function formatMoney(amount: string, currencyCode: string): string {
  return `${currencyCode} ${groupDigits(amount)}`;
}

/** Formats a date in UTC as "1 November 2026". */
export function formatDate(date: Date): string {
  return `${date.getUTCDate()} ${MONTHS[date.getUTCMonth()]} ${date.getUTCFullYear()}`;
}

function formatDateTime(date: Date): string {
  return `${formatDate(date)}, ${date.toISOString().slice(11, 16)} UTC`;
}

/**
 * Formats a half-open period for people. When both bounds fall on midnight
 * UTC the period is whole days, shown inclusively ("1–30 November 2026");
 * otherwise both bounds are shown with their time.
 */
export function formatPeriod(start: string, end: string): string {
  const from = new Date(start);
  const to = new Date(end);

  if (!isMidnight(from) || !isMidnight(to)) {
    return `${formatDateTime(from)} – ${formatDateTime(to)}`;
  }

  const last = new Date(to.getTime() - 24 * 60 * 60 * 1000);
  const sameYear = from.getUTCFullYear() === last.getUTCFullYear();

  if (from.getTime() === last.getTime()) {
    return formatDate(from);
  }
  if (sameYear && from.getUTCMonth() === last.getUTCMonth()) {
    return `${from.getUTCDate()}–${formatDate(last)}`;
  }
  if (sameYear) {
    return `${from.getUTCDate()} ${MONTHS[from.getUTCMonth()]} – ${formatDate(last)}`;
  }
  return `${formatDate(from)} – ${formatDate(last)}`;
}

function isMidnight(date: Date): boolean {
  return date.getUTCHours() === 0 && date.getUTCMinutes() === 0 && date.getUTCSeconds() === 0 && date.getUTCMilliseconds() === 0;
}

const STYLES = `
@page { size: A4; margin: 14mm 16mm; }
* { box-sizing: border-box; }
html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body {
  margin: 0;
  background: #e9ecf1;
  color: #1c2330;
  font: 9.5pt/1.45 "Helvetica Neue", Helvetica, Arial, "Liberation Sans", "DejaVu Sans", sans-serif;
  font-variant-numeric: tabular-nums;
}
.sheet {
  width: 210mm;
  min-height: 297mm;
  margin: 0 auto;
  padding: 16mm 16mm 14mm;
  background: #fff;
  display: flex;
  flex-direction: column;
}
@media screen {
  body { padding: 16px 0; }
  .sheet { box-shadow: 0 1px 3px rgba(20, 30, 50, 0.18), 0 8px 24px rgba(20, 30, 50, 0.08); }
}
@media screen and (min-width: 1200px) {
  .sheet { zoom: 1.5; }
  body { padding: 10px 0; }
}
@media print {
  body { background: none; }
  /* The page margins come from @page, and the min-height keeps the notes at the foot of a one-page invoice. */
  .sheet { width: auto; min-height: 265mm; padding: 0; box-shadow: none; }
}
h1, h2, p, dl, dd { margin: 0; }
.muted { color: #5d6778; }
.mono { font-family: "SFMono-Regular", Menlo, Consolas, "Liberation Mono", "DejaVu Sans Mono", monospace; font-size: 0.92em; }
.masthead {
  display: flex;
  justify-content: space-between;
  align-items: flex-start;
  padding-bottom: 7mm;
  border-bottom: 2px solid #1c2330;
}
.brand { display: flex; align-items: center; gap: 8px; font-size: 17pt; font-weight: 700; letter-spacing: -0.01em; }
.mark {
  display: inline-flex;
  align-items: center;
  justify-content: center;
  width: 26px;
  height: 26px;
  border-radius: 6px;
  background: #1f4fd1;
  color: #fff;
  font-size: 14pt;
}
.seller p { margin-top: 6px; color: #5d6778; }
.heading { text-align: right; }
.heading h1 { font-size: 24pt; font-weight: 300; letter-spacing: 0.08em; text-transform: uppercase; color: #1c2330; line-height: 1.1; }
.heading .number { margin: 4px 0 8px; font-size: 11pt; font-weight: 600; }
.badge {
  display: inline-block;
  padding: 2px 10px;
  border-radius: 999px;
  font-size: 8pt;
  font-weight: 700;
  letter-spacing: 0.06em;
  text-transform: uppercase;
  border: 1px solid currentColor;
}
.badge-open { color: #9a5b00; background: #fff4e0; }
.badge-partially_paid { color: #1f4fd1; background: #e8eefc; }
.badge-paid { color: #11703d; background: #e3f5ea; }
.parties { display: flex; justify-content: space-between; gap: 12mm; margin-top: 8mm; }
h2 { font-size: 8pt; font-weight: 700; letter-spacing: 0.08em; text-transform: uppercase; color: #5d6778; margin-bottom: 6px; }
.customer-name { font-size: 13pt; font-weight: 600; margin-bottom: 2px; }
.facts { display: grid; grid-template-columns: auto auto; gap: 4px 16px; }
.facts dt { color: #5d6778; }
.facts dd { text-align: right; font-weight: 600; white-space: nowrap; }
.due {
  display: flex;
  justify-content: space-between;
  align-items: center;
  margin-top: 8mm;
  padding: 5mm 6mm;
  background: #f3f6fb;
  border-left: 4px solid #1f4fd1;
  border-radius: 3px;
}
.due .label { font-size: 8pt; font-weight: 700; letter-spacing: 0.08em; text-transform: uppercase; color: #5d6778; }
.due .value { font-size: 20pt; font-weight: 700; margin-top: 2px; }
.due-facts { text-align: right; }
.due-facts p + p { margin-top: 4px; }
.due-facts .label { margin-right: 10px; }
table { width: 100%; border-collapse: collapse; }
.lines { margin-top: 8mm; }
.lines th {
  padding: 0 6px 6px;
  font-size: 7.5pt;
  font-weight: 700;
  letter-spacing: 0.05em;
  text-transform: uppercase;
  color: #5d6778;
  text-align: left;
  border-bottom: 1.5px solid #1c2330;
  white-space: nowrap;
}
.lines td { padding: 7px 6px; border-bottom: 1px solid #dfe3ea; vertical-align: top; }
.lines th:first-child, .lines td:first-child { padding-left: 0; }
.lines th:last-child, .lines td:last-child { padding-right: 0; }
.lines .model { font-weight: 600; }
.lines .amount { font-weight: 600; }
.num { text-align: right; white-space: nowrap; }
th.num { text-align: right; }
.empty { text-align: center; color: #5d6778; padding: 14px 0; }
.totals { width: 46%; margin: 5mm 0 0 auto; }
.totals th { text-align: left; font-weight: 400; color: #5d6778; padding: 4px 0; }
.totals td { text-align: right; padding: 4px 0; white-space: nowrap; }
.totals .total th, .totals .total td { border-top: 1.5px solid #1c2330; padding-top: 7px; font-weight: 700; color: #1c2330; font-size: 11pt; }
.totals .balance th, .totals .balance td { border-top: 1px solid #dfe3ea; padding-top: 7px; font-weight: 700; color: #1c2330; }
.payments { margin-top: 9mm; }
.payments th { text-align: left; font-size: 7.5pt; font-weight: 700; letter-spacing: 0.05em; text-transform: uppercase; color: #5d6778; padding: 0 0 5px; border-bottom: 1px solid #c9cfd9; }
.payments td { padding: 5px 0; border-bottom: 1px solid #eef0f4; }
.payments th.num { text-align: right; }
.notes { margin-top: auto; padding-top: 6mm; border-top: 1px solid #dfe3ea; font-size: 7.5pt; color: #5d6778; }
.notes p + p { margin-top: 3px; }
.due, .totals, .notes { break-inside: avoid; }
.lines tr { break-inside: avoid; }
`;
