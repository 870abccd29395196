/**
 * Fixed token counts for the parts of a request that are not counted from
 * text. The message counts follow OpenAI's token-counting guide for chat
 * models ("How to count tokens with tiktoken", openai-cookbook).
 */

/** Added for every chat message, for the tokens that frame it. */
export const TOKENS_PER_MESSAGE = 3;

/** Added for a message with a `name`, on top of the name's own tokens. */
export const TOKENS_PER_NAME = 1;

/** Added once per request for the tokens that start the assistant's reply. */
export const REPLY_PRIMING_TOKENS = 3;

/**
 * Allowance per image part, counted instead of the URL or base64 text.
 * It is above the high-detail maximum of gpt-4o (1,445 tokens: 85 plus 170 per
 * 512-pixel tile, at most 8 tiles) and equals the patch cap of the
 * patch-based models before their per-model multiplier.
 * NOTE: models that multiply image tokens (gpt-4o-mini, gpt-4.1-mini,
 * gpt-4.1-nano, o4-mini) report more per image, so their prepaid holds are
 * too small.
 */
export const IMAGE_PART_TOKENS = 1536;

/**
 * Allowance per audio part, counted instead of the base64 audio: about 100
 * seconds at the roughly 10 tokens per second that gpt-4o audio models
 * report for input audio (an estimate).
 * NOTE: the estimate counts audio at the text input rate; holdCostOf has no
 * audio rate, so a hold for audio input is low.
 */
export const AUDIO_PART_TOKENS = 1000;

/**
 * Allowance per file part (a PDF or other document sent inline or by id).
 * NOTE: a guess; a long document can use many times this.
 */
export const FILE_PART_TOKENS = 4096;

/**
 * Extra tokens per Responses API request. That API reports more input tokens
 * for a short input than the chat message rule gives.
 * NOTE: an unmeasured allowance, not a documented constant.
 */
export const RESPONSES_REQUEST_TOKENS = 20;
