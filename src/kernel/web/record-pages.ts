import type { Request, Response } from 'express';
import type { Knex } from 'knex';
import type { z } from 'zod';
import { hasPermission } from '../../authz/actor.js';
import { actorOf } from '../../authz/guards.js';
import { ConflictError, NotFoundError, ValidationError, type FieldErrors } from '../../shared/errors.js';
import { redirectWithFlash } from '../../shared/flash.js';
import { parseId, queryId } from '../../shared/ids.js';
import { renderPage } from '../../shared/render.js';
import { idParam, requestInfo } from '../../shared/request.js';
import { parseForm } from '../../shared/validation.js';
import { versionInput } from '../../shared/version.js';
import { titleOf, type AnyEntity, type Row } from '../entity/define-entity.js';
import { noLookups, wantRows } from '../entity/lookups.js';
import { viewContext } from '../entity/view-context.js';
import { auditEntriesOf, describeHistory, wantHistory } from '../data/history.js';
import { repositoryOf } from '../data/repository.js';
import { parentOf } from '../data/scope.js';
import { InUseError, write, type AuditOf, type Values } from '../data/write.js';
import { formChoices } from './field-choices.js';
import { differingFields, formValuesOf, typedFormValues, type FormValues } from './form-values.js';
import { recordList } from './record-list.js';
import { admits, hasRoute, url } from './routes.js';

// The pages every entity gets: list, new/create, show, edit/update, delete (asked first), restore.
// 422 keeps every typed value with a message by each field; 409 keeps them too and lists, by label,
// only the fields someone else saved differently; success is a 303 with a flash.

export type PageOptions = {
  /** A new record with a parent may start from a page that searches the parent (else 404 without one). */
  pickParent?: boolean;
  /** The show page's own view (it gets the generic locals: record, fields, history, parent). */
  showView?: string;
  /** A show page of the entity's own, handed the record found in scope (deleted ones for restorers). */
  show?(req: Request, res: Response, row: Row): Promise<void>;
  /** The page a new record's form lives on (a tree beside the form that adds to it): the form's locals plus `newLocals`. */
  newView?: string;
  newLocals?(req: Request): Promise<Record<string, unknown>>;
  /** Buttons on the show page, each a POST to a named route (see resource's `patches`), shown to those the route admits. */
  actions?(row: Row): PageAction[];
  /** Why a record may not be deleted, said on the confirmation page before asking. */
  deleteRefusal?(db: Knex, row: Row): Promise<FieldErrors[string] | undefined>;
  /**
   * Something to show before a new record is saved (possible duplicates): the form comes back with
   * the notice's view inside it, which carries the field that confirms the save next time.
   */
  noticeBeforeCreate?(db: Knex, req: Request, values: Values): Promise<{ view: string; locals: Record<string, unknown> } | undefined>;
  afterCreate?(id: number, values: Values): string;
  afterUpdate?(id: number): string;
  afterDelete?(row: Row): string;
  /**
   * Inputs a new record's form reads beside its fields and never shows again (a password typed
   * twice): their parse, and what they add to the create (columns, audit). Shown by formParts.new.inputs.
   */
  createInputs?: { input: z.ZodType<Values>; extend(data: Values): Promise<{ values: Values; audit?: AuditOf }> };
  /** What a form adds, by mode: `inputs` inside it after the fields, `aside` beside it (the record's own actions). */
  formParts?: Partial<Record<'new' | 'edit', FormParts>>;
};

/** Views included by the form; `locals` gives them what they show of the record (undefined on a new one). */
export type FormParts = { inputs?: string; aside?: string; locals?(req: Request, row: Row | undefined): Record<string, unknown> };

/** `instead`: also offered on the delete page of a record in use (deactivate rather than delete). */
export type PageAction = { route: string; labelKey: string; test?: string; instead?: boolean };

type Parent = { field: string; id: number; title: string; href: string; label: string };

export const showUrl = (e: AnyEntity, id: number) => (hasRoute(`${e.plural}.show`) ? url(`${e.plural}.show`, { id }) : `/${e.plural}/${id}`);

/** The form fields this actor sets; a field behind a permission they lack keeps its default (or value). */
const formFieldsFor = (e: AnyEntity, req: Request) =>
  e.formFields.filter((k) => !e.fields[k].permission || hasPermission(req.user, e.fields[k].permission));

