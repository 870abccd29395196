/**
 * Closed-loop load generator: a fixed number of workers, each sending its
 * next request as soon as the previous response has been read to the end.
 */
import { Pool } from 'undici';

/** Time limit for the response headers and for each pause in the body, in milliseconds. */
const RESPONSE_TIMEOUT_MS = 30_000;

export interface Target {
  /** Short name for messages, such as "gateway". */
  name: string;
  pool: Pool;
  path: string;
  headers: Record<string, string>;
  body: string;
  /** Body size of a complete response; any other size fails the run. */
  responseBytes: number;
}

export interface PhaseSamples {
  /** Milliseconds from sending the request to the first body byte, one per request. */
  firstByteMs: Float64Array;
  /** Milliseconds from sending the request to the end of the body, one per request. */
  totalMs: Float64Array;
  /** Wall-clock milliseconds of the whole phase. */
  wallMs: number;
}

export class LoadError extends Error {
  override name = 'LoadError';
}

/** Opens a keep-alive pool with one connection per worker. Throws unless `origin` is a loopback address. */
export function openPool(origin: string, concurrency: number): Pool {
  const { hostname } = new URL(origin);
  if (hostname !== '127.0.0.1' && hostname !== '[::1]') {
    throw new LoadError(`invalid target ${origin}: the benchmark sends requests to loopback addresses only (127.0.0.1 or [::1])`);
  }

  return new Pool(origin, {
    connections: concurrency,
    pipelining: 1,
    headersTimeout: RESPONSE_TIMEOUT_MS,
    bodyTimeout: RESPONSE_TIMEOUT_MS,
    keepAliveTimeout: 60_000,
  });
}

/**
 * Sends `count` requests to `target` with `concurrency` in flight and returns
 * their timings. Throws LoadError on the first failed or incomplete response,
 * or once `deadline` (a performance.now() value) has passed.
 */
export async function runPhase(target: Target, count: number, concurrency: number, deadline: number): Promise<PhaseSamples> {
  const firstByteMs = new Float64Array(count);
  const totalMs = new Float64Array(count);
  let next = 0;
  let failed = false;

  const worker = async () => {
    while (next < count && !failed) {
      if (performance.now() > deadline) {
        failed = true;
        throw new LoadError(`the run timed out (--max-seconds) during requests to the ${target.name}`);
      }

      const index = next;
      next += 1;

      try {
        const timing = await sendOne(target);
        firstByteMs[index] = timing.firstByteMs;
        totalMs[index] = timing.totalMs;
      } catch (error) {
        // The other workers stop after their current request.
        failed = true;
        throw error;
      }
    }
  };

  const started = performance.now();
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));

  return { firstByteMs, totalMs, wallMs: performance.now() - started };
}

async function sendOne(target: Target): Promise<{ firstByteMs: number; totalMs: number }> {
  const started = performance.now();
  const response = await target.pool.request({ method: 'POST', path: target.path, headers: target.headers, body: target.body });

  let firstByteMs = -1;
  let size = 0;
  const errorChunks: Buffer[] = [];

  for await (const chunk of response.body as AsyncIterable<Buffer>) {
    if (firstByteMs < 0) {
      firstByteMs = performance.now() - started;
    }
    size += chunk.length;
    if (response.statusCode !== 200) {
      errorChunks.push(chunk);
    }
  }
  const totalMs = performance.now() - started;

  if (response.statusCode !== 200) {
    const text = Buffer.concat(errorChunks).toString('utf8').slice(0, 500);
    throw new LoadError(`the ${target.name} responded with HTTP ${response.statusCode}: ${text}`);
  }
  if (size !== target.responseBytes) {
    throw new LoadError(`the ${target.name} sent a body of ${size} bytes, expected ${target.responseBytes}`);
  }

  return { firstByteMs, totalMs };
}
