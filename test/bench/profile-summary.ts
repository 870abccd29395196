/**
 * `node test/bench/profile-summary.ts FILE.cpuprofile [--requests N]`: sums the
 * self time of a V8 CPU profile of the gateway (from `npm run bench --
 * --gateway-cpu-prof DIR`) into a few parts of the request path. Samples
 * under module loading are left out, so startup does not count.
 *
 * node:sqlite runs synchronously on the main thread, so the time spent in
 * SQLite, fsync included, is attributed to the ledger's JavaScript frames.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  /** Microseconds between one sample and the previous one. */
  timeDeltas: number[];
}

const USAGE = 'Usage: node test/bench/profile-summary.ts FILE.cpuprofile [--requests N]\n';

/** Parts of the request path, matched in order on the frame's script URL or function name. */
const PARTS: Array<{ name: string; matches: (url: string, functionName: string) => boolean }> = [
  { name: 'idle', matches: (_url, name) => name === '(idle)' },
  { name: 'garbage collector', matches: (_url, name) => name === '(garbage collector)' },
  { name: 'ledger (SQLite, fsync included)', matches: (url) => url.includes('/src/ledger/') },
  { name: 'token estimate for the hold', matches: (url) => url.includes('gpt-tokenizer') || url.includes('/src/tokens/') },
  { name: 'logging (pino)', matches: (url) => /pino|redact|sonic-boom/.test(url) },
  { name: 'upstream client (undici)', matches: (url) => url.includes('/node_modules/undici/') || url.startsWith('wasm://') },
  {
    name: 'HTTP server, Hono and web streams',
    matches: (url, name) => /hono|node:_http_|node:net|webstreams|internal\/deps\/undici|internal\/streams|node:stream/.test(url) || /^(writev|writeString|writeUtf8String|writeBuffer)$/.test(name),
  },
  { name: 'other gateway code (src/)', matches: (url) => url.includes('/src/') },
  { name: 'crypto (request ids, key hash)', matches: (url) => url.startsWith('node:internal/crypto') },
];

const OTHER = 'other (microtasks, buffers, events)';

function summarize(profile: CpuProfile): { parts: Map<string, number>; startupUs: number } {
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const parents = new Map<number, number>();
  for (const node of profile.nodes) {
    for (const child of node.children ?? []) {
      parents.set(child, node.id);
    }
  }

  const selfUs = new Map<number, number>();
  profile.samples.forEach((id, index) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[index] ?? 0)));

  const isStartup = (id: number): boolean => {
    for (let current: number | undefined = id; current !== undefined; current = parents.get(current)) {
      if (/internal\/modules\/(esm|cjs)|internal\/modules\/run_main/.test(nodes.get(current)!.callFrame.url)) {
        return true;
      }
    }
    return false;
  };

  const parts = new Map<string, number>();
  let startupUs = 0;

  for (const [id, us] of selfUs) {
    if (isStartup(id)) {
      startupUs += us;
      continue;
    }

    const { url, functionName } = nodes.get(id)!.callFrame;
    const part = PARTS.find((candidate) => candidate.matches(url, functionName))?.name ?? OTHER;
    parts.set(part, (parts.get(part) ?? 0) + us);
  }
  return { parts, startupUs };
}

function render(parts: Map<string, number>, startupUs: number, requests: number | null): string {
  const idleUs = parts.get('idle') ?? 0;
  const busyUs = [...parts.values()].reduce((sum, us) => sum + us, 0) - idleUs;
  const lines = [
    `Main thread after startup: ${(busyUs / 1000).toFixed(0)} ms busy, ${(idleUs / 1000).toFixed(0)} ms idle (${(startupUs / 1000).toFixed(0)} ms of startup left out).`,
    '',
    requests === null ? '| Part | share of busy time |' : '| Part | share of busy time | ms per request |',
    requests === null ? '|---|--:|' : '|---|--:|--:|',
  ];

  const busyParts = [...parts].filter(([name]) => name !== 'idle').sort((a, b) => b[1] - a[1]);
  for (const [name, us] of busyParts) {
    const share = `${((100 * us) / busyUs).toFixed(1)}%`;
    lines.push(requests === null ? `| ${name} | ${share} |` : `| ${name} | ${share} | ${(us / 1000 / requests).toFixed(3)} |`);
  }
  return lines.join('\n');
}

function main(): number {
  let parsed;
  try {
    parsed = parseArgs({ allowPositionals: true, options: { requests: { type: 'string' } } });
  } catch (error) {
    process.stderr.write(`test/bench/profile-summary: ${(error as Error).message}\n${USAGE}`);
    return 2;
  }

  const file = parsed.positionals[0];
  const requests = parsed.values.requests === undefined ? null : Number(parsed.values.requests);
  if (file === undefined || parsed.positionals.length > 1) {
    process.stderr.write(`test/bench/profile-summary: expected exactly one .cpuprofile file\n${USAGE}`);
    return 2;
  }
  if (requests !== null && (!Number.isSafeInteger(requests) || requests < 1)) {
    process.stderr.write(`test/bench/profile-summary: invalid --requests ${JSON.stringify(parsed.values.requests)}: expected a positive integer\n`);
    return 2;
  }

  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const { parts, startupUs } = summarize(profile);
  process.stdout.write(`${render(parts, startupUs, requests)}\n`);
  return 0;
}

process.exitCode = main();
