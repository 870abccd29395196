/**
 * Incremental `text/event-stream` reader that works on bytes, so that a relay
 * can forward every frame untouched while reading its event.
 *
 * Lines end with CRLF, LF or a lone CR, as the WHATWG event-stream
 * interpretation defines. Each line is decoded as UTF-8 only once it is
 * complete, so a code point split across network chunks is decoded whole.
 */
import { SseEventBuilder } from './event.ts';
import type { SseEvent } from './event.ts';

export type { SseEvent } from './event.ts';

export interface SseFrame {
  /**
   * The frame's bytes as received: from the end of the previous frame up to
   * and including the blank line that ends this one. It may share memory
   * with a chunk passed to `push`.
   */
  raw: Uint8Array;
  /** The event the frame dispatches, or null when it has no `data` line. */
  event: SseEvent | null;
}

const LF = 0x0a;
const CR = 0x0d;
const COLON = 0x3a;
const EMPTY = new Uint8Array(0);

/**
 * Splits a byte stream into SSE frames. Concatenating the `raw` bytes of
 * every frame returned by `push` and `end` reproduces the input exactly.
 */
export class SseFramer {
  readonly #decoder = new TextDecoder('utf-8', { ignoreBOM: true });
  #builder = new SseEventBuilder();
  /** Bytes of the current frame that arrived in earlier chunks. */
  #frameParts: Uint8Array[] = [];
  /** Bytes of the current unterminated line that arrived in earlier chunks. */
  #lineParts: Uint8Array[] = [];
  #atStreamStart = true;
  /** The last chunk ended with CR, so an LF starting the next chunk completes that line end. */
  #afterCr = false;
  /**
   * A blank line ending in that CR closed the frame. The frame is held
   * until the next byte shows whether an LF belongs to it.
   */
  #frameClosed = false;
  #closedEvent: SseEvent | null = null;

  /** Consumes one chunk and returns the frames it completes, in order. */
  push(chunk: Uint8Array): SseFrame[] {
    const frames: SseFrame[] = [];
    let pos = 0;
    let frameStart = 0;

    if (this.#afterCr && chunk.length > 0) {
      this.#afterCr = false;
      if (chunk[0] === LF) {
        pos = 1;
      }
      if (this.#frameClosed) {
        frames.push(this.#takeFrame(chunk.subarray(0, pos), this.#closedEvent));
        frameStart = pos;
        this.#frameClosed = false;
        this.#closedEvent = null;
      }
    }

    let lineStart = pos;
    // Cached search results keep the scan linear: -2 means "search again", -1 means "none left".
    let nextLf = -2;
    let nextCr = -2;

    while (pos < chunk.length) {
      if (nextLf !== -1 && nextLf < pos) {
        nextLf = chunk.indexOf(LF, pos);
      }
      if (nextCr !== -1 && nextCr < pos) {
        nextCr = chunk.indexOf(CR, pos);
      }
      if (nextLf === -1 && nextCr === -1) {
        break;
      }

      const lineEnd = nextCr === -1 || (nextLf !== -1 && nextLf < nextCr) ? nextLf : nextCr;
      let next = lineEnd + 1;
      if (chunk[lineEnd] === CR) {
        if (next === chunk.length) {
          this.#afterCr = true;
        } else if (chunk[next] === LF) {
          next += 1;
        }
      }

      const blank = this.#processLine(chunk.subarray(lineStart, lineEnd));
      pos = next;
      lineStart = next;
      if (!blank) {
        continue;
      }

      const event = this.#builder.dispatch();
      if (this.#afterCr) {
        this.#frameClosed = true;
        this.#closedEvent = event;
        break;
      }
      frames.push(this.#takeFrame(chunk.subarray(frameStart, next), event));
      frameStart = next;
    }

    this.#keepTail(chunk, frameStart, lineStart);
    return frames;
  }

  /**
   * Ends the stream and returns the bytes that no frame has returned yet, or
   * null when there are none. An unterminated last line and an event without
   * its closing blank line are parsed as if the stream had terminated them,
   * so that a usage event cut off by the upstream can still be read. A
   * complete frame is returned here too when its blank line ended in CR at
   * the very end of the last chunk, because only then is it known that no LF
   * follows.
   */
  end(): SseFrame | null {
    let frame: SseFrame | null = null;

    if (this.#frameClosed) {
      frame = this.#takeFrame(EMPTY, this.#closedEvent);
    } else if (this.#frameParts.length > 0) {
      if (this.#lineParts.length > 0) {
        this.#processLine(EMPTY);
      }
      frame = this.#takeFrame(EMPTY, this.#builder.dispatch());
    }

    this.#reset();
    return frame;
  }

  /** Applies one line without its terminator and returns whether the line is blank. */
  #processLine(piece: Uint8Array): boolean {
    let line = piece;
    if (this.#lineParts.length > 0) {
      this.#lineParts.push(piece);
      line = concatBytes(this.#lineParts);
      this.#lineParts = [];
    }

    if (this.#atStreamStart) {
      this.#atStreamStart = false;
      if (startsWithBom(line)) {
        line = line.subarray(3);
      }
    }

    if (line.length === 0) {
      return true;
    }
    if (line[0] !== COLON) {
      this.#builder.processLine(this.#decoder.decode(line));
    }
    return false;
  }

  #takeFrame(lastPiece: Uint8Array, event: SseEvent | null): SseFrame {
    let raw = lastPiece;
    if (this.#frameParts.length > 0) {
      this.#frameParts.push(lastPiece);
      raw = concatBytes(this.#frameParts);
      this.#frameParts = [];
    }
    return { raw, event };
  }

  /** Copies the unframed end of the chunk, because the caller owns the chunk once `push` returns. */
  #keepTail(chunk: Uint8Array, frameStart: number, lineStart: number): void {
    if (frameStart >= chunk.length) {
      return;
    }

    const tail = chunk.slice(frameStart);
    this.#frameParts.push(tail);
    if (lineStart < chunk.length) {
      this.#lineParts.push(tail.subarray(lineStart - frameStart));
    }
  }

  #reset(): void {
    this.#builder = new SseEventBuilder();
    this.#frameParts = [];
    this.#lineParts = [];
    this.#atStreamStart = true;
    this.#afterCr = false;
    this.#frameClosed = false;
    this.#closedEvent = null;
  }
}

function startsWithBom(bytes: Uint8Array): boolean {
  return bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
}

function concatBytes(parts: Uint8Array[]): Uint8Array {
  let length = 0;
  for (const part of parts) {
    length += part.length;
  }

  const out = new Uint8Array(length);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
