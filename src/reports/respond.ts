/**
 * Request and response helpers shared by the admin and self-service report
 * routes: period parameters and the choice between JSON and CSV.
 */
import type { Context } from 'hono';

import { GatewayError } from '../errors.ts';
import type { Currency } from '../money.ts';
import type { PeriodQuery } from './period.ts';
import { usageReportCsv, usageReportFilename, usageReportJson } from './usage-report.ts';
import type { UsageSummary } from './usage.ts';

export type ReportFormat = 'json' | 'csv';

export function periodQuery(c: Context): PeriodQuery {
  return { from: c.req.queries('from'), to: c.req.queries('to') };
}

/**
 * Chooses the format from `?format=json|csv`, else from the Accept header:
 * CSV when it ranks text/csv above application/json, JSON otherwise.
 */
export function reportFormat(c: Context): ReportFormat {
  const formats = c.req.queries('format');

  if (formats !== undefined) {
    const [format] = formats;
    if (formats.length !== 1 || (format !== 'json' && format !== 'csv')) {
      throw new GatewayError('invalid_request', `Invalid "format" ${JSON.stringify(formats.join(','))}: expected "json" or "csv".`, { param: 'format' });
    }
    return format;
  }

  const accept = c.req.header('accept') ?? '';
  const csv = acceptQuality(accept, 'text/csv');
  return csv > 0 && csv > acceptQuality(accept, 'application/json') ? 'csv' : 'json';
}

export function usageResponse(c: Context, summary: UsageSummary, currency: Currency, format: ReportFormat): Response {
  c.header('vary', 'Accept');

  if (format === 'json') {
    return c.json(usageReportJson(summary, currency));
  }

  return c.body(usageReportCsv(summary, currency), 200, {
    'content-type': 'text/csv; charset=utf-8',
    'content-disposition': `attachment; filename="${usageReportFilename(summary)}"`,
  });
}
/**
 * Returns the quality (0 to 1) that an Accept header gives an exact media
 * type, or 0 when it lists the type only through a wildcard or not at all.
 */
function acceptQuality(accept: string, mediaType: string): number {
  let quality = 0;

  for (const range of accept.split(',')) {
    const [type = '', ...parameters] = range.split(';').map((part) => part.trim().toLowerCase());
    if (type !== mediaType) {
      continue;
    }

    const q = parameters.find((parameter) => parameter.startsWith('q='));
    const value = q === undefined ? 1 : Number(q.slice(2));
    if (Number.isFinite(value) && value >= 0 && value <= 1) {
      quality = Math.max(quality, value);
    }
  }
  return quality;
}
