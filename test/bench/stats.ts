/**
 * Latency percentiles, in milliseconds.
 */

export interface Percentiles {
  p50: number;
  p90: number;
  p99: number;
}

/** Nearest-rank percentiles of `samples`; the array is sorted in place. */
export function percentiles(samples: Float64Array): Percentiles {
  if (samples.length === 0) {
    throw new RangeError('percentiles of an empty sample');
  }

  samples.sort();
  const rank = (p: number) => samples[Math.max(0, Math.ceil((p / 100) * samples.length) - 1)]!;

  return { p50: rank(50), p90: rank(90), p99: rank(99) };
}

/** Joins the sample arrays of several rounds into one. */
export function concatSamples(parts: Float64Array[]): Float64Array {
  const joined = new Float64Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;

  for (const part of parts) {
    joined.set(part, offset);
    offset += part.length;
  }
  return joined;
}
