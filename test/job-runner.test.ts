import type { Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb } from '../src/db/knex.js';
import { ensureLeaseRows, tryLease } from '../src/kernel/jobs/lease.js';
import { defineJob, runDue, startScheduler, type Job, type JobContext } from '../src/kernel/jobs/scheduler.js';
import { createLogger } from '../src/logger.js';
import { freshDatabase } from './support/test-db.js';

// Several app instances share one database and each fires every job on its own clock: the lease in
// job_leases must let each slot (scheduled fire time) run once among them. Two runners here are two
// Knex pools on the same database (on SQLite, two connections to one file), as two instances are.

let a: Knex;
let b: Knex;
let drop: () => Promise<void>;
beforeAll(async () => {
  const fresh = await freshDatabase();
  a = fresh.db;
  b = createDb(fresh.url);
  drop = async () => {
    await b.destroy();
    await fresh.drop();
  };
});
afterAll(() => drop());

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const base = Date.UTC(2026, 11, 8, 9, 0, 0);
const slotAt = (second: number) => new Date(base + second * 1000);

/** A job that records the slot of every run of its body. */
function recordingJob(name: string, body: (ctx: JobContext) => Promise<void> = async () => {}) {
  const ran: string[] = [];
  const job = defineJob({
    name,
    cron: '*/5 * * * *',
    leaseMs: 30_000,
    async run(ctx) {
      ran.push(ctx.slot.toISOString());
      await body(ctx);
    },
  });
  return { job, ran };
}

async function row(name: string) {
  return a('job_leases').where({ name }).first();
}

/** A logger whose error lines are kept. */
function capturingLogger() {
  const lines: Array<Record<string, unknown>> = [];
  const logger = createLogger('warn', { write: (line: string) => void lines.push(JSON.parse(line)) });
  return { logger, lines };
}

describe('the job lease between two instances', () => {
  it('creates a job row once when two instances start at once', async () => {
    await Promise.all([ensureLeaseRows(a, ['boot.race']), ensureLeaseRows(b, ['boot.race']), ensureLeaseRows(a, ['boot.race'])]);
    await ensureLeaseRows(b, ['boot.race']);
    expect(await a('job_leases').where({ name: 'boot.race' }).select('name', 'runs')).toEqual([{ name: 'boot.race', runs: 0 }]);
  });

  it('runs each slot once when both fire it at the same moment, round after round', async () => {
    const { job, ran } = recordingJob('same.moment', async () => {
      // Some runs take a while, so the other runner also meets a running lease, not only a taken slot.
      if (Math.random() < 0.3) await sleep(5);
    });
    await Promise.all([ensureLeaseRows(a, [job.name]), ensureLeaseRows(b, [job.name])]);
    const outcomes: string[] = [];
    for (let round = 0; round < 40; round++) {
      const slot = slotAt(round * 300);
      // a and b fire truly at once; c a moment later, often after the winner has finished and released.
      const late = async () => {
        await sleep(Math.random() * 15);
        return runDue(b, job, slot, 'instance-c');
      };
      outcomes.push(...(await Promise.all([runDue(a, job, slot, 'instance-a'), runDue(b, job, slot, 'instance-b'), late()])));
    }
    expect(ran).toHaveLength(40);
    expect(new Set(ran).size).toBe(40);
    expect(outcomes.filter((o) => o === 'ran')).toHaveLength(40);
    expect(outcomes.filter((o) => o === 'taken')).toHaveLength(80);
    const done = await row(job.name);
    expect(Number(done.runs)).toBe(40);
    expect(done.lease_until).toBeNull();
    expect(done.slot).toBe('2026-12-08 12:15:00');
  });

  it('runs a later slot again, but never an older one (an instance whose clock lags)', async () => {
    const { job, ran } = recordingJob('later.slot');
    await ensureLeaseRows(a, [job.name]);
    expect(await runDue(a, job, slotAt(0), 'instance-a')).toBe('ran');
    expect(await runDue(b, job, slotAt(0), 'instance-b')).toBe('taken');
    expect(await runDue(b, job, slotAt(300), 'instance-b')).toBe('ran');
    expect(await runDue(a, job, slotAt(0), 'instance-a')).toBe('taken');
    expect(ran).toEqual([slotAt(0).toISOString(), slotAt(300).toISOString()]);
    const done = await row(job.name);
    expect(done.holder).toBe('instance-b');
    expect(Number(done.runs)).toBe(2);
    expect(done.finished_at).not.toBeNull();
  });

  it('takes over from a holder that crashed mid-run once its lease has expired, by the database clock', async () => {
    await ensureLeaseRows(a, ['crashed.holder']);
    // The crashed instance claimed slot 0 for a second and never released it.
    expect(await tryLease(a, 'crashed.holder', slotAt(0), 'crashed', 1000)).toBe(true);
    const { job, ran } = recordingJob('crashed.holder');
    expect(await runDue(b, job, slotAt(300), 'instance-b')).toBe('taken');
    // A lease of 1 s ends within 2 s (the database keeps whole seconds).
    await sleep(2100);
    expect(await runDue(b, job, slotAt(300), 'instance-b')).toBe('ran');
    expect(ran).toEqual([slotAt(300).toISOString()]);
    const done = await row(job.name);
    expect(done.holder).toBe('instance-b');
    expect(done.lease_until).toBeNull();
  });

  it('keeps a long run\'s lease by renewing it, so no other instance starts the next slot meanwhile', async () => {
    const { job, ran } = recordingJob('long.run', async (ctx) => {
      if (ctx.slot.getTime() === slotAt(0).getTime()) await sleep(2600);
    });
    const longJob = { ...job, leaseMs: 1000 };
    await ensureLeaseRows(a, [job.name]);
    const long = runDue(a, longJob, slotAt(0), 'instance-a');
    await sleep(2100);
    // Past the first lease (at most 2 s): only renewals keep it.
    expect(await runDue(b, longJob, slotAt(300), 'instance-b')).toBe('taken');
    expect(await long).toBe('ran');
    expect(await runDue(b, longJob, slotAt(300), 'instance-b')).toBe('ran');
    expect(ran).toEqual([slotAt(0).toISOString(), slotAt(300).toISOString()]);
  });

  it('logs a job that throws, releases its lease and runs the next slot', async () => {
    const { logger, lines } = capturingLogger();
    let calls = 0;
    const job = defineJob({
      name: 'throws.once',
      cron: '* * * * *',
      leaseMs: 60_000,
      async run() {
        if (++calls === 1) throw new Error('boom');
      },
    });
    await ensureLeaseRows(a, [job.name]);
    expect(await runDue(a, job, slotAt(0), 'instance-a', { logger })).toBe('failed');
    const failed = await row(job.name);
    expect(failed.lease_until).toBeNull();
    expect(lines).toEqual([expect.objectContaining({ msg: 'job failed', job: 'throws.once', err: expect.objectContaining({ message: 'boom' }) })]);
    expect(await runDue(b, job, slotAt(60), 'instance-b', { logger })).toBe('ran');
    expect(calls).toBe(2);
    expect(Number((await row(job.name)).runs)).toBe(2);
  });

  it('refuses a bad job at its definition', () => {
    const job: Job = { name: 'ok.name', cron: '* * * * *', leaseMs: 1000, run: async () => {} };
    expect(() => defineJob({ ...job, cron: 'every minute' })).toThrow();
    expect(() => defineJob({ ...job, name: 'no spaces' })).toThrow(/name/);
    expect(() => defineJob({ ...job, leaseMs: 500 })).toThrow(/leaseMs/);
    expect(defineJob(job)).toBe(job);
  });
});

