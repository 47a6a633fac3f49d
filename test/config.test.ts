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
