import type { Knex } from 'knex';
import type { Logger } from 'pino';
import type { Config } from './config.js';
import { seedDemoIfEmpty } from '../seeds/demo.js';
import { createDb, ensureDatabase } from './db/knex.js';
import { migrateLatest } from './db/migrator.js';

/** Connects, migrates and (outside production) seeds demo data into an empty database. */
export async function prepareDatabase(config: Config, logger: Logger): Promise<{ db: Knex; seeded: boolean }> {
  await ensureDatabase(config.databaseUrl);
  const db = createDb(config.databaseUrl);
  await migrateLatest(db);
  const seeded = config.demoMode ? await seedDemoIfEmpty(db) : false;
  if (seeded) logger.info('demo data seeded');
  return { db, seeded };
}
