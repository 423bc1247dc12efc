import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fromRoot } from '../src/paths.js';

// The real entry point as `npm start` runs it (here through tsx, without the build step): it must
// migrate and seed an empty database, print the URL and demo accounts, serve, and stop cleanly.
const file = path.join(os.tmpdir(), `crm-server-${process.pid}.sqlite`);
const tsx = fromRoot('node_modules', '.bin', 'tsx');

afterAll(() => {
  for (const suffix of ['', '-wal', '-shm']) rmSync(file + suffix, { force: true });
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

type Server = { child: ChildProcess; port: number; output: () => string; exited: Promise<number | null> };

async function startServer(env: Record<string, string> = {}): Promise<Server> {
  const port = await freePort();
  // node runs the server itself, tsx only as its loader: the tsx command would stand between the
  // signal and the server (and kills a child that is slow to acknowledge a relayed signal).
  const child = spawn(process.execPath, ['--import', 'tsx', fromRoot('src', 'server.ts')], {
    env: { ...process.env, DATABASE_URL: `sqlite:${file}`, PORT: String(port), LOG_LEVEL: 'warn', NODE_ENV: 'development', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk) => (output += chunk));
  child.stderr?.on('data', (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const deadline = Date.now() + 60_000;
  while (!output.includes('Demo accounts') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  return { child, port, output: () => output, exited };
}

describe('the server process', () => {
  it('starts on an empty database with demo data, serves the login page and shuts down on SIGTERM', async () => {
    const server = await startServer();
    expect(server.output()).toContain(`http://localhost:${server.port}`);
    expect(server.output()).toMatch(/Demo accounts \(password demo1234\): admin \(admin\), manager1 \(manager\), rep1 \(rep\)/);

    const res = await fetch(`http://127.0.0.1:${server.port}/login`);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('name="username"');

    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
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

  it('answers every request on a connection opened before SIGTERM, says not ready first, and exits 0', async () => {
    // 24 bcrypt comparisons can take many seconds on a busy machine: the deadline must not cut them.
    const server = await startServer({ SHUTDOWN_GRACE_MS: '500', SHUTDOWN_TIMEOUT_MS: '100000' });
    expect(server.output()).toContain('Demo accounts');
    const users = ['admin', 'manager1', 'rep1', 'rep2', 'manager2', 'rep3'];
    const clients = Array.from({ length: 24 }, (_, i) => new KeepAliveClient(server.port, users[i % users.length]));
    await Promise.all(clients.map((c) => c.openLoginForm()));

    // Half of them log in at once; SIGTERM comes as soon as those logins have left. The other half
    // send theirs right after on their open keep-alive connections, as a pooling client would.
    const early = clients.slice(0, 12);
    const late = clients.slice(12);
    const browsing = early.map((c) => c.logInAndBrowse());
    await Promise.all(early.map((c) => c.loginSent));
    const sigtermAt = performance.now();
    server.child.kill('SIGTERM');
    browsing.push(...late.map((c) => c.logInAndBrowse()));

    // A load balancer polls readiness on new connections: not ready during the grace, then gone.
    const readiness: Array<number | string> = [];
    const pollUntil = performance.now() + 300;
    while (performance.now() < pollUntil) {
      readiness.push(await probe(server.port, '/readyz'));
      await new Promise((r) => setTimeout(r, 20));
    }
    await Promise.all(browsing);
    const code = await server.exited;

    const requests = clients.flatMap((c) => c.requests);
    const unanswered = requests.filter((r) => r.outcome !== 'answered').map((r) => `${r.label}: ${r.outcome}`);
    expect(requests.filter((r) => r.sentAt < sigtermAt).length).toBeGreaterThanOrEqual(36);
    expect(unanswered).toEqual([]);
    // A login got in, or was turned away at once, whole: bcrypt busy (503) or past the address's limit (429).
    expect(clients.filter((c) => ![303, 429, 503].includes(c.loginStatus ?? 0)).map((c) => `${c.username}: ${c.loginStatus}`)).toEqual([]);
    expect(clients.filter((c) => c.loginStatus === 303).length).toBeGreaterThanOrEqual(2);
    // Every connection was told to close rather than cut.
    expect(clients.filter((c) => !c.closedByServer).map((c) => c.username)).toEqual([]);
    expect(readiness).toContain(503);
    expect(readiness.filter((status) => status !== 503 && status !== 'ECONNREFUSED')).toEqual([]);
    expect(code).toBe(0);
  }, 180_000);
});

/** One request on a new connection: its status, or the error's code. */
function probe(port: number, urlPath: string): Promise<number | string> {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: urlPath, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
  });
}

type Sent = { label: string; sentAt: number; outcome: 'pending' | 'answered' | string };

/**
 * A browser on one keep-alive connection: opens the login form, logs in, then opens pages one after
 * another until the server answers `Connection: close`. Every request is recorded with its fate.
 */
class KeepAliveClient {
  readonly requests: Sent[] = [];
  loginStatus: number | undefined;
  closedByServer = false;
  /** Settles once the login request has been handed to the network. */
  readonly loginSent: Promise<void>;
  private loginWasSent = () => {};
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  /** The session's and the CSRF token's cookies, by name. */
  private readonly cookies = new Map<string, string>();
  private csrf = '';

  constructor(
    private readonly port: number,
    readonly username: string,
  ) {
    this.loginSent = new Promise((resolve) => (this.loginWasSent = resolve));
  }

  async openLoginForm(): Promise<void> {
    const page = await this.send('GET', '/login');
    if (page.status !== 200) throw new Error(`GET /login answered ${page.status}`);
    this.csrf = /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1] ?? '';
    if (page.close) throw new Error('The server closed the connection before the shutdown');
  }

  async logInAndBrowse(): Promise<void> {
    const body = new URLSearchParams({ _csrf: this.csrf, username: this.username, password: 'demo1234' }).toString();
    let res = await this.send('POST', '/login', body, this.loginWasSent).catch(() => null);
    this.loginStatus = res?.status === 303 && res.location !== '/' ? -303 : res?.status;
    const pages = ['/', '/customers', '/customers?q=a'];
    for (let i = 0; res && !res.close && i < 200; i++) {
      res = await this.send('GET', pages[i % pages.length]).catch(() => null);
    }
    this.closedByServer = res?.close ?? false;
    this.agent.destroy();
  }

  private send(method: string, urlPath: string, body?: string, onSent?: () => void): Promise<Answer> {
    const sent: Sent = { label: `${this.username} ${method} ${urlPath}`, sentAt: Infinity, outcome: 'pending' };
    this.requests.push(sent);
    return new Promise((resolve, reject) => {
      const headers: Record<string, string> = { cookie: [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ') };
      if (body) {
        headers['content-type'] = 'application/x-www-form-urlencoded';
        headers['content-length'] = String(Buffer.byteLength(body));
      }
      const fail = (err: NodeJS.ErrnoException) => {
        if (sent.outcome === 'pending') sent.outcome = err.code ?? err.message;
        reject(err);
      };
      const req = http.request({ host: '127.0.0.1', port: this.port, method, path: urlPath, headers, agent: this.agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('aborted', () => fail(new Error('response aborted')));
        res.on('end', () => {
          if (!res.complete) return fail(new Error('response cut short'));
          sent.outcome = 'answered';
          for (const cookie of res.headers['set-cookie'] ?? []) {
            const [pair] = cookie.split(';');
            const at = pair.indexOf('=');
            this.cookies.set(pair.slice(0, at), pair.slice(at + 1));
          }
          resolve({
            status: res.statusCode ?? 0,
            location: res.headers.location,
            body: Buffer.concat(chunks).toString(),
            close: res.headers.connection === 'close',
          });
        });
      });
      req.on('error', fail);
      req.on('finish', () => {
        sent.sentAt = performance.now();
        onSent?.();
      });
      req.end(body);
    });
  }
}

type Answer = { status: number; location?: string; body: string; close: boolean };
