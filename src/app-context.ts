import type { Knex } from 'knex';
import type { Logger } from 'pino';
import type { Config } from './config.js';

/** What every router needs, built once in server.ts (or per test file) and passed down. */
export type AppContext = { db: Knex; config: Config; logger: Logger };
