import type { Request, Response } from 'express';
import type { Knex } from 'knex';
import { actorOf } from '../../authz/guards.js';
import { hasPermission } from '../../authz/actor.js';
import { renderPage } from '../../shared/render.js';
import { assignableUsers } from '../../authz/data-scope.js';
import { dictionaryRows } from '../entity/lookups.js';
import { titleOf, type AnyEntity } from '../entity/define-entity.js';
import { dateTime, type Field } from '../entity/fields.js';
import { noLookups, want } from '../entity/lookups.js';
import { viewContext } from '../entity/view-context.js';
import { listRecords, parseListQuery } from '../data/list-query.js';
import { resolveScope } from '../data/scope.js';
import { entityNamed } from '../entity/registry.js';
import type { Cell, Column, FilterSpec } from './grid-spec.js';
import { admits, hasRoute, url } from './routes.js';

// The data grid: the entity's declared columns as cells (text and a link), sort headers from its
// whitelist, its filters and search box, the capped total and the pager. Cells are built here as
// plain values (the view escapes them), never an include per cell. Records kept in an admin's
// order and retired rather than deleted get their group as tabs, a badge and row buttons.

/** Another render of the list: after a refused row action, with the rule's messages. */
export type ListRender = { status?: number; problems?: string[] };
const ROW_ACTIONS = ['edit', 'delete.confirm', 'move', 'activate', 'deactivate'];
type ColumnOf = Required<Pick<Column, 'key'>> & { label: string; field?: Field; sort?: string; cell?: Column['cell'] };

// Every table has these two; a list may show them without declaring them as fields.
const STAMP = dateTime({ editable: false });
const stamps: Record<string, { field: Field; labelKey: string }> = {
  created_at: { field: STAMP, labelKey: 'form.created_at' },
  updated_at: { field: STAMP, labelKey: 'form.updated_at' },
};

function columnsOf(e: AnyEntity, req: Request): ColumnOf[] {
  const columns = e.list!.columns.map((col) => {
    const c: Column = typeof col === 'string' ? { key: col, labelKey: e.fields[col] ? undefined : stamps[col]?.labelKey } : col;
    const field = c.field ?? e.fields[c.key] ?? stamps[c.key]?.field;
    if (!field && !c.cell) throw new Error(`${e.name}: list column ${c.key} has no field`);
    const sort = c.sort ?? (c.key in e.list!.sorts ? c.key : undefined);
    return { key: c.key, label: req.t(c.labelKey ?? e.labelKey(c.key)), field, sort, cell: c.cell };
  });
  return columns.filter((c) => !c.field?.readPermission || hasPermission(req.user, c.field.readPermission));
}

/** The list's filter controls with their options, in the reader's language; team-only ones for a team. */
async function filterControls(db: Knex, e: AnyEntity, req: Request, hasTeam: boolean) {
  const offered = (spec: FilterSpec) =>
    spec.kind === 'owner' && spec.permission ? hasPermission(req.user, spec.permission) : hasTeam || (spec.kind !== 'mine' && spec.kind !== 'owner');
  const specs = Object.entries(e.list!.filters ?? {}).filter(([, spec]) => offered(spec));
  const dictionaries = specs.some(([, spec]) => spec.kind === 'dict') ? await dictionaryRows(db) : [];
  const owners = specs.some(([, spec]) => spec.kind === 'owner') ? await assignableUsers(db, actorOf(req)) : [];
  return Promise.all(specs.map(async ([name, spec]) => {
    const options =
      spec.kind === 'enum'
        ? spec.values.map((v) => ({ value: v, label: req.t(`${spec.labelPrefix}.${v}`) }))
        : spec.kind === 'dict'
          ? dictionaries.filter((d) => d.type === spec.dictType && Boolean(d.is_active)).map((d) => ({ value: d.code, label: req.locale === 'en' ? d.label_en : d.label_zh }))
          : spec.kind === 'owner'
            ? owners.map((u) => ({ value: String(u.id), label: u.display_name }))
            : spec.kind === 'boolean'
              ? [{ value: 'yes', label: req.t('common.yes') }, { value: 'no', label: req.t('common.no') }]
              : spec.kind === 'ref'
                ? await spec.options(db, req.locale)
                : spec.kind === 'conditions'
                  ? Object.keys(spec.conditions).map((v) => ({ value: v, label: req.t(`${spec.labelPrefix}.${v}`) }))
                  : [];
    return { name, kind: spec.kind === 'dayRange' || spec.kind === 'mine' ? spec.kind : 'enum', label: req.t(`${e.plural}.filter.${name}`), options };
  }));
}

// An entity on the kernel's routes without a show page has nothing to link to; one still on its
// own routes keeps /<plural>/:id.
const showUrlOf = (plural: string, id: number) =>
  hasRoute(`${plural}.show`) ? url(`${plural}.show`, { id }) : hasRoute(`${plural}.index`) ? undefined : `/${plural}/${id}`;

