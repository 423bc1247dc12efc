import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { fromRoot } from './paths.js';

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  DATABASE_URL: z
    .string()
    .regex(/^(mysql:\/\/.+|sqlite:.+)$/, 'must be mysql://user:pass@host:port/db or sqlite:path')
    .default('sqlite:data/crm.sqlite'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  SESSION_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
  TRUST_PROXY: z
    .enum(['off', 'on', 'true', 'false', '0', '1'])
    .default('off')
    .transform((v) => v === 'on' || v === 'true' || v === '1'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  SHUTDOWN_GRACE_MS: z.coerce.number().int('must be a whole number of milliseconds').min(0).max(120_000).optional(),
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int('must be a whole number of milliseconds').min(1).max(600_000).default(10_000),
});

// Long enough for a load balancer's readiness checks to notice; only production runs behind one, and
// elsewhere a restart (tsx watch, Ctrl-C) should not wait.
const PRODUCTION_SHUTDOWN_GRACE_MS = 5_000;

export type Config = {
  env: 'development' | 'production' | 'test';
  isProduction: boolean;
  databaseUrl: string;
  port: number;
  sessionSecret: string;
  trustProxy: boolean;
  logLevel: string;
  /** On SIGTERM, how long /readyz answers 503 while requests are still served, before the server closes. */
  shutdownGraceMs: number;
  /** After the grace, how long the requests in flight may run before the process exits anyway (code 1). */
  shutdownTimeoutMs: number;
  /** Demo data is seeded into an empty database everywhere but production. */
  demoMode: boolean;
};

export class ConfigError extends Error {}

// Outside production a secret is generated once and kept in data/, so sessions survive restarts
// without asking a new user to configure anything.
function localSessionSecret(): string {
  const file = fromRoot('data', 'session-secret');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(path.dirname(file), { recursive: true });
  const secret = randomBytes(32).toString('hex');
  writeFileSync(file, secret, { mode: 0o600 });
  return secret;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  const isProduction = e.NODE_ENV === 'production';
  if (isProduction && !e.SESSION_SECRET) {
    throw new ConfigError('Invalid configuration:\n  SESSION_SECRET: required when NODE_ENV=production');
  }
  return {
    env: e.NODE_ENV,
    isProduction,
    databaseUrl: e.DATABASE_URL,
    port: e.PORT,
    sessionSecret: e.SESSION_SECRET ?? localSessionSecret(),
    trustProxy: e.TRUST_PROXY,
    logLevel: e.LOG_LEVEL,
    shutdownGraceMs: e.SHUTDOWN_GRACE_MS ?? (isProduction ? PRODUCTION_SHUTDOWN_GRACE_MS : 0),
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    demoMode: !isProduction,
  };
}
