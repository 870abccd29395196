/**
 * One billing month end to end. Four customers use the real gateway through
 * the openai client from 30 October to 1 December 2026 on a simulated
 * clock. The November usage reports, statements, invoices, payments,
 * low-balance webhooks, self-service views and CLI commands are then checked
 * to the last unit against charges computed here from the fixture manifest's
 * usage and the rates in the test price list.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { verifySignature } from '../src/alerts/index.ts';
import { WebhookReceiver } from '../src/alerts/webhook-receiver.testing.ts';
import {
  expectedCost,
  formatUsd,
  loadRates,
  summarizeExpected,
  usageCsvFields,
  usageJson,
  usageOf,
  usdUnits,
  type TokenUsage,
} from './helpers/expected-billing.ts';
import { sendFixtureRequest } from './helpers/fixture-requests.ts';
import { ADMIN_TOKEN, TEST_PRICING, startTestGateway, type TestGateway } from './helpers/gateway.ts';
import { loadManifest, scenarioFromFixture, type ManifestEntry } from './helpers/upstream-simulator.ts';

const CLI = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url));
const execFileAsync = promisify(execFile);

const rates = loadRates(TEST_PRICING);
const manifest = loadManifest();

const WEBHOOK_SECRET = 'whsec-billing-month-0123456789abcdef';
const ALERT_THRESHOLD = '0.05';

const NOVEMBER = { from: '2026-11-01T00:00:00Z', to: '2026-12-01T00:00:00Z' };
const NOVEMBER_START = new Date('2026-11-01T00:00:00.000Z');
const DECEMBER_START = new Date('2026-12-01T00:00:00.000Z');
const ONBOARDING_TIME = '2026-10-30T09:00:00.000Z';
/** The time of everything after the simulated traffic: invoices, payments, rejections and CLI calls. */
const CLOSING_TIME = '2026-12-02T10:00:00.000Z';

const WEBHOOK_WAIT_MS = 5_000;

type CustomerName = 'alerted' | 'prepaid' | 'limited' | 'postpaid';

const CUSTOMER_NAMES: CustomerName[] = ['alerted', 'prepaid', 'limited', 'postpaid'];
const POSTPAID_NAMES: CustomerName[] = ['limited', 'postpaid'];

interface CustomerPlan {
  billing: 'prepaid' | 'postpaid';
  creditLimit?: string;
  /** Top-up on the onboarding day, before the period. */
  opening?: { amount: string; reference: string };
  alertThreshold?: string;
}

const CUSTOMER_PLANS: Record<CustomerName, CustomerPlan> = {
  alerted: { billing: 'prepaid', opening: { amount: '0.10', reference: 'alerted-opening' }, alertThreshold: ALERT_THRESHOLD },
  prepaid: { billing: 'prepaid', opening: { amount: '5.00', reference: 'prepaid-opening' } },
  limited: { billing: 'postpaid', creditLimit: '25.00' },
  postpaid: { billing: 'postpaid' },
};

const O4_MINI = 'openai-chat-nonstream-cached-reasoning.json';
const GPT_41_MINI_STREAM = 'openai-chat-stream-include-usage.sse';
const TOOL_CALLS_STREAM = 'openai-chat-stream-tool-calls.sse';
const RESPONSES_STREAM = 'openai-responses-stream.sse';
const RESPONSES_INCOMPLETE_STREAM = 'openai-responses-stream-incomplete.sse';
const RESPONSES = 'openai-responses-nonstream.json';
const DEEPSEEK = 'deepseek-chat-nonstream-cache-hit.json';
const EMBEDDINGS = 'openai-embeddings.json';
const GROQ_STREAM = 'groq-chat-stream-x-groq-usage-legacy.sse';
const XAI_STREAM = 'xai-chat-stream-reasoning-outside-completion-tokens.sse';
const COMPLETIONS = 'openai-completions-legacy-nonstream.json';
const COMPLETIONS_STREAM = 'openai-completions-legacy-stream-include-usage.sse';
const AUDIO = 'openai-chat-nonstream-audio.json';
const TOGETHER_STREAM = 'together-chat-stream-finish-eos-usage.sse';

type Step =
  | { at: string; customer: CustomerName; fixture: string }
  | { at: string; customer: CustomerName; topup: string; reference: string };

/**
 * The traffic, in time order. The alerted wallet starts at 0.10 with a
 * threshold of 0.05: the o4-mini request of 8 November takes it below, the
 * top-up of 15 November lifts it above, and the o4-mini request of
 * 28 November takes it below again.
 */
