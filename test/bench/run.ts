/**
 * `npm run bench`: measures the latency that Tollgate adds, with billing on,
 * over calling the upstream directly. The upstream simulator runs in this
 * process and the gateway in a child process, both on 127.0.0.1. Prints a
 * Markdown report, then one JSON line, to stdout; progress goes to stderr.
 * Exits with status 1 when a request fails, the run times out, or the
 * ledger does not show exactly the charges of the requests sent.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import type { Pool } from 'undici';

import { parseAmount, type Currency } from '../../src/money.ts';
import { loadPriceList } from '../../src/pricing/index.ts';
import { UpstreamSimulator } from '../helpers/upstream-simulator.ts';
import { GatewayProcess, type Customer } from './gateway-process.ts';
import { openPool, runPhase, type PhaseSamples, type Target } from './load.ts';
import { describeMachine } from './machine.ts';
import { OptionsError, USAGE, parseOptions, type BenchOptions, type LedgerSync } from './options.ts';
import { renderJson, renderMarkdown, type BillingCheck, type LatencyRow, type ModeResult } from './report.ts';
import { concatSamples, percentiles } from './stats.ts';
import { buildWorkloads, type Kind, type Workload } from './workload.ts';

const PRICING_FILE = fileURLToPath(new URL('../fixtures/pricing.test.yaml', import.meta.url));
const DEFAULTS_FILE = fileURLToPath(new URL('../../config/default.json', import.meta.url));

/** Top-up of the benchmark wallet: far more than a million requests at these prices can spend. */
const TOPUP = '100000.00';

const KINDS: Kind[] = ['nonStream', 'stream'];

/** Time after --max-seconds that the watchdog waits for the run to stop by itself between two requests. */
const WATCHDOG_GRACE_MS = 15_000;

/** The gateway and ledger directory of the mode being measured, so that the watchdog can remove them. */
let runningGateway: GatewayProcess | null = null;
let runningDirectory: string | null = null;

interface Context {
  options: BenchOptions;
  currency: Currency;
  workloads: Record<Kind, Workload>;
  simulator: UpstreamSimulator;
  simulatorUrl: string;
  directPool: Pool;
  deadline: number;
}

async function main(): Promise<number> {
  let parsed;
  try {
    parsed = parseOptions(process.argv.slice(2));
  } catch (error) {
    if (error instanceof OptionsError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`bench: ${(error as Error).message}\n\n${USAGE}`);
      return 2;
    }
    throw error;
  }
  if (parsed === 'help') {
    process.stdout.write(USAGE);
    return 0;
  }

  const options = parsed;
  const started = performance.now();
  const startedAt = new Date().toISOString();
  const deadline = started + options.maxSeconds * 1000;
  armWatchdog(options.maxSeconds);

  const prices = loadPriceList(PRICING_FILE);
  const currency = currencyOf(prices.currency);
  const workloads = buildWorkloads(prices, currency);

  const simulator = new UpstreamSimulator();
  const simulatorUrl = await simulator.start();
  const directPool = openPool(simulatorUrl, options.concurrency);
  const context: Context = { options, currency, workloads, simulator, simulatorUrl, directPool, deadline };

  const modes: ModeResult[] = [];
  try {
    for (const ledgerSync of options.ledgerSyncModes) {
      modes.push(await runMode(context, ledgerSync));
    }
  } finally {
    await directPool.close();
    await simulator.stop();
  }

  const report = {
    revision: gitRevision(),
    machine: describeMachine(tmpdir()),
    options,
    currency,
    startedAt,
    durationSeconds: (performance.now() - started) / 1000,
    modes,
  };
  process.stdout.write(`${renderMarkdown(report)}\n\n${renderJson(report)}\n`);

  return modes.every((mode) => mode.billing.passed) ? 0 : 1;
}

