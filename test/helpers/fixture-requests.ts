/**
 * Sends, through the official openai client, the request that a recorded
 * upstream fixture responds to, and reads the whole response.
 */
import type OpenAI from 'openai';

import type { ManifestEntry } from './upstream-simulator.ts';

type Endpoint = 'chat' | 'completions' | 'embeddings' | 'responses';

/**
 * Sends the fixture's request for `model` and consumes the response, every
 * stream chunk included. Returns the gateway's request id, which is the
 * ledger entry id of the charge. Throws what the client throws.
 */
export async function sendFixtureRequest(client: OpenAI, entry: ManifestEntry, model: string): Promise<string> {
  const stream = entry.request.stream === true;
  const streamOptions = entry.request.stream_options as Record<string, unknown> | undefined;
  const withStreamOptions = stream && streamOptions ? { stream_options: streamOptions } : {};
  let call: unknown;

  switch (endpointOf(entry)) {
    case 'chat':
      call = client.chat.completions.create({ model, messages: [{ role: 'user', content: 'Say hello.' }], stream, ...withStreamOptions } as never);
      break;
    case 'completions':
      call = client.completions.create({ model, prompt: 'Say hello.', stream, ...withStreamOptions } as never);
      break;
    case 'embeddings':
      call = client.embeddings.create({ model, input: 'The food was delicious.', encoding_format: 'float' } as never);
      break;
    case 'responses':
      call = client.responses.create({ model, input: 'Name three trees.', stream } as never);
      break;
  }

  const { data, response } = await (call as { withResponse(): Promise<{ data: unknown; response: Response }> }).withResponse();

  if (stream) {
    for await (const _chunk of data as AsyncIterable<unknown>) {
      // The gateway sends [DONE] only after the charge is written, so a stream read to the end is billed.
    }
  }

  const requestId = response.headers.get('x-tollgate-request-id');
  if (!requestId) {
    throw new Error(`missing x-tollgate-request-id header in the response to ${entry.file}`);
  }
  return requestId;
}

function endpointOf(entry: ManifestEntry): Endpoint {
  if (entry.endpoint.includes('/responses')) return 'responses';
  if (entry.endpoint.includes('/embeddings')) return 'embeddings';
  if (entry.endpoint.includes('chat/completions')) return 'chat';
  return 'completions';
}
