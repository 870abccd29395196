/**
 * Relays a streamed (text/event-stream) upstream response to the client,
 * frame by frame as the frames arrive, while reading usage from them.
 *
 * - The usage-only chunk is dropped when Tollgate injected
 *   stream_options.include_usage and the client did not ask for it.
 * - The closing frames (`data: [DONE]`, or the Responses API's terminal
 *   event) are held back until the ledger entry is written, so a client never
 *   sees a complete stream that was not billed.
 * - When the client disconnects, the upstream is still read for up to
 *   `drainMs` to get its usage; after that it is aborted and what was
 *   produced is charged as an estimate.
 */
import { SseFramer, type SseFrame } from '../sse/reader.ts';
import { StreamUsageReader } from '../usage/extract.ts';
import type { Endpoint, Usage, UsageSource } from '../usage/types.ts';
import type { UpstreamResponse } from './upstream.ts';

export interface StreamOutcome {
  usage: Usage | null;
  /** Visible output seen in the stream, for estimating usage when none was reported. */
  outputText: string;
  outcome: 'completed' | 'error' | 'truncated';
  /** The usage came from an event that the upstream cut off at end of stream. */
  recovered: boolean;
  clientDisconnected: boolean;
  upstreamFailed: boolean;
  /** Bytes of body received from the upstream. */
  bodyBytes: number;
}

export interface RelayOptions {
  endpoint: Endpoint;
  upstream: UpstreamResponse;
  abortUpstream: () => void;
  stripUsageChunk: boolean;
  drainMs: number;
  /**
   * Writes the ledger entry once the upstream stream has ended. Resolves to
   * true when the closing frames may be sent; false ends the stream with an
   * error event instead.
   */
  settle: (outcome: StreamOutcome) => Promise<boolean>;
  onError: (error: unknown) => void;
  /**
   * Drops the client's connection, so that a stream that failed does not end
   * like a complete one. Without it the stream is errored instead, which
   * @hono/node-server reports on stderr.
   */
  abortClient?: () => void;
}

const encoder = new TextEncoder();

export function relayStream(options: RelayOptions): ReadableStream<Uint8Array> {
  const framer = new SseFramer();
  const reader = new StreamUsageReader(options.endpoint);
  const heldBack: Uint8Array[] = [];

  let controller!: ReadableStreamDefaultController<Uint8Array>;
  let clientDisconnected = false;
  let upstreamFailed = false;
  let recovered = false;
  let abortOnNextPull = false;
  let bodyBytes = 0;
  let drainTimer: NodeJS.Timeout | undefined;

  const send = (bytes: Uint8Array) => {
    if (!clientDisconnected) {
      controller.enqueue(bytes);
    }
  };

  const handleFrame = (frame: SseFrame) => {
    if (frame.event === null) {
      send(frame.raw);
      return;
    }

    const observation = reader.observe(frame.event);

    if (observation.usageOnly && options.stripUsageChunk) {
      return;
    }
    if (observation.done || observation.terminal || heldBack.length > 0) {
      heldBack.push(frame.raw);
      return;
    }
    send(frame.raw);
  };

  const pump = async () => {
    try {
      for await (const chunk of options.upstream.body as AsyncIterable<Uint8Array>) {
        bodyBytes += chunk.byteLength;
        for (const frame of framer.push(chunk)) {
          handleFrame(frame);
        }
      }
    } catch (error) {
      upstreamFailed = true;
      if (!clientDisconnected) {
        options.onError(error);
      }
    }

    const tail = framer.end();
    if (tail) {
      if (tail.event !== null && reader.usage === null) {
        handleFrame(tail);
        recovered = reader.usage !== null;
      } else if (tail.event !== null) {
        handleFrame(tail);
      } else {
        send(tail.raw);
      }
    }
    reader.finish();
    clearTimeout(drainTimer);

    const settled = await options.settle({
      usage: reader.usage,
      outputText: reader.outputText,
      outcome: reader.outcome,
      recovered,
      clientDisconnected,
      upstreamFailed,
      bodyBytes,
    });

    if (clientDisconnected) {
      return;
    }

    if (settled && !upstreamFailed) {
      for (const bytes of heldBack) {
        send(bytes);
      }
      controller.close();
      return;
    }

    // A broken stream must not look complete: send an error event, then
    // drop the connection once the event has been handed to the socket.
    send(encoder.encode(errorEvent(settled ? 'The upstream stream failed before it completed.' : 'The usage of this response could not be recorded.')));
    if (options.abortClient) {
      abortOnNextPull = true;
    } else {
      controller.error(new Error('stream ended with an error'));
    }
  };

  return new ReadableStream<Uint8Array>({
    start(streamController) {
      controller = streamController;
      void pump().catch(options.onError);
    },
    pull() {
      // The reader asks for more only after it has written what it read.
      if (abortOnNextPull) {
        abortOnNextPull = false;
        options.abortClient!();
      }
    },
    cancel() {
      clientDisconnected = true;
      drainTimer = setTimeout(options.abortUpstream, options.drainMs);
      drainTimer.unref();
    },
  });
}

function errorEvent(message: string): string {
  const body = { error: { message, type: 'upstream_error', param: null, code: 'upstream_error' } };
  return `data: ${JSON.stringify(body)}\n\n`;
}

export type { UsageSource };
