import { describe, expect, it } from 'vitest';

import { outputTextOfBody } from './output-text.ts';

describe('outputTextOfBody', () => {
  it('collects chat content, reasoning and tool calls', () => {
    const body = {
      choices: [
        {
          message: {
            content: 'Paris.',
            reasoning_content: 'Think. ',
            reasoning: 'Think. ',
            tool_calls: [{ function: { name: 'lookup', arguments: '{"q":1}' } }],
          },
        },
      ],
    };

    expect(outputTextOfBody(body)).toBe('Paris.Think. lookup{"q":1}');
  });

  it('collects legacy completion text', () => {
    expect(outputTextOfBody({ choices: [{ text: 'Hello' }] })).toBe('Hello');
  });

  it('collects Responses output text', () => {
    expect(outputTextOfBody({ output: [{ content: [{ type: 'output_text', text: 'Oak.' }] }] })).toBe('Oak.');
  });

  it('returns nothing for a body that is not an object', () => {
    expect(outputTextOfBody(null)).toBe('');
  });
});
