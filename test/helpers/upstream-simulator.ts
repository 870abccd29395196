/**
 * A local OpenAI-compatible upstream for tests and benchmarks: it serves the
 * recorded fixtures in test/fixtures/upstream with their status and headers,
 * streams .sse bodies in small pieces, and records every request it gets.
 */
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export const FIXTURE_DIR = new URL('../fixtures/upstream/', import.meta.url);

export interface ManifestEntry {
  file: string;
  provider: string;
  endpoint: string;
  request: Record<string, unknown>;
  http_status: number;
  headers: Record<string, string>;
  expected_usage: Record<string, unknown> & { present: boolean };
}

export function loadManifest(): ManifestEntry[] {
  const manifest = JSON.parse(readFileSync(new URL('manifest.json', FIXTURE_DIR), 'utf8')) as { fixtures: ManifestEntry[] };
  return manifest.fixtures;
}

export function readFixture(file: string): Buffer {
  return readFileSync(new URL(file, FIXTURE_DIR));
}

export interface Scenario {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
  /** Bytes per write for streamed bodies; the whole body at once when absent. */
  chunkSize?: number;
  /** Pause between writes. */
  delayMs?: number;
  /** Wait before sending the headers. */
  headersDelayMs?: number;
  /** Destroy the socket after this many bytes of body. */
  cutAfterBytes?: number;
  /** Send the headers, then wait this long before the first byte of body. */
  bodyDelayMs?: number;
}

export interface RecordedRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export function scenarioFromFixture(entry: ManifestEntry, options: Partial<Scenario> = {}): Scenario {
  const headers = { ...entry.headers };
  delete headers['transfer-encoding'];
  const streamed = entry.file.endsWith('.sse');

  return {
    status: entry.http_status,
    headers,
    body: readFixture(entry.file),
    chunkSize: streamed ? 97 : undefined,
    ...options,
  };
}

export class UpstreamSimulator {
  readonly requests: RecordedRequest[] = [];
  readonly #queue: Scenario[] = [];
  #fallback: Scenario | null = null;
  #server: Server | null = null;
  #openResponses = 0;

  /** Serves `scenario` to the next request (in order of arrival). */
  enqueue(...scenarios: Scenario[]): void {
    this.#queue.push(...scenarios);
  }

  /** Serves `scenario` to every request once the queue is empty. */
  setFallback(scenario: Scenario | null): void {
    this.#fallback = scenario;
  }

  get openResponses(): number {
    return this.#openResponses;
  }

  async start(): Promise<string> {
    this.#server = createServer((request, response) => {
      void this.#handle(request, response);
    });
    this.#server.keepAliveTimeout = 60_000;

    await new Promise<void>((resolve) => this.#server!.listen(0, '127.0.0.1', resolve));
    const address = this.#server.address() as AddressInfo;
    return `http://127.0.0.1:${address.port}`;
  }

  async stop(): Promise<void> {
    if (!this.#server) {
      return;
    }
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server!.close(() => resolve()));
  }

  async #handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) {
      chunks.push(chunk as Buffer);
    }

    this.requests.push({
      method: request.method ?? '',
      path: request.url ?? '',
      headers: request.headers,
      body: Buffer.concat(chunks).toString('utf8'),
    });

    const scenario = this.#queue.shift() ?? this.#fallback;
    if (!scenario) {
      response.writeHead(500, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ error: { message: 'simulator: no scenario queued', type: 'server_error', param: null, code: null } }));
      return;
    }

    this.#openResponses += 1;
    try {
      await this.#serve(scenario, response);
    } finally {
      this.#openResponses -= 1;
    }
  }

  async #serve(scenario: Scenario, response: ServerResponse): Promise<void> {
    if (scenario.headersDelayMs) {
      await sleep(scenario.headersDelayMs);
    }

    const body = scenario.cutAfterBytes === undefined ? scenario.body : scenario.body.subarray(0, scenario.cutAfterBytes);
    response.writeHead(scenario.status, scenario.headers);

    if (scenario.bodyDelayMs) {
      response.flushHeaders();
      await sleep(scenario.bodyDelayMs);
      if (response.destroyed) {
        return;
      }
    }

    if (!scenario.chunkSize) {
      response.end(body);
      if (scenario.cutAfterBytes !== undefined) {
        response.destroy();
      }
      return;
    }

    for (let offset = 0; offset < body.length; offset += scenario.chunkSize) {
      if (response.destroyed) {
        return;
      }
      response.write(body.subarray(offset, offset + scenario.chunkSize));
      if (scenario.delayMs) {
        await sleep(scenario.delayMs);
      }
    }

    if (scenario.cutAfterBytes !== undefined) {
      response.destroy();
      return;
    }
    response.end();
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
