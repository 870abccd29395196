/**
 * Runs the gateway as a child process (`node src/main.ts`) on 127.0.0.1,
 * the way it runs in production, and talks to its admin API.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

import { request } from 'undici';

import type { LedgerSync } from './options.ts';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** The admin token of the benchmark gateway; it only ever listens on 127.0.0.1. */
const ADMIN_TOKEN = 'bench-admin-token-0123456789';

const STARTUP_TIMEOUT_MS = 20_000;
const STOP_TIMEOUT_MS = 15_000;

/** Last bytes of the gateway's stderr kept for error messages. */
const STDERR_TAIL_BYTES = 8192;

export interface GatewaySettings {
  upstreamBaseUrl: string;
  ledgerPath: string;
  ledgerSync: LedgerSync;
  pricingFile: string;
  cpuProfileDir: string | null;
}

export interface Customer {
  id: string;
  key: string;
}

export interface Wallet {
  balance: string;
  held: string;
  tokens_used: string;
}

export class GatewayProcess {
  readonly url: string;
  readonly #child: ChildProcess;
  #stderr = '';
  #exited: Promise<number | null>;

  private constructor(url: string, child: ChildProcess) {
    this.url = url;
    this.#child = child;

    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (text: string) => {
      this.#stderr = (this.#stderr + text).slice(-STDERR_TAIL_BYTES);
    });
    this.#exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  }

  /** Starts the gateway on a free loopback port and waits until GET /health responds with 200. */
  static async start(settings: GatewaySettings): Promise<GatewayProcess> {
    const port = await freePort();
    const nodeArguments = settings.cpuProfileDir ? ['--cpu-prof', '--cpu-prof-dir', settings.cpuProfileDir] : [];

    // A fresh environment, so that settings of the calling shell (such as
    // TOLLGATE_CONFIG or NODE_OPTIONS) cannot change what is measured.
    const child = spawn(process.execPath, [...nodeArguments, 'src/main.ts'], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'ignore', 'pipe'],
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        HOST: '127.0.0.1',
        PORT: String(port),
        UPSTREAM_BASE_URL: settings.upstreamBaseUrl,
        UPSTREAM_API_KEY: 'sk-bench-upstream-key',
        TOLLGATE_ADMIN_TOKEN: ADMIN_TOKEN,
        LEDGER_PATH: settings.ledgerPath,
        LEDGER_SYNC: settings.ledgerSync,
        PRICING_FILE: settings.pricingFile,
        LOG_LEVEL: 'info',
      },
    });

    const gateway = new GatewayProcess(`http://127.0.0.1:${port}`, child);
    await gateway.#waitForHealth();
    return gateway;
  }

  get pid(): number {
    return this.#child.pid!;
  }

  /** Creates a prepaid customer, tops it up with `topup` (a decimal string) and issues a key. */
  async createCustomer(topup: string): Promise<Customer> {
    const customer = await this.admin('POST', '/customers', { name: 'Benchmark customer', billing: 'prepaid' }, 201);
    const id = customer.id as string;

    await this.admin('POST', `/customers/${id}/topups`, { amount: topup, reference: 'bench-initial' }, 201);
    const key = await this.admin('POST', `/customers/${id}/keys`, undefined, 201);

    return { id, key: key.key as string };
  }

  async wallet(customerId: string): Promise<Wallet> {
    return (await this.admin('GET', `/customers/${customerId}`, undefined, 200)) as unknown as Wallet;
  }

  /**
   * Returns the CPU time the gateway process has used so far, user plus
   * system, in milliseconds, read from /proc/<pid>/stat in steps of one clock
   * tick (10 ms at the usual 100 ticks per second). Returns null where /proc
   * is missing.
   */
  cpuTimeMs(): number | null {
    try {
      const stat = readFileSync(`/proc/${this.pid}/stat`, 'utf8');
      // Fields after the command name, which is in parentheses and may contain spaces.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const ticks = Number(fields[11]) + Number(fields[12]);
      return (ticks * 1000) / clockTicksPerSecond();
    } catch {
      return null;
    }
  }

  /** Sends SIGTERM, waits for the graceful shutdown, and sends SIGKILL if it takes too long. */
  async stop(): Promise<void> {
    if (this.#child.exitCode !== null || this.#child.signalCode !== null) {
      return;
    }

    this.#child.kill('SIGTERM');
    const timer = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), STOP_TIMEOUT_MS).unref());

    if ((await Promise.race([this.#exited, timer])) === 'timeout') {
      this.#child.kill('SIGKILL');
      await this.#exited;
      throw new Error(`the gateway did not stop within ${STOP_TIMEOUT_MS} ms of SIGTERM and was killed`);
    }
  }

  /** Kills the gateway at once; for a run that is being aborted. */
  kill(): void {
    if (this.#child.exitCode === null && this.#child.signalCode === null) {
      this.#child.kill('SIGKILL');
    }
  }

  async admin(method: 'GET' | 'POST', path: string, body: unknown, expectedStatus: number): Promise<Record<string, unknown>> {
    const response = await request(`${this.url}/admin${path}`, {
      method,
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.body.text();

    if (response.statusCode !== expectedStatus) {
      throw new Error(`admin ${method} ${path} responded with HTTP ${response.statusCode}, expected ${expectedStatus}: ${text}`);
    }
    return JSON.parse(text) as Record<string, unknown>;
  }

  async #waitForHealth(): Promise<void> {
    const deadline = performance.now() + STARTUP_TIMEOUT_MS;

    while (performance.now() < deadline) {
      if (this.#child.exitCode !== null) {
        throw new Error(`the gateway exited with status ${this.#child.exitCode} during startup: ${this.#stderr.trim()}`);
      }

      try {
        const response = await request(`${this.url}/health`);
        await response.body.dump();
        if (response.statusCode === 200) {
          return;
        }
      } catch {
        // Not listening yet.
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }

    this.kill();
    throw new Error(`the gateway did not respond to GET /health within ${STARTUP_TIMEOUT_MS} ms: ${this.#stderr.trim()}`);
  }
}

/**
 * Returns a TCP port that was free on 127.0.0.1 a moment ago. Another
 * process could take it before the gateway binds it, in which case the
 * gateway exits and the start fails with its message.
 */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

let clockTicks: number | null = null;

/** Returns sysconf(_SC_CLK_TCK), the unit of the times in /proc/<pid>/stat; 100 unless getconf reports another value. */
function clockTicksPerSecond(): number {
  if (clockTicks === null) {
    try {
      clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}
