import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { fromRoot } from '../src/paths.js';
import type { Load } from './drive.js';
import type { Floor } from './floor.js';
import type { BenchPage } from './pages.js';

export type PageResult = BenchPage & { rows: number; load: Load; floor: Omit<Floor, 'statements'> & { statements: number } };

export type BenchResult = {
  startedAt: string;
  command: string;
  customers: number;
  fillSeconds: number | null;
  connections: number;
  seconds: number;
  machine: {
    cpus: number;
    cpu: string;
    memoryGb: number;
    node: string;
    database: string;
    bufferPoolMb: number;
    /** One-minute load average before and after: other work on the machine makes numbers noisy. */
    loadAverage: { before: number; after: number };
  };
  pages: PageResult[];
};

const RESULTS_DIR = fromRoot('bench', 'results');
const P95_TARGET_MS = 100;
const P50_GROWTH_TARGET = 1.5;
const BASELINE_CUSTOMERS = 10_000;

export function machine(database: string, bufferPoolBytes: number, loadBefore: number): BenchResult['machine'] {
  return {
    cpus: os.cpus().length,
    cpu: os.cpus()[0]?.model ?? 'unknown',
    memoryGb: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    database,
    bufferPoolMb: Math.round(bufferPoolBytes / 2 ** 20),
    loadAverage: { before: loadBefore, after: os.loadavg()[0] },
  };
}

export function writeResult(result: BenchResult): string {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const file = `${result.startedAt.replace(/[:.]/g, '-')}-${result.customers}.json`;
  writeFileSync(`${RESULTS_DIR}/${file}`, JSON.stringify(result, null, 2) + '\n');
  return `bench/results/${file}`;
}

/** The latest saved run at 10,000 customers, the baseline p50 at 1,000,000 is held against. */
export function latestBaseline(): BenchResult | undefined {
  const files = readdirSync(RESULTS_DIR).filter((f) => f.endsWith(`-${BASELINE_CUSTOMERS}.json`)).sort();
  const last = files.at(-1);
  return last ? (JSON.parse(readFileSync(`${RESULTS_DIR}/${last}`, 'utf8')) as BenchResult) : undefined;
}

const ms = (n: number) => n.toFixed(1);

/** The results as a Markdown table (the same one docs/benchmarks.md shows). */
export function table(result: BenchResult, baseline?: BenchResult): string {
  const compare = baseline && baseline.customers !== result.customers;
  const head = ['role', 'page', 'rows', 'req/s', 'p50 ms', 'p95 ms', 'p99 ms', 'floor p50', 'floor p95', 'non-2xx'];
  if (compare) head.push(`p50 / p50 at ${baseline.customers.toLocaleString('en')}`);
  const lines = [`| ${head.join(' | ')} |`, `| ${head.map(() => '---').join(' | ')} |`];
  for (const p of result.pages) {
    const non2xx = Object.values(p.load.non2xx).reduce((a, b) => a + b, 0) + p.load.errors;
    const cells = [
      p.role, p.name, String(p.rows), p.load.requestsPerSecond.toFixed(0), ms(p.load.p50), ms(p.load.p95), ms(p.load.p99),
      ms(p.floor.p50), ms(p.floor.p95), String(non2xx),
    ];
    if (compare) {
      const before = baseline.pages.find((b) => b.role === p.role && b.name === p.name);
      cells.push(before ? (p.load.p50 / before.load.p50).toFixed(2) : '—');
    }
    lines.push(`| ${cells.join(' | ')} |`);
  }
  return lines.join('\n');
}

/** One line per target: met or not, with the worst page. */
export function verdict(result: BenchResult, baseline?: BenchResult): string[] {
  const worst = result.pages.reduce((a, b) => (b.load.p95 > a.load.p95 ? b : a));
  const met = (ok: boolean) => (ok ? 'met' : 'NOT met');
  const lines = [
    `p95 under ${P95_TARGET_MS} ms on every page (the target is set at 1,000,000 customers): ` +
      `${met(worst.load.p95 < P95_TARGET_MS)} (worst ${ms(worst.load.p95)} ms, ${worst.role} ${worst.name})`,
  ];
  if (baseline && baseline.customers !== result.customers) {
    const ratios = result.pages.flatMap((p) => {
      const before = baseline.pages.find((b) => b.role === p.role && b.name === p.name);
      return before ? [{ p, ratio: p.load.p50 / before.load.p50 }] : [];
    });
    const top = ratios.reduce((a, b) => (b.ratio > a.ratio ? b : a), ratios[0]);
    if (top) {
      lines.push(
        `p50 at most ${P50_GROWTH_TARGET}x the ${baseline.customers.toLocaleString('en')}-customer run (${baseline.startedAt}): ` +
          `${met(top.ratio <= P50_GROWTH_TARGET)} (largest ${top.ratio.toFixed(2)}x, ${top.p.role} ${top.p.name})`,
      );
    }
  }
  const failures = result.pages.filter((p) => Object.keys(p.load.non2xx).length > 0 || p.load.errors > 0);
  if (failures.length > 0) {
    lines.push(`WARNING: non-2xx responses or errors on ${failures.map((p) => `${p.role} ${p.name}`).join(', ')}`);
  }
  return lines;
}
