import type { Knex } from 'knex';
import { insertRow, likePattern } from '../../db/sql.js';
import { pageOf, type Page, type PageRequest } from '../../shared/pagination.js';
import { updateIfVersion } from '../../shared/version.js';
import type { DictionaryType, DictionaryValue } from '../dictionaries/dictionary.repository.js';
import type { DictionaryListQuery } from './dictionaries.schema.js';

/** A dictionary value with is_active as a boolean, whichever dialect read it, and the version its edit form carries. */
export type DictionaryEntry = Omit<DictionaryValue, 'is_active'> & { is_active: boolean; version: number };

type StoredValue = DictionaryValue & { version: number | string };

const asEntry = (row: StoredValue): DictionaryEntry => ({ ...row, is_active: Boolean(row.is_active), version: Number(row.version) });

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
      const rows: StoredValue[] = await filtered(filters)
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
      const row: StoredValue | undefined = await db('dictionaries').where('id', id).first();
      return row ? asEntry(row) : undefined;
    },

    /** Codes are compared without case, as MySQL's collation (and so the unique index) does. */
    async codeTaken(type: DictionaryType, code: string): Promise<boolean> {
      const row = await db('dictionaries').where('type', type).whereRaw('lower(code) = ?', [code.toLowerCase()]).first('id');
      return !!row;
    },

    /** Every value of a type in picker order, for renumbering. */
    async inOrder(trx: Knex.Transaction, type: DictionaryType): Promise<DictionaryEntry[]> {
      const rows: StoredValue[] = await trx('dictionaries').where('type', type).orderBy([{ column: 'sort' }, { column: 'id' }]);
      return rows.map(asEntry);
    },

    async nextSort(trx: Knex.Transaction, type: DictionaryType): Promise<number> {
      const row = await trx('dictionaries').where('type', type).max({ top: 'sort' }).first();
      return Number(row?.top ?? 0) + 10;
    },

    async insert(trx: Knex.Transaction, row: Omit<DictionaryEntry, 'id' | 'version'>): Promise<number> {
      return insertRow(trx, 'dictionaries', row);
    },

    /** Writes only if the version still matches, counting it up; 0 means someone else saved first. */
    updateIfVersion(
      trx: Knex.Transaction,
      id: number,
      version: number,
      changes: Partial<Omit<DictionaryEntry, 'id' | 'type' | 'code' | 'version'>>,
    ): Promise<number> {
      return updateIfVersion(trx, 'dictionaries', id, version, changes);
    },

    async remove(trx: Knex.Transaction, id: number): Promise<void> {
      await trx('dictionaries').where('id', id).delete();
    },
  };
}

export type DictionaryAdminRepository = ReturnType<typeof dictionaryAdminRepository>;
