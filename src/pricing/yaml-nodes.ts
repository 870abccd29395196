/**
 * Typed access to the nodes of a parsed YAML document, with every failure
 * reported as a PricingError that carries the file, model, field and line.
 */
import { isAlias, isMap, isScalar, isSeq } from 'yaml';
import type { Document, LineCounter, Scalar, YAMLMap } from 'yaml';

import { PricingError } from './errors.ts';

export interface YamlContext {
  file: string;
  doc: Document;
  lineCounter: LineCounter;
}

/** Location of a value: the model and field it belongs to, both absent at the top level. */
export interface Place {
  model?: string;
  field?: string;
}

export interface MapEntry {
  key: string;
  keyNode: unknown;
  value: unknown;
}

/** Returns the 1-based line where a node starts, or undefined for a node without a source range. */
export function lineOf(context: YamlContext, node: unknown): number | undefined {
  const range = (node as { range?: unknown } | null)?.range;

  if (!Array.isArray(range) || typeof range[0] !== 'number') {
    return undefined;
  }

  return context.lineCounter.linePos(range[0]).line;
}

export function fail(context: YamlContext, node: unknown, place: Place, problem: string): never {
  throw new PricingError(problem, {
    file: context.file,
    model: place.model,
    field: place.field,
    line: lineOf(context, node),
  });
}

/** Follows a YAML alias (`*name`) to its anchored node. */
export function deref(context: YamlContext, node: unknown): unknown {
  return isAlias(node) ? node.resolve(context.doc) : node;
}

/**
 * Returns a scalar's text as written in the file, so that `2.50` stays "2.50"
 * instead of passing through a JavaScript number. Quoted scalars give their
 * unquoted content.
 */
export function scalarText(context: YamlContext, node: unknown): string | undefined {
  const target = deref(context, node);

  if (!isScalar(target)) {
    return undefined;
  }

  const scalar = target as Scalar;
  return scalar.source ?? (scalar.value === null ? '' : String(scalar.value));
}

/**
 * Reads a YAML mapping into entries keyed by their source text, rejecting
 * keys outside `allowedKeys` so that a misspelt field is an error instead of
 * being silently ignored.
 */
export function readMap(
  context: YamlContext,
  node: unknown,
  place: Place,
  allowedKeys: readonly string[] | null,
): MapEntry[] {
  const target = deref(context, node);

  if (!isMap(target)) {
    fail(context, node, place, 'invalid value: expected a mapping of keys to values');
  }

  const entries: MapEntry[] = [];

  for (const pair of (target as YAMLMap).items) {
    const key = scalarText(context, pair.key);

    if (key === undefined || key === '') {
      fail(context, pair.key, place, 'invalid key: expected a non-empty plain name');
    }

    if (allowedKeys !== null && !allowedKeys.includes(key)) {
      fail(context, pair.key, { ...place, field: key }, `unknown field; expected one of: ${allowedKeys.join(', ')}`);
    }

    entries.push({ key, keyNode: pair.key, value: pair.value });
  }

  return entries;
}

/** Reads a YAML sequence of non-empty scalars as strings. */
export function readStringList(context: YamlContext, node: unknown, place: Place): Array<{ text: string; node: unknown }> {
  const target = deref(context, node);

  if (!isSeq(target)) {
    fail(context, node, place, 'invalid value: expected a list such as [name-a, name-b]');
  }

  return target.items.map((item) => {
    const text = scalarText(context, item);

    if (text === undefined || text.trim() === '' || text.trim() !== text) {
      fail(context, item, place, `invalid entry ${JSON.stringify(text ?? null)}: expected a non-empty name without surrounding spaces`);
    }

    return { text, node: item };
  });
}
