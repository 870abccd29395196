#!/usr/bin/env node
/**
 * `tollgate`: the admin command line. It talks to a running gateway through
 * the admin API, reading TOLLGATE_URL and TOLLGATE_ADMIN_TOKEN from the
 * environment.
 *
 * Exit status: 0 on success, 1 when the gateway rejected the request,
 * 2 for invalid arguments or settings, 3 when the gateway cannot be reached.
 */
import { parseArgs } from 'node:util';

import { AdminClient, ApiError, ConnectionError } from './client.ts';
import { COMMANDS, UsageError, type Command } from './commands.ts';

const DEFAULT_URL = 'http://127.0.0.1:8080';

const OPTIONS = {
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  csv: { type: 'boolean' },
  html: { type: 'boolean' },
  name: { type: 'string' },
  billing: { type: 'string' },
  'credit-limit': { type: 'string' },
  currency: { type: 'string' },
  reference: { type: 'string' },
  from: { type: 'string' },
  to: { type: 'string' },
} as const;

export async function runCli(argv: string[], env: NodeJS.ProcessEnv, out: (text: string) => void, err: (text: string) => void): Promise<number> {
  let parsed;

  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    err(`tollgate: ${(error as Error).message}\n\n${helpText()}`);
    return 2;
  }

  const { values, positionals } = parsed;
  const command = findCommand(positionals);

  if (values.help || positionals.length === 0) {
    out(helpText());
    return positionals.length === 0 && !values.help ? 2 : 0;
  }
  if (!command) {
    err(`tollgate: unknown command "${positionals.join(' ')}"\n\n${helpText()}`);
    return 2;
  }

  const adminToken = env.TOLLGATE_ADMIN_TOKEN;
  if (!adminToken) {
    err('tollgate: missing TOLLGATE_ADMIN_TOKEN: set it to the gateway\'s admin token');
    return 2;
  }

  const client = new AdminClient({ baseUrl: env.TOLLGATE_URL || DEFAULT_URL, adminToken });

  try {
    const { response, render } = await command.run(client, { positionals: positionals.slice(command.words.length), flags: values });
    out(values.json && response.json !== null ? JSON.stringify(response.json, null, 2) : render());
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      err(`tollgate: ${error.message}\nusage: tollgate ${command.usage}`);
      return 2;
    }
    if (error instanceof ApiError) {
      err(`tollgate: ${explain(error)} (HTTP ${error.status}${error.code ? `, ${error.code}` : ''})`);
      return 1;
    }
    if (error instanceof ConnectionError) {
      err(`tollgate: ${error.message}`);
      return 3;
    }
    throw error;
  }
}

/** Rewords API errors in the CLI's own terms: its environment variables and options. */
function explain(error: ApiError): string {
  if (error.code === 'invalid_admin_token') {
    return 'the gateway rejected TOLLGATE_ADMIN_TOKEN: set it to the token the gateway was started with';
  }
  return error.message.replaceAll('"period_start"', '--from').replaceAll('"period_end"', '--to');
}

function findCommand(positionals: string[]): Command | undefined {
  return COMMANDS.find((command) => command.words.every((word, index) => positionals[index] === word));
}

function helpText(): string {
  const lines = COMMANDS.map((command) => `  ${command.usage}\n      ${command.summary}`);

  return [
    'usage: tollgate [--json] COMMAND [ARGS]',
    '',
    'Commands:',
    ...lines,
    '',
    'Options:',
    '  --json   print the API\'s JSON instead of a table',
    '  -h, --help',
    '',
    `Environment: TOLLGATE_URL (default ${DEFAULT_URL}), TOLLGATE_ADMIN_TOKEN (required).`,
    'Amounts are decimal strings in currency units, e.g. 12.50; times are RFC 3339, e.g. 2026-11-01T00:00:00Z.',
  ].join('\n');
}

if (import.meta.main) {
  const code = await runCli(process.argv.slice(2), process.env, (text) => process.stdout.write(`${text}\n`), (text) => process.stderr.write(`${text}\n`));
  process.exitCode = code;
}
