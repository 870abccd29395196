/**
 * Parses and validates a price list (the schema is documented at the top of
 * pricing.yaml). Every failure is a PricingError naming file, model, field
 * and line, because a wrong price bills every request that uses it.
 */
import { createHash } from 'node:crypto';
import Big from 'big.js';
import { LineCounter, parseDocument } from 'yaml';

import { PricingError } from './errors.ts';
import type { ModelPrice, PriceList } from './types.ts';
import { deref, fail, readMap, readStringList, scalarText } from './yaml-nodes.ts';
import type { MapEntry, Place, YamlContext } from './yaml-nodes.ts';

const TOP_LEVEL_FIELDS = ['currency', 'default_max_output_tokens', 'models'] as const;

const MODEL_FIELDS = [
  'input',
  'cached_input',
  'output',
  'audio_input',
  'audio_output',
  'max_output_tokens',
  'default_max_output_tokens',
  'aliases',
] as const;

const DECIMAL_PATTERN = /^(0|[1-9][0-9]*)(\.[0-9]+)?$/;
const POSITIVE_INTEGER_PATTERN = /^[1-9][0-9]*$/;
const CURRENCY_PATTERN = /^[A-Z]{3}$/;

/**
 * Smallest non-zero price per 1M tokens. The cheapest real rates are around
 * $0.005 per 1M, while a per-token price written by mistake is around
 * $0.0000001, so anything below this is taken for a per-token price.
 */
const MIN_NONZERO_PRICE = new Big('0.001');

interface ParsedModel {
  price: ModelPrice;
  aliases: Array<{ text: string; node: unknown }>;
}

/** Parses the YAML text of a price list. `path` names the file in the result and in every error message. */
export function parsePriceList(text: string, path: string): PriceList {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const context: YamlContext = { file: path, doc, lineCounter };

  const [syntaxError] = doc.errors;
  if (syntaxError !== undefined) {
    const line = lineCounter.linePos(syntaxError.pos[0]).line;
    throw new PricingError(`invalid YAML: ${syntaxError.message.split('\n')[0]}`, { file: path, line });
  }

  if (doc.contents === null) {
    throw new PricingError('invalid price list: the file is empty', { file: path });
  }

  const entries = indexEntries(readMap(context, doc.contents, {}, TOP_LEVEL_FIELDS));
  const currency = readCurrency(context, entries.get('currency'), doc.contents);

  const fileDefault = entries.get('default_max_output_tokens');
  const fileDefaultMaxOutput = fileDefault === undefined
    ? undefined
    : readPositiveInteger(context, fileDefault.value, { field: 'default_max_output_tokens' });

  const modelsEntry = entries.get('models');
  if (modelsEntry === undefined) {
    fail(context, doc.contents, { field: 'models' }, 'missing: the price list must have a models mapping');
  }

  const modelEntries = readMap(context, modelsEntry.value, { field: 'models' }, null);
  if (modelEntries.length === 0) {
    fail(context, modelsEntry.value, { field: 'models' }, 'invalid value: the models mapping is empty');
  }

  const parsed = modelEntries.map((entry) => readModel(context, entry, currency, fileDefaultMaxOutput));
  const byName = indexModels(context, parsed);
  const names = parsed.map((model) => model.price.model);

  return Object.freeze({
    version: createHash('sha256').update(text, 'utf8').digest('hex').slice(0, 12),
    currency,
    path,
    resolve: (model: string) => byName.get(model),
    models: () => [...names],
  });
}

function indexEntries(entries: MapEntry[]): Map<string, MapEntry> {
  return new Map(entries.map((entry) => [entry.key, entry]));
}

function readCurrency(context: YamlContext, entry: MapEntry | undefined, root: unknown): string {
  const place = { field: 'currency' };

  if (entry === undefined) {
    fail(context, root, place, 'missing: set the ISO 4217 code of every price in the file, for example USD');
  }

  const code = scalarText(context, entry.value);
  if (code === undefined || !CURRENCY_PATTERN.test(code)) {
    fail(context, entry.value, place, `invalid currency ${JSON.stringify(code ?? null)}: expected a three-letter ISO 4217 code such as USD`);
  }

  return code;
}

