import { randomUUID } from 'node:crypto';
import os from 'node:os';
import { createApp } from './app.js';
import { prepareDatabase } from './boot.js';
import { ConfigError, loadConfig } from './config.js';
import { markShuttingDown } from './features/health/shutting-down.js';
import { jobs } from './jobs.js';
import { startScheduler } from './kernel/jobs/scheduler.js';
import { createLogger } from './logger.js';
import { gracefulShutdown } from './shutdown.js';
import { DEMO_PASSWORD, DEMO_USERS } from '../seeds/demo-directory.js';

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  const { db } = await prepareDatabase(config, logger);
  const app = createApp({ config, db, logger });
  // Tests fire jobs themselves (runDue), so a test server never runs them on the clock. The holder
  // names this process in job_leases; the random part keeps a restarted container (same host name,
  // pid 1 again) apart from the one it replaced.
  const holder = `${os.hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  const scheduler = config.env === 'test' ? undefined : startScheduler(db, jobs, { holder, logger });

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
    // A job running now still has the database: the scheduler stops (waiting a bounded while for it) first.
    closeResources: async () => {
      await scheduler?.stop();
      await db.destroy();
    },
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
