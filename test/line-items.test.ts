import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  blankRowsFor,
  loadLineItems,
  parseLineItems,
  priceLines,
  readLineItems,
  saveLineItems,
  totalsColumns,
  wantsMoreRows,
} from '../src/features/line-items/index.js';
import { fromCents } from '../src/shared/money.js';
import { createTestApp, type TestApp } from './support/test-app.js';

const row = (i: number, fields: Record<string, string>) =>
  Object.fromEntries(Object.entries(fields).map(([f, v]) => [`items[${i}][${f}]`, v]));

describe('parseLineItems', () => {
  it('reads flat bracketed keys in index order and skips blank rows', () => {
    const parsed = parseLineItems({
      ...row(5, { product_name: 'B', quantity: '1', unit_price: '2' }),
      ...row(0, { product_name: 'A', quantity: '3', unit_price: '33.33', discount_percent: '10' }),
      ...row(2, { product_id: '', product_name: ' ', quantity: '', unit_price: '', discount_percent: '' }),
      _csrf: 'x',
    });
    expect(parsed.errors).toEqual({});
    expect(parsed.items).toEqual([
      { product_id: null, product_name: 'A', quantity: '3', unit_price: '33.33', discount_percent: '10' },
      { product_id: null, product_name: 'B', quantity: '1', unit_price: '2', discount_percent: '0' },
    ]);
  });

  it('keys errors by the re-numbered row and keeps typed values', () => {
    const parsed = parseLineItems({
      ...row(0, { product_name: '', quantity: '', unit_price: '' , discount_percent: '' }),
      ...row(1, { product_name: 'X', quantity: '0', unit_price: '1e3', discount_percent: '101' }),
      ...row(2, { product_name: 'Y', quantity: 'abc', unit_price: '5' }),
    });
    expect(parsed.items).toEqual([]);
    expect(Object.keys(parsed.errors).sort()).toEqual([
      'items[0][discount_percent]',
      'items[0][quantity]',
      'items[0][unit_price]',
      'items[1][quantity]',
    ]);
    expect(parsed.errors['items[0][quantity]'].key).toBe('line_items.quantity_positive');
    expect(parsed.errors['items[0][discount_percent]'].key).toBe('line_items.discount_range');
    expect(parsed.rows[0].unit_price).toBe('1e3');
    expect(parsed.rows[1].quantity).toBe('abc');
  });

  it('requires a name and price unless a product is picked, and at least one line', () => {
    expect(parseLineItems({}).errors.items.key).toBe('line_items.required');
    expect(parseLineItems({}, { allowEmpty: true }).errors).toEqual({});
    const parsed = parseLineItems(row(0, { quantity: '1', product_name: '' , unit_price: '9'}));
    expect(parsed.errors['items[0][product_name]'].key).toBe('validation.required');
    expect(parseLineItems(row(0, { product_id: '7', quantity: '2' })).errors).toEqual({});
    expect(parseLineItems(row(0, { product_id: 'x', quantity: '2' })).errors['items[0][product_id]']).toBeDefined();
  });

  it('knows the "add rows" button', () => {
    expect(wantsMoreRows({ add_rows: '1' })).toBe(true);
    expect(wantsMoreRows({})).toBe(false);
    expect(blankRowsFor({}, 0)).toBe(3);
    expect(blankRowsFor({ items_blank: '3', add_rows: '1' }, 1)).toBe(8);
  });
});

describe('priceLines', () => {
  it('prices 3 × 33.33 less 10% at exactly 89.99', () => {
    const priced = priceLines(parseLineItems(row(0, { product_name: 'A', quantity: '3', unit_price: '33.33', discount_percent: '10' })).items);
    expect(fromCents(priced.lines[0].net)).toBe('89.99');
    expect(totalsColumns(priced)).toEqual({ subtotal: '99.99', discount_total: '10.00', total: '89.99' });
  });

  it('adds rounded lines: the printed lines add up to the total', () => {
    const priced = priceLines(
      parseLineItems({
        ...row(0, { product_name: 'A', quantity: '3', unit_price: '33.33', discount_percent: '10' }),
        ...row(1, { product_name: 'B', quantity: '0.5', unit_price: '0.01' }),
        ...row(2, { product_name: 'C', quantity: '7', unit_price: '0.15', discount_percent: '33.33' }),
        ...row(3, { product_name: 'D', quantity: '1', unit_price: '0.1', discount_percent: '100' }),
      }).items,
    );
    expect(priced.lines.map((l) => fromCents(l.net))).toEqual(['89.99', '0.01', '0.70', '0.00']);
    expect(totalsColumns(priced)).toEqual({ subtotal: '101.15', discount_total: '10.45', total: '90.70' });
  });
});

describe('with the database', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ customers: 2 });
  });
  afterAll(() => t.close());

  it('fills name and price from a picked product and refuses an inactive one unless kept', async () => {
    const now = '2026-11-22 00:00:00';
    const [active] = await t.db('products').insert({ name: 'Widget', code: 'W-1', list_price: '12.50', is_active: true, created_at: now, updated_at: now });
    const [inactive] = await t.db('products').insert({ name: 'Old', code: 'O-1', list_price: '1', is_active: false, created_at: now, updated_at: now });
    const ok = await readLineItems(t.db, row(0, { product_id: String(active), quantity: '2' }));
    expect(ok.errors).toEqual({});
    expect(ok.items[0]).toMatchObject({ product_id: Number(active), product_name: 'Widget', unit_price: '12.50' });
    const refused = await readLineItems(t.db, row(0, { product_id: String(inactive), quantity: '1' }));
    expect(refused.errors['items[0][product_id]'].key).toBe('line_items.product_unavailable');
    const kept = await readLineItems(t.db, row(0, { product_id: String(inactive), quantity: '1' }), { keepProductIds: [Number(inactive)] });
    expect(kept.errors).toEqual({});
  });

  it('replaces a document\'s items and reads them back as exact decimals', async () => {
    const owner = await t.userId('rep1');
    const customer = await t.db('customers').where('owner_id', owner).first('id');
    const now = '2026-11-22 00:00:00';
    const [quoteId] = await t.db('quotes').insert({
      number: 'QT-TEST-1', customer_id: customer.id, title: 'T', owner_id: owner, created_by: owner, created_at: now, updated_at: now,
    });
    const first = priceLines(parseLineItems(row(0, { product_name: 'A', quantity: '3', unit_price: '33.33', discount_percent: '10' })).items);
    await t.db.transaction((trx) => saveLineItems(trx, 'quote_items', 'quote_id', Number(quoteId), first));
    const second = priceLines(parseLineItems({
      ...row(0, { product_name: 'B', quantity: '1.5', unit_price: '10' }),
      ...row(1, { product_name: '中文 🙂', quantity: '2', unit_price: '0.3' }),
    }).items);
    await t.db.transaction((trx) => saveLineItems(trx, 'quote_items', 'quote_id', Number(quoteId), second));
    const stored = await loadLineItems(t.db, 'quote_items', 'quote_id', Number(quoteId));
    expect(stored.map((s) => [s.product_name, s.quantity, s.unit_price, s.discount_percent, s.line_total])).toEqual([
      ['B', '1.50', '10.00', '0.00', '15.00'],
      ['中文 🙂', '2.00', '0.30', '0.00', '0.60'],
    ]);
  });
});
