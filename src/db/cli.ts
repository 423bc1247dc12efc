import { loadConfig } from '../config.js';
import { seedDemo } from '../../seeds/demo.js';
import { createAdmin } from '../auth/create-admin.js';
import { createDb, ensureDatabase } from './knex.js';
import { migrateLatest, rollbackLatest } from './migrator.js';

// npm run migrate | migrate:rollback | seed:demo, against DATABASE_URL; and, for a production
// installation without demo data, `create-admin <username>` with the password in ADMIN_PASSWORD.
async function main(command: string | undefined, args: string[]): Promise<void> {
  const config = loadConfig();
  await ensureDatabase(config.databaseUrl);
  const db = createDb(config.databaseUrl);
  try {
    if (command === 'migrate') {
      await migrateLatest(db);
      console.log('Migrations are up to date.');
    } else if (command === 'rollback') {
      const names = await rollbackLatest(db);
      console.log(names.length ? `Rolled back: ${names.join(', ')}` : 'Nothing to roll back.');
    } else if (command === 'seed-demo') {
      if (config.isProduction) throw new Error('Demo data is never seeded in production.');
      await migrateLatest(db);
      await seedDemo(db);
      console.log('Demo data is in place.');
    } else if (command === 'create-admin') {
      await migrateLatest(db);
      await createAdmin(db, args[0], process.env.ADMIN_PASSWORD);
      console.log(`Administrator ${args[0]} created.`);
    } else {
      throw new Error(`Unknown command "${command}". Use migrate, rollback, seed-demo or create-admin.`);
    }
  } finally {
    await db.destroy();
  }
}

main(process.argv[2], process.argv.slice(3)).catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
