import { loadConfig } from '../config.js';
import { seedDemo } from '../../seeds/demo.js';
import { createDb, ensureDatabase } from './knex.js';
import { migrateLatest, migratorConfig } from './migrator.js';

// npm run migrate | migrate:rollback | seed:demo, against DATABASE_URL.
async function main(command: string | undefined): Promise<void> {
  const config = loadConfig();
  await ensureDatabase(config.databaseUrl);
  const db = createDb(config.databaseUrl);
  try {
    if (command === 'migrate') {
      await migrateLatest(db);
      console.log('Migrations are up to date.');
    } else if (command === 'rollback') {
      const [batch, names] = await db.migrate.rollback(migratorConfig);
      console.log(names.length ? `Rolled back batch ${batch}: ${names.join(', ')}` : 'Nothing to roll back.');
    } else if (command === 'seed-demo') {
      if (config.isProduction) throw new Error('Demo data is never seeded in production.');
      await migrateLatest(db);
      await seedDemo(db);
      console.log('Demo data is in place.');
    } else {
      throw new Error(`Unknown command "${command}". Use migrate, rollback or seed-demo.`);
    }
  } finally {
    await db.destroy();
  }
}

main(process.argv[2]).catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
