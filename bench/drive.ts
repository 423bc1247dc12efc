import { Worker } from 'node:worker_threads';
import { percentile } from './stats.js';

export type Load = {
  requests: number;
  requestsPerSecond: number;
  p50: number;
  p95: number;
  p99: number;
  /** Responses that were not 2xx, by status code: a bench of error pages measures nothing. */
  non2xx: Record<string, number>;
  /** Connection errors and timeouts. */
  errors: number;
};

export type Target = { url: string; cookie: string; connections: number; seconds: number };
type Outcome = { statuses: number[]; times: number[]; errors: number };

/** One autocannon run on its own thread, every response's status and time. */
export function run(target: Target): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./load-worker.mjs', import.meta.url), { workerData: target });
    worker.once('message', (outcome: Outcome) => {
      resolve(outcome);
      void worker.terminate();
    });
    worker.once('error', reject);
  });
}

/**
 * Drives one page with `connections` concurrent clients for `seconds`, after a one-second warm-up.
 * `settled` waits for the server to finish the requests autocannon abandoned at its deadline.
 */
export async function drive(target: Target, settled: () => Promise<void>): Promise<Load> {
  await run({ ...target, seconds: 1 });
  await settled();
  const { statuses, times, errors } = await run(target);
  await settled();
  const non2xx: Record<string, number> = {};
  for (const status of statuses) {
    if (status < 200 || status > 299) non2xx[status] = (non2xx[status] ?? 0) + 1;
  }
  return {
    requests: times.length,
    requestsPerSecond: times.length / target.seconds,
    p50: percentile(times, 50),
    p95: percentile(times, 95),
    p99: percentile(times, 99),
    non2xx,
    errors,
  };
}
