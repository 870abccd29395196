/**
 * A webhook receiver for tests: a node:http server on 127.0.0.1 that records
 * every request and responds with the next planned response, or 204 when the
 * plan is used up.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  /** The raw body, as signed. */
  body: string;
  /** Date.now() when the body had arrived. */
  receivedAt: number;
}

export interface PlannedResponse {
  status: number;
  headers?: Record<string, string>;
  /** Milliseconds to wait before responding. */
  delayMs?: number;
}

export class WebhookReceiver {
  readonly requests: ReceivedRequest[] = [];
  readonly #plan: PlannedResponse[] = [];
  readonly #server: Server;
  #waiters: Array<{ count: number; resolve: () => void }> = [];

  constructor() {
    this.#server = createServer((request, response) => {
      const chunks: Buffer[] = [];

      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        this.requests.push({
          method: request.method ?? '',
          path: request.url ?? '',
          headers: request.headers,
          body: Buffer.concat(chunks).toString('utf8'),
          receivedAt: Date.now(),
        });

        const planned = this.#plan.shift() ?? { status: 204 };
        const timer = setTimeout(() => {
          response.writeHead(planned.status, planned.headers ?? {});
          response.end();
        }, planned.delayMs ?? 0);
        response.on('close', () => clearTimeout(timer));

        this.#notify();
      });
    });
  }

  /** Starts listening on an ephemeral port; returns the webhook URL. */
  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
    const { port } = this.#server.address() as AddressInfo;
    return `http://127.0.0.1:${port}/hooks/tollgate`;
  }

  /** Queues responses for the next requests, in order. */
  respondWith(...responses: PlannedResponse[]): void {
    this.#plan.push(...responses);
  }

  /** Resolves once `count` requests have arrived in total. */
  waitForRequests(count: number): Promise<void> {
    if (this.requests.length >= count) {
      return Promise.resolve();
    }
    return new Promise((resolve) => this.#waiters.push({ count, resolve }));
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #notify(): void {
    const ready = this.#waiters.filter((waiter) => this.requests.length >= waiter.count);
    this.#waiters = this.#waiters.filter((waiter) => this.requests.length < waiter.count);
    ready.forEach((waiter) => waiter.resolve());
  }
}