/** Starts a gateway with LEDGER_SYNC=`ledgerSync`, measures both request kinds through it and directly, and checks its ledger. */
async function runMode(context: Context, ledgerSync: LedgerSync): Promise<ModeResult> {
  const { options, workloads, simulator } = context;
  const directory = mkdtempSync(join(tmpdir(), 'tollgate-bench-'));
  runningDirectory = directory;
  progress(`LEDGER_SYNC=${ledgerSync}: starting the gateway, ledger in ${directory}`);

  let gateway: GatewayProcess | null = null;
  let gatewayPool: Pool | null = null;

  try {
    gateway = await GatewayProcess.start({
      upstreamBaseUrl: `${context.simulatorUrl}/v1`,
      ledgerPath: join(directory, 'bench.sqlite'),
      ledgerSync,
      pricingFile: PRICING_FILE,
      cpuProfileDir: options.gatewayCpuProfileDir,
    });
    runningGateway = gateway;

    const customer = await gateway.createCustomer(TOPUP);
    gatewayPool = openPool(gateway.url, options.concurrency);
    const targets = buildTargets(context, gatewayPool, customer);

    for (const kind of KINDS) {
      simulator.setFallback(workloads[kind].upstream);
      progress(`LEDGER_SYNC=${ledgerSync}: warming up ${kind} with ${options.warmup} requests per path`);
      await measure(context, targets[kind].direct, options.warmup);
      await measure(context, targets[kind].gateway, options.warmup);
    }

    const samples = await measureRounds(context, targets, gateway, ledgerSync);

    const billedRequests = {
      nonStream: options.warmup + options.requests,
      stream: options.warmup + options.streamRequests,
    };
    const billing = await checkBilling(context, gateway, customer, billedRequests);
    progress(`LEDGER_SYNC=${ledgerSync}: billing check ${billing.passed ? 'passed' : 'FAILED'}`);

    return { ledgerSync, billing, ...summarize(context, samples) };
  } catch (error) {
    gateway?.kill();
    throw error;
  } finally {
    simulator.setFallback(null);
    await gatewayPool?.close();
    await gateway?.stop();
    runningGateway = null;
    rmSync(directory, { recursive: true, force: true });
    runningDirectory = null;
  }
}

type Path = 'direct' | 'gateway';

interface RoundSamples {
  phases: Record<Kind, Record<Path, PhaseSamples[]>>;
  gatewayCpuMs: Record<Kind, number> | null;
}

/**
 * Runs the measured requests in rounds. Each round runs every phase once,
 * and the order of direct and gateway flips from round to round, so that
 * drift (CPU frequency, page cache, ledger growth) falls on both paths alike.
 */
async function measureRounds(
  context: Context,
  targets: Record<Kind, Record<Path, Target>>,
  gateway: GatewayProcess,
  ledgerSync: LedgerSync,
): Promise<RoundSamples> {
  const { options, workloads, simulator } = context;
  const phases: RoundSamples['phases'] = {
    nonStream: { direct: [], gateway: [] },
    stream: { direct: [], gateway: [] },
  };
  const gatewayCpuMs: Record<Kind, number> = { nonStream: 0, stream: 0 };
  let cpuMeasured = true;

  for (let round = 0; round < options.rounds; round += 1) {
    progress(`LEDGER_SYNC=${ledgerSync}: round ${round + 1} of ${options.rounds}`);

    for (const kind of KINDS) {
      const total = kind === 'nonStream' ? options.requests : options.streamRequests;
      const count = shareOf(total, options.rounds, round);
      const order: Path[] = round % 2 === 0 ? ['direct', 'gateway'] : ['gateway', 'direct'];
      simulator.setFallback(workloads[kind].upstream);

      for (const path of order) {
        const cpuBefore = path === 'gateway' ? gateway.cpuTimeMs() : null;
        phases[kind][path].push(await measure(context, targets[kind][path], count));

        const cpuAfter = path === 'gateway' ? gateway.cpuTimeMs() : null;
        if (path === 'gateway') {
          if (cpuBefore === null || cpuAfter === null) {
            cpuMeasured = false;
          } else {
            gatewayCpuMs[kind] += cpuAfter - cpuBefore;
          }
        }
      }
    }
  }

  return { phases, gatewayCpuMs: cpuMeasured ? gatewayCpuMs : null };
}

async function measure(context: Context, target: Target, count: number): Promise<PhaseSamples> {
  const samples = await runPhase(target, count, context.options.concurrency, context.deadline);

  // The simulator records every request; only the count matters here.
  context.simulator.requests.length = 0;
  return samples;
}

function summarize(context: Context, samples: RoundSamples): Pick<ModeResult, 'latency' | 'throughput' | 'gatewayCpuMsPerRequest'> {
  const { options } = context;
  const joined = (kind: Kind, path: Path, measure: 'firstByteMs' | 'totalMs') => concatSamples(samples.phases[kind][path].map((phase) => phase[measure]));
  const row = (kind: Kind, measure: LatencyRow['measure']): LatencyRow => {
    const field = measure === 'total' ? 'totalMs' : 'firstByteMs';
    return { kind, measure, direct: percentiles(joined(kind, 'direct', field)), gateway: percentiles(joined(kind, 'gateway', field)) };
  };
  const rate = (kind: Kind, path: Path) => {
    const phases = samples.phases[kind][path];
    const requests = phases.reduce((sum, phase) => sum + phase.totalMs.length, 0);
    const seconds = phases.reduce((sum, phase) => sum + phase.wallMs, 0) / 1000;
    return Math.round((requests / seconds) * 10) / 10;
  };

  const cpu = samples.gatewayCpuMs;
  return {
    latency: [row('nonStream', 'total'), row('stream', 'firstByte'), row('stream', 'total')],
    throughput: {
      nonStream: { direct: rate('nonStream', 'direct'), gateway: rate('nonStream', 'gateway') },
      stream: { direct: rate('stream', 'direct'), gateway: rate('stream', 'gateway') },
    },
    gatewayCpuMsPerRequest: cpu && {
      nonStream: Math.round((cpu.nonStream / options.requests) * 1000) / 1000,
      stream: Math.round((cpu.stream / options.streamRequests) * 1000) / 1000,
    },
  };
}

