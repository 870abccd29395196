import { describe, expect, it } from 'vitest';

import { PricingError, parsePriceList } from './index.ts';

const FILE = 'prices.yaml';

const MINIMAL = `currency: USD
models:
  gpt-4o:
    input: "2.50"
    cached_input: 1.25
    output: 10
    max_output_tokens: 16384
    aliases: [gpt-4o-2024-08-06, gpt-4o-2024-11-20]
  text-embedding-3-small:
    input: "0.02"
    output: "0"
`;

/** Builds a one-model price list from the model's field lines. */
function oneModel(fields: string, header = 'currency: USD'): string {
  return `${header}\nmodels:\n  gpt-test:\n${fields}\n`;
}

const VALID_FIELDS = `    input: "1.00"
    output: "2.00"
    max_output_tokens: 100`;

function parseError(text: string): PricingError {
  try {
    parsePriceList(text, FILE);
  } catch (error) {
    if (error instanceof PricingError) {
      return error;
    }
    throw error;
  }
  throw new Error('expected a PricingError, but the price list parsed');
}

function expectNamed(error: PricingError, model: string | undefined, field: string): void {
  expect(error.message).toContain(FILE);
  if (model !== undefined) {
    expect(error.message).toContain(`model "${model}"`);
  }
  expect(error.message).toContain(`field "${field}"`);
  expect(error.model).toBe(model);
  expect(error.field).toBe(field);
}

describe('parsePriceList', () => {
  it('reads currency, path and models in file order', () => {
    const list = parsePriceList(MINIMAL, FILE);

    expect(list.currency).toBe('USD');
    expect(list.path).toBe(FILE);
    expect(list.models()).toEqual(['gpt-4o', 'text-embedding-3-small']);
  });

  it('reads quoted and plain prices', () => {
    const price = parsePriceList(MINIMAL, FILE).resolve('gpt-4o')!;

    expect(price.input.toFixed()).toBe('2.5');
    expect(price.cachedInput.toFixed()).toBe('1.25');
    expect(price.output.toFixed()).toBe('10');
    expect(price.currency).toBe('USD');
  });

  it('keeps digits a float would lose', () => {
    const text = oneModel(`    input: 1.0000000000000000001\n    output: "0.30000000000000000001"\n    max_output_tokens: 100`);
    const price = parsePriceList(text, FILE).resolve('gpt-test')!;

    expect(price.input.toFixed()).toBe('1.0000000000000000001');
    expect(price.output.toFixed()).toBe('0.30000000000000000001');
  });

  it('uses the input rate when cached_input is absent', () => {
    const price = parsePriceList(oneModel(VALID_FIELDS), FILE).resolve('gpt-test')!;

    expect(price.cachedInput.eq(price.input)).toBe(true);
  });

  it('sets absent audio rates to null', () => {
    const price = parsePriceList(oneModel(VALID_FIELDS), FILE).resolve('gpt-test')!;

    expect(price.audioInput).toBeNull();
    expect(price.audioOutput).toBeNull();
  });

  it('reads audio rates', () => {
    const text = oneModel(`${VALID_FIELDS}\n    audio_input: "40"\n    audio_output: 80`);
    const price = parsePriceList(text, FILE).resolve('gpt-test')!;

    expect(price.audioInput?.toFixed()).toBe('40');
    expect(price.audioOutput?.toFixed()).toBe('80');
  });

  it('gives an embedding model no output', () => {
    const price = parsePriceList(MINIMAL, FILE).resolve('text-embedding-3-small')!;

    expect(price.maxOutputTokens).toBe(0);
    expect(price.defaultMaxOutputTokens).toBe(0);
  });

  it('defaults the hold cap to max_output_tokens', () => {
    const price = parsePriceList(oneModel(VALID_FIELDS), FILE).resolve('gpt-test')!;

    expect(price.maxOutputTokens).toBe(100);
    expect(price.defaultMaxOutputTokens).toBe(100);
  });

  it('takes the file-level hold cap when smaller', () => {
    const text = oneModel(VALID_FIELDS, 'currency: USD\ndefault_max_output_tokens: 40');

    expect(parsePriceList(text, FILE).resolve('gpt-test')!.defaultMaxOutputTokens).toBe(40);
  });

  it('caps the file-level hold cap at the model maximum', () => {
    const text = oneModel(VALID_FIELDS, 'currency: USD\ndefault_max_output_tokens: 5000');

    expect(parsePriceList(text, FILE).resolve('gpt-test')!.defaultMaxOutputTokens).toBe(100);
  });

  it('prefers the model hold cap over the file-level one', () => {
    const text = oneModel(`${VALID_FIELDS}\n    default_max_output_tokens: 60`, 'currency: USD\ndefault_max_output_tokens: 40');

    expect(parsePriceList(text, FILE).resolve('gpt-test')!.defaultMaxOutputTokens).toBe(60);
  });

  it('reads a YAML anchor and alias', () => {
    const text = `currency: USD
models:
  a:
    input: &rate "3"
    output: *rate
    max_output_tokens: 10
`;

    expect(parsePriceList(text, FILE).resolve('a')!.output.toFixed()).toBe('3');
  });
});

