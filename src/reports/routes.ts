/**
 * Admin report routes, mounted inside the admin sub-app (which checks the
 * admin token):
 * - `GET /customers/:id/usage?from=&to=[&format=json|csv]`: usage by model;
 * - `GET /customers/:id/statement?from=&to=`: the wallet statement.
 * Periods are half-open [from, to) in RFC 3339.
 */
import { Hono } from 'hono';

import type { CustomerDirectory, Ledger } from '../ledger/port.ts';
import type { Logger } from '../logger.ts';
import type { Currency } from '../money.ts';
import { parsePeriod } from './period.ts';
import { periodQuery, reportFormat, usageResponse } from './respond.ts';
import { buildStatement, logStatementProblems, statementJson } from './statement.ts';
import { summarizeUsage } from './usage.ts';
import { currencyOf, requireCustomer } from '../admin/params.ts';

export interface ReportDependencies {
  ledger: Ledger;
  directory: CustomerDirectory;
  currencies: Map<string, Currency>;
  logger: Logger;
}

export function createReportRoutes(deps: ReportDependencies): Hono {
  const reports = new Hono();

  reports.get('/customers/:id/usage', async (c) => {
    const customer = await requireCustomer(deps.directory, c.req.param('id'));
    const currency = currencyOf(deps.currencies, customer);
    const period = parsePeriod(periodQuery(c));
    const format = reportFormat(c);

    const summary = await summarizeUsage(deps.ledger, customer, period.from, period.to);
    return usageResponse(c, summary, currency, format);
  });

  reports.get('/customers/:id/statement', async (c) => {
    const customer = await requireCustomer(deps.directory, c.req.param('id'));
    const currency = currencyOf(deps.currencies, customer);
    const period = parsePeriod(periodQuery(c));

    const statement = await buildStatement(deps.ledger, customer, period);
    logStatementProblems(deps.logger, statement);
    return c.json(statementJson(statement, currency));
  });

  return reports;
}
