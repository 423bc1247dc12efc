import { createApp } from './app.js';
import { prepareDatabase } from './boot.js';
import { ConfigError, loadConfig } from './config.js';
import { createLogger } from './logger.js';
import { DEMO_PASSWORD, DEMO_USERS } from '../seeds/demo-directory.js';

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  const { db } = await prepareDatabase(config, logger);
  const app = createApp({ config, db, logger });

  const server = app.listen(config.port, () => {
    const url = `http://localhost:${config.port}`;
    console.log(`CRM listening on ${url}`);
    if (config.demoMode) {
      console.log(`Demo accounts (password ${DEMO_PASSWORD}): ${DEMO_USERS.map((u) => `${u.username} (${u.role})`).join(', ')}`);
    }
  });

  // On SIGTERM stop taking connections, let running requests finish, then close the pool.
  const shutdown = (signal: string) => {
    logger.info({ signal }, 'shutting down');
    server.close(() => {
      db.destroy().finally(() => process.exit(0));
    });
    setTimeout(() => process.exit(1), 10_000).unref();
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError) {
    console.error(err.message);
  } else {
    console.error('Failed to start:', err);
  }
  process.exit(1);
});
