// Knex configuration for tools that look for a knexfile. The application itself connects through
// src/db/knex.ts and migrates with the listed migrations (npm run migrate).
import { connectionConfig } from './src/db/knex.js';
import { migratorConfig } from './src/db/migrator.js';

const url = process.env.DATABASE_URL ?? 'sqlite:data/crm.sqlite';

export default { ...connectionConfig(url), migrations: migratorConfig };