const SCHEDULE: Step[] = [
  { at: '2026-10-31T10:00:00.000Z', customer: 'limited', fixture: GROQ_STREAM },
  { at: '2026-10-31T23:59:59.999Z', customer: 'alerted', fixture: O4_MINI },
  { at: '2026-11-01T00:00:00.000Z', customer: 'prepaid', fixture: TOOL_CALLS_STREAM },
  { at: '2026-11-01T00:00:00.000Z', customer: 'postpaid', fixture: COMPLETIONS },
  { at: '2026-11-02T08:00:00.000Z', customer: 'prepaid', fixture: RESPONSES_STREAM },
  { at: '2026-11-03T09:00:00.000Z', customer: 'alerted', fixture: GPT_41_MINI_STREAM },
  { at: '2026-11-04T10:00:00.000Z', customer: 'limited', fixture: RESPONSES },
  { at: '2026-11-05T11:00:00.000Z', customer: 'alerted', fixture: O4_MINI },
  { at: '2026-11-06T12:00:00.000Z', customer: 'postpaid', fixture: AUDIO },
  { at: '2026-11-08T13:00:00.000Z', customer: 'alerted', fixture: O4_MINI },
  { at: '2026-11-09T14:00:00.000Z', customer: 'alerted', fixture: GPT_41_MINI_STREAM },
  { at: '2026-11-10T15:00:00.000Z', customer: 'prepaid', fixture: DEEPSEEK },
  { at: '2026-11-12T16:00:00.000Z', customer: 'prepaid', fixture: EMBEDDINGS },
  { at: '2026-11-13T17:00:00.000Z', customer: 'postpaid', fixture: COMPLETIONS_STREAM },
  { at: '2026-11-14T18:00:00.000Z', customer: 'limited', fixture: XAI_STREAM },
  { at: '2026-11-15T12:00:00.000Z', customer: 'alerted', topup: '0.05', reference: 'alerted-nov-15' },
  { at: '2026-11-16T09:00:00.000Z', customer: 'prepaid', topup: '2.50', reference: 'prepaid-nov-16' },
  { at: '2026-11-19T10:00:00.000Z', customer: 'limited', fixture: GROQ_STREAM },
  { at: '2026-11-20T11:00:00.000Z', customer: 'alerted', fixture: O4_MINI },
  { at: '2026-11-21T12:00:00.000Z', customer: 'postpaid', fixture: TOGETHER_STREAM },
  { at: '2026-11-22T13:00:00.000Z', customer: 'prepaid', fixture: DEEPSEEK },
  { at: '2026-11-25T14:00:00.000Z', customer: 'alerted', fixture: O4_MINI },
  { at: '2026-11-27T15:00:00.000Z', customer: 'limited', fixture: RESPONSES },
  { at: '2026-11-28T16:00:00.000Z', customer: 'alerted', fixture: O4_MINI },
  { at: '2026-11-29T17:00:00.000Z', customer: 'postpaid', fixture: AUDIO },
  { at: '2026-11-30T23:59:59.999Z', customer: 'alerted', fixture: GPT_41_MINI_STREAM },
  { at: '2026-11-30T23:59:59.999Z', customer: 'prepaid', fixture: RESPONSES_INCOMPLETE_STREAM },
  { at: '2026-12-01T00:00:00.000Z', customer: 'alerted', fixture: O4_MINI },
  { at: '2026-12-01T00:00:00.000Z', customer: 'limited', fixture: XAI_STREAM },
  { at: '2026-12-01T08:00:00.000Z', customer: 'limited', fixture: GROQ_STREAM },
];

interface Charge {
  customer: CustomerName;
  at: Date;
  requestId: string;
  model: string;
  usage: TokenUsage;
  cost: bigint;
}

interface Topup {
  customer: CustomerName;
  at: Date;
  reference: string;
  amount: bigint;
}

interface RepeatedTopup {
  customer: CustomerName;
  reference: string;
  first: { status: number; body: any };
  again: { status: number; body: any };
  balanceBefore: string;
  balanceAfter: string;
}

interface AlertTrace {
  at: string;
  state: string;
  available: string;
}

let t: TestGateway;
let receiver: WebhookReceiver;
let simulatedNow = new Date(ONBOARDING_TIME);

const customers = {} as Record<CustomerName, { id: string; key: string }>;
const charges: Charge[] = [];
const topups: Topup[] = [];
const repeatedTopups: RepeatedTopup[] = [];
/** The alerted customer's alert state and available amount after each of its steps. */
const alertTrace: AlertTrace[] = [];
/** Wallet changes of the alerted customer in the schedule, after its opening top-up and alert. */
const alertedWalletChanges: Array<{ at: string; delta: bigint }> = [];
const invoiceIds = {} as Record<CustomerName, string>;

beforeAll(async () => {
  receiver = new WebhookReceiver();
  const webhookUrl = await receiver.start();
  t = await startTestGateway(
    { ALERT_WEBHOOK_URL: webhookUrl, ALERT_WEBHOOK_SECRET: WEBHOOK_SECRET },
    { clock: () => new Date(simulatedNow.getTime()) },
  );

  setTime(ONBOARDING_TIME);
  for (const name of CUSTOMER_NAMES) {
    await onboard(name);
  }

  for (const step of SCHEDULE) {
    setTime(step.at);
    let delta: bigint;
    if ('fixture' in step) {
      delta = -(await charge(step.customer, step.fixture));
    } else {
      delta = await topUpTwice(step.customer, step.topup, step.reference);
    }

    if (step.customer === 'alerted') {
      const { body } = await t.admin('GET', `/customers/${customers.alerted.id}/alert`);
      alertTrace.push({ at: step.at, state: body.state, available: body.available });
      alertedWalletChanges.push({ at: step.at, delta });
    }
  }

  setTime(CLOSING_TIME);
}, 60_000);

afterAll(async () => {
  await t?.close();
  await receiver?.close();
});

function setTime(iso: string): void {
  simulatedNow = new Date(iso);
}

