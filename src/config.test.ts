import { describe, expect, it } from 'vitest';

import { ConfigError, loadConfig } from './config.ts';

const REQUIRED = { UPSTREAM_API_KEY: 'sk-test', TOLLGATE_ADMIN_TOKEN: 'a-long-enough-admin-token' };

describe('loadConfig', () => {
  it('applies the defaults', () => {
    const config = loadConfig(REQUIRED);

    expect(config.port).toBe(8080);
    expect(config.ledger).toBe('embedded');
    expect(config.upstreamBaseUrl.href).toBe('https://api.openai.com/v1');
    expect(config.currencies.get('USD')).toEqual({ code: 'USD', decimals: 9 });
  });

  it('takes overrides from the environment', () => {
    const config = loadConfig({ ...REQUIRED, PORT: '9000', LEDGER_PATH: '/tmp/x.sqlite', UPSTREAM_BASE_URL: 'http://127.0.0.1:11434/v1' });

    expect(config.port).toBe(9000);
    expect(config.ledgerPath).toBe('/tmp/x.sqlite');
    expect(config.upstreamBaseUrl.origin).toBe('http://127.0.0.1:11434');
  });

  it('names a missing upstream key', () => {
    expect(() => loadConfig({ TOLLGATE_ADMIN_TOKEN: REQUIRED.TOLLGATE_ADMIN_TOKEN })).toThrow(new ConfigError('missing setting UPSTREAM_API_KEY: set it to a non-empty string'));
  });

  it('names a missing admin token', () => {
    expect(() => loadConfig({ UPSTREAM_API_KEY: 'sk-test' })).toThrow('missing setting TOLLGATE_ADMIN_TOKEN');
  });

  it('rejects a short admin token', () => {
    expect(() => loadConfig({ ...REQUIRED, TOLLGATE_ADMIN_TOKEN: 'admin' })).toThrow('it must be at least 16 characters long');
  });

  it('names an invalid port', () => {
    expect(() => loadConfig({ ...REQUIRED, PORT: 'eighty' })).toThrow(/^invalid setting PORT \(port in .*default\.json\): expected an integer from 0 to 65535, got "eighty"$/);
  });

  it('names an unknown ledger', () => {
    expect(() => loadConfig({ ...REQUIRED, LEDGER: 'postgres' })).toThrow('invalid setting LEDGER (ledger in');
  });

  it('rejects an upstream URL that is not http', () => {
    expect(() => loadConfig({ ...REQUIRED, UPSTREAM_BASE_URL: 'ftp://example.test' })).toThrow('expected an http or https URL');
  });
});
