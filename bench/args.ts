// The command line of `npm run bench`: `npm run bench -- 1000000` or `--customers N`, plus `--url` and `--duration`.
export type BenchArgs = {
  customers: number;
  url: string;
  /** Seconds each page is driven for (after a short warm-up that is not measured). */
  duration: number;
  connections: number;
};

export const DEFAULT_URL = 'mysql://root@127.0.0.1:3306/crm_bench';

/** For the bench's small tools: takes `--name value` out of `args` and returns the value (undefined when absent). */
export function takeOption(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i < 0 ? undefined : args.splice(i, 2)[1];
}

const usage = `Usage: npm run bench -- <customers> [--url mysql://user@host:port/db_bench] [--duration seconds]
       npm run bench -- --customers 1000000`;

function positiveInteger(name: string, value: string | undefined): number {
  const n = Number(value?.replace(/[_,]/g, ''));
  if (!Number.isSafeInteger(n) || n < 1) {
    throw new Error(`${name} must be a positive whole number, got "${value ?? ''}"\n${usage}`);
  }
  return n;
}

export function parseArgs(argv: string[]): BenchArgs {
  const args: BenchArgs = { customers: 10_000, url: DEFAULT_URL, duration: 10, connections: 16 };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [flag, inline] = arg.startsWith('--') ? arg.split('=', 2) : [arg, undefined];
    const value = () => inline ?? argv[++i];
    if (flag === '--customers') args.customers = positiveInteger('--customers', value());
    else if (flag === '--url') args.url = value() ?? '';
    else if (flag === '--duration') args.duration = positiveInteger('--duration', value());
    else if (flag === '--help' || flag === '-h') throw new Error(usage);
    else if (!flag.startsWith('-')) args.customers = positiveInteger('customers', flag);
    else throw new Error(`Unknown argument "${arg}"\n${usage}`);
  }
  if (!args.url.startsWith('mysql://')) {
    throw new Error(`--url must be a mysql:// URL; the benchmark measures MySQL/MariaDB\n${usage}`);
  }
  // The benchmark empties the database it is given, so it only touches one that says it is for benchmarks.
  const name = decodeURIComponent(new URL(args.url).pathname.slice(1));
  if (!/bench/i.test(name)) {
    throw new Error(`Refusing to use "${name}": the benchmark empties and refills its database, so its name must contain "bench"`);
  }
  return args;
}
