import { defineEntity } from '../../kernel/entity/define-entity.js';
import { boolean, enumOf, integer, text } from '../../kernel/entity/fields.js';
import { DICTIONARY_TYPES, type DictionaryType } from '../dictionaries/dictionary.repository.js';
import { isInUse } from './dictionaries.usage.js';

// A value of an admin-kept dictionary (customer source, industry, ...), one tab per dictionary, in
// the order pickers offer them. Records store the code, so it is fixed once the value exists, and a
// value some record stores is deactivated rather than deleted.
export const dictionaries = defineEntity({
  name: 'dictionary',
  plural: 'admin.dictionaries',
  table: 'dictionaries',
  fields: {
    type: enumOf(DICTIONARY_TYPES, 'admin.dictionaries.type', { width: 6, createOnly: true }),
    code: text(40, { required: true, pattern: /^[A-Za-z0-9_-]+$/, width: 6, createOnly: true }),
    label_zh: text(100, { required: true, lang: 'zh-CN' }),
    label_en: text(100, { required: true, lang: 'en' }),
    sort: integer(0, 999_999),
    is_active: boolean({ width: 9, auditAsBoolean: true }),
  },
  titleColumn: 'label_zh',
  titleColumnFor: (locale) => (locale === 'en' ? 'label_en' : 'label_zh'),
  scope: { kind: 'global' },
  softDelete: false,
  timestamps: false,
  referenceData: true,
  ordered: { column: 'sort', within: 'type' },
  activeColumn: 'is_active',
  permissions: { view: 'admin.dictionaries', create: 'admin.dictionaries', edit: 'admin.dictionaries', delete: 'admin.dictionaries' },
  uniques: [
    { key: { table: 'dictionaries', columns: ['type', 'code'] }, field: 'code', messageKey: 'admin.dictionaries.code_taken', ignoreCase: true },
  ],
  // Deleted records count too: they can be restored, and should still show a label.
  inUse: async (db, row) => ((await isInUse(db, row.type as DictionaryType, String(row.code))) ? 'admin.dictionaries.in_use' : null),
  defaults: () => ({ is_active: '1' }),
  // A dictionary holds a handful of values, so they match anywhere in the code or either label.
  search: () => ({ column: ['code', 'label_zh', 'label_en'], match: 'contains' }),
  list: {
    columns: ['sort', 'code', 'label_zh', 'label_en', 'is_active'],
    sorts: { sort: 'dictionaries.sort', code: 'dictionaries.code', label_zh: 'dictionaries.label_zh', label_en: 'dictionaries.label_en' },
    defaultSort: 'sort',
    defaultDir: 'asc',
    filters: { type: { kind: 'enum', column: 'dictionaries.type', values: DICTIONARY_TYPES, labelPrefix: 'admin.dictionaries.type', default: DICTIONARY_TYPES[0] } },
    rowTest: (row) => `value-${row.code}`,
  },
});
