/** Usage extraction for non-streamed bodies and SSE streams of the billed endpoints. */
export { normalizeUsage } from './normalize.ts';
export { usageFromBody } from './body.ts';
export { StreamUsageReader } from './stream.ts';
export type { StreamObservation, StreamOutcome } from './stream.ts';
