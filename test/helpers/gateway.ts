/**
 * Starts a real gateway for tests: embedded ledger in a temporary file,
 * the test price list, an upstream simulator, logs captured in memory.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';

import OpenAI from 'openai';

import { loadConfig, type Config } from '../../src/config.ts';
import { createLogger } from '../../src/logger.ts';
import { startGateway, type Gateway } from '../../src/server.ts';
import { UpstreamSimulator } from './upstream-simulator.ts';

export const ADMIN_TOKEN = 'test-admin-token-0123456789';
export const UPSTREAM_KEY = 'sk-upstream-secret-abcdef0123456789';
export const TEST_PRICING = fileURLToPath(new URL('../fixtures/pricing.test.yaml', import.meta.url));

export interface TestGateway {
  gateway: Gateway;
  simulator: UpstreamSimulator;
  config: Config;
  logs: string[];
  admin(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }>;
  createCustomer(options?: { billing?: 'prepaid' | 'postpaid'; topup?: string; creditLimit?: string }): Promise<{ id: string; key: string; keyId: string }>;
  client(key: string): OpenAI;
  close(): Promise<void>;
}

export interface TestGatewayOptions {
  /** Time source of the ledger, to spread traffic over simulated days. */
  clock?: () => Date;
}

export async function startTestGateway(overrides: Record<string, string> = {}, options: TestGatewayOptions = {}): Promise<TestGateway> {
  const simulator = new UpstreamSimulator();
  const upstreamUrl = await simulator.start();
  const directory = mkdtempSync(join(tmpdir(), 'tollgate-test-'));

  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    UPSTREAM_BASE_URL: `${upstreamUrl}/v1`,
    UPSTREAM_API_KEY: UPSTREAM_KEY,
    TOLLGATE_ADMIN_TOKEN: ADMIN_TOKEN,
    LEDGER_PATH: join(directory, 'ledger.sqlite'),
    PRICING_FILE: TEST_PRICING,
    DISCONNECT_DRAIN_MS: '2000',
    SHUTDOWN_GRACE_MS: '5000',
    LOG_LEVEL: 'info',
    ...overrides,
  });

  const logs: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      logs.push(chunk.toString('utf8'));
      callback();
    },
  });
  let gateway: Gateway;
  try {
    gateway = await startGateway(config, createLogger(config.logLevel, sink), { clock: options.clock });
  } catch (error) {
    await simulator.stop();
    rmSync(directory, { recursive: true, force: true });
    throw error;
  }

  const admin = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${gateway.url}/admin${path}`, {
      method,
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as any };
  };

  let customerCount = 0;

  return {
    gateway,
    simulator,
    config,
    logs,
    admin,
    async createCustomer(options = {}) {
      customerCount += 1;
      const created = await admin('POST', '/customers', {
        name: `Customer ${customerCount}`,
        billing: options.billing ?? 'prepaid',
        ...(options.creditLimit ? { credit_limit: options.creditLimit } : {}),
      });
      if (created.status !== 201) {
        throw new Error(`creating a customer failed: ${JSON.stringify(created.body)}`);
      }

      if (options.topup) {
        const topup = await admin('POST', `/customers/${created.body.id}/topups`, { amount: options.topup, reference: `initial-${customerCount}` });
        if (topup.status !== 201) {
          throw new Error(`top-up failed: ${JSON.stringify(topup.body)}`);
        }
      }

      const key = await admin('POST', `/customers/${created.body.id}/keys`);
      return { id: created.body.id, key: key.body.key, keyId: key.body.key_id };
    },
    client(key: string) {
      return new OpenAI({ apiKey: key, baseURL: `${gateway.url}/v1`, maxRetries: 0, timeout: 20_000 });
    },
    async close() {
      await gateway.close();
      await simulator.stop();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}