/** The fields a sent form sets: one behind a permission left empty keeps its default (or value) too. */
const sentFields = (e: AnyEntity, req: Request) => formFieldsFor(e, req).filter((k) => !e.fields[k].permission || !!req.body?.[k]);

export function recordPages(db: Knex, e: AnyEntity, o: PageOptions = {}) {
  const repo = repositoryOf(e);
  const r = (name: string, id?: number) => url(`${e.plural}.${name}`, id === undefined ? {} : { id });
  // An entity without a show page goes back to its list.
  const back = (id: number) => (hasRoute(`${e.plural}.show`) ? r('show', id) : r('index'));
  const actionsOf = (req: Request, row: Row, instead = false) =>
    (o.actions?.(row) ?? [])
      .filter((a) => (!instead || a.instead) && admits(a.route, req.user))
      .map((a) => ({ href: url(a.route, { id: row.id }), label: req.t(a.labelKey), test: a.test }));
  // A question or a refusal may name any column of the record ("{name}" ({code})).
  const wording = (req: Request, row: Row) => ({ ...Object.fromEntries(Object.entries(row).map(([k, v]) => [k, String(v ?? '')])), name: titleOf(e, row, req.locale) });

  async function parentOfRecord(req: Request, id: number | undefined): Promise<Parent | undefined> {
    const p = parentOf(e);
    if (!p) return undefined;
    if (id === undefined) throw new NotFoundError();
    const row = await repositoryOf(p.entity).findById({ db, actor: actorOf(req) }, id);
    if (!row) throw new NotFoundError();
    return { field: p.field, id, title: String(row[p.entity.titleColumn]), href: showUrl(p.entity, id), label: req.t(e.labelKey(p.field)) };
  }

  async function showForm(
    req: Request,
    res: Response,
    mode: 'new' | 'edit',
    values: FormValues,
    extra: { status?: number; errors?: FieldErrors; parent?: Parent; row?: Row; conflict?: unknown; notice?: { view: string; locals: Record<string, unknown> } },
  ) {
    const { status = 200, errors = {}, parent, row, conflict, notice } = extra;
    const choices = await formChoices(db, e, actorOf(req), req.locale, req.t, values, row?.id);
    const fields = formFieldsFor(e, req).map((key) => ({ key, field: e.fields[key], label: req.t(e.labelKey(key)) }));
    const action = mode === 'new' ? r('create') : r('update', row!.id);
    const cancelUrl = mode === 'edit' ? back(row!.id) : (parent?.href ?? r('index'));
    const title = req.t(`${e.plural}.${mode}_title`);
    const own = mode === 'new' && o.newView ? { view: o.newView, locals: await o.newLocals?.(req) } : { view: 'kernel/form', locals: {} };
    const parts = o.formParts?.[mode] ?? {};
    const partLocals = { ...parts.locals?.(req, row), parts, mode, record: row };
    await renderPage(res, own.view, { title, name: e.name, plural: e.plural, fields, values, errors, choices, parent, action, cancelUrl, conflict, notice, ...partLocals, ...own.locals }, status);
  }

  async function found(req: Request, deleted: 'exclude' | 'include' = 'exclude'): Promise<Row> {
    const row = await repo.findById({ db, actor: actorOf(req) }, idParam(req), deleted);
    if (!row) throw new NotFoundError();
    return row;
  }

  function deletePage(req: Request, res: Response, row: Row, question: string, errors: FieldErrors, status: number) {
    const title = req.t(`${e.plural}.delete_title`);
    return renderPage(res, 'kernel/delete', { title, question, errors, instead: undefined, action: r('delete', row.id), cancelUrl: back(row.id), version: row.version }, status);
  }

  /** The delete page of a record in use: why (e.inUse's reason), and what is offered instead; 409 once a delete was refused. */
  function inUsePage(req: Request, res: Response, row: Row, reason: string, status: number) {
    const title = req.t(`${e.plural}.delete_title`);
    const errors = { _form: { key: reason, params: wording(req, row) } };
    return renderPage(res, 'kernel/delete', { title, question: '', errors, instead: actionsOf(req, row, true), cancelUrl: back(row.id) }, status);
  }

  const flashName = (req: Request, values: Values | Row) => ({ name: titleOf(e, values, req.locale) });
  const may = (req: Request, action: keyof AnyEntity['permissions']) => !!e.permissions[action] && hasPermission(req.user, e.permissions[action]);
  const visible = (req: Request, key: string) => !e.fields[key]?.readPermission || hasPermission(req.user, e.fields[key].readPermission);

  return {
    index: (req: Request, res: Response) => recordList(db, e, req, res, may(req, 'restore')),

    newForm: async (req: Request, res: Response) => {
      const p = parentOf(e);
      const parentId = p ? queryId(req.query, p.field) : undefined;
      if (p && parentId === undefined && o.pickParent) {
        const q = typeof req.query.q === 'string' ? req.query.q.trim().slice(0, 100) : '';
        const matches = q ? await repositoryOf(p.entity).choices({ db, actor: actorOf(req) }, q) : [];
        const title = req.t(`${e.plural}.new_title`);
        return renderPage(res, 'kernel/pick-parent', { title, q, matches, field: p.field, newUrl: r('new'), hint: req.t(`${e.plural}.pick_parent`) });
      }
      const parent = await parentOfRecord(req, parentId);
      const values = { ...typedFormValues({}, e.formFields), ...(e.defaults?.(actorOf(req)) ?? {}) };
      await showForm(req, res, 'new', values, { parent });
    },

    create: async (req: Request, res: Response) => {
      const actor = actorOf(req);
      const p = parentOf(e);
      const parent = await parentOfRecord(req, p ? (parseId(req.body?.[p.field]) ?? undefined) : undefined);
      const values = typedFormValues(req.body, e.formFields);
      const shown = sentFields(e, req);
      const hidden = e.formFields.filter((k) => !shown.includes(k));
      const fields = parent ? [...e.formFields, parent.field] : e.formFields;
      const defaults = e.defaults?.(actor) ?? {};
      const body = { ...(req.body as object), ...Object.fromEntries(hidden.map((k) => [k, defaults[k] ?? ''])) };
      const parsed = parseForm(e.inputFor(fields), body);
      const extra = o.createInputs ? parseForm(o.createInputs.input, req.body) : ({ ok: true, data: {} } as const);
      if (!parsed.ok || !extra.ok) {
        return showForm(req, res, 'new', values, { status: 422, errors: { ...(parsed.ok ? {} : parsed.errors), ...(extra.ok ? {} : extra.errors) }, parent });
      }
      const notice = await o.noticeBeforeCreate?.(db, req, parsed.data);
      if (notice) return showForm(req, res, 'new', values, { parent, notice });
      try {
        const more = o.createInputs ? await o.createInputs.extend(extra.data) : { values: {} };
        const op = { kind: 'create', values: { ...parsed.data, ...more.values }, audit: more.audit } as const;
        const saved = await write(db, e, op, actor, requestInfo(req));
        const next = o.afterCreate?.(saved.id, saved.values) ?? r('show', saved.id);
        await redirectWithFlash(req, res, next, req.t(`${e.plural}.created`, flashName(req, saved.values)));
      } catch (err) {
        if (err instanceof ValidationError) return showForm(req, res, 'new', values, { status: 422, errors: err.fields, parent });
        throw err;
      }
    },

    show: async (req: Request, res: Response) => {
      const row = await found(req, may(req, 'restore') ? 'include' : 'exclude');
      if (o.show) return o.show(req, res, row);
      const entries = await auditEntriesOf(db, e, row.id);
      const c = await viewContext(db, req, res, wantHistory(wantRows(noLookups(), e.fields, [row]), e, entries));
      const p = parentOf(e);
      const parent = p ? { label: req.t(e.labelKey(p.field)), title: c.lookups.ref(p.entity.name, Number(row[p.field])), href: showUrl(p.entity, Number(row[p.field])) } : undefined;
      const fields = Object.keys(e.fields)
        .filter((k) => k !== p?.field && k !== e.titleColumn && visible(req, k))
        .map((k) => ({ key: k, label: req.t(e.labelKey(k)), value: e.fields[k].display(row[k], c), long: e.fields[k].kind === 'longText' }));
      const links = { edit: r('edit', row.id), delete: r('delete.confirm', row.id), restore: may(req, 'restore') ? r('restore', row.id) : null, index: r('index') };
      const can = { edit: may(req, 'edit'), delete: may(req, 'delete'), restore: may(req, 'restore') };
      await renderPage(res, o.showView ?? 'kernel/show', {
        title: titleOf(e, row, req.locale),
        plural: e.plural,
        record: row,
        fields,
        parent,
        history: describeHistory(e, entries, c, (k) => visible(req, k)),
        links,
        can,
        actions: actionsOf(req, row),
        meta: { created: c.fmt.dateTime(row.created_at as string), updated: c.fmt.dateTime(row.updated_at as string) },
      });
    },

    editForm: async (req: Request, res: Response) => {
      const row = await found(req);
      await showForm(req, res, 'edit', formValuesOf(e, row, res.locals.timeZone), { row });
    },

    update: async (req: Request, res: Response) => {
      const actor = actorOf(req);
      const row = await found(req);
      // A fixed field is not sent: the form shows it again as the record holds it.
      const values = { ...formValuesOf(e, row, res.locals.timeZone), ...typedFormValues(req.body, formFieldsFor(e, req).filter((k) => !e.fields[k].fixed)) };
      const version = versionInput.safeParse(req.body);
      if (!version.success) throw new NotFoundError();
      const parsed = parseForm(e.inputFor(sentFields(e, req).filter((k) => !e.fields[k].fixed)), req.body);
      if (!parsed.ok) return showForm(req, res, 'edit', values, { status: 422, errors: parsed.errors, row });
      try {
        await write(db, e, { kind: 'update', id: row.id, version: version.data.version, values: parsed.data }, actor, requestInfo(req));
        await redirectWithFlash(req, res, o.afterUpdate?.(row.id) ?? r('show', row.id), req.t(`${e.plural}.updated`, flashName(req, { ...row, ...parsed.data })));
      } catch (err) {
        if (err instanceof ValidationError) return showForm(req, res, 'edit', values, { status: 422, errors: err.fields, row });
        if (!(err instanceof ConflictError)) throw err;
        const latest = await found(req);
        const saved = formValuesOf(e, latest, res.locals.timeZone);
        const c = await viewContext(db, req, res, wantRows(noLookups(), e.fields, [latest]));
        const differing = differingFields(e, saved, values).map((k) => ({ label: req.t(e.labelKey(k)), value: e.fields[k].display(latest[k], c) || '—' }));
        // The hidden version becomes the current one, so saving again is a deliberate overwrite.
        return showForm(req, res, 'edit', { ...values, version: saved.version }, { status: 409, row: latest, conflict: { differing } });
      }
    },

    deleteConfirm: async (req: Request, res: Response) => {
      const row = await found(req);
      const reason = await e.inUse?.(db, row);
      if (reason) return inUsePage(req, res, row, reason, 200);
      const p = parentOf(e);
      const c = p ? await viewContext(db, req, res, wantRows(noLookups(), { [p.field]: e.fields[p.field] }, [row])) : undefined;
      const question = req.t(`${e.plural}.delete_question`, { ...wording(req, row), parent: p && c ? c.lookups.ref(p.entity.name, Number(row[p.field])) : '' });
      const refusal = await o.deleteRefusal?.(db, row);
      await deletePage(req, res, row, question, refusal ? { _form: refusal } : {}, 200);
    },

    remove: async (req: Request, res: Response) => {
      const version = versionInput.safeParse(req.body);
      let result;
      try {
        result = await write(db, e, { kind: 'delete', id: idParam(req), version: version.success ? version.data.version : undefined }, actorOf(req), requestInfo(req));
      } catch (err) {
        if (err instanceof InUseError) return inUsePage(req, res, await found(req), err.reason, err.status);
        if (!(err instanceof ValidationError)) throw err;
        return deletePage(req, res, await found(req), '', err.fields, 422);
      }
      const row = result.before!;
      await redirectWithFlash(req, res, o.afterDelete?.(row) ?? r('index'), req.t(`${e.plural}.deleted`, flashName(req, row)));
    },

    /** A change made by a button (deactivate, activate): these values, then back to the record with a flash. */
    patch: (values: Values, flashKey: string) => async (req: Request, res: Response) => {
      const result = await write(db, e, { kind: 'patch', id: idParam(req), values }, actorOf(req), requestInfo(req));
      await redirectWithFlash(req, res, back(result.id), req.t(flashKey, flashName(req, result.before!)));
    },

    restore: async (req: Request, res: Response) => {
      const version = versionInput.safeParse(req.body);
      const result = await write(db, e, { kind: 'restore', id: idParam(req), version: version.success ? version.data.version : undefined }, actorOf(req), requestInfo(req));
      await redirectWithFlash(req, res, r('show', result.id), req.t(`${e.plural}.restored`, flashName(req, result.before!)));
    },
  };
}
