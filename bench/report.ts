import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { fromRoot } from '../src/paths.js';
import type { Load } from './drive.js';
import type { TableFill } from './fill-database.js';
import type { Floor } from './floor.js';
import type { BenchPage } from './pages.js';
import type { ReferenceComparison, Timing } from './reference-queries.js';

type PageDescription = Pick<BenchPage, 'role' | 'name' | 'path'>;
export type MeasuredPage = PageDescription & { rows: number; load: Load; floor: Omit<Floor, 'statements'> & { statements: number } };
/** A page of a feature not served yet: listed, with the reason, instead of failing the run. */
export type SkippedPage = PageDescription & { skipped: string };
export type PageResult = MeasuredPage | SkippedPage;

export const isMeasured = (p: PageResult): p is MeasuredPage => !('skipped' in p);

export type BenchResult = {
  startedAt: string;
  command: string;
  customers: number;
  fillSeconds: number | null;
  /** Each table's rows and load time (index rebuild included) when this run filled the database. */
  fillTables: TableFill[];
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
  referenceQueries: ReferenceComparison[];
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

/** A page none of whose requests was answered within autocannon's timeout (10 s) has no latencies. */
const answered = (p: MeasuredPage) => p.load.requests > 0;

/** The results as a Markdown table (the same one docs/benchmarks.md shows). */
export function table(result: BenchResult, baseline?: BenchResult): string {
  const compare = baseline && baseline.customers !== result.customers;
  const head = ['role', 'page', 'rows', 'req/s', 'p50 ms', 'p95 ms', 'p99 ms', 'floor p50', 'floor p95', 'non-2xx'];
  if (compare) head.push(`p50 / p50 at ${baseline.customers.toLocaleString('en')}`);
  const lines = [`| ${head.join(' | ')} |`, `| ${head.map(() => '---').join(' | ')} |`];
  for (const p of result.pages) {
    if (!isMeasured(p)) {
      const cells = [p.role, p.name, ...head.slice(2).map(() => '—')];
      cells[2] = `skipped: ${p.skipped}`;
      lines.push(`| ${cells.join(' | ')} |`);
      continue;
    }
    const non2xx = Object.values(p.load.non2xx).reduce((a, b) => a + b, 0) + p.load.errors;
    const latency = (n: number) => (answered(p) ? ms(n) : 'no answer');
    const cells = [
      p.role, p.name, String(p.rows), p.load.requestsPerSecond.toFixed(0), latency(p.load.p50), latency(p.load.p95), latency(p.load.p99),
      ms(p.floor.p50), ms(p.floor.p95), String(non2xx),
    ];
    if (compare) {
      const before = baseline.pages.filter(isMeasured).find((b) => b.role === p.role && b.name === p.name);
      cells.push(before && answered(p) && answered(before) ? (p.load.p50 / before.load.p50).toFixed(2) : '—');
    }
    lines.push(`| ${cells.join(' | ')} |`);
  }
  return lines.join('\n');
}

/**
 * Pages the bench drives beyond the issues' list: shown in the table, judged apart from the targets
 * (a surname search by the whole company sorts tens of thousands of matches; see docs/benchmarks.md).
 */
const BEYOND_THE_ISSUES: readonly string[] = ['search surname'];
const isTargeted = (p: { name: string }) => !BEYOND_THE_ISSUES.includes(p.name);

/** One line per target: met or not, with the worst page. */
export function verdict(result: BenchResult, baseline?: BenchResult): string[] {
  const measured = result.pages.filter(isMeasured).filter(answered).filter(isTargeted);
  const unanswered = result.pages.filter(isMeasured).filter(isTargeted).filter((p) => !answered(p));
  if (measured.length === 0) return ['No page was answered'];
  const worst = measured.reduce((a, b) => (b.load.p95 > a.load.p95 ? b : a));
  const met = (ok: boolean) => (ok ? 'met' : 'NOT met');
  const lines = [
    `p95 under ${P95_TARGET_MS} ms on every page (the target is set at 1,000,000 customers): ` +
      `${met(worst.load.p95 < P95_TARGET_MS && unanswered.length === 0)} (worst answered ${ms(worst.load.p95)} ms, ${worst.role} ${worst.name}` +
      `${unanswered.length > 0 ? `; no answer within autocannon's 10 s timeout: ${unanswered.map((p) => `${p.role} ${p.name}`).join(', ')}` : ''})`,
  ];
  if (baseline && baseline.customers !== result.customers) {
    const ratios = measured.flatMap((p) => {
      const before = baseline.pages.filter(isMeasured).find((b) => b.role === p.role && b.name === p.name);
      return before && answered(before) ? [{ p, ratio: p.load.p50 / before.load.p50 }] : [];
    });
    const top = ratios.reduce((a, b) => (b.ratio > a.ratio ? b : a), ratios[0]);
    if (top) {
      lines.push(
        `p50 at most ${P50_GROWTH_TARGET}x the ${baseline.customers.toLocaleString('en')}-customer run (${baseline.startedAt}): ` +
          `${met(top.ratio <= P50_GROWTH_TARGET)} (largest ${top.ratio.toFixed(2)}x, ${top.p.role} ${top.p.name})`,
      );
    }
  }
  const beyond = result.pages.filter(isMeasured).filter((p) => !isTargeted(p));
  if (beyond.length > 0) {
    const p95s = beyond.map((p) => `${p.role} ${p.name} ${answered(p) ? `${ms(p.load.p95)} ms` : 'no answer'}`);
    lines.push(`Beyond the issues' pages (not judged above), p95: ${p95s.join(', ')}`);
  }
  const failures = result.pages.filter(isMeasured).filter((p) => Object.keys(p.load.non2xx).length > 0 || p.load.errors > 0);
  if (failures.length > 0) {
    lines.push(`WARNING: non-2xx responses or errors on ${failures.map((p) => `${p.role} ${p.name}`).join(', ')}`);
  }
  for (const p of result.pages) if (!isMeasured(p)) lines.push(`SKIPPED: ${p.role} ${p.name} (${p.path}): ${p.skipped}`);
  return lines;
}

const timing = (t: Timing) =>
  t.timedOut ? 'timed out' : t.error ? `error: ${t.error.replace(/\|/g, '\\|').slice(0, 60)}` : `${ms(t.ms ?? 0)} (${t.rows.toLocaleString('en')} rows)`;

/** The seed article's reference queries beside our pages' SQL for the same question, as a Markdown table. */
export function referenceTable(comparisons: ReferenceComparison[], timeoutSeconds: number): string {
  const lines = [
    `| question | seed's query, ms | our SQL, ms | ours from | seed / ours |`,
    `| --- | --- | --- | --- | --- |`,
  ];
  for (const c of comparisons) {
    const ratio = c.ratio !== null ? `${c.ratio.toFixed(0)}x` : c.seed.timedOut ? `> ${((timeoutSeconds * 1000) / (c.ours.ms ?? 1)).toFixed(0)}x` : '—';
    lines.push(`| ${c.question} | ${timing(c.seed)} | ${timing(c.ours)} | ${c.ours.page} | ${ratio} |`);
  }
  return lines.join('\n');
}
