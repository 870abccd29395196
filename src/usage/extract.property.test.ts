import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadFixtures, rawBytesOf, readFixture, runStream, splitAt } from './upstream-fixtures.testing.ts';
import type { StreamRun } from './upstream-fixtures.testing.ts';

const streamFixtures = loadFixtures().filter((fixture) => fixture.httpStatus === 200 && fixture.file.endsWith('.sse'));

/** Cut offsets for the input length: sorted, unique and strictly inside the input. */
function randomOffsets(length: number): fc.Arbitrary<number[]> {
  return fc
    .uniqueArray(fc.integer({ min: 1, max: length - 1 }), { maxLength: 64 })
    .map((offsets) => offsets.sort((a, b) => a - b));
}

/** Cut offsets from piece sizes of 1 to 8 bytes repeated to the end, so most pieces are tiny. */
function smallPieceOffsets(length: number): fc.Arbitrary<number[]> {
  return fc.array(fc.integer({ min: 1, max: 8 }), { minLength: 1, maxLength: 32 }).map((sizes) => {
    const offsets: number[] = [];
    for (let offset = 0, index = 0; ; index += 1) {
      offset += sizes[index % sizes.length] ?? 1;
      if (offset >= length) {
        return offsets;
      }
      offsets.push(offset);
    }
  });
}

/** Offsets of UTF-8 continuation bytes, where a cut falls inside a multi-byte character. */
function offsetsInsideCharacters(bytes: Uint8Array): number[] {
  const offsets: number[] = [];
  bytes.forEach((byte, offset) => {
    if ((byte & 0xc0) === 0x80) {
      offsets.push(offset);
    }
  });
  return offsets;
}

function expectSameRun(split: StreamRun, whole: StreamRun, input: Uint8Array): void {
  expect(rawBytesOf(split)).toEqual(input);
  expect(split.events).toStrictEqual(whole.events);
  expect(split.observations).toStrictEqual(whole.observations);
  expect(split.usage).toStrictEqual(whole.usage);
  expect(split.outcome).toBe(whole.outcome);
  expect(split.errorMessage).toBe(whole.errorMessage);
  expect(split.outputText).toBe(whole.outputText);
}

describe('stream fixtures split into chunks', () => {
  it.each(streamFixtures)('give the same result for random splits of $file', ({ file, endpoint }) => {
    const input = readFixture(file);
    const whole = runStream(endpoint, [input]);
    const offsets = fc.oneof(randomOffsets(input.length), smallPieceOffsets(input.length));

    fc.assert(
      fc.property(offsets, (cuts) => {
        expectSameRun(runStream(endpoint, splitAt(input, cuts)), whole, input);
      }),
    );
  });

  it.each(streamFixtures)('give the same result for 1-byte chunks of $file', ({ file, endpoint }) => {
    const input = readFixture(file);
    const whole = runStream(endpoint, [input]);
    const cuts = Array.from({ length: input.length - 1 }, (_, index) => index + 1);

    expectSameRun(runStream(endpoint, splitAt(input, cuts)), whole, input);
  });

  it.each(streamFixtures)('give the same result when cut inside a character of $file', ({ file, endpoint }) => {
    const input = readFixture(file);
    const whole = runStream(endpoint, [input]);

    for (const cut of offsetsInsideCharacters(input)) {
      expectSameRun(runStream(endpoint, splitAt(input, [cut])), whole, input);
    }
  });

  it('give the same result for every 2-way split of the CRLF fixture', () => {
    const input = readFixture('synthetic-sse-framing-edge-cases-crlf.sse');
    const whole = runStream('chat.completions', [input]);

    expect(whole.usage?.inputTokens).toBe(9);
    for (let cut = 0; cut <= input.length; cut += 1) {
      expectSameRun(runStream('chat.completions', splitAt(input, [cut])), whole, input);
    }
  });
});
