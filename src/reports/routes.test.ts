import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import type { Customer } from '../ledger/port.ts';
import { NOVEMBER, seedNovember, startReportHarness, type ReportHarness } from './report-fixtures.testing.ts';

let harness: ReportHarness;
let a: Customer;

beforeEach(async () => {
  harness = startReportHarness('2026-10-01T00:00:00Z');
  ({ a } = await seedNovember(harness));
});

afterEach(async () => {
  await harness.close();
});

function usagePath(customerId: string, query: string): string {
  return `/admin/customers/${customerId}/usage?${query}`;
}

const NOVEMBER_QUERY = `from=${NOVEMBER.from}&to=${NOVEMBER.to}`;

describe('GET /admin/customers/:id/usage', () => {
  it('returns the JSON report', async () => {
    const response = await harness.app.request(usagePath(a.id, NOVEMBER_QUERY));

    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(await response.json()).toEqual({
      object: 'usage_report',
      customer_id: a.id,
      currency: 'USD',
      from: '2026-11-01T00:00:00Z',
      to: '2026-12-01T00:00:00Z',
      lines: [
        {
          model: 'gpt-4.1-mini',
          requests: 2,
          input_tokens: 2001,
          cached_input_tokens: 1000,
          output_tokens: 301,
          reasoning_tokens: 100,
          audio_input_tokens: 0,
          audio_output_tokens: 0,
          cost: '0.005508',
        },
        {
          model: 'gpt-4o-mini',
          requests: 2,
          input_tokens: 1010,
          cached_input_tokens: 200,
          output_tokens: 507,
          reasoning_tokens: 0,
          audio_input_tokens: 0,
          audio_output_tokens: 0,
          cost: '0.001924',
        },
      ],
      totals: {
        requests: 4,
        input_tokens: 3011,
        cached_input_tokens: 1200,
        output_tokens: 808,
        reasoning_tokens: 100,
        audio_input_tokens: 0,
        audio_output_tokens: 0,
        cost: '0.007432',
      },
    });
  });

  it('returns CSV for format=csv', async () => {
    const response = await harness.app.request(usagePath(a.id, `${NOVEMBER_QUERY}&format=csv`));

    expect(response.status).toBe(200);
    expect(await response.text()).toBe(
      'model,requests,input_tokens,cached_input_tokens,output_tokens,reasoning_tokens,audio_input_tokens,audio_output_tokens,cost,currency\r\n' +
        'gpt-4.1-mini,2,2001,1000,301,100,0,0,0.005508,USD\r\n' +
        'gpt-4o-mini,2,1010,200,507,0,0,0,0.001924,USD\r\n' +
        'TOTAL,4,3011,1200,808,100,0,0,0.007432,USD\r\n',
    );
  });

  it('labels CSV with type and file name', async () => {
    const response = await harness.app.request(usagePath(a.id, `${NOVEMBER_QUERY}&format=csv`));

    expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(response.headers.get('content-disposition')).toBe(`attachment; filename="usage-${a.id}-20261101T000000Z-20261201T000000Z.csv"`);
  });

  it('returns CSV for Accept text/csv', async () => {
    const response = await harness.app.request(usagePath(a.id, NOVEMBER_QUERY), { headers: { accept: 'text/csv' } });

    expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(response.headers.get('vary')).toBe('Accept');
  });

  it('prefers JSON when Accept ranks it higher', async () => {
    const response = await harness.app.request(usagePath(a.id, NOVEMBER_QUERY), {
      headers: { accept: 'text/csv;q=0.5, application/json' },
    });

    expect(response.headers.get('content-type')).toBe('application/json');
  });

  it('lets format=json override Accept', async () => {
    const response = await harness.app.request(usagePath(a.id, `${NOVEMBER_QUERY}&format=json`), { headers: { accept: 'text/csv' } });

    expect(response.headers.get('content-type')).toBe('application/json');
  });

  it('rejects an unknown format', async () => {
    const response = await harness.app.request(usagePath(a.id, `${NOVEMBER_QUERY}&format=xml`));
    const body = (await response.json()) as { error: Record<string, unknown> };

    expect(response.status).toBe(400);
    expect(body.error.param).toBe('format');
  });

  it('accepts an encoded offset', async () => {
    const from = encodeURIComponent('2026-11-01T01:00:00+01:00');
    const response = await harness.app.request(usagePath(a.id, `from=${from}&to=${NOVEMBER.to}`));
    const body = (await response.json()) as { from: string; totals: { requests: number } };

    expect(body.from).toBe('2026-11-01T00:00:00Z');
    expect(body.totals.requests).toBe(4);
  });

  it.each([
    ['from is missing', `to=${NOVEMBER.to}`, 'from'],
    ['to is missing', `from=${NOVEMBER.from}`, 'to'],
    ['both are missing', '', 'from'],
    ['from has no zone', `from=2026-11-01T00:00:00&to=${NOVEMBER.to}`, 'from'],
    ['to is a date only', `from=${NOVEMBER.from}&to=2026-12-01`, 'to'],
    ['from is not a date', `from=last-month&to=${NOVEMBER.to}`, 'from'],
    ['from equals to', `from=${NOVEMBER.from}&to=${NOVEMBER.from}`, 'to'],
    ['from is after to', `from=${NOVEMBER.to}&to=${NOVEMBER.from}`, 'to'],
  ])('rejects a period where %s', async (_case, query, param) => {
    const response = await harness.app.request(usagePath(a.id, query));
    const body = (await response.json()) as { error: Record<string, unknown> };

    expect(response.status).toBe(400);
    expect(body.error.type).toBe('invalid_request_error');
    expect(body.error.code).toBe('invalid_request');
    expect(body.error.param).toBe(param);
  });

  it('returns 404 for an unknown customer', async () => {
    const response = await harness.app.request(usagePath('cus_missing', NOVEMBER_QUERY));
    const body = (await response.json()) as { error: Record<string, unknown> };

    expect(response.status).toBe(404);
    expect(body.error.code).toBe('not_found');
    expect(body.error.message).toBe('No customer with id cus_missing.');
  });
});

describe('GET /admin/customers/:id/statement', () => {
  it('returns 404 for an unknown customer', async () => {
    const response = await harness.app.request(`/admin/customers/cus_missing/statement?${NOVEMBER_QUERY}`);
    const body = (await response.json()) as { error: Record<string, unknown> };

    expect(response.status).toBe(404);
    expect(body.error.code).toBe('not_found');
  });

  it('rejects a missing period', async () => {
    const response = await harness.app.request(`/admin/customers/${a.id}/statement`);
    const body = (await response.json()) as { error: Record<string, unknown> };

    expect(response.status).toBe(400);
    expect(body.error.param).toBe('from');
  });

  it('rejects from after to', async () => {
    const response = await harness.app.request(`/admin/customers/${a.id}/statement?from=${NOVEMBER.to}&to=${NOVEMBER.from}`);
    const body = (await response.json()) as { error: Record<string, unknown> };

    expect(response.status).toBe(400);
    expect(body.error.param).toBe('to');
  });
});
