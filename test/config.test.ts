import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';

describe('configuration', () => {
  it('needs nothing in development: SQLite in data/, port 3000, demo mode', () => {
    const config = loadConfig({ SESSION_SECRET: 'a'.repeat(32) });
    expect(config.databaseUrl).toBe('sqlite:data/crm.sqlite');
    expect(config.port).toBe(3000);
    expect(config.demoMode).toBe(true);
    expect(config.trustProxy).toBe(false);
  });

  it('requires SESSION_SECRET in production and turns demo data off', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/SESSION_SECRET/);
    const config = loadConfig({ NODE_ENV: 'production', SESSION_SECRET: 'b'.repeat(32) });
    expect(config.demoMode).toBe(false);
    expect(config.isProduction).toBe(true);
  });

  it('stops on a bad value with a readable message naming the variable', () => {
    expect(() => loadConfig({ PORT: 'eighty', SESSION_SECRET: 'a'.repeat(32) })).toThrow(ConfigError);
    expect(() => loadConfig({ PORT: 'eighty', SESSION_SECRET: 'a'.repeat(32) })).toThrow(/PORT/);
    expect(() => loadConfig({ DATABASE_URL: 'postgres://x', SESSION_SECRET: 'a'.repeat(32) })).toThrow(/DATABASE_URL/);
  });
});
