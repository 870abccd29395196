import { describe, expect, it } from 'vitest';
import { SseFramer } from './reader.ts';
import type { SseFrame } from './reader.ts';

const encoder = new TextEncoder();
const BOM = Uint8Array.of(0xef, 0xbb, 0xbf);

function bytes(text: string): Uint8Array {
  return encoder.encode(text);
}

function text(raw: Uint8Array): string {
  return new TextDecoder('utf-8', { ignoreBOM: true }).decode(raw);
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** Pushes the chunks in order and returns what `push` returned, then what `end` returned. */
function frameChunks(chunks: (string | Uint8Array)[]): { frames: SseFrame[]; last: SseFrame | null } {
  const framer = new SseFramer();
  const frames: SseFrame[] = [];
  for (const chunk of chunks) {
    frames.push(...framer.push(typeof chunk === 'string' ? bytes(chunk) : chunk));
  }
  return { frames, last: framer.end() };
}

function dataOf(frames: SseFrame[]): (string | null)[] {
  return frames.map((frame) => frame.event?.data ?? null);
}

describe('SseFramer', () => {
  it('splits frames on LF', () => {
    const { frames, last } = frameChunks(['data: a\n\ndata: b\n\n']);

    expect(frames.map((frame) => text(frame.raw))).toEqual(['data: a\n\n', 'data: b\n\n']);
    expect(dataOf(frames)).toEqual(['a', 'b']);
    expect(last).toBeNull();
  });

  it('splits frames on CRLF', () => {
    const { frames, last } = frameChunks(['data: a\r\n\r\ndata: b\r\n\r\n']);

    expect(frames.map((frame) => text(frame.raw))).toEqual(['data: a\r\n\r\n', 'data: b\r\n\r\n']);
    expect(dataOf(frames)).toEqual(['a', 'b']);
    expect(last).toBeNull();
  });

  it('splits frames on lone CR', () => {
    const { frames, last } = frameChunks(['data: a\r\rdata: b\rdata: c\r\r']);

    expect(frames.map((frame) => text(frame.raw))).toEqual(['data: a\r\r']);
    expect(dataOf(frames)).toEqual(['a']);
    expect(last?.event?.data).toBe('b\nc');
    expect(text(last?.raw ?? new Uint8Array())).toBe('data: b\rdata: c\r\r');
  });

  it('joins CR and LF split across chunks', () => {
    const { frames, last } = frameChunks(['data: a\r', '\ndata: b\r', '\n\r', '\n']);

    expect(dataOf(frames)).toEqual(['a\nb']);
    expect(text(frames[0]?.raw ?? new Uint8Array())).toBe('data: a\r\ndata: b\r\n\r\n');
    expect(last).toBeNull();
  });

  it('holds a frame ending in CR until the next chunk', () => {
    const framer = new SseFramer();

    expect(framer.push(bytes('data: a\r\n\r'))).toEqual([]);

    const frames = framer.push(bytes('\ndata: b\n\n'));
    expect(frames.map((frame) => text(frame.raw))).toEqual(['data: a\r\n\r\n', 'data: b\n\n']);
    expect(dataOf(frames)).toEqual(['a', 'b']);
  });

  it('releases a held CR frame when no LF follows', () => {
    const framer = new SseFramer();
    framer.push(bytes('data: a\r\r'));

    const frames = framer.push(bytes('data: b\n\n'));

    expect(frames.map((frame) => text(frame.raw))).toEqual(['data: a\r\r', 'data: b\n\n']);
    expect(dataOf(frames)).toEqual(['a', 'b']);
  });

  it('skips comment lines', () => {
    const { frames } = frameChunks([': ping\ndata: a\n:\n\n']);

    expect(frames[0]?.event).toEqual({ event: 'message', data: 'a' });
  });

  it('returns a comment-only frame with a null event', () => {
    const { frames } = frameChunks([': keep-alive\n\ndata: a\n\n']);

    expect(text(frames[0]?.raw ?? new Uint8Array())).toBe(': keep-alive\n\n');
    expect(frames[0]?.event).toBeNull();
    expect(frames[1]?.event?.data).toBe('a');
  });

  it('reads data with and without a space', () => {
    const { frames } = frameChunks(['data:a\n\ndata: b\n\ndata:  c\n\n']);

    expect(dataOf(frames)).toEqual(['a', 'b', ' c']);
  });

  it('splits a field at the first colon', () => {
    const { frames } = frameChunks(['data: {"a":"b:c"}\n\n']);

    expect(frames[0]?.event?.data).toBe('{"a":"b:c"}');
  });

  it('joins multi-line data with LF', () => {
    const { frames } = frameChunks(['data: {"a":\ndata: 1}\n\n']);

    expect(frames[0]?.event?.data).toBe('{"a":\n1}');
  });

  it('reads a line without colon as an empty field', () => {
    const { frames } = frameChunks(['data\ndata\n\ndata\n\n']);

    expect(dataOf(frames)).toEqual(['\n', '']);
  });

  it('keeps the event field', () => {
    const { frames } = frameChunks(['event: response.completed\ndata: {}\n\nevent:\ndata: x\n\n']);

    expect(frames[0]?.event).toEqual({ event: 'response.completed', data: '{}' });
    expect(frames[1]?.event).toEqual({ event: 'message', data: 'x' });
  });

  it('resets the event type after each frame', () => {
    const { frames } = frameChunks(['event: ping\ndata: a\n\ndata: b\n\n']);

    expect(frames[1]?.event?.event).toBe('message');
  });

  it('keeps the last event id across frames', () => {
    const { frames } = frameChunks(['id: 7\ndata: a\n\ndata: b\n\nid\ndata: c\n\n']);

    expect(frames.map((frame) => frame.event?.id)).toEqual(['7', '7', undefined]);
  });

  it('ignores an id containing NULL', () => {
    const { frames } = frameChunks(['id: 1\ndata: a\n\nid: 2\u0000\ndata: b\n\n']);

    expect(frames[1]?.event?.id).toBe('1');
  });

  it('ignores retry and unknown fields', () => {
    const { frames } = frameChunks(['retry: 3000\nfoo: bar\ndata: a\n\n']);

    expect(frames[0]?.event).toEqual({ event: 'message', data: 'a' });
  });

  it('returns a null event for a frame without data', () => {
    const { frames } = frameChunks(['id: 1\nretry: 10\nevent: x\n\n']);

    expect(text(frames[0]?.raw ?? new Uint8Array())).toBe('id: 1\nretry: 10\nevent: x\n\n');
    expect(frames[0]?.event).toBeNull();
  });

  it('returns one frame per extra blank line', () => {
    const { frames } = frameChunks(['data: a\n\n\n\n']);

    expect(frames.map((frame) => text(frame.raw))).toEqual(['data: a\n\n', '\n', '\n']);
    expect(dataOf(frames)).toEqual(['a', null, null]);
  });

  it('skips a BOM at stream start', () => {
    const { frames } = frameChunks([concat([BOM, bytes('data: a\n\n')])]);

    expect(frames[0]?.event?.data).toBe('a');
    expect(frames[0]?.raw.subarray(0, 3)).toEqual(BOM);
  });

  it('skips a BOM split across chunks', () => {
    const { frames } = frameChunks([BOM.subarray(0, 1), BOM.subarray(1), 'data: a\n\n']);

    expect(frames[0]?.event?.data).toBe('a');
  });

  it('keeps a BOM after stream start', () => {
    const { frames } = frameChunks(['data: a\n\n', concat([BOM, bytes('data: b\n\n')])]);

    expect(frames[1]?.event).toBeNull();
  });

  it('decodes an emoji split across chunks', () => {
    const input = bytes('data: 😴\n\n');
    const emojiStart = 6;

    for (let split = emojiStart + 1; split < emojiStart + 4; split += 1) {
      const { frames } = frameChunks([input.subarray(0, split), input.subarray(split)]);
      expect(frames[0]?.event?.data, `split at ${split}`).toBe('😴');
    }
  });

  it('decodes an emoji pushed byte by byte', () => {
    const input = bytes('data: a😴b\n\n');
    const chunks = Array.from(input, (byte) => Uint8Array.of(byte));

    const { frames } = frameChunks(chunks);

    expect(frames[0]?.event?.data).toBe('a😴b');
  });

  it('reproduces the input bytes exactly', () => {
    const input = concat([
      BOM,
      bytes(': hi\r\nretry: 5\r\rid: 1\ndata: Grüß 😴\r\ndata\r\n\r\nevent: e\rdata: x\r\r\ndata: tail'),
    ]);

    for (const size of [1, 2, 3, 7, input.length]) {
      const chunks: Uint8Array[] = [];
      for (let offset = 0; offset < input.length; offset += size) {
        chunks.push(input.slice(offset, offset + size));
      }

      const { frames, last } = frameChunks(chunks);
      const raws = frames.map((frame) => frame.raw);
      if (last !== null) {
        raws.push(last.raw);
      }
      expect(concat(raws), `chunk size ${size}`).toEqual(input);
    }
  });

  it('keeps a frame intact when the chunk buffer is reused', () => {
    const framer = new SseFramer();
    const buffer = bytes('data: ab');
    framer.push(buffer);
    buffer.fill(0x78);

    const frames = framer.push(bytes('c\n\n'));

    expect(frames[0]?.event?.data).toBe('abc');
    expect(text(frames[0]?.raw ?? new Uint8Array())).toBe('data: abc\n\n');
  });

  it('returns null from end without pending bytes', () => {
    const { last } = frameChunks(['data: a\n\n']);

    expect(last).toBeNull();
  });

  it('returns null from end of an empty stream', () => {
    const { frames, last } = frameChunks([]);

    expect(frames).toEqual([]);
    expect(last).toBeNull();
  });

  it('parses an unterminated last line at end', () => {
    const { frames, last } = frameChunks(['data: a\n\nid: 4\ndata: {"u":1}']);

    expect(dataOf(frames)).toEqual(['a']);
    expect(text(last?.raw ?? new Uint8Array())).toBe('id: 4\ndata: {"u":1}');
    expect(last?.event).toEqual({ event: 'message', data: '{"u":1}', id: '4' });
  });

  it('parses an event without its blank line at end', () => {
    const { last } = frameChunks(['data: a\ndata: b\n']);

    expect(text(last?.raw ?? new Uint8Array())).toBe('data: a\ndata: b\n');
    expect(last?.event?.data).toBe('a\nb');
  });

  it('returns pending comment bytes at end', () => {
    const { last } = frameChunks(['data: a\n\n: bye\n']);

    expect(text(last?.raw ?? new Uint8Array())).toBe(': bye\n');
    expect(last?.event).toBeNull();
  });

  it('returns a frame held for a trailing CR at end', () => {
    const { frames, last } = frameChunks(['data: a\r\n\r']);

    expect(frames).toEqual([]);
    expect(text(last?.raw ?? new Uint8Array())).toBe('data: a\r\n\r');
    expect(last?.event?.data).toBe('a');
  });
});
