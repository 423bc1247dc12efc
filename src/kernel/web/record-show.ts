import type { Request, Response } from 'express';
import type { Knex } from 'knex';
import { renderPage } from '../../shared/render.js';
import { titleOf, type AnyEntity, type Row } from '../entity/define-entity.js';
import { noLookups, wantRows } from '../entity/lookups.js';
import { entityNamed } from '../entity/registry.js';
import { viewContext } from '../entity/view-context.js';
import { auditEntriesOf, describeHistory, wantHistory } from '../data/history.js';
import { parentOf } from '../data/scope.js';
import { hasRoute, url } from './routes.js';

// A record's page: its fields in the reader's words (a referenced record linked), its parent and
// its history. Also the page an action refused on the record answers with (a status and a notice).

export const showUrl = (e: AnyEntity, id: number) => (hasRoute(`${e.plural}.show`) ? url(`${e.plural}.show`, { id }) : `/${e.plural}/${id}`);

/** `locals`: what the page's buttons need (links, can, actions) and the view's own; `visible`: the fields the reader may see. */
export type ShowPage = { view?: string; locals: Record<string, unknown>; status?: number; visible(key: string): boolean };

export async function showRecord(db: Knex, e: AnyEntity, req: Request, res: Response, row: Row, page: ShowPage): Promise<void> {
  const entries = await auditEntriesOf(db, e, row.id);
  const c = await viewContext(db, req, res, wantHistory(wantRows(noLookups(), e.fields, [row]), e, entries));
  const p = parentOf(e);
  const parent = p ? { label: req.t(e.labelKey(p.field)), title: c.lookups.ref(p.entity.name, Number(row[p.field])), href: showUrl(p.entity, Number(row[p.field])) } : undefined;
  const hrefOf = (k: string) => (e.fields[k].kind === 'ref' && row[k] ? showUrl(entityNamed(e.fields[k].refEntity!), Number(row[k])) : undefined);
  const fields = Object.keys(e.fields)
    .filter((k) => k !== p?.field && k !== e.titleColumn && page.visible(k))
    .map((k) => ({ key: k, label: req.t(e.labelKey(k)), value: e.fields[k].display(row[k], c), long: e.fields[k].kind === 'longText', href: hrefOf(k) }));
  await renderPage(res, page.view ?? 'kernel/show', {
    title: titleOf(e, row, req.locale),
    plural: e.plural,
    record: row,
    fields,
    parent,
    history: describeHistory(e, entries, c, page.visible),
    notice: undefined,
    meta: { created: c.fmt.dateTime(row.created_at as string), updated: c.fmt.dateTime(row.updated_at as string) },
    ...page.locals,
  }, page.status ?? 200);
}