async function onboard(name: CustomerName): Promise<void> {
  const plan = CUSTOMER_PLANS[name];
  const created = await t.admin('POST', '/customers', {
    name: `November ${name}`,
    billing: plan.billing,
    ...(plan.creditLimit === undefined ? {} : { credit_limit: plan.creditLimit }),
  });
  const key = await t.admin('POST', `/customers/${created.body.id}/keys`);
  customers[name] = { id: created.body.id, key: key.body.key };

  if (plan.opening) {
    await topUpTwice(name, plan.opening.amount, plan.opening.reference);
  }
  if (plan.alertThreshold) {
    const alert = await t.admin('PUT', `/customers/${created.body.id}/alert`, { threshold: plan.alertThreshold });
    if (alert.status !== 201) {
      throw new Error(`setting the alert of ${name} failed: ${JSON.stringify(alert.body)}`);
    }
  }
}

/** Sends, as `customer`, the request that the fixture `file` responds to, and returns its expected cost. */
async function charge(customer: CustomerName, file: string): Promise<bigint> {
  const entry = fixture(file);
  const model = entry.request.model as string;
  t.simulator.enqueue(scenarioFromFixture(entry));

  const requestId = await sendFixtureRequest(t.client(customers[customer].key), entry, model);

  const usage = usageOf(entry.expected_usage);
  const cost = expectedCost(rates.get(model)!, usage);
  charges.push({ customer, at: new Date(simulatedNow), requestId, model, usage, cost });
  return cost;
}

/** Tops up twice with one reference, records both responses, and returns the amount in units. */
async function topUpTwice(customer: CustomerName, amount: string, reference: string): Promise<bigint> {
  const path = `/customers/${customers[customer].id}/topups`;

  const first = await t.admin('POST', path, { amount, reference });
  const balanceBefore = (await customerView(customer)).balance;
  const again = await t.admin('POST', path, { amount, reference });
  const balanceAfter = (await customerView(customer)).balance;

  repeatedTopups.push({ customer, reference, first, again, balanceBefore, balanceAfter });
  topups.push({ customer, at: new Date(simulatedNow), reference, amount: usdUnits(amount) });
  return usdUnits(amount);
}

function fixture(file: string): ManifestEntry {
  const entry = manifest.find((candidate) => candidate.file === file);
  if (!entry) {
    throw new Error(`fixture ${file} is not in the manifest`);
  }
  return entry;
}

async function customerView(customer: CustomerName): Promise<any> {
  const { body } = await t.admin('GET', `/customers/${customers[customer].id}`);
  return body;
}

function query(period: { from: string; to: string }): string {
  return new URLSearchParams(period).toString();
}

