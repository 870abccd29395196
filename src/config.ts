/**
 * Configuration: defaults from config/default.json (or the file named by
 * TOLLGATE_CONFIG), overridden by environment variables, checked once at
 * start. A missing or invalid setting stops the start with a ConfigError
 * that names the setting.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import type { Currency } from './money.ts';

export interface Config {
  host: string;
  port: number;
  upstreamBaseUrl: URL;
  upstreamApiKey: string;
  upstreamConnectTimeoutMs: number;
  upstreamHeadersTimeoutMs: number;
  upstreamBodyTimeoutMs: number;
  ledger: 'embedded' | 'blnk';
  ledgerPath: string;
  ledgerSync: 'normal' | 'full';
  pricingFile: string;
  currencies: Map<string, Currency>;
  adminToken: string;
  maxBodyBytes: number;
  keyCacheTtlMs: number;
  keyCacheMax: number;
  holdExpirySeconds: number;
  disconnectDrainMs: number;
  shutdownGraceMs: number;
  logLevel: string;
  /** Webhook URL for low-balance alerts, or null to only log them. */
  alertWebhookUrl: URL | null;
  alertWebhookSecret: string | null;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

const DEFAULT_FILE = fileURLToPath(new URL('../config/default.json', import.meta.url));

/** Environment variable for each setting that the environment may override. */
const ENVIRONMENT_NAMES = {
  host: 'HOST',
  port: 'PORT',
  upstreamBaseUrl: 'UPSTREAM_BASE_URL',
  upstreamApiKey: 'UPSTREAM_API_KEY',
  upstreamConnectTimeoutMs: 'UPSTREAM_CONNECT_TIMEOUT_MS',
  upstreamHeadersTimeoutMs: 'UPSTREAM_HEADERS_TIMEOUT_MS',
  upstreamBodyTimeoutMs: 'UPSTREAM_BODY_TIMEOUT_MS',
  ledger: 'LEDGER',
  ledgerPath: 'LEDGER_PATH',
  ledgerSync: 'LEDGER_SYNC',
  pricingFile: 'PRICING_FILE',
  adminToken: 'TOLLGATE_ADMIN_TOKEN',
  maxBodyBytes: 'MAX_BODY_BYTES',
  keyCacheTtlMs: 'KEY_CACHE_TTL_MS',
  keyCacheMax: 'KEY_CACHE_MAX',
  holdExpirySeconds: 'HOLD_EXPIRY_SECONDS',
  disconnectDrainMs: 'DISCONNECT_DRAIN_MS',
  shutdownGraceMs: 'SHUTDOWN_GRACE_MS',
  logLevel: 'LOG_LEVEL',
  alertWebhookUrl: 'ALERT_WEBHOOK_URL',
  alertWebhookSecret: 'ALERT_WEBHOOK_SECRET',
} as const;

type Setting = keyof typeof ENVIRONMENT_NAMES;

/** Minimum length of the admin token, so that a placeholder such as "admin" is rejected. */
const MIN_ADMIN_TOKEN_LENGTH = 16;

