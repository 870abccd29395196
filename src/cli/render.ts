/**
 * Human-readable views of the admin API's reports for the CLI: usage,
 * statements, invoices and payments. Amounts stay the API's decimal strings.
 */
import { renderTable } from './table.ts';

type Json = Record<string, any>;

const TOKEN_COLUMNS: Array<[string, string]> = [
  ['requests', 'REQUESTS'],
  ['input_tokens', 'INPUT'],
  ['cached_input_tokens', 'CACHED'],
  ['output_tokens', 'OUTPUT'],
  ['reasoning_tokens', 'REASONING'],
  ['audio_input_tokens', 'AUDIO IN'],
  ['audio_output_tokens', 'AUDIO OUT'],
];

/** Renders per-model lines with a TOTAL row; audio columns appear only when a line has audio tokens. */
export function renderUsageLines(lines: Json[], totals: Json, amountKey: string): string {
  const columns = TOKEN_COLUMNS.filter(([key]) => !key.startsWith('audio') || lines.some((line) => Number(line[key]) > 0));
  const headers = ['MODEL', ...columns.map(([, header]) => header), 'AMOUNT'];
  const row = (label: string, line: Json) => [label, ...columns.map(([key]) => line[key]), line[amountKey]];

  if (lines.length === 0) {
    return '(no usage)';
  }
  return renderTable(headers, [...lines.map((line) => row(line.model, line)), row('TOTAL', totals)]);
}

export function renderUsageReport(report: Json): string {
  return [
    `Usage of ${report.customer_id} from ${report.from} to ${report.to} (${report.currency})`,
    '',
    renderUsageLines(report.lines, report.totals, 'cost'),
  ].join('\n');
}

export function renderStatement(statement: Json): string {
  const items = (section: Json) =>
    section.lines.length === 0 ? [] : ['', renderTable(['TIME', 'REFERENCE', 'AMOUNT'], section.lines.map((item: Json) => [item.time, item.reference, item.amount])), ''];

  const summary = renderTable(
    ['', 'AMOUNT'],
    [
      ['Opening balance', statement.opening_balance],
      ['Top-ups', statement.topups.total],
      ['Payments', statement.payments.total],
      ['Usage', negate(statement.usage.total)],
      ['Other', statement.other.total],
      ['Closing balance', statement.closing_balance],
      ['Ledger balance at the end', statement.ledger_closing_balance],
    ],
  );

  return [
    `Statement of ${statement.customer_id} from ${statement.from} to ${statement.to} (${statement.currency})`,
    '',
    summary,
    '',
    statement.reconciled ? 'Reconciled: the closing balance equals the ledger balance.' : 'NOT RECONCILED: the closing balance differs from the ledger balance.',
    ...(statement.topups.lines.length > 0 ? ['', 'Top-ups:', ...items(statement.topups)] : []),
    ...(statement.payments.lines.length > 0 ? ['', 'Payments:', ...items(statement.payments)] : []),
    ...(statement.other.lines.length > 0 ? ['', 'Other:', ...items(statement.other)] : []),
    '',
    'Usage:',
    '',
    renderUsageLines(statement.usage.lines, { ...sumLines(statement.usage.lines), cost: statement.usage.total }, 'cost'),
  ]
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trimEnd();
}

export function renderInvoice(invoice: Json): string {
  const header = [
    `Invoice ${invoice.number} (${invoice.id}), ${invoice.status}`,
    `Customer: ${invoice.customer_name} (${invoice.customer_id})`,
    `Period:   ${invoice.period_start} to ${invoice.period_end}`,
    `Issued:   ${invoice.issued_at}`,
  ];

  const totals = renderTable(
    ['', invoice.currency],
    [
      ['Total', invoice.total],
      ['Paid', invoice.amount_paid],
      ['Due', invoice.amount_due],
    ],
  );

  const payments = (invoice.payments ?? []) as Json[];

  return [
    ...header,
    '',
    renderUsageLines(invoice.lines, { ...sumLines(invoice.lines), amount: invoice.total }, 'amount'),
    '',
    totals,
    ...(payments.length > 0 ? ['', 'Payments:', renderTable(['PAID AT', 'REFERENCE', 'AMOUNT'], payments.map((payment) => [payment.paid_at, payment.reference, payment.amount]))] : []),
  ].join('\n');
}

export function renderPayment(result: Json): string {
  const { payment, invoice } = result;
  return [
    `Payment ${payment.reference} of ${payment.amount} ${invoice.currency} recorded at ${payment.paid_at}.`,
    `Invoice ${invoice.number} is ${String(invoice.status).replace("_", " ")}: paid ${invoice.amount_paid}, due ${invoice.amount_due} ${invoice.currency}.`,
  ].join('\n');
}

function sumLines(lines: Json[]): Json {
  const totals: Json = {};
  for (const [key] of TOKEN_COLUMNS) {
    totals[key] = lines.reduce((sum, line) => sum + Number(line[key] ?? 0), 0);
  }
  return totals;
}

/** Flips the sign of a decimal string, leaving zero unsigned. */
function negate(amount: string): string {
  if (amount.startsWith('-')) {
    return amount.slice(1);
  }
  if (/^0(\.0+)?$/.test(amount)) {
    return amount;
  }
  return `-${amount}`;
}
