import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fromRoot } from '../src/paths.js';

// The real entry point as `npm start` runs it (here through tsx, without the build step): it must
// migrate and seed an empty database, print the URL and demo accounts, serve, and stop cleanly.
const file = path.join(os.tmpdir(), `crm-server-${process.pid}.sqlite`);
const port = 20000 + (process.pid % 20000);
const tsx = fromRoot('node_modules', '.bin', 'tsx');

afterAll(() => {
  for (const suffix of ['', '-wal', '-shm']) rmSync(file + suffix, { force: true });
});

describe('the server process', () => {
  it('starts on an empty database with demo data, serves the login page and shuts down on SIGTERM', async () => {
    const child = spawn(tsx, [fromRoot('src', 'server.ts')], {
      env: { ...process.env, DATABASE_URL: `sqlite:${file}`, PORT: String(port), LOG_LEVEL: 'warn', NODE_ENV: 'development' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));

    const deadline = Date.now() + 60_000;
    while (!output.includes('Demo accounts') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    expect(output).toContain(`http://localhost:${port}`);
    expect(output).toMatch(/Demo accounts \(password demo1234\): admin \(admin\), manager1 \(manager\), rep1 \(rep\)/);

    const res = await fetch(`http://127.0.0.1:${port}/login`);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('name="username"');

    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  }, 90_000);

  it('refuses to start with a bad setting and says which', async () => {
    const child = spawn(tsx, [fromRoot('src', 'server.ts')], {
      env: { ...process.env, PORT: 'not-a-port', DATABASE_URL: `sqlite:${file}` },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stderr.on('data', (chunk) => (output += chunk));
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    expect(code).toBe(1);
    expect(output).toContain('PORT');
  }, 60_000);
});