/** A record's own page: its show page, else its edit form where it has no other. */
const recordUrlOf = (plural: string, id: number) => (!hasRoute(`${plural}.show`) && hasRoute(`${plural}.edit`) ? url(`${plural}.edit`, { id }) : url(`${plural}.show`, { id }));

/** A referenced record is linked only where the reader may open it (a role or a department has no page). */
const mayOpen = (req: Request, e: AnyEntity) => !!e.permissions.view && hasPermission(actorOf(req), e.permissions.view);

/** A translation that exists, or nothing: optional texts (a list's hint) are found by their key. */
export const optionalText = (req: Request, key: string) => (req.t(key) === key ? undefined : req.t(key));

export async function recordList(db: Knex, e: AnyEntity, req: Request, res: Response, canSeeDeleted: boolean, again: ListRender = {}): Promise<void> {
  const actor = actorOf(req);
  const grid = e.list!;
  const lq = parseListQuery(grid, req.query as Record<string, unknown>, canSeeDeleted);
  const [pageData, scope] = await Promise.all([listRecords({ db, actor }, e, lq), resolveScope(db, actor)]);
  const columns = columnsOf(e, req);
  const wanted = noLookups();
  for (const row of pageData.rows) for (const col of columns) if (col.field) want(wanted, col.field, row[col.key]);
  const c = await viewContext(db, req, res, wanted);
  // Row buttons where the list is the records' only page; a show page carries them otherwise.
  const rowActions = hasRoute(`${e.plural}.show`) ? [] : ROW_ACTIONS.filter((a) => admits(`${e.plural}.${a}`, actor));
  const activeOf = (row: Record<string, unknown>) => (e.activeColumn ? Boolean(Number(row[e.activeColumn])) : true);
  const rows = pageData.rows.map((row) => ({
    id: row.id,
    title: titleOf(e, row, req.locale),
    test: grid.rowTest?.(row),
    active: activeOf(row),
    links: Object.fromEntries(rowActions.map((a) => [a, url(`${e.plural}.${a}`, { id: row.id })])),
    cells: columns.map((col): Cell => {
      if (col.cell) return col.cell(row, c);
      const value = row[col.key];
      const text = col.field!.display(value, c);
      if (col.key === e.activeColumn) {
        const active = activeOf(row);
        return { text: optionalText(req, `${e.plural}.${active ? 'active' : 'inactive'}`) ?? text, badge: active ? 'success' : 'secondary', test: active ? undefined : 'inactive' };
      }
      if (col.key === e.titleColumn && (hasRoute(`${e.plural}.show`) || hasRoute(`${e.plural}.edit`))) return { text, href: recordUrlOf(e.plural, row.id) };
      const ref = col.field!.kind === 'ref' && value ? entityNamed(col.field!.refEntity!) : undefined;
      if (ref && mayOpen(req, ref)) return { text, href: showUrlOf(ref.plural, Number(value)) };
      return { text };
    }),
  }));
  const within = e.ordered?.within;
  const filters = await filterControls(db, e, req, scope.hasTeam);
  // An ordered entity's group is a tab, not a filter of the search form; "new" starts in it.
  const tabs = filters.find((f) => f.name === within);
  const group = within && lq.filters[within] ? { [within]: lq.filters[within] } : {};
  const orderColumn = e.ordered && `${e.table}.${e.ordered.column}`;
  await renderPage(res, 'kernel/index', {
    title: req.t(`${e.plural}.title`),
    plural: e.plural,
    columns,
    rows,
    pageData,
    listQuery: lq,
    filters: filters.filter((f) => f !== tabs),
    tabs,
    searchable: !!e.search,
    hint: optionalText(req, `${e.plural}.hint`),
    problems: again.problems ?? [],
    // Up and down buttons only where the list shows the order pickers use: by position, unsearched.
    movable: !!orderColumn && grid.sorts[lq.sort] === orderColumn && lq.dir === 'asc' && !lq.q,
    // The sort header partial reads `filters.sort` and `filters.dir`.
    sortState: { sort: lq.sort, dir: lq.dir },
    indexUrl: url(`${e.plural}.index`),
    newUrl: e.permissions.create && hasPermission(actor, e.permissions.create) && hasRoute(`${e.plural}.new`) ? url(`${e.plural}.new`, {}, group) : null,
    links: (grid.links ?? []).filter((l) => admits(l.route, actor)).map((l) => ({ href: url(l.route), label: req.t(l.labelKey) })),
    tableTest: grid.tableTest ?? `${e.plural}-table`,
    canSeeDeleted,
    // Shown again after a refused row action: sort and page links lead to the list, not to the action.
    ...(req.method === 'GET' ? {} : { urlWith: (query: Record<string, string | number | undefined>) => url(`${e.plural}.index`, {}, query) }),
  }, again.status);
}
