import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium, type Page } from 'playwright-core';
import { createTestApp, type TestApp } from '../support/test-app.js';

// Debian's chromium package; playwright-core never downloads a browser of its own.
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
];

export type BrowserSession = {
  test: TestApp;
  baseUrl: string;
  page: Page;
  /** Console errors and warnings (CSP violations arrive as console errors), uncaught page errors, failed requests. */
  problems: string[];
  close: () => Promise<void>;
};

/** The real app on a free port of 127.0.0.1 with a fresh database, and a browser page pointed at it. */
export async function openBrowserSession(options: { locale: string }): Promise<BrowserSession> {
  const test = await createTestApp();
  const server: Server = await new Promise((resolve, reject) => {
    const s = test.app.listen(0, '127.0.0.1', () => resolve(s));
    s.once('error', reject);
  });
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  // launch() gives the browser a throw-away profile, so no state leaks between runs.
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  const context = await browser.newContext({ locale: options.locale, baseURL: baseUrl, viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();

  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') {
      problems.push(`console ${message.type()}: ${message.text()} (${message.location().url})`);
    }
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('requestfailed', (request) => problems.push(`request failed: ${request.url()} ${request.failure()?.errorText ?? ''}`));
  page.on('response', (response) => {
    if (response.status() >= 400) problems.push(`HTTP ${response.status()}: ${response.url()}`);
  });

  return {
    test,
    baseUrl,
    page,
    problems,
    close: async () => {
      await browser.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await test.close();
    },
  };
}