/**
 * Loads the configuration from the defaults file and `env`.
 * Throws ConfigError naming the first setting that is missing or invalid.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const file = env.TOLLGATE_CONFIG ?? DEFAULT_FILE;
  const defaults = readDefaults(file);

  const raw = (setting: Setting): unknown => {
    const fromEnv = env[ENVIRONMENT_NAMES[setting]];
    return fromEnv !== undefined && fromEnv !== '' ? fromEnv : defaults[setting];
  };

  const name = (setting: Setting) => `${ENVIRONMENT_NAMES[setting]} (${setting} in ${file})`;

  const alertWebhookUrl = raw('alertWebhookUrl') ? requireUrl(raw('alertWebhookUrl'), name('alertWebhookUrl')) : null;
  const alertWebhookSecret = raw('alertWebhookSecret') ? requireString(raw('alertWebhookSecret'), ENVIRONMENT_NAMES.alertWebhookSecret) : null;

  if (alertWebhookUrl && !alertWebhookSecret) {
    throw new ConfigError(`missing setting ${ENVIRONMENT_NAMES.alertWebhookSecret}: alerts posted to ${ENVIRONMENT_NAMES.alertWebhookUrl} are signed with it`);
  }

  return {
    host: requireString(raw('host'), name('host')),
    port: requireInteger(raw('port'), name('port'), 0, 65535),
    upstreamBaseUrl: requireUrl(raw('upstreamBaseUrl'), name('upstreamBaseUrl')),
    upstreamApiKey: requireString(raw('upstreamApiKey'), ENVIRONMENT_NAMES.upstreamApiKey),
    upstreamConnectTimeoutMs: requireInteger(raw('upstreamConnectTimeoutMs'), name('upstreamConnectTimeoutMs'), 1),
    upstreamHeadersTimeoutMs: requireInteger(raw('upstreamHeadersTimeoutMs'), name('upstreamHeadersTimeoutMs'), 1),
    upstreamBodyTimeoutMs: requireInteger(raw('upstreamBodyTimeoutMs'), name('upstreamBodyTimeoutMs'), 1),
    ledger: requireChoice(raw('ledger'), name('ledger'), ['embedded', 'blnk'] as const),
    ledgerPath: requireString(raw('ledgerPath'), name('ledgerPath')),
    ledgerSync: requireChoice(raw('ledgerSync'), name('ledgerSync'), ['normal', 'full'] as const),
    pricingFile: requireString(raw('pricingFile'), name('pricingFile')),
    currencies: requireCurrencies(defaults.currencies, `currencies in ${file}`),
    adminToken: requireAdminToken(raw('adminToken')),
    maxBodyBytes: requireInteger(raw('maxBodyBytes'), name('maxBodyBytes'), 1),
    keyCacheTtlMs: requireInteger(raw('keyCacheTtlMs'), name('keyCacheTtlMs'), 1),
    keyCacheMax: requireInteger(raw('keyCacheMax'), name('keyCacheMax'), 1),
    holdExpirySeconds: requireInteger(raw('holdExpirySeconds'), name('holdExpirySeconds'), 1),
    disconnectDrainMs: requireInteger(raw('disconnectDrainMs'), name('disconnectDrainMs'), 0),
    shutdownGraceMs: requireInteger(raw('shutdownGraceMs'), name('shutdownGraceMs'), 0),
    logLevel: requireChoice(raw('logLevel'), name('logLevel'), ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const),
    alertWebhookUrl,
    alertWebhookSecret,
  };
}

function readDefaults(file: string): Record<string, unknown> {
  let text: string;

  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(`cannot read the configuration file ${file}: ${(error as Error).message}`);
  }

  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      throw new Error('expected a JSON object');
    }
    return parsed as Record<string, unknown>;
  } catch (error) {
    throw new ConfigError(`invalid configuration file ${file}: ${(error as Error).message}`);
  }
}

function requireString(value: unknown, name: string): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new ConfigError(`missing setting ${name}: set it to a non-empty string`);
  }
  return value;
}

function requireInteger(value: unknown, name: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const number = typeof value === 'string' && /^[0-9]+$/.test(value) ? Number(value) : value;

  if (typeof number !== 'number' || !Number.isInteger(number) || number < min || number > max) {
    throw new ConfigError(`invalid setting ${name}: expected an integer from ${min} to ${max}, got ${JSON.stringify(value)}`);
  }
  return number;
}

function requireChoice<T extends string>(value: unknown, name: string, choices: readonly T[]): T {
  if (typeof value !== 'string' || !choices.includes(value as T)) {
    throw new ConfigError(`invalid setting ${name}: expected one of ${choices.join(', ')}, got ${JSON.stringify(value)}`);
  }
  return value as T;
}

function requireUrl(value: unknown, name: string): URL {
  const text = requireString(value, name);
  let url: URL;

  try {
    url = new URL(text);
  } catch {
    throw new ConfigError(`invalid setting ${name}: ${JSON.stringify(text)} is not an absolute URL`);
  }

  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigError(`invalid setting ${name}: expected an http or https URL, got ${JSON.stringify(text)}`);
  }
  return url;
}

function requireAdminToken(value: unknown): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new ConfigError(`missing setting ${ENVIRONMENT_NAMES.adminToken}: set it to a secret of at least ${MIN_ADMIN_TOKEN_LENGTH} characters`);
  }

  const token = value;

  if (token.length < MIN_ADMIN_TOKEN_LENGTH) {
    throw new ConfigError(
      `invalid setting ${ENVIRONMENT_NAMES.adminToken}: it must be at least ${MIN_ADMIN_TOKEN_LENGTH} characters long`,
    );
  }
  return token;
}

function requireCurrencies(value: unknown, name: string): Map<string, Currency> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new ConfigError(`missing setting ${name}: expected an object such as {"USD": {"decimals": 9}}`);
  }

  const currencies = new Map<string, Currency>();

  for (const [code, entry] of Object.entries(value)) {
    const decimals = (entry as { decimals?: unknown } | null)?.decimals;

    if (!/^[A-Z]{3}$/.test(code)) {
      throw new ConfigError(`invalid setting ${name}: ${JSON.stringify(code)} is not a three-letter currency code`);
    }
    if (typeof decimals !== 'number' || !Number.isInteger(decimals) || decimals < 0 || decimals > 18) {
      throw new ConfigError(`invalid setting ${name}.${code}.decimals: expected an integer from 0 to 18`);
    }
    currencies.set(code, { code, decimals });
  }

  if (currencies.size === 0) {
    throw new ConfigError(`missing setting ${name}: configure at least one currency`);
  }
  return currencies;
}