describe('PriceList.resolve', () => {
  const list = parsePriceList(MINIMAL, FILE);

  it('finds a model by name', () => {
    expect(list.resolve('gpt-4o')?.model).toBe('gpt-4o');
  });

  it('finds a model by alias', () => {
    expect(list.resolve('gpt-4o-2024-11-20')?.model).toBe('gpt-4o');
  });

  it('returns the same price for a name and its alias', () => {
    expect(list.resolve('gpt-4o-2024-08-06')).toBe(list.resolve('gpt-4o'));
  });

  it('returns undefined for an unknown model', () => {
    expect(list.resolve('gpt-unknown')).toBeUndefined();
  });

  it('does not strip a date suffix', () => {
    expect(list.resolve('gpt-4o-2024-05-13')).toBeUndefined();
  });

  it('matches names exactly', () => {
    expect(list.resolve('GPT-4O')).toBeUndefined();
  });

  it('leaves aliases out of models()', () => {
    expect(list.models()).not.toContain('gpt-4o-2024-08-06');
  });
});

describe('PriceList.version', () => {
  it('is 12 hex digits of the content hash', () => {
    expect(parsePriceList(MINIMAL, FILE).version).toBe('d5f258fb30a2');
  });

  it('does not depend on the path', () => {
    expect(parsePriceList(MINIMAL, 'other.yaml').version).toBe(parsePriceList(MINIMAL, FILE).version);
  });

  it('changes with the content', () => {
    expect(parsePriceList(`${MINIMAL}# edited\n`, FILE).version).not.toBe(parsePriceList(MINIMAL, FILE).version);
  });
});

