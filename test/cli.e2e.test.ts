/**
 * The `tollgate` admin CLI, run as a child process against a real gateway.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { ADMIN_TOKEN, startTestGateway, type TestGateway } from './helpers/gateway.ts';

const CLI = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url));
const run = promisify(execFile);

let t: TestGateway;

beforeAll(async () => {
  t = await startTestGateway();
});

afterAll(async () => {
  await t?.close();
});

async function cli(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [CLI, ...args], {
      env: { PATH: process.env.PATH ?? '', TOLLGATE_URL: t.gateway.url, TOLLGATE_ADMIN_TOKEN: ADMIN_TOKEN, ...env },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe('tollgate CLI', () => {
  it('creates, tops up and shows a customer', async () => {
    const created = await cli(['--json', 'customers', 'create', '--name', 'Acme Corp']);
    const id = JSON.parse(created.stdout).id as string;

    const topup = await cli(['topup', id, '25.50', '--reference', 'wire-1']);
    const again = await cli(['topup', id, '25.50', '--reference', 'wire-1']);
    const shown = await cli(['customers', 'show', id]);

    expect(created.code).toBe(0);
    expect(topup.code).toBe(0);
    expect(topup.stdout).toContain('Topped up.');
    expect(again.stdout).toContain('This reference was used before: nothing was added.');
    expect(shown.stdout).toMatch(/^balance: +25\.50$/m);
    expect(shown.stdout).toMatch(/^name: +Acme Corp$/m);
  });

  it('lists customers as a table', async () => {
    await cli(['customers', 'create', '--name', 'Table Test']);

    const listed = await cli(['customers', 'list']);

    expect(listed.code).toBe(0);
    expect(listed.stdout.split('\n')[0]).toMatch(/^ID +NAME +BILLING +CURRENCY +BALANCE +HELD +AVAILABLE$/);
    expect(listed.stdout).toContain('Table Test');
  });

  it('issues and revokes a key', async () => {
    const id = JSON.parse((await cli(['--json', 'customers', 'create', '--name', 'Keys'])).stdout).id as string;

    const issued = await cli(['--json', 'keys', 'create', id]);
    const { key_id: keyId, key } = JSON.parse(issued.stdout) as { key_id: string; key: string };
    const revoked = await cli(['keys', 'revoke', keyId]);
    const response = await fetch(`${t.gateway.url}/v1/models`, { headers: { authorization: `Bearer ${key}` } });

    expect(key).toMatch(/^tg-/);
    expect(revoked.code).toBe(0);
    expect(revoked.stdout).toMatch(/^revoked_at: /m);
    expect(response.status).toBe(401);
  });

  it('exits 1 with the gateway message on a rejected amount', async () => {
    const id = JSON.parse((await cli(['--json', 'customers', 'create', '--name', 'Bad Amount'])).stdout).id as string;

    const result = await cli(['topup', id, '1e3', '--reference', 'r-1']);

    expect(result.code).toBe(1);
    expect(result.stderr).toContain('invalid amount "1e3"');
    expect(result.stderr).toContain('HTTP 400, invalid_amount');
  });

  it('exits 1 for an unknown customer', async () => {
    const result = await cli(['customers', 'show', 'cus_missing']);

    expect(result.code).toBe(1);
    expect(result.stderr).toContain('No customer with id cus_missing. (HTTP 404, not_found)');
  });

  it('exits 2 for a missing option', async () => {
    const result = await cli(['topup', 'cus_1', '5.00']);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain('missing option --reference');
  });

  it('exits 2 for an unknown command', async () => {
    const result = await cli(['refund', 'everything']);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain('unknown command "refund everything"');
  });

  it('exits 2 without an admin token', async () => {
    const result = await cli(['customers', 'list'], { TOLLGATE_ADMIN_TOKEN: '' });

    expect(result.code).toBe(2);
    expect(result.stderr).toContain('missing TOLLGATE_ADMIN_TOKEN');
  });

  it('exits 1 for a wrong admin token', async () => {
    const result = await cli(['customers', 'list'], { TOLLGATE_ADMIN_TOKEN: 'wrong-token-0123456789' });

    expect(result.code).toBe(1);
    expect(result.stderr).toContain('the gateway rejected TOLLGATE_ADMIN_TOKEN');
    expect(result.stderr).toContain('HTTP 401, invalid_admin_token');
  });

  it('exits 3 when the gateway cannot be reached', async () => {
    const result = await cli(['customers', 'list'], { TOLLGATE_URL: 'http://127.0.0.1:9' });

    expect(result.code).toBe(3);
    expect(result.stderr).toContain('cannot reach Tollgate at http://127.0.0.1:9');
  });
});