/**
 * Reads the wallet through GET /admin/customers/:id and compares it with
 * the top-up minus the charge of every request sent through the gateway.
 */
async function checkBilling(context: Context, gateway: GatewayProcess, customer: Customer, billedRequests: Record<Kind, number>): Promise<BillingCheck> {
  const { currency, workloads } = context;
  const wallet = await gateway.wallet(customer.id);

  const topup = parseAmount(TOPUP, currency);
  const charge = { nonStream: workloads.nonStream.charge, stream: workloads.stream.charge };
  const expectedBalance = topup - BigInt(billedRequests.nonStream) * charge.nonStream - BigInt(billedRequests.stream) * charge.stream;
  const balance = parseAmount(wallet.balance, currency);

  const tokensOf = (kind: Kind) => BigInt(billedRequests[kind]) * BigInt(workloads[kind].inputTokens + workloads[kind].outputTokens);
  const expectedTokens = tokensOf('nonStream') + tokensOf('stream');
  const tokensUsed = BigInt(wallet.tokens_used);

  return {
    billedRequests,
    charge,
    topup,
    expectedBalance,
    balance,
    held: wallet.held,
    expectedTokens,
    tokensUsed,
    passed: balance === expectedBalance && wallet.held === '0.00' && tokensUsed === expectedTokens,
  };
}

function buildTargets(context: Context, gatewayPool: Pool, customer: Customer): Record<Kind, Record<Path, Target>> {
  const target = (kind: Kind, path: Path): Target => ({
    name: path === 'direct' ? 'upstream simulator' : 'gateway',
    pool: path === 'direct' ? context.directPool : gatewayPool,
    path: '/v1/chat/completions',
    headers: {
      authorization: `Bearer ${path === 'direct' ? 'sk-bench-upstream-key' : customer.key}`,
      'content-type': 'application/json',
    },
    body: context.workloads[kind].requestBody,
    responseBytes: context.workloads[kind].responseBytes,
  });

  return {
    nonStream: { direct: target('nonStream', 'direct'), gateway: target('nonStream', 'gateway') },
    stream: { direct: target('stream', 'direct'), gateway: target('stream', 'gateway') },
  };
}

/** Returns round `round`'s share of `total` requests split over `rounds` rounds; earlier rounds get the remainder. */
function shareOf(total: number, rounds: number, round: number): number {
  return Math.floor(total / rounds) + (round < total % rounds ? 1 : 0);
}

function gitRevision(): string {
  try {
    const root = fileURLToPath(new URL('../..', import.meta.url));
    return execFileSync('git', ['describe', '--always', '--dirty'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return 'unknown';
  }
}

function currencyOf(code: string): Currency {
  const defaults = JSON.parse(readFileSync(DEFAULTS_FILE, 'utf8')) as { currencies: Record<string, { decimals: number }> };
  const decimals = defaults.currencies[code]?.decimals;

  if (decimals === undefined) {
    throw new Error(`currency ${code} of ${PRICING_FILE} is not configured in ${DEFAULTS_FILE}`);
  }
  return { code, decimals };
}

/**
 * Ends the process with status 1 shortly after `seconds`, whatever the run is
 * waiting for. The load generator itself stops at `seconds` between two
 * requests and cleans up, so this only fires when something hangs.
 */
function armWatchdog(seconds: number): void {
  const timer = setTimeout(() => {
    process.stderr.write(`bench: timed out after ${seconds} s (--max-seconds) and did not stop by itself; killing the gateway\n`);
    killRunningGateway();
    process.exit(1);
  }, seconds * 1000 + WATCHDOG_GRACE_MS);
  timer.unref();
}

function killRunningGateway(): void {
  runningGateway?.kill();
  if (runningDirectory) {
    rmSync(runningDirectory, { recursive: true, force: true });
  }
}

function progress(message: string): void {
  process.stderr.write(`bench: ${message}\n`);
}

try {
  process.exitCode = await main();
} catch (error) {
  process.stderr.write(`bench: failed: ${error instanceof Error ? error.message : String(error)}\n`);
  killRunningGateway();
  process.exitCode = 1;
}
