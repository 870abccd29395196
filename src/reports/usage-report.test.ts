import { describe, expect, it } from 'vitest';

import { USD } from './report-fixtures.testing.ts';
import { usageReportCsv, usageReportFilename, usageReportJson } from './usage-report.ts';
import type { UsageLine, UsageSummary } from './usage.ts';

function line(model: string, fields: Partial<UsageLine>): UsageLine {
  return {
    model,
    requests: 0,
    inputTokens: 0,
    cachedInputTokens: 0,
    outputTokens: 0,
    reasoningTokens: 0,
    audioInputTokens: 0,
    audioOutputTokens: 0,
    cost: 0n,
    ...fields,
  };
}

const AUDIO = line('gpt-4o-audio-preview', {
  requests: 1,
  inputTokens: 120,
  outputTokens: 80,
  audioInputTokens: 100,
  audioOutputTokens: 60,
  cost: 8_680_000n,
});
const ODD_NAME = line('lab "x", v2', { requests: 2, inputTokens: 5, cachedInputTokens: 1, outputTokens: 3, reasoningTokens: 2, cost: 1n });

const SUMMARY: UsageSummary = {
  customerId: 'cus_1',
  currency: 'USD',
  from: new Date('2026-11-01T00:00:00Z'),
  to: new Date('2026-11-15T12:00:00.5Z'),
  lines: [AUDIO, ODD_NAME],
  totals: {
    requests: 3,
    inputTokens: 125,
    cachedInputTokens: 1,
    outputTokens: 83,
    reasoningTokens: 2,
    audioInputTokens: 100,
    audioOutputTokens: 60,
    cost: 8_680_001n,
  },
  references: [],
};

describe('usageReportJson', () => {
  const report = usageReportJson(SUMMARY, USD);

  it('names the customer, currency and period', () => {
    expect(report.object).toBe('usage_report');
    expect(report.customer_id).toBe('cus_1');
    expect(report.currency).toBe('USD');
    expect(report.from).toBe('2026-11-01T00:00:00Z');
    expect(report.to).toBe('2026-11-15T12:00:00.500Z');
  });

  it('formats audio counts and cost', () => {
    expect(report.lines[0]).toEqual({
      model: 'gpt-4o-audio-preview',
      requests: 1,
      input_tokens: 120,
      cached_input_tokens: 0,
      output_tokens: 80,
      reasoning_tokens: 0,
      audio_input_tokens: 100,
      audio_output_tokens: 60,
      cost: '0.00868',
    });
  });

  it('keeps the smallest unit of cost', () => {
    expect(report.lines[1]!.cost).toBe('0.000000001');
  });

  it('formats totals without a model', () => {
    expect(report.totals).toEqual({
      requests: 3,
      input_tokens: 125,
      cached_input_tokens: 1,
      output_tokens: 83,
      reasoning_tokens: 2,
      audio_input_tokens: 100,
      audio_output_tokens: 60,
      cost: '0.008680001',
    });
  });
});

describe('usageReportCsv', () => {
  it('quotes a model name with comma and quotes', () => {
    expect(usageReportCsv(SUMMARY, USD)).toBe(
      'model,requests,input_tokens,cached_input_tokens,output_tokens,reasoning_tokens,audio_input_tokens,audio_output_tokens,cost,currency\r\n' +
        'gpt-4o-audio-preview,1,120,0,80,0,100,60,0.00868,USD\r\n' +
        '"lab ""x"", v2",2,5,1,3,2,0,0,0.000000001,USD\r\n' +
        'TOTAL,3,125,1,83,2,100,60,0.008680001,USD\r\n',
    );
  });

  it('writes header and TOTAL for no usage', () => {
    const empty = { ...SUMMARY, lines: [], totals: { ...line('', {}) } };

    expect(usageReportCsv(empty, USD)).toBe(
      'model,requests,input_tokens,cached_input_tokens,output_tokens,reasoning_tokens,audio_input_tokens,audio_output_tokens,cost,currency\r\n' +
        'TOTAL,0,0,0,0,0,0,0,0.00,USD\r\n',
    );
  });
});

describe('usageReportFilename', () => {
  it('names customer and period', () => {
    expect(usageReportFilename(SUMMARY)).toBe('usage-cus_1-20261101T000000Z-20261115T120000.500Z.csv');
  });
});
