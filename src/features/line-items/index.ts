// Line items shared by quotes (quote_items) and contracts (contract_items).
//
// API (keep it stable: the contracts feature uses it too):
//
//   Reading a posted form (fields items[N][product_id|product_name|quantity|unit_price|discount_percent],
//   flat keys because the app parses bodies with extended: false):
//     readLineItems(db, body, { allowEmpty?, keepProductIds? }) → { rows, items, errors }
//       = parseLineItems(body, { allowEmpty? })   sync: formats, quantity > 0, discount 0–100,
//                                                 blank rows skipped, ≥ 1 item unless allowEmpty
//       + checkLineItemProducts(db, items, { keepProductIds? })
//                                                 picked product exists and is active (or is
//                                                 already on the document: keepProductIds);
//                                                 blank name / price are filled from the product
//     `rows` are the non-blank rows as typed, re-numbered 0..n-1; `errors` are keyed
//     `items[<n>][<field>]` (n = index in `rows`) plus `items` ("add at least one line");
//     `items` is filled only when `errors` is empty. Merge `errors` into the page's errors.
//     wantsMoreRows(body)  → true when the "add rows" button was pressed: show the form again
//                            (status 200, nothing saved, no errors) with lineItemsLocals(db, rows, body).
//
//   Pricing (BigInt cents, never floats; browser-sent totals are never read):
//     priceLines(items) → { lines: [{ ...item, gross, discount, net }], subtotal, discount_total, total }
//     totalsColumns(priced) → { subtotal, discount_total, total } as DECIMAL strings for the document row.
//
//   Storing, inside the document's transaction:
//     saveLineItems(trx, 'quote_items' | 'contract_items', 'quote_id' | 'contract_id', parentId, priced)
//       replaces the document's items (line_total = net).
//     loadLineItems(db, table, parentColumn, parentId) → StoredLineItem[] (DECIMAL strings "33.30",
//       plus product_code / product_active for display).
//     valuesOfStoredItems(stored) → LineItemValues[] for an edit form.
//
//   On the kernel (quotes): lineItemsPart({ table, parentColumn }) is the form part (the items partial,
//     read and priced; the totals join the document's columns) and lineItemsHook(same) the entity hook
//     that saves the priced lines in the document's transaction and records them in its audit row.
//
//   Showing the form: lineItemsLocals(db, rows, body?) → { rows, products, blankRows }; pass it as
//   `lineItems` and include 'features/line-items/views/_items' inside the <form> (it needs `errors`).
//   Showing a document: include 'features/line-items/views/_table' with { items: StoredLineItem[],
//   totals: { subtotal, discount_total, total } (DECIMAL strings), currency }.
export { LINE_ITEM_FIELDS, MAX_LINE_ITEMS, blankRowsFor, itemKey, parseLineItems, wantsMoreRows } from './line-items.parse.js';
export type { LineItem, LineItemField, LineItemValues, ParsedLineItems } from './line-items.parse.js';
export { priceLines, totalsColumns } from './line-items.pricing.js';
export type { PricedLineItem, PricedLineItems } from './line-items.pricing.js';
export { checkLineItemProducts, readLineItems } from './line-items.products.js';
export { pickerProducts, type PickerProduct } from '../products/index.js';
export { loadLineItems, saveLineItems, valuesOfStoredItems } from './line-items.repository.js';
export type { LineItemParentColumn, LineItemTable, StoredLineItem } from './line-items.repository.js';
export { lineItemsLocals } from './line-items.form.js';
export type { LineItemsLocals } from './line-items.form.js';
export { lineItemsHook, lineItemsPart } from './line-items.part.js';
export type { LineItemsOf } from './line-items.part.js';
