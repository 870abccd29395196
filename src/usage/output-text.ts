/**
 * Output text of stream events, collected so that output tokens can be
 * counted locally when an upstream reports no usage. Reasoning text that an
 * upstream streams (`reasoning_content` from llama.cpp and DeepSeek,
 * `reasoning` from LM Studio and OpenRouter) counts too, since reasoning
 * tokens bill as output.
 */
import type { Endpoint } from './types.ts';
import { isRecord, recordOrEmpty } from './json.ts';
import type { JsonRecord } from './json.ts';

/** Responses API events whose `delta` is generated output. */
const RESPONSES_DELTA_EVENTS = new Set([
  'response.output_text.delta',
  'response.refusal.delta',
  'response.function_call_arguments.delta',
]);

/**
 * Returns the text a Chat/Completions chunk adds: legacy Completions
 * `text`, or chat `delta` content, refusal, reasoning and tool-call names
 * and arguments, over all choices.
 */
export function chunkOutputText(endpoint: Endpoint, choices: unknown[]): string {
  let text = '';
  for (const choice of choices) {
    if (!isRecord(choice)) {
      continue;
    }

    // Together sends both `text` and `delta.content` with the same content
    // on chat chunks, so `text` is read only for legacy Completions.
    if (endpoint === 'completions') {
      text += stringOrEmpty(choice.text);
    } else {
      text += deltaText(recordOrEmpty(choice.delta));
    }
  }
  return text;
}

/** Returns the text a Responses API event of the given type adds. */
export function responsesOutputText(type: string, data: JsonRecord): string {
  if (RESPONSES_DELTA_EVENTS.has(type)) {
    return stringOrEmpty(data.delta);
  }

  // A function call's name arrives once, on the item that opens the call.
  const item = recordOrEmpty(data.item);
  if (type === 'response.output_item.added' && item.type === 'function_call') {
    return stringOrEmpty(item.name);
  }
  return '';
}

function deltaText(delta: JsonRecord): string {
  let text = stringOrEmpty(delta.content) + stringOrEmpty(delta.refusal);
  // One reasoning field per chunk: a server that fills both repeats the text.
  text += stringOrEmpty(delta.reasoning_content) || stringOrEmpty(delta.reasoning);

  const toolCalls = Array.isArray(delta.tool_calls) ? delta.tool_calls : [];
  for (const call of toolCalls) {
    text += functionText(recordOrEmpty(recordOrEmpty(call).function));
  }

  // The deprecated `functions` API streams a single `function_call`.
  return text + functionText(recordOrEmpty(delta.function_call));
}

function functionText(fn: JsonRecord): string {
  return stringOrEmpty(fn.name) + stringOrEmpty(fn.arguments);
}

function stringOrEmpty(value: unknown): string {
  return typeof value === 'string' ? value : '';
}
