/**
 * Command-line options of `npm run bench`. Every count has an upper bound,
 * so a typing slip cannot start a run that goes on for hours.
 */
import { parseArgs } from 'node:util';

export type LedgerSync = 'normal' | 'full';

export interface BenchOptions {
  concurrency: number;
  /** Measured requests per non-streamed phase (direct and via the gateway each). */
  requests: number;
  /** Measured requests per streamed phase (direct and via the gateway each). */
  streamRequests: number;
  /** Unmeasured requests per phase before the first round. */
  warmup: number;
  /** The measured requests of each phase are split into this many rounds, which alternate direct and gateway. */
  rounds: number;
  ledgerSyncModes: LedgerSync[];
  /** Hard limit on the whole run, in seconds. */
  maxSeconds: number;
  /** Directory for a V8 CPU profile of the gateway process, or null for none. */
  gatewayCpuProfileDir: string | null;
}

export const USAGE = `Usage: npm run bench -- [options]

Measures the latency that Tollgate adds over calling the upstream directly,
with billing on. The upstream simulator and the gateway run on 127.0.0.1.

Options:
  --concurrency N        requests in flight at once (default 8, maximum 256)
  --requests N           measured requests per phase (default 3000 non-streamed,
                         2000 streamed; maximum 1000000)
  --stream-requests N    measured requests per streamed phase, overriding --requests
  --warmup N             unmeasured requests per phase before measuring (default 200)
  --rounds N             rounds that alternate direct and gateway phases (default 5)
  --ledger-sync MODE     normal, full or both (default both): LEDGER_SYNC of the gateway
  --max-seconds N        stop with an error after N seconds (default 900)
  --gateway-cpu-prof DIR write a V8 CPU profile of the gateway into DIR (node --cpu-prof)
  --help                 print this text
`;

export class OptionsError extends Error {
  override name = 'OptionsError';
}

/** Parses `args` (without node and the script path). Throws OptionsError naming the invalid option. */
export function parseOptions(args: string[]): BenchOptions | 'help' {
  const { values } = parseArgs({
    args,
    strict: true,
    allowPositionals: false,
    options: {
      concurrency: { type: 'string' },
      requests: { type: 'string' },
      'stream-requests': { type: 'string' },
      warmup: { type: 'string' },
      rounds: { type: 'string' },
      'ledger-sync': { type: 'string' },
      'max-seconds': { type: 'string' },
      'gateway-cpu-prof': { type: 'string' },
      help: { type: 'boolean' },
    },
  });

  if (values.help) {
    return 'help';
  }

  const requests = integerOption(values.requests, '--requests', 1, 1_000_000, null);
  const options: BenchOptions = {
    concurrency: integerOption(values.concurrency, '--concurrency', 1, 256, 8) as number,
    requests: requests ?? 3000,
    streamRequests: integerOption(values['stream-requests'], '--stream-requests', 1, 1_000_000, requests ?? 2000) as number,
    warmup: integerOption(values.warmup, '--warmup', 0, 100_000, 200) as number,
    rounds: integerOption(values.rounds, '--rounds', 1, 100, 5) as number,
    ledgerSyncModes: ledgerSyncOption(values['ledger-sync']),
    maxSeconds: integerOption(values['max-seconds'], '--max-seconds', 10, 86_400, 900) as number,
    gatewayCpuProfileDir: values['gateway-cpu-prof'] ?? null,
  };

  if (options.rounds > Math.min(options.requests, options.streamRequests)) {
    throw new OptionsError(`invalid --rounds ${options.rounds}: it must not exceed the measured requests per phase`);
  }
  return options;
}

function integerOption(text: string | undefined, name: string, min: number, max: number, fallback: number | null): number | null {
  if (text === undefined) {
    return fallback;
  }

  const value = /^[0-9]+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new OptionsError(`invalid ${name} ${JSON.stringify(text)}: expected an integer from ${min} to ${max}`);
  }
  return value;
}

function ledgerSyncOption(text: string | undefined): LedgerSync[] {
  switch (text ?? 'both') {
    case 'both':
      return ['normal', 'full'];
    case 'normal':
      return ['normal'];
    case 'full':
      return ['full'];
    default:
      throw new OptionsError(`invalid --ledger-sync ${JSON.stringify(text)}: expected normal, full or both`);
  }
}
