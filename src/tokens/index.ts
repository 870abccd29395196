/**
 * Token estimates for billing: counting text with the model's encoding,
 * estimating a request's input before it goes upstream, its output cap for
 * the prepaid hold, and a whole usage record when an upstream reports none.
 */
export { countTokens, encodingFor } from './encoding.ts';
export type { EncodingName } from './encoding.ts';
export { estimateInputTokens } from './input.ts';
export { requestedOutputCap } from './output-cap.ts';
export { estimateUsage } from './usage.ts';
