/**
 * Input token estimate of a Responses API request: `instructions` and every
 * input message count like chat messages, tool calls and their outputs
 * count as text, and the request adds a fixed allowance.
 */
import { REPLY_PRIMING_TOKENS, RESPONSES_REQUEST_TOKENS, TOKENS_PER_MESSAGE } from './allowances.ts';
import type { TokenCounter } from './encoding.ts';
import { countContent, countToolCall, countToolDefinitions, countValue, isRecord } from './parts.ts';

/**
 * NOTE: input stored by the API (`previous_response_id`, `conversation`) and
 * `item_reference` items are not in the request, so they are not counted.
 */
export function estimateResponsesInput(body: Record<string, unknown>, count: TokenCounter): number {
  let tokens = RESPONSES_REQUEST_TOKENS + REPLY_PRIMING_TOKENS;

  if (typeof body.instructions === 'string') {
    tokens += countMessage('developer', body.instructions, count);
  }

  if (typeof body.input === 'string') {
    tokens += countMessage('user', body.input, count);
  } else if (Array.isArray(body.input)) {
    for (const item of body.input) {
      tokens += countItem(item, count);
    }
  }

  tokens += countToolDefinitions(body.tools, count);
  tokens += countTextFormat(body.text, count);

  return tokens;
}

function countMessage(role: unknown, content: unknown, count: TokenCounter): number {
  return TOKENS_PER_MESSAGE + countValue(role, count) + countContent(content, count);
}

function countItem(item: unknown, count: TokenCounter): number {
  if (!isRecord(item)) {
    return countValue(item, count);
  }

  // A message item may omit `type`; it is recognised by its role.
  if (item.type === 'message' || (item.type === undefined && 'role' in item)) {
    return countMessage(item.role, item.content, count);
  }

  switch (item.type) {
    case 'function_call':
      return countToolCall(item.name, item.arguments, count);

    case 'custom_tool_call':
      return countToolCall(item.name, item.input, count);

    case 'function_call_output':
    case 'custom_tool_call_output':
      return countContent(item.output, count);

    // Only the summary is countable. NOTE: reasoning carried back as
    // encrypted_content is read by the model but not counted here.
    case 'reasoning':
      return countContent(item.summary, count);

    case 'item_reference':
      return 0;

    default:
      return countValue(item, count);
  }
}

/** Counts a structured-output schema given as `text.format` of type json_schema. */
function countTextFormat(text: unknown, count: TokenCounter): number {
  if (!isRecord(text) || !isRecord(text.format) || text.format.type !== 'json_schema') {
    return 0;
  }

  return countValue(text.format.schema, count);
}
