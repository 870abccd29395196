/** Location of a problem in a price list. `model`, `field` and `line` are absent when unknown. */
export interface PricingErrorLocation {
  file: string;
  model?: string;
  field?: string;
  /** 1-based line in the file. */
  line?: number;
}

/**
 * An invalid price list, or a usage that the price list cannot price.
 * The message starts with `file:line`, then names the model and the field.
 */
export class PricingError extends Error {
  override name = 'PricingError';
  readonly file: string;
  readonly model: string | undefined;
  readonly field: string | undefined;
  readonly line: number | undefined;

  constructor(problem: string, location: PricingErrorLocation) {
    super(formatMessage(problem, location));
    this.file = location.file;
    this.model = location.model;
    this.field = location.field;
    this.line = location.line;
  }
}

function formatMessage(problem: string, location: PricingErrorLocation): string {
  const parts = [location.line === undefined ? location.file : `${location.file}:${location.line}`];

  if (location.model !== undefined) {
    parts.push(`model "${location.model}"`);
  }

  if (location.field !== undefined) {
    parts.push(`field "${location.field}"`);
  }

  return `${parts.join(': ')}: ${problem}`;
}