async function adminText(path: string): Promise<{ status: number; contentType: string; text: string }> {
  const response = await fetch(`${t.gateway.url}/admin${path}`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
  return { status: response.status, contentType: response.headers.get('content-type') ?? '', text: await response.text() };
}

async function selfService(customer: CustomerName, path: string): Promise<{ status: number; contentType: string; text: string }> {
  const response = await fetch(`${t.gateway.url}/v1/billing${path}`, { headers: { authorization: `Bearer ${customers[customer].key}` } });
  return { status: response.status, contentType: response.headers.get('content-type') ?? '', text: await response.text() };
}

function isInNovember(at: Date): boolean {
  return at.getTime() >= NOVEMBER_START.getTime() && at.getTime() < DECEMBER_START.getTime();
}

function chargesOf(customer: CustomerName, select: (at: Date) => boolean): Charge[] {
  return charges.filter((entry) => entry.customer === customer && select(entry.at));
}

function novemberUsage(customer: CustomerName) {
  return summarizeExpected(chargesOf(customer, isInNovember));
}

function novemberReport(customer: CustomerName) {
  const { lines, totals } = novemberUsage(customer);
  return {
    object: 'usage_report',
    customer_id: customers[customer].id,
    currency: 'USD',
    from: NOVEMBER.from,
    to: NOVEMBER.to,
    lines: lines.map((line) => ({ model: line.model, ...usageJson(line) })),
    totals: usageJson(totals),
  };
}

/** Returns a customer's wallet balance just before `end`: top-ups minus charges. Payments are left out because the schedule makes none. */
function walletBefore(customer: CustomerName, end: Date): bigint {
  const credits = topups.filter((entry) => entry.customer === customer && entry.at < end).reduce((sum, entry) => sum + entry.amount, 0n);
  const debits = chargesOf(customer, (at) => at < end).reduce((sum, entry) => sum + entry.cost, 0n);
  return credits - debits;
}

function sumCosts(list: Charge[]): bigint {
  return list.reduce((sum, entry) => sum + entry.cost, 0n);
}

/** Replays the alert rule over the alerted wallet: fire once on a fall below the threshold, re-arm at or above it. */
function expectedAlerts(): { fired: Array<{ at: string; available: bigint }>; states: string[] } {
  const threshold = usdUnits(ALERT_THRESHOLD);
  let available = usdUnits(CUSTOMER_PLANS.alerted.opening!.amount);
  let armed = true;
  const fired: Array<{ at: string; available: bigint }> = [];
  const states: string[] = [];

  for (const change of alertedWalletChanges) {
    available += change.delta;

    if (available < threshold && armed) {
      fired.push({ at: change.at, available });
      armed = false;
    } else if (available >= threshold) {
      armed = true;
    }
    states.push(armed ? 'armed' : 'fired');
  }
  return { fired, states };
}

async function waitFor(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition() && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await execFileAsync(process.execPath, [CLI, ...args], {
      env: { PATH: process.env.PATH ?? '', TOLLGATE_URL: t.gateway.url, TOLLGATE_ADMIN_TOKEN: ADMIN_TOKEN },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

/** Everything a rejected request must leave unchanged: every customer as the admin API shows it, and the postpaid invoices. */
async function snapshot(): Promise<unknown> {
  const state: Record<string, unknown> = {};

  for (const name of CUSTOMER_NAMES) {
    state[name] = await customerView(name);
  }
  for (const name of POSTPAID_NAMES) {
    state[`${name} invoices`] = (await t.admin('GET', `/customers/${customers[name].id}/invoices`)).body;
  }
  return state;
}

describe('simulated month', () => {
  it('writes each charge at its simulated time', async () => {
    const written = [];
    for (const entry of charges) {
      const legs = await t.gateway.ledger.entryTransactions(entry.requestId);
      const usd = legs.find((leg) => leg.currency === 'USD');
      written.push([usd?.createdAt, usd?.amount]);
    }

    expect(written).toEqual(charges.map((entry) => [entry.at.toISOString(), entry.cost]));
  });

  it('charges at both period boundaries', () => {
    const times = charges.map((entry) => entry.at.toISOString());

    expect(times).toContain('2026-11-01T00:00:00.000Z');
    expect(times).toContain('2026-12-01T00:00:00.000Z');
  });
});

describe('usage report', () => {
  it.each(CUSTOMER_NAMES)('matches the November charges of %s as JSON', async (name) => {
    const { status, body } = await t.admin('GET', `/customers/${customers[name].id}/usage?${query(NOVEMBER)}`);

    expect(status).toBe(200);
    expect(body).toEqual(novemberReport(name));
  });

  it.each(CUSTOMER_NAMES)('matches the November charges of %s as CSV', async (name) => {
    const { lines, totals } = novemberUsage(name);

    const { status, contentType, text } = await adminText(`/customers/${customers[name].id}/usage?${query(NOVEMBER)}&format=csv`);

    const rows = text.split('\r\n');
    expect(status).toBe(200);
    expect(contentType).toBe('text/csv; charset=utf-8');
    expect(rows[0]).toBe('model,requests,input_tokens,cached_input_tokens,output_tokens,reasoning_tokens,audio_input_tokens,audio_output_tokens,cost,currency');
    expect(rows.slice(1, -2)).toEqual(lines.map((line) => [line.model, ...usageCsvFields(line)].join(',')));
    expect(rows.at(-2)).toBe(['TOTAL', ...usageCsvFields(totals)].join(','));
    expect(rows.at(-1)).toBe('');
  });

  it('excludes October and December requests', async () => {
    const outside = charges.filter((entry) => !isInNovember(entry.at));
    const alertedOutside = outside.filter((entry) => entry.customer === 'alerted').length;
    const limitedOutside = outside.filter((entry) => entry.customer === 'limited').length;

    const alerted = await t.admin('GET', `/customers/${customers.alerted.id}/usage?${query(NOVEMBER)}`);
    const limited = await t.admin('GET', `/customers/${customers.limited.id}/usage?${query(NOVEMBER)}`);

    expect(alertedOutside).toBe(2);
    expect(limitedOutside).toBe(3);
    expect(alerted.body.totals.requests).toBe(chargesOf('alerted', () => true).length - alertedOutside);
    expect(limited.body.totals.requests).toBe(chargesOf('limited', () => true).length - limitedOutside);
  });

  it('counts the December boundary in December', async () => {
    const december = { from: NOVEMBER.to, to: '2026-12-02T00:00:00Z' };
    const expected = summarizeExpected(chargesOf('alerted', (at) => at >= DECEMBER_START));

    const { body } = await t.admin('GET', `/customers/${customers.alerted.id}/usage?${query(december)}`);

    expect(expected.totals.requests).toBe(1);
    expect(body.totals).toEqual(usageJson(expected.totals));
  });
});

describe('prepaid statement', () => {
  it('reconciles a wallet charged after the period', async () => {
    const opening = walletBefore('alerted', NOVEMBER_START);
    const closing = walletBefore('alerted', DECEMBER_START);
    const { lines, totals } = novemberUsage('alerted');
    const decemberCost = sumCosts(chargesOf('alerted', (at) => at >= DECEMBER_START));

    const { status, body } = await t.admin('GET', `/customers/${customers.alerted.id}/statement?${query(NOVEMBER)}`);
    const view = await customerView('alerted');

    expect(status).toBe(200);
    expect(body.opening_balance).toBe(formatUsd(opening));
    expect(body.topups.lines.map((line: any) => [line.time, line.reference, line.amount])).toEqual([['2026-11-15T12:00:00Z', 'alerted-nov-15', '0.05']]);
    expect(body.topups.total).toBe('0.05');
    expect(body.payments).toEqual({ lines: [], total: '0.00' });
    expect(body.usage.lines).toEqual(lines.map((line) => ({ model: line.model, ...usageJson(line) })));
    expect(body.usage.total).toBe(formatUsd(totals.cost));
    expect(body.other).toEqual({ lines: [], total: '0.00' });
    expect(body.closing_balance).toBe(formatUsd(closing));
    expect(body.ledger_closing_balance).toBe(formatUsd(closing));
    expect(body.reconciled).toBe(true);
    expect(decemberCost > 0n).toBe(true);
    expect(view.balance).toBe(formatUsd(closing - decemberCost));
  });

  it('reconciles a wallet idle after the period', async () => {
    const opening = walletBefore('prepaid', NOVEMBER_START);
    const closing = walletBefore('prepaid', DECEMBER_START);
    const { lines, totals } = novemberUsage('prepaid');

    const { status, body } = await t.admin('GET', `/customers/${customers.prepaid.id}/statement?${query(NOVEMBER)}`);
    const view = await customerView('prepaid');

    expect(status).toBe(200);
    expect(body.opening_balance).toBe('5.00');
    expect(body.opening_balance).toBe(formatUsd(opening));
    expect(body.topups.lines.map((line: any) => [line.time, line.reference, line.amount])).toEqual([['2026-11-16T09:00:00Z', 'prepaid-nov-16', '2.50']]);
    expect(body.topups.total).toBe('2.50');
    expect(body.usage.lines).toEqual(lines.map((line) => ({ model: line.model, ...usageJson(line) })));
    expect(body.usage.total).toBe(formatUsd(totals.cost));
    expect(body.closing_balance).toBe(formatUsd(closing));
    expect(body.reconciled).toBe(true);
    expect(view.balance).toBe(body.closing_balance);
    expect(view.held).toBe('0.00');
  });
});

describe('top-up', () => {
  it('tops up once per reference', () => {
    expect(repeatedTopups).toHaveLength(4);

    for (const repeated of repeatedTopups) {
      expect(repeated.first.status, repeated.reference).toBe(201);
      expect(repeated.again.status, repeated.reference).toBe(200);
      expect(repeated.again.body.created, repeated.reference).toBe(false);
      expect(repeated.again.body.transaction_id, repeated.reference).toBe(repeated.first.body.transaction_id);
      expect(repeated.balanceAfter, repeated.reference).toBe(repeated.balanceBefore);
    }
  });
});

describe('low-balance alert', () => {
  it('fires on 8 and 28 November only', () => {
    const { fired } = expectedAlerts();

    expect(fired.map((event) => event.at)).toEqual(['2026-11-08T13:00:00.000Z', '2026-11-28T16:00:00.000Z']);
  });

  it('re-arms after the top-up', () => {
    const { states } = expectedAlerts();

    expect(alertTrace.map((entry) => entry.state)).toEqual(states);
    expect(alertTrace.find((entry) => entry.at === '2026-11-15T12:00:00.000Z')?.state).toBe('armed');
  });

  it('posts one signed webhook per crossing', async () => {
    const { fired } = expectedAlerts();

    await waitFor(() => receiver.requests.length >= fired.length, WEBHOOK_WAIT_MS);
    const events = receiver.requests.map((request) => JSON.parse(request.body));

    expect(receiver.requests).toHaveLength(2);
    expect(new Set(events.map((event) => event.id)).size).toBe(2);
    expect(events).toEqual(
      fired.map((crossing) => ({
        type: 'balance.low',
        id: expect.stringMatching(/^evt_/),
        created_at: crossing.at,
        data: { customer_id: customers.alerted.id, currency: 'USD', available: formatUsd(crossing.available), threshold: ALERT_THRESHOLD },
      })),
    );
    for (const request of receiver.requests) {
      const timestamp = request.headers['x-tollgate-timestamp'] as string;
      const signature = request.headers['x-tollgate-signature'] as string;

      expect(request.method).toBe('POST');
      expect(verifySignature(WEBHOOK_SECRET, timestamp, request.body, signature)).toBe(true);
      expect(verifySignature(`${WEBHOOK_SECRET}-other`, timestamp, request.body, signature)).toBe(false);
    }
  });

  it('logs one warning per crossing', () => {
    const warnings = t.logs
      .map((line) => JSON.parse(line))
      .filter((record) => record.msg === 'available balance is below the alert threshold' && record.customerId === customers.alerted.id);

    expect(warnings.map((record) => record.available)).toEqual(expectedAlerts().fired.map((crossing) => formatUsd(crossing.available)));
  });
});

describe('self-service', () => {
  it.each(CUSTOMER_NAMES)('matches the admin balance for %s', async (name) => {
    const view = await customerView(name);

    const { status, text } = await selfService(name, '/balance');
    const body = JSON.parse(text);

    expect(status).toBe(200);
    expect(body).toEqual({
      object: 'billing.balance',
      currency: 'USD',
      balance: view.balance,
      held: view.held,
      available: view.available,
      billing: view.billing,
      credit_limit: view.credit_limit,
    });
  });

  it.each(CUSTOMER_NAMES)('matches the admin usage report for %s', async (name) => {
    const admin = await t.admin('GET', `/customers/${customers[name].id}/usage?${query(NOVEMBER)}`);

    const json = await selfService(name, `/usage?${query(NOVEMBER)}`);
    const csv = await selfService(name, `/usage?${query(NOVEMBER)}&format=csv`);
    const adminCsv = await adminText(`/customers/${customers[name].id}/usage?${query(NOVEMBER)}&format=csv`);

    expect(json.status).toBe(200);
    expect(JSON.parse(json.text)).toEqual(admin.body);
    expect(JSON.parse(json.text)).toEqual(novemberReport(name));
    expect(csv.text).toBe(adminCsv.text);
  });

  it('defaults to the current month so far', async () => {
    const expected = summarizeExpected(chargesOf('limited', (at) => at >= DECEMBER_START));

    const { text } = await selfService('limited', '/usage');
    const body = JSON.parse(text);

    expect(body.from).toBe('2026-12-01T00:00:00Z');
    expect(body.to).toBe('2026-12-02T10:00:00Z');
    expect(body.totals).toEqual(usageJson(expected.totals));
  });
});

describe('postpaid invoice', () => {
  const period = { period_start: NOVEMBER.from, period_end: NOVEMBER.to };

  it.each(POSTPAID_NAMES)('bills the November usage of %s', async (name) => {
    const { lines, totals } = novemberUsage(name);
    const references = chargesOf(name, isInNovember).flatMap((entry) => [`${entry.requestId}:tokens`, `${entry.requestId}:usd`]);
    const report = await t.admin('GET', `/customers/${customers[name].id}/usage?${query(NOVEMBER)}`);

    const { status, body } = await t.admin('POST', `/customers/${customers[name].id}/invoices`, period);
    invoiceIds[name] = body.id;

    expect(status).toBe(201);
    expect(body.customer_id).toBe(customers[name].id);
    expect(body.period_start).toBe('2026-11-01T00:00:00.000Z');
    expect(body.period_end).toBe('2026-12-01T00:00:00.000Z');
    expect(body.issued_at).toBe(CLOSING_TIME);
    expect(body.lines).toEqual(lines.map(({ cost, ...line }) => ({ ...line, amount: formatUsd(cost) })));
    expect(body.lines.map(({ amount, ...line }: any) => ({ ...line, cost: amount }))).toEqual(report.body.lines);
    expect(body.total).toBe(formatUsd(totals.cost));
    expect(body.total).toBe(report.body.totals.cost);
    expect([...body.ledger_references].sort()).toEqual([...references].sort());
    expect(body.status).toBe('open');
    expect(body.amount_due).toBe(body.total);
  });

  it('returns the same invoice for the same period', async () => {
    const before = await snapshot();
    const first = await t.admin('GET', `/invoices/${invoiceIds.postpaid}`);

    const again = await t.admin('POST', `/customers/${customers.postpaid.id}/invoices`, period);

    expect(again.status).toBe(200);
    expect(again.body.id).toBe(invoiceIds.postpaid);
    expect(again.body).toEqual(first.body);
    expect(await snapshot()).toEqual(before);
  });

  it('takes a partial payment, then the rest', async () => {
    const total = usdUnits((await t.admin('GET', `/invoices/${invoiceIds.postpaid}`)).body.total);
    const part = total / 3n;
    const rest = total - part;
    const path = `/invoices/${invoiceIds.postpaid}/payments`;

    const partial = await t.admin('POST', path, { amount: formatUsd(part), reference: 'wire-2026-12-02-a' });
    const afterPartial = await customerView('postpaid');
    const repeated = await t.admin('POST', path, { amount: formatUsd(part), reference: 'wire-2026-12-02-a' });
    const afterRepeat = await customerView('postpaid');
    const remainder = await t.admin('POST', path, { amount: formatUsd(rest), reference: 'wire-2026-12-02-b' });
    const afterRemainder = await customerView('postpaid');

    expect(partial.status).toBe(201);
    expect(partial.body.invoice.status).toBe('partially_paid');
    expect(partial.body.invoice.amount_paid).toBe(formatUsd(part));
    expect(partial.body.invoice.amount_due).toBe(formatUsd(rest));
    expect(afterPartial.balance).toBe(formatUsd(part - total));
    expect(repeated.status).toBe(200);
    expect(repeated.body.payment.transaction_id).toBe(partial.body.payment.transaction_id);
    expect(repeated.body.invoice.amount_paid).toBe(formatUsd(part));
    expect(afterRepeat.balance).toBe(afterPartial.balance);
    expect(remainder.status).toBe(201);
    expect(remainder.body.invoice.status).toBe('paid');
    expect(remainder.body.invoice.amount_paid).toBe(formatUsd(total));
    expect(remainder.body.invoice.amount_due).toBe('0.00');
    expect(remainder.body.invoice.payments.map((payment: any) => payment.reference)).toEqual(['wire-2026-12-02-a', 'wire-2026-12-02-b']);
    expect(afterRemainder.balance).toBe('0.00');
  });

  it('rejects a payment above the amount due', async () => {
    const invoice = (await t.admin('GET', `/invoices/${invoiceIds.limited}`)).body;
    const before = await snapshot();

    const { status, body } = await t.admin('POST', `/invoices/${invoiceIds.limited}/payments`, {
      amount: formatUsd(usdUnits(invoice.amount_due) + 1n),
      reference: 'too-much-1',
    });

    expect(status).toBe(400);
    expect(body.error).toMatchObject({ code: 'invalid_amount', param: 'amount' });
    expect(await snapshot()).toEqual(before);
  });
});

describe('rejected request', () => {
  interface Rejection {
    method: string;
    path: () => string;
    body?: () => unknown;
    key?: CustomerName;
    status: number;
    code: string;
    param: string | null;
  }

  const usagePath = (search: string) => () => `/customers/${customers.prepaid.id}/usage?${search}`;
  const statementPath = (search: string) => () => `/customers/${customers.alerted.id}/statement?${search}`;
  const invoicesPath = () => `/customers/${customers.postpaid.id}/invoices`;

  const rejections: Array<[string, Rejection]> = [
    ['usage without from', { method: 'GET', path: usagePath(`to=${NOVEMBER.to}`), status: 400, code: 'invalid_request', param: 'from' }],
    ['usage with a date for to', { method: 'GET', path: usagePath(`from=${NOVEMBER.from}&to=2026-12-01`), status: 400, code: 'invalid_request', param: 'to' }],
    ['usage with from after to', { method: 'GET', path: usagePath(query({ from: NOVEMBER.to, to: NOVEMBER.from })), status: 400, code: 'invalid_request', param: 'to' }],
    ['usage with from equal to to', { method: 'GET', path: usagePath(query({ from: NOVEMBER.from, to: NOVEMBER.from })), status: 400, code: 'invalid_request', param: 'to' }],
    ['statement without to', { method: 'GET', path: statementPath(`from=${NOVEMBER.from}`), status: 400, code: 'invalid_request', param: 'to' }],
    ['statement with free text for from', { method: 'GET', path: statementPath(`from=yesterday&to=${NOVEMBER.to}`), status: 400, code: 'invalid_request', param: 'from' }],
    ['self-service usage with from only', { method: 'GET', path: () => `/v1/billing/usage?from=${NOVEMBER.from}`, key: 'prepaid', status: 400, code: 'invalid_request', param: 'to' }],
    ['invoice without period_start', { method: 'POST', path: invoicesPath, body: () => ({ period_end: NOVEMBER.to }), status: 400, code: 'invalid_request', param: 'period_start' }],
    ['invoice with a date for period_end', { method: 'POST', path: invoicesPath, body: () => ({ period_start: NOVEMBER.from, period_end: '2026-12-01' }), status: 400, code: 'invalid_request', param: 'period_end' }],
    ['invoice with start after end', { method: 'POST', path: invoicesPath, body: () => ({ period_start: NOVEMBER.to, period_end: NOVEMBER.from }), status: 400, code: 'invalid_request', param: 'period_end' }],
    ['invoice overlapping November', { method: 'POST', path: invoicesPath, body: () => ({ period_start: '2026-10-15T00:00:00Z', period_end: '2026-11-15T00:00:00Z' }), status: 409, code: 'conflict', param: 'period_start' }],
    ['usage of an unknown customer', { method: 'GET', path: () => `/customers/cus_unknown/usage?${query(NOVEMBER)}`, status: 404, code: 'not_found', param: null }],
    ['statement of an unknown customer', { method: 'GET', path: () => `/customers/cus_unknown/statement?${query(NOVEMBER)}`, status: 404, code: 'not_found', param: null }],
    ['invoice of an unknown customer', { method: 'POST', path: () => '/customers/cus_unknown/invoices', body: () => ({ period_start: NOVEMBER.from, period_end: NOVEMBER.to }), status: 404, code: 'not_found', param: null }],
    ['top-up of an unknown customer', { method: 'POST', path: () => '/customers/cus_unknown/topups', body: () => ({ amount: '1.00', reference: 'unknown-1' }), status: 404, code: 'not_found', param: null }],
    ['unknown invoice', { method: 'GET', path: () => '/invoices/inv_unknown', status: 404, code: 'not_found', param: null }],
    ['payment of an unknown invoice', { method: 'POST', path: () => '/invoices/inv_unknown/payments', body: () => ({ amount: '1.00', reference: 'unknown-1' }), status: 404, code: 'not_found', param: null }],
  ];

  for (const amount of ['-1', '1e3', '0.0000000001', '']) {
    rejections.push(
      [`top-up of ${JSON.stringify(amount)}`, { method: 'POST', path: () => `/customers/${customers.prepaid.id}/topups`, body: () => ({ amount, reference: 'bad-amount-1' }), status: 400, code: 'invalid_amount', param: 'amount' }],
      [`payment of ${JSON.stringify(amount)}`, { method: 'POST', path: () => `/invoices/${invoiceIds.limited}/payments`, body: () => ({ amount, reference: 'bad-amount-1' }), status: 400, code: 'invalid_amount', param: 'amount' }],
    );
  }

  it.each(rejections)('%s changes nothing', async (_label, rejection) => {
    const before = await snapshot();
    const body = rejection.body?.();
    const path = rejection.path();
    const authorization = rejection.key === undefined ? ADMIN_TOKEN : customers[rejection.key].key;
    const url = rejection.key === undefined ? `${t.gateway.url}/admin${path}` : `${t.gateway.url}${path}`;

    const response = await fetch(url, {
      method: rejection.method,
      headers: { authorization: `Bearer ${authorization}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const answer = (await response.json()) as any;

    expect(response.status).toBe(rejection.status);
    expect(answer.error.code).toBe(rejection.code);
    expect(answer.error.param).toBe(rejection.param);
    expect(answer.error.type).toBe('invalid_request_error');
    expect(await snapshot()).toEqual(before);
  });
});

describe('tollgate CLI', () => {
  const periodFlags = ['--from', NOVEMBER.from, '--to', NOVEMBER.to];

  it('prints the usage report as JSON', async () => {
    const result = await cli(['usage', customers.limited.id, ...periodFlags, '--json']);

    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    expect(JSON.parse(result.stdout)).toEqual(novemberReport('limited'));
  });

  it('prints the usage report as a table', async () => {
    const { lines, totals } = novemberUsage('limited');

    const result = await cli(['usage', customers.limited.id, ...periodFlags]);
    const output = result.stdout.split('\n');

    expect(result.code).toBe(0);
    expect(output[0]).toBe(`Usage of ${customers.limited.id} from ${NOVEMBER.from} to ${NOVEMBER.to} (USD)`);
    expect(output[2]).toMatch(/^MODEL +REQUESTS +INPUT +CACHED +OUTPUT +REASONING( +AUDIO IN +AUDIO OUT)? +AMOUNT$/);
    for (const line of lines) {
      const cells = output.find((row) => row.startsWith(`${line.model} `))?.split(/ +/);
      expect(cells?.[1]).toBe(String(line.requests));
      expect(cells?.at(-1)).toBe(formatUsd(line.cost));
    }
    const total = output.find((row) => row.startsWith('TOTAL '))?.split(/ +/);
    expect(total?.[1]).toBe(String(totals.requests));
    expect(total?.[2]).toBe(String(totals.input_tokens));
    expect(total?.at(-1)).toBe(formatUsd(totals.cost));
  });

  it('issues the invoice that the API issued', async () => {
    const result = await cli(['invoice', 'issue', customers.limited.id, ...periodFlags, '--json']);

    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout).id).toBe(invoiceIds.limited);
  });

  it('shows an invoice as a table', async () => {
    const { lines, totals } = novemberUsage('limited');

    const result = await cli(['invoice', 'show', invoiceIds.limited]);
    const output = result.stdout.split('\n');

    expect(result.code).toBe(0);
    expect(output[0]).toMatch(new RegExp(`^Invoice TG-\\d{4}-\\d{6} \\(${invoiceIds.limited}\\), open$`));
    expect(output.find((row) => row.startsWith('Total '))?.split(/ +/).at(-1)).toBe(formatUsd(totals.cost));
    expect(output.find((row) => row.startsWith('Due '))?.split(/ +/).at(-1)).toBe(formatUsd(totals.cost));
    expect(output.find((row) => row.startsWith('MODEL '))).toMatch(/^MODEL +REQUESTS +INPUT .* AMOUNT$/);
    for (const line of lines) {
      expect(output.find((row) => row.startsWith(`${line.model} `))?.split(/ +/).at(-1)).toBe(formatUsd(line.cost));
    }
    expect(output.find((row) => row.startsWith('TOTAL '))?.split(/ +/).at(-1)).toBe(formatUsd(totals.cost));
  });

  it('pays an invoice in two parts', async () => {
    const total = novemberUsage('limited').totals.cost;
    const part = total / 2n;
    const outsideCost = sumCosts(chargesOf('limited', (at) => !isInNovember(at)));

    const first = await cli(['invoice', 'pay', invoiceIds.limited, formatUsd(part), '--reference', 'cli-pay-1']);
    const second = await cli(['invoice', 'pay', invoiceIds.limited, formatUsd(total - part), '--reference', 'cli-pay-2']);
    const invoice = await t.admin('GET', `/invoices/${invoiceIds.limited}`);
    const view = await customerView('limited');

    expect(first.code).toBe(0);
    expect(first.stdout).toContain(`Payment cli-pay-1 of ${formatUsd(part)} USD recorded at `);
    expect(first.stdout).toMatch(/ is partially paid: paid .*, due .* USD\.$/m);
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/ is paid: paid .*, due 0\.00 USD\.$/m);
    expect(invoice.body.status).toBe('paid');
    expect(invoice.body.amount_due).toBe('0.00');
    expect(outsideCost > 0n).toBe(true);
    expect(view.balance).toBe(formatUsd(-outsideCost));
  });

  it('prints a statement', async () => {
    const api = await t.admin('GET', `/customers/${customers.prepaid.id}/statement?${query(NOVEMBER)}`);

    const json = await cli(['statement', customers.prepaid.id, ...periodFlags, '--json']);
    const table = await cli(['statement', customers.prepaid.id, ...periodFlags]);

    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual(api.body);
    expect(table.code).toBe(0);
    const rows = table.stdout.split('\n');
    expect(rows.find((row) => row.startsWith('Opening balance '))?.split(/ +/).at(-1)).toBe(api.body.opening_balance);
    expect(rows.find((row) => row.startsWith('Closing balance '))?.split(/ +/).at(-1)).toBe(api.body.closing_balance);
    expect(rows.find((row) => row.startsWith('Ledger balance at the end '))?.split(/ +/).at(-1)).toBe(api.body.ledger_closing_balance);
    expect(table.stdout).toContain('Reconciled: the closing balance equals the ledger balance.');
  });

  it('exits 1 for an unknown invoice', async () => {
    const result = await cli(['invoice', 'show', 'inv_unknown']);

    expect(result.code).toBe(1);
    expect(result.stderr).toContain('No invoice with id inv_unknown. (HTTP 404, not_found)');
  });
});
