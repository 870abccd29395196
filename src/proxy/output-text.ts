/**
 * Output text of a non-streamed response, reasoning text included, for estimating usage when an
 * upstream responds without a usage object.
 */
export function outputTextOfBody(body: unknown): string {
  if (body === null || typeof body !== 'object') {
    return '';
  }

  const parts: string[] = [];
  const record = body as Record<string, unknown>;

  for (const choice of asArray(record.choices)) {
    const message = (choice as Record<string, unknown>).message as Record<string, unknown> | undefined;

    pushString(parts, (choice as Record<string, unknown>).text);
    pushString(parts, message?.content);
    // Reasoning bills as output; a server that fills both fields repeats the text.
    pushString(parts, message?.reasoning_content ?? message?.reasoning);
    for (const call of asArray(message?.tool_calls)) {
      const fn = (call as Record<string, unknown>).function as Record<string, unknown> | undefined;
      pushString(parts, fn?.name);
      pushString(parts, fn?.arguments);
    }
  }

  for (const item of asArray(record.output)) {
    for (const content of asArray((item as Record<string, unknown>).content)) {
      pushString(parts, (content as Record<string, unknown>).text);
    }
    pushString(parts, (item as Record<string, unknown>).arguments);
  }

  return parts.join('');
}

function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value.filter((item) => item !== null && typeof item === 'object') : [];
}

function pushString(parts: string[], value: unknown): void {
  if (typeof value === 'string') {
    parts.push(value);
  }
}
