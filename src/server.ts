import { createApp } from './app.js';
import { prepareDatabase } from './boot.js';
import { ConfigError, loadConfig } from './config.js';
import { markShuttingDown } from './features/health/shutting-down.js';
import { createLogger } from './logger.js';
import { gracefulShutdown } from './shutdown.js';
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

  const shutdown = gracefulShutdown(server, {
    graceMs: config.shutdownGraceMs,
    timeoutMs: config.shutdownTimeoutMs,
    logger,
    stopBeingReady: () => markShuttingDown(app),
    closeResources: () => db.destroy(),
  });
  // Listened to for good (not once): a second signal, which tsx or a supervisor may relay, must not
  // kill the process with the default action halfway through the shutdown.
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError) {
    console.error(err.message);
  } else {
    console.error('Failed to start:', err);
  }
  process.exit(1);
});