function readModel(
  context: YamlContext,
  entry: MapEntry,
  currency: string,
  fileDefaultMaxOutput: number | undefined,
): ParsedModel {
  const model = entry.key;
  if (model.trim() !== model) {
    fail(context, entry.keyNode, { model }, 'invalid model name: remove the surrounding spaces');
  }

  const fields = indexEntries(readMap(context, entry.value, { model }, MODEL_FIELDS));
  const modelNode = deref(context, entry.value);

  const input = readRequiredPrice(context, fields, modelNode, model, 'input');
  const output = readRequiredPrice(context, fields, modelNode, model, 'output');
  const cachedInput = readOptionalPrice(context, fields, model, 'cached_input') ?? input;
  const audioInput = readOptionalPrice(context, fields, model, 'audio_input');
  const audioOutput = readOptionalPrice(context, fields, model, 'audio_output');

  if (cachedInput.gt(input)) {
    fail(context, fields.get('cached_input')?.value, { model, field: 'cached_input' },
      `invalid price ${cachedInput.toString()}: it is above the input price ${input.toString()}`);
  }

  const maxOutputTokens = readMaxOutputTokens(context, fields, modelNode, model, output);
  const defaultMaxOutputTokens = readDefaultMaxOutputTokens(context, fields, model, maxOutputTokens, fileDefaultMaxOutput);

  const aliasesEntry = fields.get('aliases');
  const aliases = aliasesEntry === undefined
    ? []
    : readStringList(context, aliasesEntry.value, { model, field: 'aliases' });

  const price: ModelPrice = Object.freeze({
    model,
    currency,
    input,
    cachedInput,
    output,
    audioInput,
    audioOutput,
    maxOutputTokens,
    defaultMaxOutputTokens,
    path: context.file,
  });

  return { price, aliases };
}

function readRequiredPrice(context: YamlContext, fields: Map<string, MapEntry>, modelNode: unknown, model: string, field: string): Big {
  const entry = fields.get(field);

  if (entry === undefined) {
    fail(context, modelNode, { model, field }, 'missing: every model needs an input and an output price per 1M tokens');
  }

  return readPrice(context, entry.value, { model, field });
}

function readOptionalPrice(context: YamlContext, fields: Map<string, MapEntry>, model: string, field: string): Big | null {
  const entry = fields.get(field);
  return entry === undefined ? null : readPrice(context, entry.value, { model, field });
}

/** Reads a price from its source text, never through a JavaScript number. */
function readPrice(context: YamlContext, node: unknown, place: Place): Big {
  const text = scalarText(context, node);

  if (text === undefined || !DECIMAL_PATTERN.test(text)) {
    fail(context, node, place, `invalid price ${JSON.stringify(text ?? null)}: expected a non-negative decimal per 1M tokens such as "2.50"`);
  }

  const price = new Big(text);
  if (!price.eq(0) && price.lt(MIN_NONZERO_PRICE)) {
    fail(context, node, place,
      `invalid price ${text}: prices are per 1M tokens and a non-zero price must be at least ${MIN_NONZERO_PRICE.toString()}; this looks like a per-token price`);
  }

  return price;
}

function readPositiveInteger(context: YamlContext, node: unknown, place: Place): number {
  const text = scalarText(context, node);

  if (text === undefined || !POSITIVE_INTEGER_PATTERN.test(text) || !Number.isSafeInteger(Number(text))) {
    fail(context, node, place, `invalid value ${JSON.stringify(text ?? null)}: expected a positive integer number of tokens`);
  }

  return Number(text);
}

/** Reads max_output_tokens. A model whose output price is 0 (an embedding model) may omit it and then has no output. */
function readMaxOutputTokens(context: YamlContext, fields: Map<string, MapEntry>, modelNode: unknown, model: string, output: Big): number {
  const place = { model, field: 'max_output_tokens' };
  const entry = fields.get('max_output_tokens');

  if (entry !== undefined) {
    return readPositiveInteger(context, entry.value, place);
  }

  if (!output.eq(0)) {
    fail(context, modelNode, place, 'missing: required for every model with a non-zero output price');
  }

  return 0;
}

function readDefaultMaxOutputTokens(
  context: YamlContext,
  fields: Map<string, MapEntry>,
  model: string,
  maxOutputTokens: number,
  fileDefaultMaxOutput: number | undefined,
): number {
  const place = { model, field: 'default_max_output_tokens' };
  const entry = fields.get('default_max_output_tokens');

  if (entry === undefined) {
    return Math.min(fileDefaultMaxOutput ?? maxOutputTokens, maxOutputTokens);
  }

  const value = readPositiveInteger(context, entry.value, place);
  if (value > maxOutputTokens) {
    fail(context, entry.value, place, `invalid value ${value}: it is above max_output_tokens (${maxOutputTokens})`);
  }

  return value;
}

/** Maps every model name and alias to its price, rejecting a name that is used twice. */
function indexModels(context: YamlContext, models: ParsedModel[]): Map<string, ModelPrice> {
  const byName = new Map<string, ModelPrice>();
  const ownerOfAlias = new Map<string, string>();

  for (const { price } of models) {
    byName.set(price.model, price);
  }

  for (const { price, aliases } of models) {
    for (const alias of aliases) {
      const place = { model: price.model, field: 'aliases' };

      if (byName.has(alias.text) && !ownerOfAlias.has(alias.text)) {
        fail(context, alias.node, place, `alias "${alias.text}" collides with the model of the same name`);
      }

      const owner = ownerOfAlias.get(alias.text);
      if (owner !== undefined) {
        fail(context, alias.node, place, `alias "${alias.text}" collides with an alias of model "${owner}"`);
      }

      byName.set(alias.text, price);
      ownerOfAlias.set(alias.text, price.model);
    }
  }

  return byName;
}