describe('parsePriceList validation', () => {
  it('rejects a missing currency', () => {
    const error = parseError('models:\n  a:\n    input: 1\n    output: 1\n    max_output_tokens: 1\n');

    expectNamed(error, undefined, 'currency');
    expect(error.message).toContain('missing');
  });

  it('rejects an invalid currency', () => {
    const error = parseError(oneModel(VALID_FIELDS, 'currency: usd'));

    expectNamed(error, undefined, 'currency');
    expect(error.line).toBe(1);
  });

  it.each([
    ['a negative price', '"-1"'],
    ['a word', 'free'],
    ['an exponent', '2.5e-6'],
    ['a leading dot', '.5'],
    ['a hex number', '0x10'],
    ['an empty value', '""'],
    ['a list', '[1]'],
  ])('rejects %s as a price', (_case, value) => {
    const error = parseError(oneModel(`    input: ${value}\n    output: "2.00"\n    max_output_tokens: 100`));

    expectNamed(error, 'gpt-test', 'input');
    expect(error.message).toContain('non-negative decimal');
    expect(error.line).toBe(4);
  });

  it('rejects a missing input price', () => {
    const error = parseError(oneModel(`    output: "2.00"\n    max_output_tokens: 100`));

    expectNamed(error, 'gpt-test', 'input');
    expect(error.message).toContain('missing');
  });

  it('rejects a missing output price', () => {
    const error = parseError(oneModel(`    input: "2.00"\n    max_output_tokens: 100`));

    expectNamed(error, 'gpt-test', 'output');
    expect(error.message).toContain('missing');
  });

  it('rejects cached_input above input', () => {
    const error = parseError(oneModel(`${VALID_FIELDS}\n    cached_input: "1.50"`));

    expectNamed(error, 'gpt-test', 'cached_input');
    expect(error.message).toContain('above the input price 1');
    expect(error.line).toBe(7);
  });

  it('rejects a per-token price', () => {
    const error = parseError(oneModel(`    input: "0.0000025"\n    output: "2.00"\n    max_output_tokens: 100`));

    expectNamed(error, 'gpt-test', 'input');
    expect(error.message).toContain('per-token');
  });

  it('accepts a zero price', () => {
    const text = oneModel(`    input: 0\n    output: "0.00"\n    max_output_tokens: 100`);

    expect(parsePriceList(text, FILE).resolve('gpt-test')!.input.toFixed()).toBe('0');
  });

  it('accepts the smallest non-zero price', () => {
    const text = oneModel(`    input: "0.001"\n    output: "2.00"\n    max_output_tokens: 100`);

    expect(parsePriceList(text, FILE).resolve('gpt-test')!.input.toFixed()).toBe('0.001');
  });

  it.each([['0'], ['-5'], ['1.5'], ['"many"'], ['99999999999999999999']])('rejects max_output_tokens %s', (value) => {
    const error = parseError(oneModel(`    input: "1.00"\n    output: "2.00"\n    max_output_tokens: ${value}`));

    expectNamed(error, 'gpt-test', 'max_output_tokens');
    expect(error.message).toContain('positive integer');
  });

  it('rejects a missing max_output_tokens with an output price', () => {
    const error = parseError(oneModel(`    input: "1.00"\n    output: "2.00"`));

    expectNamed(error, 'gpt-test', 'max_output_tokens');
    expect(error.message).toContain('missing');
  });

  it('rejects default_max_output_tokens above the maximum', () => {
    const error = parseError(oneModel(`${VALID_FIELDS}\n    default_max_output_tokens: 101`));

    expectNamed(error, 'gpt-test', 'default_max_output_tokens');
    expect(error.message).toContain('above max_output_tokens (100)');
  });

  it('rejects an invalid file-level default_max_output_tokens', () => {
    const error = parseError(oneModel(VALID_FIELDS, 'currency: USD\ndefault_max_output_tokens: 0'));

    expectNamed(error, undefined, 'default_max_output_tokens');
    expect(error.line).toBe(2);
  });

  it('rejects an alias that is a model name', () => {
    const text = `${MINIMAL}  gpt-4o-mini:
    input: 1
    output: 2
    max_output_tokens: 10
    aliases: [gpt-4o]
`;
    const error = parseError(text);

    expectNamed(error, 'gpt-4o-mini', 'aliases');
    expect(error.message).toContain('alias "gpt-4o" collides with the model of the same name');
    expect(error.line).toBe(16);
  });

  it('rejects an alias listed for two models', () => {
    const text = `${MINIMAL}  gpt-4o-copy:
    input: 1
    output: 2
    max_output_tokens: 10
    aliases: [gpt-4o-2024-11-20]
`;
    const error = parseError(text);

    expectNamed(error, 'gpt-4o-copy', 'aliases');
    expect(error.message).toContain('collides with an alias of model "gpt-4o"');
  });

  it('rejects an alias listed twice for one model', () => {
    const error = parseError(oneModel(`${VALID_FIELDS}\n    aliases: [a, a]`));

    expectNamed(error, 'gpt-test', 'aliases');
  });

  it('rejects aliases that are not a list', () => {
    const error = parseError(oneModel(`${VALID_FIELDS}\n    aliases: gpt-test-1`));

    expectNamed(error, 'gpt-test', 'aliases');
    expect(error.message).toContain('expected a list');
  });

  it('rejects an unknown model field', () => {
    const error = parseError(oneModel(`${VALID_FIELDS}\n    cached_inptu: "0.5"`));

    expectNamed(error, 'gpt-test', 'cached_inptu');
    expect(error.message).toContain('unknown field');
    expect(error.line).toBe(7);
  });

  it('rejects an unknown top-level field', () => {
    const error = parseError(oneModel(VALID_FIELDS, 'currency: USD\ncurrencies: [EUR]'));

    expectNamed(error, undefined, 'currencies');
    expect(error.message).toContain('unknown field');
  });

  it('rejects a model that is not a mapping', () => {
    const error = parseError('currency: USD\nmodels:\n  gpt-test: "1.00"\n');

    expect(error.message).toContain('model "gpt-test"');
    expect(error.message).toContain('expected a mapping');
  });

  it('rejects a missing models mapping', () => {
    const error = parseError('currency: USD\n');

    expectNamed(error, undefined, 'models');
  });

  it('rejects an empty models mapping', () => {
    const error = parseError('currency: USD\nmodels: {}\n');

    expectNamed(error, undefined, 'models');
    expect(error.message).toContain('empty');
  });

  it('rejects a duplicate model with its line', () => {
    const error = parseError(`${MINIMAL}  gpt-4o:\n    input: 1\n    output: 1\n    max_output_tokens: 1\n`);

    expect(error.message).toContain('invalid YAML');
    expect(error.line).toBe(12);
    expect(error.message).toContain(`${FILE}:12`);
  });

  it('rejects an empty file', () => {
    expect(parseError('').message).toContain('empty');
  });
});
