import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.ts';

describe('configuration', () => {
  it('defaults to the embedded database on port 8080', () => {
    const config = loadConfig({});
    expect(config.port).toBe(8080);
    expect(config.database).toMatchObject({ kind: 'pglite' });
    expect(config.publicUrl).toBe('http://localhost:8080');
  });

  it('picks the driver from DATABASE_URL', () => {
    expect(loadConfig({ DATABASE_URL: 'memory://' }).database).toEqual({ kind: 'pglite', dataDir: undefined });
    const pg = loadConfig({ DATABASE_URL: 'postgres://u@h/db', TWOFOLD_SECRET_KEYS: 'k:MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=' });
    expect(pg.database).toMatchObject({ kind: 'postgres', url: 'postgres://u@h/db' });
  });

  it('bounds every wait on PostgreSQL by default, and takes the limits from the environment', () => {
    const keys = { DATABASE_URL: 'postgres://u@h/db', TWOFOLD_SECRET_KEYS: 'k:MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=' };
    const defaults = loadConfig(keys);
    expect(defaults.database).toMatchObject({ statementTimeoutMs: 3000, poolWaitMs: 2000 });
    expect(defaults.requestTimeoutMs).toBe(5000);
    const chosen = loadConfig({ ...keys, DB_STATEMENT_TIMEOUT_MS: '0', DB_POOL_WAIT_MS: '500', REQUEST_TIMEOUT_MS: '8000' });
    expect(chosen.database).toMatchObject({ statementTimeoutMs: 0, poolWaitMs: 500 });
    expect(chosen.requestTimeoutMs).toBe(8000);
    expect(() => loadConfig({ ...keys, REQUEST_TIMEOUT_MS: '10' })).toThrow(/REQUEST_TIMEOUT_MS must be a whole number from 500/);
  });

  it('takes the WebAuthn relying party from PUBLIC_URL, and checks explicit origins against it', () => {
    expect(loadConfig({ PUBLIC_URL: 'https://auth.example.org' }).webauthn).toEqual({
      rpId: 'auth.example.org',
      rpName: 'twofold',
      origins: ['https://auth.example.org'],
    });
    const shared = loadConfig({ WEBAUTHN_RP_ID: 'example.org', WEBAUTHN_ORIGINS: 'https://example.org, https://app.example.org:8443' });
    expect(shared.webauthn.origins).toEqual(['https://example.org', 'https://app.example.org:8443']);
    expect(() => loadConfig({ WEBAUTHN_RP_ID: 'example.org', WEBAUTHN_ORIGINS: 'https://example.net' })).toThrow(/not example.org or a subdomain/);
    expect(loadConfig({ TRUSTED_DEVICE_DAYS: '0' }).trustedDeviceDays).toBe(0);
  });

  it('reports every problem, one line each', () => {
    try {
      loadConfig({ PORT: 'eighty', DATABASE_URL: 'postgres://h/db', LOG_LEVEL: 'loud', PUBLIC_URL: 'nope', SMTP_URL: 'http://x' });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const problems = (error as ConfigError).problems;
      expect(problems).toHaveLength(5);
      expect(problems.join('\n')).toMatch(/PORT/);
      expect(problems.join('\n')).toMatch(/TWOFOLD_SECRET_KEYS is required/);
    }
  });
});
