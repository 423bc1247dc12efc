import type { Express } from 'express';
import type { Knex } from 'knex';
import request from 'supertest';
import { createApp } from '../../src/app.js';
import { hashPassword } from '../../src/auth/passwords.js';
import { loadConfig, type Config } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { seedDemo } from '../../seeds/demo.js';
import { DEMO_PASSWORD } from '../../seeds/demo-directory.js';
import { freshDatabase } from './test-db.js';

let demoHash: Promise<string> | undefined;

export type TestApp = {
  app: Express;
  db: Knex;
  config: Config;
  close: () => Promise<void>;
  userId: (username: string) => Promise<number>;
};

/**
 * A fresh database with the demo organisation and `customers` demo customers behind a real app;
 * their contacts, follow-ups and opportunities only with `sales: true` (tests make their own).
 */
export async function createTestApp(
  options: { customers?: number; sales?: boolean; env?: Record<string, string> } = {},
): Promise<TestApp> {
  const { db, url, drop } = await freshDatabase();
  demoHash ??= hashPassword(DEMO_PASSWORD);
  await seedDemo(db, { customers: options.customers ?? 20, passwordHash: await demoHash, sales: options.sales ?? false });
  const config = loadConfig({
    NODE_ENV: 'test',
    DATABASE_URL: url,
    SESSION_SECRET: 'test-secret-test-secret',
    LOG_LEVEL: 'silent',
    ...options.env,
  });
  const app = createApp({ config, db, logger: createLogger('silent') });
  return {
    app,
    db,
    config,
    close: drop,
    userId: async (username) => (await db('users').where({ username }).first('id')).id,
  };
}

export function csrfFrom(html: string): string {
  const match = /name="_csrf" value="([^"]+)"/.exec(html);
  if (!match) throw new Error('No CSRF token on the page');
  return match[1];
}

export type Agent = ReturnType<typeof request.agent> & { csrf: string };

/** A logged-in supertest agent that knows its session's CSRF token. */
export async function loginAs(app: Express, username: string, password = DEMO_PASSWORD): Promise<Agent> {
  const agent = request.agent(app) as Agent;
  const page = await agent.get('/login').set('Accept-Language', 'en');
  const res = await agent
    .post('/login')
    .type('form')
    .send({ _csrf: csrfFrom(page.text), username, password });
  if (res.status !== 303) throw new Error(`Login as ${username} failed with ${res.status}`);
  const home = await agent.get('/');
  agent.csrf = csrfFrom(home.text);
  return agent;
}

/** Posts a form with the agent's CSRF token. */
export function postForm(agent: Agent, url: string, fields: Record<string, string | number> = {}) {
  return agent.post(url).type('form').send({ _csrf: agent.csrf, ...fields });
}
