import { mkdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openBrowserSession, type BrowserSession } from './browser.js';

// The journey as a user sees it: a rep logs in (browser asks for Chinese), switches the UI
// to English, creates a customer with a Chinese name, finds it by the start of its name, edits it
// and reads the change in the customer's history. The steps share one page and run in order.
const CUSTOMER = '澜沧江普洱茶业有限公司';

let s: BrowserSession;
let customerUrl = '';

/** Screenshots for a person reading a failed CI run; test-results/ is git-ignored. */
async function snap(name: string): Promise<void> {
  mkdirSync('test-results', { recursive: true });
  await s.page.screenshot({ path: `test-results/customer-journey-${name}.png`, fullPage: true });
}

beforeAll(async () => {
  s = await openBrowserSession({ locale: 'zh-CN' });
});
afterAll(async () => {
  await s?.close();
});

describe('customer journey in a browser', () => {
  it('rep1 logs in on the Chinese login page and reaches the customer list asked for', async () => {
    const { page } = s;
    await page.goto('/customers');
    expect(new URL(page.url()).pathname).toBe('/login');
    expect(await page.locator('h1').textContent()).toBe('销售 CRM');
    await snap('1-login');
    await page.getByLabel('用户名').fill('rep1');
    await page.getByLabel('密码').fill('demo1234');
    await page.getByRole('button', { name: '登录' }).click();
    await page.waitForURL((url) => url.pathname === '/customers');
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('客户');
    expect(await page.locator('[data-test=current-user]').textContent()).toBe('李明');
  });

  it('switches the UI to English from the navigation bar', async () => {
    const { page } = s;
    await page.getByRole('button', { name: 'English' }).click();
    await page.getByRole('button', { name: '中文' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/customers');
    expect(await page.locator('html').getAttribute('lang')).toBe('en');
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Customers');
    expect(await page.getByRole('link', { name: 'Customers', exact: true }).isVisible()).toBe(true);
    expect(await page.getByRole('button', { name: 'Log out' }).isVisible()).toBe(true);
    // The choice is kept on rep1's profile, not only in this browser.
    const rep1 = await s.test.db('users').where({ username: 'rep1' }).first('locale');
    expect(rep1.locale).toBe('en');
  });

  it('creates a customer with a Chinese name', async () => {
    const { page } = s;
    await page.getByRole('link', { name: 'New customer' }).click();
    await page.waitForURL((url) => url.pathname === '/customers/new');
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('New customer');
    await page.getByLabel('Name *').fill(CUSTOMER);
    await page.getByLabel('Phone').fill('0871-6543 2100');
    await page.getByLabel('Status *').selectOption({ label: 'New' });
    await snap('2-new-customer-form');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.waitForURL(/\/customers\/\d+$/);
    customerUrl = new URL(page.url()).pathname;
    expect(await page.locator('[data-test=flash]').innerText()).toContain(`Customer "${CUSTOMER}" created.`);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe(CUSTOMER);
    expect(await page.locator('[data-test=field-phone]').textContent()).toBe('0871-6543 2100');
    expect(await page.locator('[data-test=field-owner_id]').textContent()).toBe('李明');
  });

  it('finds the customer by the start of its name in the search box', async () => {
    const { page } = s;
    await page.getByRole('link', { name: 'Customers', exact: true }).click();
    await page.waitForURL((url) => url.pathname === '/customers');
    await page.getByRole('searchbox', { name: 'Search' }).fill('澜沧江');
    await page.getByRole('searchbox', { name: 'Search' }).press('Enter');
    await page.waitForURL((url) => url.searchParams.get('q') === '澜沧江');
    const rows = page.locator('[data-test=customers-table] tbody tr');
    expect(await rows.count()).toBe(1);
    expect(await rows.first().getByRole('link').textContent()).toBe(CUSTOMER);
    expect(await page.locator('[data-test=total]').innerText()).toBe('1 in all');
    await snap('3-search');
    await rows.first().getByRole('link', { name: CUSTOMER }).click();
    await page.waitForURL((url) => url.pathname === customerUrl);
  });

  it('edits the customer and sees the change in its history', async () => {
    const { page } = s;
    await page.getByRole('link', { name: 'Edit' }).click();
    await page.waitForURL((url) => url.pathname === `${customerUrl}/edit`);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Edit customer');
    expect(await page.getByLabel('Name *').inputValue()).toBe(CUSTOMER);
    await page.getByLabel('Phone').fill('0871-6543 2199');
    await page.getByLabel('Status *').selectOption({ label: 'Contacted' });
    await page.getByRole('button', { name: 'Save' }).click();
    await page.waitForURL((url) => url.pathname === customerUrl);
    expect(await page.locator('[data-test=flash]').innerText()).toContain(`Customer "${CUSTOMER}" saved.`);
    expect(await page.locator('[data-test=field-phone]').textContent()).toBe('0871-6543 2199');
    expect(await page.locator('[data-test=field-status]').textContent()).toBe('Contacted');

    const entries = page.locator('[data-test=history] > li');
    expect(await entries.count()).toBe(2);
    const latest = entries.first();
    expect(await latest.innerText()).toContain('李明 changed the record');
    const changes = await latest.locator('.history-change').allInnerTexts();
    expect(changes).toEqual(expect.arrayContaining(['Phone: 0871-6543 2100 → 0871-6543 2199', 'Status: New → Contacted']));
    expect(changes).toHaveLength(2);
    expect(await entries.nth(1).innerText()).toContain('李明 created the record');
    await snap('4-history');
  });

  it('the browser saw no CSP violation, script error or failed request on the way', () => {
    expect(s.problems).toEqual([]);
  });

  it('a CSP violation would have been noticed (the watcher is live)', async () => {
    const { page } = s;
    const before = s.problems.length;
    await page.evaluate(() => {
      const script = document.createElement('script');
      script.textContent = 'window.__inline = true';
      document.body.append(script);
    });
    await expect.poll(() => s.problems.slice(before).join('\n')).toMatch(/Content Security Policy/);
    expect(await page.evaluate(() => (window as unknown as { __inline?: boolean }).__inline)).toBeUndefined();
  });
});
