import { mkdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertCustomer } from '../support/records.js';
import { openBrowserSession, type BrowserSession } from './browser.js';

// A rep plans a visit in Chinese, from finding the customer to marking the visit done, and reads the
// visit on the customer's timeline: every page here is the kernel's (no view of visits' own).
const CUSTOMER = '苍山洱海旅游有限公司';

let s: BrowserSession;

async function snap(name: string): Promise<void> {
  mkdirSync('test-results', { recursive: true });
  await s.page.screenshot({ path: `test-results/visit-journey-${name}.png`, fullPage: true });
}

beforeAll(async () => {
  s = await openBrowserSession({ locale: 'zh-CN' });
  await insertCustomer(s.test, 'rep1', CUSTOMER);
});
afterAll(async () => {
  await s?.close();
});

describe('visit plan journey in a browser', () => {
  it('rep1 plans a visit: finds the customer, fills the form, sees it saved', async () => {
    const { page } = s;
    await page.goto('/visits');
    await page.getByLabel('用户名').fill('rep1');
    await page.getByLabel('密码').fill('demo1234');
    await page.getByRole('button', { name: '登录' }).click();
    await page.waitForURL((url) => url.pathname === '/visits');
    await page.getByRole('link', { name: '新建拜访' }).click();
    await page.getByRole('searchbox').fill('苍山');
    await page.getByRole('button', { name: '搜索' }).click();
    await page.getByRole('link', { name: CUSTOMER }).click();
    await page.getByLabel('拜访目的').fill('年度合作回顾');
    await page.getByLabel('计划时间').fill('2026-12-20T10:30');
    await page.getByLabel('地址').fill('大理市下关镇');
    await snap('1-form');
    await page.getByRole('button', { name: '保存' }).click();
    await page.locator('[data-test=flash]').waitFor();
    expect(await page.locator('[data-test=record-title]').textContent()).toContain('年度合作回顾');
    expect(await page.locator('[data-test=field-status]').textContent()).toBe('计划中');
    expect(await page.locator('[data-test=field-owner_id]').textContent()).toBe('李明');
    await snap('2-show');
  });

  it('marks it done with a summary, and the visit shows on the customer\'s timeline', async () => {
    const { page } = s;
    await page.getByRole('link', { name: '编辑' }).click();
    await page.getByLabel('状态').selectOption('done');
    await page.getByRole('button', { name: '保存' }).click();
    expect(await page.locator('[data-test=error-summary]').textContent()).toContain('拜访总结');
    await page.getByLabel('拜访总结').fill('对方同意明年续约，需要报价。');
    await page.getByRole('button', { name: '保存' }).click();
    await page.locator('[data-test=flash]').waitFor();
    expect(await page.locator('[data-test=field-status]').textContent()).toBe('已完成');
    await page.getByRole('link', { name: CUSTOMER }).click();
    expect(await page.locator('body').textContent()).toContain('对方同意明年续约，需要报价。');
    await page.goto('/visits');
    await snap('3-list');
    expect(await page.locator('[data-test=visits-table]').textContent()).toContain('年度合作回顾');
    // The one 422 is the save without a summary, asked for above.
    expect(s.problems.filter((p) => !p.includes('422'))).toEqual([]);
  });
});