describe('two schedulers on the clock', () => {
  it('fires every second on both and runs no slot twice', async () => {
    const ran: Array<{ slot: string; holder: string }> = [];
    const { logger, lines } = capturingLogger();
    const job = (holder: string) =>
      defineJob({
        name: 'every.second',
        cron: '* * * * * *',
        leaseMs: 5000,
        async run(ctx) {
          ran.push({ slot: ctx.slot.toISOString(), holder });
          await sleep(50);
        },
      });
    const schedulers = [
      startScheduler(a, [job('scheduler-a')], { holder: 'scheduler-a', logger }),
      startScheduler(b, [job('scheduler-b')], { holder: 'scheduler-b', logger }),
    ];
    await sleep(3200);
    await Promise.all(schedulers.map((s) => s.stop()));
    const slots = ran.map((r) => r.slot);
    expect(slots.length).toBeGreaterThanOrEqual(2);
    expect(new Set(slots).size).toBe(slots.length);
    // Slots are whole seconds, as scheduled, not the moment either timer happened to fire.
    expect(slots.every((s) => s.endsWith('.000Z'))).toBe(true);
    expect(lines).toEqual([]);
    const done = await row('every.second');
    expect(Number(done.runs)).toBe(slots.length);
    expect(done.lease_until).toBeNull();
  });

  it('waits at stop for a running job to finish, and only so long', async () => {
    let finished = 0;
    let aborted = 0;
    const job = (name: string, ms: number) =>
      defineJob({
        name,
        cron: '* * * * * *',
        leaseMs: 5000,
        async run(ctx) {
          await sleep(ms);
          if (ctx.signal.aborted) aborted++;
          finished++;
        },
      });
    const patient = startScheduler(a, [job('stop.waits', 800)], { holder: 'stopping', logger: createLogger('silent') });
    await waitFor(async () => (await row('stop.waits'))?.lease_until != null);
    await patient.stop();
    expect(finished).toBe(1);
    expect((await row('stop.waits')).lease_until).toBeNull();

    const hurried = startScheduler(a, [job('stop.bounded', 1500)], { holder: 'stopping', logger: createLogger('silent'), stopWaitMs: 200 });
    await waitFor(async () => (await row('stop.bounded'))?.lease_until != null);
    const started = Date.now();
    await hurried.stop();
    expect(Date.now() - started).toBeLessThan(1000);
    expect(finished).toBe(1);
    await waitFor(async () => finished === 2);
    expect(aborted).toBe(1);
  });
});

async function waitFor(check: () => Promise<boolean>, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('waited in vain');
    await sleep(20);
  }
}
