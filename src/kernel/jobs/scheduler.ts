import { Cron } from 'croner';
import type { Knex } from 'knex';
import { pino, type Logger } from 'pino';
import { ensureLeaseRows, releaseLease, renewLease, tryLease } from './lease.js';

// Every app instance runs the same schedule; the lease (lease.ts) makes each slot run on one of
// them. Patterns are read in UTC, explicitly: the server's local time zone (and its daylight saving
// jumps) must not move a slot, and every instance must compute the same slot for the same moment.
const TIMEZONE = 'UTC';

export type JobContext = {
  db: Knex;
  /** The scheduled fire time this run is for (UTC, whole seconds), the same on every instance. */
  slot: Date;
  /** Aborted when the lease was lost (another instance took the slot over) or the scheduler gave up waiting at stop. */
  signal: AbortSignal;
  logger: Logger;
};

export type Job = {
  /** The job_leases row's key: stable, at most 100 characters. */
  name: string;
  /** A croner pattern (5 fields, or 6 with seconds first), in UTC. */
  cron: string;
  /** How long a run may go without renewing its lease (at least a second); renewed every third of it. */
  leaseMs: number;
  run(ctx: JobContext): Promise<void>;
};

/** Checks a job once, where it is declared, so that a bad pattern fails the start and not a fire. */
export function defineJob(job: Job): Job {
  if (!/^[A-Za-z0-9._:-]{1,100}$/.test(job.name)) throw new Error(`Job name "${job.name}" must be 1-100 of A-Z a-z 0-9 . _ : -`);
  if (!Number.isInteger(job.leaseMs) || job.leaseMs < 1000) throw new Error(`Job ${job.name}: leaseMs must be a whole number ≥ 1000`);
  if (new Cron(job.cron, { timezone: TIMEZONE }).nextRun() === null) throw new Error(`Job ${job.name}: "${job.cron}" never fires`);
  return job;
}

export type RunOutcome = 'ran' | 'failed' | 'taken';

const silent = pino({ level: 'silent' });

/**
 * Claims `slot` of `job` for `holder` and, if won, runs it: what each scheduled fire does, exported
 * so tests fire a slot directly instead of waiting for the clock. 'taken' when another holder has
 * the slot (or a newer one, or a running lease). A job that throws is logged, and its lease is
 * released all the same, so the next slot runs. The job's row must exist (ensureLeaseRows).
 */
export async function runDue(
  db: Knex,
  job: Job,
  slot: Date,
  holder: string,
  options: { logger?: Logger; signal?: AbortSignal } = {},
): Promise<RunOutcome> {
  if (!(await tryLease(db, job.name, slot, holder, job.leaseMs))) return 'taken';
  const log = (options.logger ?? silent).child({ job: job.name, slot: slot.toISOString() });
  const controller = new AbortController();
  const signal = options.signal ? AbortSignal.any([controller.signal, options.signal]) : controller.signal;
  // Renewals run one after another; the last one is awaited before the release, so a late renewal
  // cannot set a lease again after it was released.
  let renewing = Promise.resolve();
  const renew = () => {
    renewing = renewing.then(async () => {
      try {
        if (!(await renewLease(db, job.name, slot, holder, job.leaseMs)) && !controller.signal.aborted) {
          log.warn('job lease lost to another instance; the run is asked to stop');
          controller.abort(new Error('job lease lost'));
        }
      } catch (err) {
        // A database hiccup: the lease still runs for a while, and the next renewal tries again.
        log.warn({ err }, 'job lease renewal failed');
      }
    });
  };
  const renewal = setInterval(renew, Math.floor(job.leaseMs / 3));
  let outcome: RunOutcome = 'ran';
  try {
    await job.run({ db, slot, signal, logger: log });
  } catch (err) {
    outcome = 'failed';
    log.error({ err }, 'job failed');
  } finally {
    clearInterval(renewal);
    await renewing;
    try {
      await releaseLease(db, job.name, slot, holder);
    } catch (err) {
      // Not fatal: the lease expires by itself and the next slot after that runs.
      log.error({ err }, 'job lease release failed');
    }
  }
  return outcome;
}

export type SchedulerOptions = {
  /** Names this instance in job_leases (host and process, say); different on every instance. */
  holder: string;
  logger: Logger;
  /** How long stop() waits for running jobs before it aborts their signals and returns. */
  stopWaitMs?: number;
};

export type Scheduler = { stop(): Promise<void> };

/** Fires each job on its pattern; each fire runs the slot here if this instance wins its lease. */
export function startScheduler(db: Knex, jobs: readonly Job[], options: SchedulerOptions): Scheduler {
  const { holder, logger, stopWaitMs = 5_000 } = options;
  const running = new Map<Promise<RunOutcome | void>, AbortController>();

  // Inserted once per scheduler; tried again at the next fire when the database was not reachable.
  let rowsReady: Promise<void> | undefined;
  const ensureRows = () =>
    (rowsReady ??= ensureLeaseRows(
      db,
      jobs.map((j) => j.name),
    ).catch((err: unknown) => {
      rowsReady = undefined;
      throw err;
    }));
  ensureRows().catch((err: unknown) => logger.error({ err }, 'job rows could not be created; trying again at the next fire'));

  const fire = async (job: Job, cron: Cron): Promise<void> => {
    // croner hands over the moment it fired (a few ms late, or later on a busy event loop); the
    // slot is the scheduled time at or before it, the same on every instance.
    const firedAt = cron.currentRun() ?? new Date();
    const slot = cron.previousRuns(1, new Date(firedAt.getTime() + 1))[0] ?? firedAt;
    const stopper = new AbortController();
    const run = (async () => {
      await ensureRows();
      return runDue(db, job, slot, holder, { logger, signal: stopper.signal });
    })().catch((err: unknown) => logger.error({ err, job: job.name }, 'job could not be started'));
    running.set(run, stopper);
    try {
      await run;
    } finally {
      running.delete(run);
    }
  };

  // protect: a run still going when its next slot comes makes croner skip that fire here (the lease
  // would refuse it anyway). fire() logs its own errors; catch is only a net under it.
  const crons = jobs.map(
    (job) =>
      new Cron(
        job.cron,
        { timezone: TIMEZONE, protect: true, catch: (err) => logger.error({ err, job: job.name }, 'job fire failed') },
        (self) => fire(job, self),
      ),
  );
  logger.info({ jobs: jobs.map((j) => j.name), holder }, 'job scheduler started');

  return {
    async stop() {
      for (const cron of crons) cron.stop();
      // The start's row insert may still be under way: it too needs the database the caller closes next.
      await rowsReady?.catch(() => {});
      if (running.size === 0) return;
      let timer: NodeJS.Timeout | undefined;
      const gaveUp = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), stopWaitMs)));
      const result = await Promise.race([Promise.all(running.keys()).then(() => 'done' as const), gaveUp]);
      clearTimeout(timer);
      if (result === 'timeout') {
        logger.warn({ running: running.size }, 'jobs still running at stop; asked to abort');
        for (const stopper of running.values()) stopper.abort(new Error('scheduler stopped'));
      }
    },
  };
}
