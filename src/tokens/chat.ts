/**
 * Input token estimate of a Chat Completions request, following the message
 * rule of OpenAI's token-counting guide: every message costs its framing
 * tokens plus the tokens of its role, content and name, and the reply
 * costs its priming tokens.
 */
import { AUDIO_PART_TOKENS, REPLY_PRIMING_TOKENS, TOKENS_PER_MESSAGE, TOKENS_PER_NAME } from './allowances.ts';
import type { TokenCounter } from './encoding.ts';
import { countContent, countToolCall, countToolDefinitions, countValue, isRecord } from './parts.ts';

export function estimateChatInput(body: Record<string, unknown>, count: TokenCounter): number {
  let tokens = REPLY_PRIMING_TOKENS;

  if (Array.isArray(body.messages)) {
    for (const message of body.messages) {
      tokens += countMessage(message, count);
    }
  }

  // Tool and function definitions and a structured-output schema reach the model as prompt text.
  tokens += countToolDefinitions(body.tools, count);
  tokens += countToolDefinitions(body.functions, count);
  tokens += countResponseFormat(body.response_format, count);

  return tokens;
}

function countMessage(message: unknown, count: TokenCounter): number {
  if (!isRecord(message)) {
    return TOKENS_PER_MESSAGE + countValue(message, count);
  }

  let tokens = TOKENS_PER_MESSAGE;

  for (const [key, value] of Object.entries(message)) {
    tokens += countMessageField(key, value, count);
  }

  return tokens;
}

function countMessageField(key: string, value: unknown, count: TokenCounter): number {
  switch (key) {
    case 'content':
      return countContent(value, count);

    case 'name':
      return countValue(value, count) + TOKENS_PER_NAME;

    case 'tool_calls':
      return countToolCalls(value, count);

    case 'function_call':
      return isRecord(value) ? countToolCall(value.name, value.arguments, count) : countValue(value, count);

    // An earlier audio reply, referenced by id, is read again as audio.
    case 'audio':
      return value === null || value === undefined ? 0 : AUDIO_PART_TOKENS;

    // role, tool_call_id, refusal and any unknown field: counted as text, which leans high.
    default:
      return countValue(value, count);
  }
}

function countToolCalls(calls: unknown, count: TokenCounter): number {
  if (!Array.isArray(calls)) {
    return countValue(calls, count);
  }

  let tokens = 0;
  for (const call of calls) {
    const fn = isRecord(call) ? call.function : undefined;
    tokens += isRecord(fn) ? countToolCall(fn.name, fn.arguments, count) : countValue(call, count);
  }

  return tokens;
}

function countResponseFormat(format: unknown, count: TokenCounter): number {
  if (!isRecord(format) || format.type !== 'json_schema') {
    return 0;
  }

  return countValue(format.json_schema, count);
}
