import type { Knex } from 'knex';
import { insertRow, likePattern } from '../../db/sql.js';
import { pageOf, type Page, type PageRequest } from '../../shared/pagination.js';
import type { DictionaryType, DictionaryValue } from '../dictionaries/dictionary.repository.js';
import type { DictionaryListQuery } from './dictionaries.schema.js';

/** A dictionary value with is_active as a boolean, whichever dialect read it. */
export type DictionaryEntry = Omit<DictionaryValue, 'is_active'> & { is_active: boolean };

const asEntry = (row: DictionaryValue): DictionaryEntry => ({ ...row, is_active: Boolean(row.is_active) });

// The admin's view of the dictionaries table: every value, deactivated ones included.
// Pickers elsewhere read only active values through features/dictionaries/dictionary.repository.ts.
export function dictionaryAdminRepository(db: Knex) {
  function filtered(filters: DictionaryListQuery): Knex.QueryBuilder {
    const query = db('dictionaries').where('type', filters.type);
    if (filters.q) {
      // A type holds a handful of values, so they match anywhere in the text.
    const pattern = likePattern(filters.q, 'contains');
      query.where((w) =>
        w
          .whereRaw("code like ? escape '!'", [pattern])
          .orWhereRaw("label_zh like ? escape '!'", [pattern])
          .orWhereRaw("label_en like ? escape '!'", [pattern]),
      );
    }
    return query;
  }

  return {
    async list(filters: DictionaryListQuery, page: PageRequest): Promise<Page<DictionaryEntry>> {
      const rows: DictionaryValue[] = await filtered(filters)
        .select('*')
        .orderBy([
          { column: filters.sort, order: filters.dir },
          { column: 'id', order: filters.dir },
        ])
        .limit(page.perPage + 1)
        .offset(page.offset);
      const counted = await filtered(filters).count({ n: '*' }).first();
      return pageOf(rows.slice(0, page.perPage).map(asEntry), page, Number(counted?.n ?? 0), rows.length > page.perPage);
    },

    async findById(id: number): Promise<DictionaryEntry | undefined> {
      const row: DictionaryValue | undefined = await db('dictionaries').where('id', id).first();
      return row ? asEntry(row) : undefined;
    },

    /** Codes are compared without case, as MySQL's collation (and so the unique index) does. */
    async codeTaken(type: DictionaryType, code: string): Promise<boolean> {
      const row = await db('dictionaries').where('type', type).whereRaw('lower(code) = ?', [code.toLowerCase()]).first('id');
      return !!row;
    },

    /** Every value of a type in picker order, for renumbering. */
    async inOrder(trx: Knex.Transaction, type: DictionaryType): Promise<DictionaryEntry[]> {
      const rows: DictionaryValue[] = await trx('dictionaries').where('type', type).orderBy([{ column: 'sort' }, { column: 'id' }]);
      return rows.map(asEntry);
    },

    async nextSort(trx: Knex.Transaction, type: DictionaryType): Promise<number> {
      const row = await trx('dictionaries').where('type', type).max({ top: 'sort' }).first();
      return Number(row?.top ?? 0) + 10;
    },

    async insert(trx: Knex.Transaction, row: Omit<DictionaryEntry, 'id'>): Promise<number> {
      return insertRow(trx, 'dictionaries', row);
    },

    async update(trx: Knex.Transaction, id: number, changes: Partial<Omit<DictionaryEntry, 'id' | 'type' | 'code'>>): Promise<void> {
      await trx('dictionaries').where('id', id).update(changes);
    },

    async remove(trx: Knex.Transaction, id: number): Promise<void> {
      await trx('dictionaries').where('id', id).delete();
    },
  };
}

export type DictionaryAdminRepository = ReturnType<typeof dictionaryAdminRepository>;
